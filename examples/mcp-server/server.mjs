#!/usr/bin/env node
// An MCP server (streamable HTTP, plus the older /sse + /messages pair) protected by Microsoft Entra ID
// with entra-guard. Tools need different permissions:
//   whoami       any valid token: returns the caller's validated identity from extra.authInfo
//   list_notes   delegated scope  mcp.notes.read
//   add_note     delegated scope  mcp.notes.write
//   purge_notes  app role         Notes.Admin   (an application calling as itself)
//   profile      any user token: the signed-in user's Microsoft Graph profile, fetched on-behalf-of the user
//                (entra-guard/obo); an app-only token gets a clear error, as does missing consent
//
// Run against your tenant (ENTRA_CLIENT_SECRET, the API app's secret, enables the profile tool):
//   ENTRA_TENANT_ID=<tenant-guid> ENTRA_CLIENT_ID=<api-client-id> PORT=3001 node examples/mcp-server/server.mjs
// Run offline (no environment): a loopback Entra (entra-guard/testing) with a demo tenant's app registrations
// (offline-tenant.mjs) on 127.0.0.1:${ENTRA_PORT:-3002}; MCP clients find it from the 401, and
// demo-client.mjs runs the whole flow against it.
//
// It imports the package by name, as your project would: in this repository node_modules/entra-guard is the built pkg/.
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import {
  EntraValidator, createRemoteJwks, protectedResourceMetadata, protectedResourceMetadataUrl, requireEntraAuth,
} from 'entra-guard';
import { OnBehalfOfError, onBehalfOf } from 'entra-guard/obo';

/** @typedef {import('entra-guard').EntraAuthInfo} AuthInfo */
/** @typedef {import('entra-guard').EntraAuditEvent} EntraAuditEvent */
/** @typedef {import('express').Request & { auth?: AuthInfo }} AuthedRequest */
/** @typedef {import('express').RequestHandler} RequestHandler */
/** @typedef {Array<{ text: string, by: string | null }>} Notes */
/**
 * On-behalf-of for the profile tool: the API app's own credential (and, in tests, MSAL's network client and
 * the fetch that reaches Graph).
 * @typedef {Omit<import('entra-guard/obo').OnBehalfOfOptions, 'scopes'> & { graphUrl?: string, fetch?: typeof fetch }} ProfileSettings
 */

/** Microsoft Graph's delegated scope for the signed-in user's profile. */
const GRAPH_USER_READ = 'https://graph.microsoft.com/User.Read';

/**
 * What each tool needs. The middleware reads it from the JSON-RPC body, so a missing permission is an HTTP 403.
 * @type {Record<string, { scopes?: string[], roles?: string[] }>}
 */
export const TOOL_PERMISSIONS = {
  whoami: {},
  list_notes: { scopes: ['mcp.notes.read'] },
  add_note: { scopes: ['mcp.notes.write'] },
  purge_notes: { roles: ['Notes.Admin'] },
  profile: {},
};

/** @param {import('express').Request} req */
function calledTool(req) {
  const message = req.body;
  return message?.method === 'tools/call' ? TOOL_PERMISSIONS[message.params?.name] : undefined;
}

/**
 * The tools over `notes`; every handler gets the validated token as `extra.authInfo` (what requireEntraAuth
 * put on req.auth).
 * @param {Notes} notes
 * @param {ProfileSettings} [profile]
 */
