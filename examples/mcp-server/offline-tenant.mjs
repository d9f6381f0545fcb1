// The offline demo tenant: the app registrations the example server and its demo client use when no real
// tenant is configured, served by entra-guard/testing's loopback Entra on 127.0.0.1 (a test tool: it signs
// the demo user in without a page and never leaves loopback). With a real tenant, these are the registrations
// to create in the Entra admin center (README, "A real tenant, step by step").
import { DEFAULT_TEST_USER, createTestIssuer } from 'entra-guard/testing';

/** Fixed ids, so a separate client process (demo-client.mjs) knows them. Test values, never real secrets. */
export const OFFLINE_TENANT = Object.freeze({
  tenantId: '0ff11e00-0000-4000-8000-000000000001',
  /** The MCP server's API app: its identifier URI is the server's URL; v2 tokens. */
  api: Object.freeze({ clientId: '0ff11e00-0000-4000-8000-0000000000a1', clientSecret: 'offline-api-secret' }),
  /** A daemon calling the server as itself (client credentials), granted the app role Notes.Admin. */
  daemon: Object.freeze({ clientId: '0ff11e00-0000-4000-8000-0000000000c1', clientSecret: 'offline-daemon-secret' }),
  /** A pre-registered public MCP client (authorization code + PKCE), with a loopback redirect URI. */
  client: Object.freeze({ clientId: '0ff11e00-0000-4000-8000-0000000000c2', redirectUri: 'http://127.0.0.1/callback' }),
  user: DEFAULT_TEST_USER,
});

/** The loopback Entra's default port, beside the MCP server's 3001. */
export const OFFLINE_ENTRA_PORT = 3002;

/** The v2 issuer (the authorization server's URL) of the loopback Entra on `port`. */
export const offlineAuthority = (port = OFFLINE_ENTRA_PORT) => `http://127.0.0.1:${port}/${OFFLINE_TENANT.tenantId}/v2.0`;

/**
 * Starts the loopback Entra for the MCP server at `resource`: issuer URLs on loopback (issuerMode 'loopback'),
 * so any local MCP client finds it from the server's 401 by discovery, as it would find Entra.
 * @param {{ resource: string, port?: number }} options
 */
export function startOfflineEntra({ resource, port = OFFLINE_ENTRA_PORT }) {
  const { tenantId, api, daemon, client } = OFFLINE_TENANT;
  return createTestIssuer({
    tenantId,
    issuerMode: 'loopback',
    port,
    users: [OFFLINE_TENANT.user],
    apps: [
      {
        clientId: api.clientId, displayName: 'entra-guard example MCP server', identifierUris: [resource, `api://${api.clientId}`],
        scopes: ['mcp.notes.read', 'mcp.notes.write'], appRoles: ['Notes.Admin'], clientSecret: api.clientSecret,
        // Admin consent for on-behalf-of calls to Microsoft Graph (the profile tool).
        grants: [{ resource: 'graph', scopes: ['User.Read'] }],
      },
      { clientId: daemon.clientId, displayName: 'Notes daemon', clientSecret: daemon.clientSecret, grants: [{ resource: api.clientId, roles: ['Notes.Admin'] }] },
      { clientId: client.clientId, displayName: 'Local MCP client', publicClient: true, redirectUris: [client.redirectUri] },
    ],
  });
}
