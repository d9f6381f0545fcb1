#!/usr/bin/env node
// The whole MCP authorization flow against the example server in offline mode, with the real MCP SDK clients
// and nothing handed over but the client registrations (offline-tenant.mjs):
//   1. a daemon (SDK v1 ClientCredentialsProvider): 401 → protected-resource metadata → the authorization
//      server's OpenID discovery → token (client credentials) → whoami, purge_notes (app role Notes.Admin);
//   2. a user (SDK v2 client, a pre-registered public client, authorization code + PKCE): the same discovery,
//      a redirect to /authorize (the loopback Entra signs the demo user in without a page; this script plays the
//      browser), the code exchanged → add_note, list_notes, and profile (on-behalf-of to Microsoft Graph).
// Usage: node examples/mcp-server/demo-client.mjs [http://127.0.0.1:3001/mcp]   (exits 1 on any failure)
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { OFFLINE_ENTRA_PORT, OFFLINE_TENANT, offlineAuthority } from './offline-tenant.mjs';

const serverUrl = new URL(process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? 3001}/mcp`);
const resource = serverUrl.href.replace(/\/+$/, '');
const authority = offlineAuthority(Number(process.env.ENTRA_PORT ?? OFFLINE_ENTRA_PORT));

/**
 * A tool's text result, parsed when it is JSON; a tool error throws.
 * @param {{ callTool: (request: { name: string, arguments?: Record<string, unknown> }) => Promise<any> }} client
 * @param {string} name
 * @param {Record<string, unknown>} [args]
 */
async function call(client, name, args = {}) {
  const result = await client.callTool({ name, arguments: args });
  const text = result.content?.[0]?.text ?? '';
  if (result.isError) throw new Error(`${name}: ${text}`);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** @param {string} step @param {unknown} value */
const show = (step, value) => console.log(`  ${step}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);

async function daemon() {
  console.log('1. a daemon, client credentials (SDK v1 ClientCredentialsProvider)');
  const { clientId, clientSecret } = OFFLINE_TENANT.daemon;
  // Entra: client credentials ask for {identifier URI}/.default; the server's URL is the API's identifier URI.
  const authProvider = new ClientCredentialsProvider({ clientId, clientSecret, scope: `${resource}/.default`, expectedIssuer: authority });
  const client = new ClientV1({ name: 'entra-guard-demo-daemon', version: '1.0.0' });
  await client.connect(new TransportV1(serverUrl, { authProvider }));
  show('whoami', await call(client, 'whoami'));
  show('purge_notes', await call(client, 'purge_notes'));
  await client.close();
}

/**
 * The SDK's OAuthClientProvider for a pre-registered public client, in memory; the redirect to /authorize is
 * followed here, as a browser would (the loopback Entra answers with the redirect to the client at once).
 */
class PreRegisteredClient {
  /** @type {any} */ information = { client_id: OFFLINE_TENANT.client.clientId, issuer: authority };
  /** @type {any} */ saved;
  /** @type {string | undefined} */ verifier;
  /** @type {any} */ discovery;
  /** @type {string | undefined} */ code;
  get redirectUrl() { return OFFLINE_TENANT.client.redirectUri; }
  get clientMetadata() {
    return { client_name: 'entra-guard demo client', redirect_uris: [OFFLINE_TENANT.client.redirectUri], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation() { return this.information; }
  /** @param {any} information */
  saveClientInformation(information) { this.information = information; }
  tokens() { return this.saved; }
  /** @param {any} tokens */
  saveTokens(tokens) { this.saved = tokens; }
  /** @param {string} verifier */
  saveCodeVerifier(verifier) { this.verifier = verifier; }
  codeVerifier() { return /** @type {string} */ (this.verifier); }
  /** @param {any} state */
  saveDiscoveryState(state) { this.discovery = state; }
  discoveryState() { return this.discovery; }
  /** @param {URL} url */
  async redirectToAuthorization(url) {
    show('sign-in', `${url.origin}${url.pathname} (scope=${url.searchParams.get('scope')}, resource=${url.searchParams.get('resource')})`);
    const response = await fetch(url, { redirect: 'manual' });
    const location = response.headers.get('location');
    const code = location ? new URL(location).searchParams.get('code') : null;
    if (!code) throw new Error(`the sign-in did not redirect with a code (HTTP ${response.status}${location ? `, ${location}` : ''})`);
    this.code = code;
  }
}

async function user() {
  console.log('2. a user, authorization code + PKCE (SDK v2 client, pre-registered public client)');
  const authProvider = new PreRegisteredClient();
  const first = new StreamableHTTPClientTransport(serverUrl, { authProvider });
  try {
    await new Client({ name: 'entra-guard-demo-user', version: '1.0.0' }).connect(first);
    throw new Error('expected the server to ask for authorization');
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
  }
  await first.finishAuth(/** @type {string} */ (authProvider.code));
  const client = new Client({ name: 'entra-guard-demo-user', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(serverUrl, { authProvider }));
  show('whoami', await call(client, 'whoami'));
  show('add_note', await call(client, 'add_note', { text: 'written through the whole MCP authorization flow' }));
  show('list_notes', await call(client, 'list_notes'));
  show('profile (on-behalf-of → Microsoft Graph /me)', await call(client, 'profile'));
  await client.close();
}

try {
  console.log(`demo client for ${resource} (authorization server ${authority})`);
  await daemon();
  await user();
  console.log('the whole flow worked');
} catch (error) {
  console.error(`demo client failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}