function mcpServer(notes, profile) {
  const server = new McpServer({ name: 'entra-guard-example', version: '1.0.0' });
  /** @param {unknown} value */
  const text = (value) => ({ content: [{ type: /** @type {const} */ ('text'), text: typeof value === 'string' ? value : JSON.stringify(value) }] });
  /** @param {{ authInfo?: import('@modelcontextprotocol/sdk/server/auth/types.js').AuthInfo }} extra */
  const identity = (extra) => /** @type {AuthInfo} */ (extra.authInfo);
  server.registerTool('whoami', { description: "The caller's validated Entra identity" }, (extra) => {
    const { clientId, scopes, extra: entra } = identity(extra);
    if (!entra) return text('no identity');
    return text({ tenantId: entra.tenantId, objectId: entra.objectId, clientId, scopes, roles: entra.roles, isAppOnly: entra.isAppOnly, version: entra.version });
  });
  server.registerTool('list_notes', { description: 'List notes (scope mcp.notes.read)' }, () => text(notes));
  const addNoteInput = { text: z.string().max(1000) };
  server.registerTool('add_note', { description: 'Add a note (scope mcp.notes.write)', inputSchema: addNoteInput },
    /**
     * @param {{ text: string }} args
     * @param {{ authInfo?: import('@modelcontextprotocol/sdk/server/auth/types.js').AuthInfo }} extra
     */
    ({ text: note }, extra) => {
      notes.push({ text: note, by: identity(extra).extra?.objectId ?? null });
      return text(`${notes.length} notes`);
    });
  server.registerTool('purge_notes', { description: 'Delete every note (app role Notes.Admin)' }, () => {
    notes.length = 0;
    return text('purged');
  });
  /** @param {string} message */
  const failure = (message) => ({ isError: true, content: [{ type: /** @type {const} */ ('text'), text: message }] });
  server.registerTool('profile', { description: "The signed-in user's Microsoft Graph profile (on-behalf-of the user)" }, async (extra) => {
    if (!profile) return failure('on-behalf-of is not configured on this server');
    const { graphUrl = 'https://graph.microsoft.com', fetch: fetchGraph = fetch, ...obo } = profile;
    try {
      // The incoming token is exchanged, never forwarded (MCP authorization: no token passthrough).
      const { accessToken } = await onBehalfOf(identity(extra), { ...obo, scopes: [GRAPH_USER_READ] });
      const response = await fetchGraph(`${graphUrl}/v1.0/me`, { headers: { authorization: `Bearer ${accessToken}` } });
      if (!response.ok) return failure(`Microsoft Graph answered HTTP ${response.status}`);
      const me = await response.json();
      return text({ id: me.id, displayName: me.displayName, userPrincipalName: me.userPrincipalName, mail: me.mail ?? null });
    } catch (error) {
      if (!(error instanceof OnBehalfOfError)) throw error;
      return failure(`${error.code}${error.aadsts ? ` (AADSTS${error.aadsts})` : ''}: ${error.message}`);
    }
  });
  return server;
}

/**
 * The Express app. `validator` (with `jwks`, a remote JWKS cache, unless it holds its keys) checks tokens;
 * `resource` is this server's public MCP endpoint URL, which must be an identifier URI of the API app (the
 * scopes are advertised, and challenged, as `{resource}/{scope}`). `authorizationServerMetadata` serves RFC
 * 8414 metadata mirroring the tenant's Entra endpoints (`authorityHost`: their login host, for tests);
 * `authorizationServers` names another authorization server (the offline mode's loopback Entra).
 * `scopesSupported` lists the scopes advertised (default both notes scopes; advertise fewer to have clients
 * start with less and step up on a 403, MCP 2025-11-25 "Scope Selection Strategy").
 * `profile` configures on-behalf-of for the profile tool. `guards` replaces the two auth middlewares (tests
 * use it to run the MCP SDK's own requireBearerAuth instead).
 * @param {{
 *   validator: import('entra-guard').EntraValidator,
 *   jwks?: import('entra-guard').RemoteJwks,
 *   resource: string,
 *   tenantId: string,
 *   authorizationServerMetadata?: boolean,
 *   authorityHost?: string,
 *   authorizationServers?: string[],
 *   scopesSupported?: string[],
 *   profile?: ProfileSettings,
 *   onSuccess?: (event: EntraAuditEvent) => void,
 *   onFailure?: (event: EntraAuditEvent) => void,
 *   guards?: { authenticated: RequestHandler, toolPermissions: RequestHandler },
 * }} settings
 */
export function createApp({
  validator, jwks, resource, tenantId, authorizationServerMetadata, authorityHost, authorizationServers, scopesSupported = ['mcp.notes.read', 'mcp.notes.write'],
  profile, onSuccess, onFailure, guards,
}) {
  const app = express();
  /** @type {Notes} */
  const notes = [];
  // The resource's metadata: scopes qualified with the resource, as Entra names them.
  app.use(protectedResourceMetadata({
    resource, tenantId, resourceName: 'entra-guard example MCP server',
    scopesSupported, authorizationServerMetadata, authorityHost, authorizationServers,
  }));
  // Authenticate before parsing a body, then check the called tool's permissions on the parsed body
  // (the second check is a cache hit: the token was verified a moment ago). `resource` makes the
  // challenges point at the metadata and name scopes as Entra does.
  const { authenticated, toolPermissions } = guards ?? {
    authenticated: requireEntraAuth({ validator, jwks, resource, onFailure }),
    toolPermissions: requireEntraAuth({
      validator, jwks, resource, onSuccess, onFailure,
      requiredScopes: (req) => calledTool(req)?.scopes,
      requiredRoles: (req) => calledTool(req)?.roles,
    }),
  };
  // One message per request: a JSON-RPC batch (which the SDK transport accepts) would carry tools/call
  // messages past toolPermissions, which looks at a single message.
  /** @type {RequestHandler} */
  const noBatches = (req, res, next) => (Array.isArray(req.body)
    ? res.status(400).json({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: JSON-RPC batches are not supported' } })
    : next());
  const guard = [authenticated, express.json({ limit: '1mb' }), noBatches, toolPermissions];

  // Streamable HTTP, stateless: a server and transport per request.
  app.post('/mcp', ...guard, async (req, res) => {
    const server = mcpServer(notes, profile);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  /**
   * @param {import('express').Request} _req
   * @param {import('express').Response} res
   */
  const methodNotAllowed = (_req, res) => {
    res.status(405).set('allow', 'POST').json({ error: 'method_not_allowed' });
  };
  app.get('/mcp', authenticated, methodNotAllowed);
  app.delete('/mcp', authenticated, methodNotAllowed);

  // The older HTTP+SSE transport: GET /sse opens the stream, POST /messages?sessionId= carries requests.
  const sessions = new Map();
  app.get('/sse', authenticated, async (req, res) => {
    const transport = new SSEServerTransport('/messages', res);
    sessions.set(transport.sessionId, { transport, objectId: /** @type {AuthedRequest} */ (req).auth?.extra?.objectId });
    res.on('close', () => sessions.delete(transport.sessionId));
    await mcpServer(notes, profile).connect(transport);
  });
  app.post('/messages', ...guard, async (req, res) => {
    const session = sessions.get(String(req.query.sessionId));
    // A session belongs to the identity that opened it.
    if (!session || session.objectId !== /** @type {AuthedRequest} */ (req).auth?.extra?.objectId) {
      res.status(404).json({ error: 'unknown_session' });
      return;
    }
    await session.transport.handlePostMessage(req, res, req.body);
  });
  return app;
}

async function main() {
  const port = Number(process.env.PORT ?? 3001);
  const host = process.env.HOST ?? '127.0.0.1';
  const resource = process.env.MCP_RESOURCE ?? `http://${host}:${port}/mcp`;
  /** @type {Parameters<typeof createApp>[0]} */
  let settings;
  const tenantId = process.env.ENTRA_TENANT_ID;
  if (tenantId) {
    // A real tenant: the API app's client id (v2 tokens' aud) and its identifier URIs (v1 tokens' aud), one of
    // which is this server's URL (README, "A real tenant, step by step").
    const clientId = process.env.ENTRA_CLIENT_ID;
    if (!clientId) throw new Error('ENTRA_CLIENT_ID is required with ENTRA_TENANT_ID: the API app registration\'s client id');
    const validator = new EntraValidator({ tenantId, audience: [clientId, resource, `api://${clientId}`] });
    const clientSecret = process.env.ENTRA_CLIENT_SECRET;
    settings = { validator, jwks: createRemoteJwks({ tenantId }), resource, tenantId, profile: clientSecret ? { clientSecret } : undefined };
  } else {
    settings = await offlineSettings(resource);
  }
  const server = createApp(settings).listen(port, host, () => {
    console.log(`MCP server (Entra-protected) on ${resource}; metadata at ${protectedResourceMetadataUrl(resource)}`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/**
 * Offline: a loopback Entra (entra-guard/testing) with the demo tenant's app registrations, found by MCP
 * clients from the 401 like Entra itself; the profile tool's on-behalf-of and Graph calls go to it too.
 * @param {string} resource
 * @returns {Promise<Parameters<typeof createApp>[0]>}
 */
async function offlineSettings(resource) {
  const { OFFLINE_TENANT, startOfflineEntra } = await import('./offline-tenant.mjs');
  const entra = await startOfflineEntra({ resource, port: Number(process.env.ENTRA_PORT ?? 3002) });
  const { tenantId, api } = OFFLINE_TENANT;
  const validator = new EntraValidator({ tenantId, audience: [api.clientId, resource], issuers: [entra.issuerTemplate('2.0')] });
  const authority = entra.issuerFor(tenantId, '2.0');
  const user = entra.mint({ audience: api.clientId, scopes: ['mcp.notes.read', 'mcp.notes.write'] });
  const app = entra.mint({ type: 'app', audience: api.clientId, roles: ['Notes.Admin'] });
  console.log(`offline: a loopback Entra (entra-guard/testing, a test tool) for demo tenant ${tenantId} at ${authority}`);
  console.log(`a user token (mcp.notes.read mcp.notes.write), valid for an hour:\n  ${user}`);
  console.log(`an app-only token (role Notes.Admin):\n  ${app}`);
  console.log(`try: curl -s -X POST ${resource} -H "authorization: Bearer <token>" -H 'content-type: application/json' ` +
    `-H 'accept: application/json, text/event-stream' -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}'`);
  console.log(`or the whole MCP authorization flow from a bare 401: node examples/mcp-server/demo-client.mjs ${resource}`);
  return {
    validator,
    jwks: createRemoteJwks({ jwksUri: /** @type {string} */ (entra.jwksUri) }),
    resource,
    tenantId,
    authorizationServers: [authority],
    profile: { clientSecret: api.clientSecret, msal: { system: { networkClient: entra.msalNetworkClient } }, fetch: entra.fetch },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
