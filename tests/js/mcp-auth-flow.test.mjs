// The whole MCP authorization flow with Entra, end to end, offline: the example MCP server (examples/mcp-server)
// on loopback, entra-guard/testing's loopback Entra behind the real hosts (login.microsoftonline.com and
// graph.microsoft.com routed to loopback by its fetch and its MSAL network client), and the real clients:
// the MCP SDK v1 and v2 clients starting from a bare 401, and @azure/msal-node.
//   1. client credentials (secret, and private_key_jwt with a certificate assertion), SDK v1 and v2
//   2. authorization code with PKCE for a pre-registered public client, with and without the RFC 8414 mirror;
//      a spec-following client (MCP 2025-11-25 "Authorization Code Protection") refuses without it
//   3. step-up: 403 insufficient_scope with the qualified scope, one re-authorization, success
//   4. MSAL: ConfidentialClientApplication (secret, certificate), PublicClientApplication device code
//   5. on-behalf-of: the profile tool reads Graph /me as the user; Entra down, consent missing, the assertion
//      refused and an app-only caller each give the tool a typed error; the incoming token reaches no log
//   6. a v1 API (accessTokenAcceptedVersion 1) next to the v2 one, each with the audiences the README gives
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError as UnauthorizedV1 } from '@modelcontextprotocol/sdk/client/auth.js';
import {
  ClientCredentialsProvider as ClientCredentialsV1, PrivateKeyJwtProvider as PrivateKeyJwtV1, StaticPrivateKeyJwtProvider as StaticPrivateKeyJwtV1,
} from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import * as v2 from '@modelcontextprotocol/client';
import { ConfidentialClientApplication, PublicClientApplication } from '@azure/msal-node';
import { EntraValidator, createRemoteJwks } from 'entra-guard';
import { createTestCertificate, createTestIssuer, decodeToken } from 'entra-guard/testing';
import { createApp } from '../../examples/mcp-server/server.mjs';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const LOGIN = 'https://login.microsoftonline.com';
const AUTHORITY = `${LOGIN}/${TENANT}/v2.0`; // the v2 issuer: PRM's authorization server, the SDKs' expectedIssuer
const TOKEN_URL = `${LOGIN}/${TENANT}/oauth2/v2.0/token`;
// App registrations: the MCP server's API (v2), a legacy API (v1), an API without consent to Graph, a daemon
// (client credentials), a pre-registered public MCP client (authorization code + PKCE, device code).
const API = '3c1d2e4f-0000-4000-8000-00000000a001';
const API_SECRET = 'api~secret~value';
const LEGACY = '3c1d2e4f-0000-4000-8000-00000000a002';
const LONELY = '3c1d2e4f-0000-4000-8000-00000000a003';
const LONELY_SECRET = 'lonely~secret';
const DAEMON = '3c1d2e4f-0000-4000-8000-00000000c001';
const DAEMON_SECRET = 'daemon~secret~value';
const MCP_CLIENT = '3c1d2e4f-0000-4000-8000-00000000c002';
// Two more public clients, so that what Alice consented to for MCP_CLIENT does not widen their tokens (Entra
// puts every consented scope of the resource in `scp`).
const STEP_UP_CLIENT = '3c1d2e4f-0000-4000-8000-00000000c003';
const CLI_CLIENT = '3c1d2e4f-0000-4000-8000-00000000c004';
const STEP_UP_CLIENT_V1 = '3c1d2e4f-0000-4000-8000-00000000c005';
const REDIRECT = 'http://127.0.0.1/callback'; // a loopback redirect URI: Entra matches it on any port
const ALICE = { objectId: 'a11ce000-0000-4000-8000-000000000001', displayName: 'Alice Example', userPrincipalName: 'alice@contoso.example', mail: 'alice@contoso.example' };
const NOTES = ['mcp.notes.read', 'mcp.notes.write'];

// The servers' URLs are identifier URIs of their API apps (Entra refuses a `resource` that is not one:
// AADSTS9010010), so the ports are taken before the apps are registered.
/** @returns {Promise<{ http: import('node:http').Server, url: string }>} */
async function reserve() {
  const http = createServer();
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { http, url: `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (http.address()).port}/mcp` };
}
const main = await reserve(); // Entra's own metadata; both notes scopes advertised
const mirror = await reserve(); // the same API, serving the RFC 8414 mirror
const stepUp = await reserve(); // the same API, advertising only mcp.notes.read
const legacy = await reserve(); // the v1 API
const lonely = await reserve(); // an API whose app has no consent to call Graph
const crossed = await reserve(); // an API configured with another app's credentials for on-behalf-of
const unregistered = await reserve(); // a URL that is no app's identifier URI
const multi = await reserve(); // the API as a multi-tenant server (tenantId organizations), Entra's metadata
const multiMirror = await reserve(); // the same, with the mirror

const certificate = createTestCertificate();
const entra = await createTestIssuer({
  tenantId: TENANT,
  users: [ALICE],
  deviceCode: { interval: 1, autoApproveAfter: 1 },
  apps: [
    {
      clientId: API, displayName: 'Notes MCP server', identifierUris: [main.url, mirror.url, stepUp.url, multi.url, multiMirror.url, `api://${API}`],
      scopes: NOTES, appRoles: ['Notes.Admin'], clientSecret: API_SECRET, grants: [{ resource: 'graph', scopes: ['User.Read'] }],
    },
    { clientId: LEGACY, displayName: 'Legacy notes API', identifierUris: [legacy.url], scopes: NOTES, appRoles: ['Notes.Admin'], accessTokenAcceptedVersion: 1 },
    { clientId: LONELY, displayName: 'Lonely notes API', identifierUris: [lonely.url, crossed.url], scopes: NOTES, clientSecret: LONELY_SECRET },
    {
      clientId: DAEMON, displayName: 'Notes daemon', clientSecret: DAEMON_SECRET, publicKey: certificate.certificate,
      grants: [{ resource: API, roles: ['Notes.Admin'] }, { resource: LEGACY, roles: ['Notes.Admin'] }],
    },
    { clientId: MCP_CLIENT, displayName: 'MCP client', publicClient: true, redirectUris: [REDIRECT] },
    { clientId: STEP_UP_CLIENT, displayName: 'Step-up MCP client', publicClient: true, redirectUris: [REDIRECT] },
    { clientId: STEP_UP_CLIENT_V1, displayName: 'Step-up MCP client (SDK v1)', publicClient: true, redirectUris: [REDIRECT] },
    { clientId: CLI_CLIENT, displayName: 'MCP CLI', publicClient: true },
  ],
});

/** Everything the servers and MSAL log or report, checked for incoming tokens at the end. */
const logged = [];
const msalLogger = { logLevel: 4, piiLoggingEnabled: false, loggerCallback: (/** @type {number} */ _level, /** @type {string} */ message) => logged.push(message) };
/** @param {string} apiClientId @param {string} secret */
const profileSettings = (apiClientId, secret) => ({
  clientId: apiClientId, clientSecret: secret, fetch: entra.fetch,
  msal: { system: { networkClient: entra.msalNetworkClient, loggerOptions: msalLogger } },
});

/**
 * The example app on a reserved port, validating as the README says: the API's client id (v2 `aud`) and
 * its identifier URIs (v1 `aud`), keys from the tenant's JWKS (fetched from the real host, routed here).
 */
function serve(reserved, { audience, tenantId = TENANT, allowedTenants, ...settings }) {
  const validator = new EntraValidator({ tenantId, audience, ...(allowedTenants ? { allowedTenants } : {}) });
  const jwks = createRemoteJwks({ tenantId, fetch: entra.fetch });
  const record = (/** @type {unknown} */ event) => logged.push(JSON.stringify(event));
  reserved.http.on('request', createApp({ validator, jwks, resource: reserved.url, tenantId, onSuccess: record, onFailure: record, ...settings }));
  return reserved;
}
const apiAudience = [API, main.url, mirror.url, stepUp.url, multi.url, multiMirror.url, `api://${API}`];
serve(main, { audience: apiAudience, profile: profileSettings(API, API_SECRET) });
serve(mirror, { audience: apiAudience, authorizationServerMetadata: true });
serve(stepUp, { audience: apiAudience, scopesSupported: ['mcp.notes.read'] });
serve(legacy, { audience: [LEGACY, legacy.url] });
serve(lonely, { audience: [LONELY, lonely.url, crossed.url], profile: profileSettings(LONELY, LONELY_SECRET) });
serve(crossed, { audience: [LONELY, lonely.url, crossed.url], profile: profileSettings(API, API_SECRET) });
serve(unregistered, { audience: apiAudience });
serve(multi, { audience: apiAudience, tenantId: 'organizations', allowedTenants: [TENANT] });
serve(multiMirror, { audience: apiAudience, tenantId: 'organizations', allowedTenants: [TENANT], authorizationServerMetadata: true });

after(async () => {
  for (const { http } of [main, mirror, stepUp, legacy, lonely, crossed, unregistered, multi, multiMirror]) {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  }
  await entra.close();
});

/**
 * The client side's fetch: the loopback Entra's routing fetch, recording each request (method, URL, status,
 * form body, challenge) so the tests can assert the discovery sequence.
 */
function recorder() {
  /** @type {Array<{ method: string, url: string, status: number, form?: URLSearchParams, challenge: string | null, rpc?: string }>} */
  const log = [];
  /** @type {typeof fetch} */
  const fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const body = init?.body;
    const form = body instanceof URLSearchParams ? body : typeof body === 'string' && !body.startsWith('{') && !body.startsWith('[') ? new URLSearchParams(body) : undefined;
    let rpc;
    try {
      rpc = typeof body === 'string' && body.startsWith('{') ? JSON.parse(body).method : undefined;
    } catch {
      rpc = undefined;
    }
    const res = await entra.fetch(input, init);
    log.push({ method, url, status: res.status, form, challenge: res.headers.get('www-authenticate'), rpc });
    return res;
  };
  return { log, fetch, lines: () => log.map((r) => `${r.method} ${r.url} ${r.status}`) };
}

/** Connects an SDK client (v1 or v2) through a transport with this provider; returns it, connected. */
async function connect(sdk, url, authProvider, fetch) {
  const { Client, Transport } = sdk === 'v1' ? { Client: ClientV1, Transport: TransportV1 } : { Client: v2.Client, Transport: v2.StreamableHTTPClientTransport };
  const client = new Client({ name: `entra-guard-flow-${sdk}`, version: '1.0.0' });
  const transport = new Transport(new URL(url), { authProvider, fetch });
  await client.connect(/** @type {any} */ (transport));
  return { client, transport };
}

/** Calls a tool and returns its text (parsed as JSON when it is), or throws with the tool's error text. */
async function call(client, name, args = {}) {
  const result = await client.callTool({ name, arguments: args });
  const text = result.content?.[0]?.text ?? '';
  if (result.isError) throw Object.assign(new Error(text), { toolError: true });
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const discoverySequence = (url) => {
  const origin = new URL(url).origin;
  return [
    `POST ${url} 401`,
    `GET ${origin}/.well-known/oauth-protected-resource/mcp 200`,
    // MCP 2025-11-25 "Authorization Server Metadata Discovery": RFC 8414 path insertion, OIDC path insertion,
    // then OIDC path appending, the only one Entra serves.
    `GET ${LOGIN}/.well-known/oauth-authorization-server/${TENANT}/v2.0 404`,
    `GET ${LOGIN}/.well-known/openid-configuration/${TENANT}/v2.0 404`,
    `GET ${LOGIN}/${TENANT}/v2.0/.well-known/openid-configuration 200`,
  ];
};

// ---------------------------------------------------------------------------------------------------------
// 1. Client credentials
// ---------------------------------------------------------------------------------------------------------

test('1. SDK v1 ClientCredentialsProvider: 401 → metadata → Entra\'s discovery → token → tool calls (app-only, role Notes.Admin)', async () => {
  const { log, fetch, lines } = recorder();
  const provider = new ClientCredentialsV1({ clientId: DAEMON, clientSecret: DAEMON_SECRET, scope: `${main.url}/.default`, expectedIssuer: AUTHORITY });
  const { client } = await connect('v1', main.url, provider, fetch);
  assert.deepEqual(lines().slice(0, 7), [...discoverySequence(main.url), `POST ${TOKEN_URL} 200`, `POST ${main.url} 200`]);
  const tokenRequest = /** @type {URLSearchParams} */ (log[5].form);
  assert.equal(tokenRequest.get('grant_type'), 'client_credentials');
  assert.equal(tokenRequest.get('scope'), `${main.url}/.default`);
  assert.equal(tokenRequest.get('resource'), main.url, 'the resource parameter is the metadata\'s resource, an identifier URI of the API');
  const who = await call(client, 'whoami');
  assert.deepEqual({ clientId: who.clientId, isAppOnly: who.isAppOnly, roles: who.roles, version: who.version, tenantId: who.tenantId }, { clientId: DAEMON, isAppOnly: true, roles: ['Notes.Admin'], version: '2.0', tenantId: TENANT });
  assert.equal(await call(client, 'purge_notes'), 'purged');
  await client.close();
});

test('1. SDK v2 ClientCredentialsProvider: the SDK sends the metadata\'s delegated scopes, which Entra refuses for client credentials (AADSTS1002012); with the provider\'s own .default it works', async () => {
  const refused = recorder();
  const plain = new v2.ClientCredentialsProvider({ clientId: DAEMON, clientSecret: DAEMON_SECRET, scope: `${main.url}/.default`, expectedIssuer: AUTHORITY });
  await assert.rejects(connect('v2', main.url, plain, refused.fetch), /AADSTS1002012/);
  const sent = refused.log.find((r) => r.url === TOKEN_URL)?.form;
  assert.equal(sent?.get('scope'), NOTES.map((s) => `${main.url}/${s}`).join(' '), 'v2 takes scopes_supported over the provider\'s scope');

  // The workaround the README gives: a provider that always asks for {resource}/.default.
  class EntraClientCredentials extends v2.ClientCredentialsProvider {
    prepareTokenRequest() {
      return super.prepareTokenRequest(this.clientMetadata.scope);
    }
  }
  const { log, fetch, lines } = recorder();
  const provider = new EntraClientCredentials({ clientId: DAEMON, clientSecret: DAEMON_SECRET, scope: `${main.url}/.default`, expectedIssuer: AUTHORITY });
  const { client } = await connect('v2', main.url, provider, fetch);
  assert.deepEqual(lines().slice(0, 7), [...discoverySequence(main.url), `POST ${TOKEN_URL} 200`, `POST ${main.url} 200`]);
  assert.equal(log[5].form?.get('resource'), main.url);
  assert.equal((await call(client, 'whoami')).clientId, DAEMON);
  assert.equal(await call(client, 'purge_notes'), 'purged');
  await client.close();
});

test('1. private_key_jwt: an Entra-shaped certificate assertion (x5t#S256, aud the token endpoint) works in v1 and v2; the SDK\'s PrivateKeyJwtProvider assertion is refused (no x5t)', async () => {
  for (const sdk of ['v1', 'v2']) {
    const Static = sdk === 'v1' ? StaticPrivateKeyJwtV1 : v2.StaticPrivateKeyJwtProvider;
    const assertion = entra.clientAssertion({ clientId: DAEMON, certificate });
    const provider = new Static({ clientId: DAEMON, jwtBearerAssertion: assertion, scope: `${main.url}/.default`, expectedIssuer: AUTHORITY });
    // Entra documents client_id as required beside the assertion; the SDK leaves it out.
    const addAssertion = /** @type {any} */ (provider).addClientAuthentication;
    /** @type {any} */ (provider).addClientAuthentication = (/** @type {any[]} */ ...args) => {
      args[1].set('client_id', DAEMON);
      return addAssertion(...args);
    };
    if (sdk === 'v2') /** @type {any} */ (provider).prepareTokenRequest = () => new URLSearchParams({ grant_type: 'client_credentials', scope: `${main.url}/.default` });
    const { log, fetch } = recorder();
    const { client } = await connect(sdk, main.url, provider, fetch);
    const form = log.find((r) => r.url === TOKEN_URL)?.form;
    assert.equal(form?.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', sdk);
    assert.equal(form?.has('client_secret'), false);
    const who = await call(client, 'whoami');
    assert.equal(who.clientId, DAEMON, sdk);
    await client.close();
  }
  // The SDK's own signer: header { alg, typ } only, so Entra cannot find the certificate.
  const provider = new PrivateKeyJwtV1({ clientId: DAEMON, privateKey: certificate.privateKey, algorithm: 'RS256', scope: `${main.url}/.default`, expectedIssuer: AUTHORITY });
  await assert.rejects(connect('v1', main.url, provider, recorder().fetch), /AADSTS700027|AADSTS700023/);
});

test('1. the classic mistake: a server URL that is not an identifier URI of the API → AADSTS9010010 from Entra', async () => {
  const { log, fetch } = recorder();
  const provider = new ClientCredentialsV1({ clientId: DAEMON, clientSecret: DAEMON_SECRET, scope: `api://${API}/.default`, expectedIssuer: AUTHORITY });
  await assert.rejects(connect('v1', unregistered.url, provider, fetch), (e) => /AADSTS9010010/.test(String(/** @type {Error} */ (e).message)));
  assert.equal(log.find((r) => r.url === TOKEN_URL)?.form?.get('resource'), unregistered.url);
});

// ---------------------------------------------------------------------------------------------------------
// 2. Authorization code with PKCE, a pre-registered public client
// ---------------------------------------------------------------------------------------------------------

/**
 * An OAuthClientProvider (both SDKs' shape) for a pre-registered public client, kept in memory. The test
 * plays the browser: redirectToAuthorization keeps the URL, `signIn` follows it on the loopback Entra (which
 * signs the configured user in without a page) and returns the code. With `requirePkceAdvertised`, it is
 * the spec-following client of MCP 2025-11-25 "Authorization Code Protection": it refuses an authorization
 * server whose metadata lacks `code_challenge_methods_supported` with S256.
 */
class PreRegisteredClient {
  /**
   * @param {{ clientId?: string, issuer?: string, requirePkceAdvertised?: boolean, refreshTokens?: boolean }} [options]
   * `issuer`: the authorization server the client is registered with (the SDKs bind stored credentials to it).
   */
  constructor({ clientId = MCP_CLIENT, issuer = AUTHORITY, requirePkceAdvertised = false, refreshTokens = true } = {}) {
    this.requirePkceAdvertised = requirePkceAdvertised;
    this.refreshTokens = refreshTokens;
    /** @type {any} */ this.information = { client_id: clientId, issuer };
    /** @type {any} */ this.saved = undefined;
    /** @type {URL | undefined} */ this.pending = undefined;
    /** @type {string | undefined} */ this.verifier = undefined;
    /** @type {any} */ this.discovery = undefined;
    /** @type {URL[]} */ this.authorizationUrls = [];
  }
  get redirectUrl() { return REDIRECT; }
  get clientMetadata() {
    return {
      client_name: 'entra-guard flow test', redirect_uris: [REDIRECT], response_types: ['code'], token_endpoint_auth_method: 'none',
      grant_types: this.refreshTokens ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
    };
  }
  clientInformation() { return this.information; }
  saveClientInformation(/** @type {any} */ information) { this.information = information; }
  tokens() { return this.saved; }
  saveTokens(/** @type {any} */ tokens) { this.saved = tokens; }
  redirectToAuthorization(/** @type {URL} */ url) {
    this.pending = url;
    this.authorizationUrls.push(url);
  }
  saveCodeVerifier(/** @type {string} */ verifier) { this.verifier = verifier; }
  codeVerifier() { return /** @type {string} */ (this.verifier); }
  saveDiscoveryState(/** @type {any} */ state) {
    const methods = state.authorizationServerMetadata?.code_challenge_methods_supported;
    if (this.requirePkceAdvertised && !(Array.isArray(methods) && methods.includes('S256'))) {
      throw new Error(`refusing to proceed: the authorization server metadata of ${state.authorizationServerUrl} has no code_challenge_methods_supported with S256 (MCP 2025-11-25, Authorization Code Protection)`);
    }
    this.discovery = state;
  }
  discoveryState() { return this.discovery; }
  /** Follows the pending authorization URL as the browser would; returns the code. */
  async signIn() {
    assert.ok(this.pending, 'the SDK asked for a redirect');
    const location = new URL(await entra.authorize(this.pending));
    this.pending = undefined;
    const code = location.searchParams.get('code');
    assert.ok(code, `a code in the redirect: ${location.href}`);
    return code;
  }
}

/**
 * The authorization code flow as an MCP client runs it: connect (401 → discovery → redirect), sign in,
 * finishAuth with the code, reconnect with the tokens.
 */
async function authorizationCodeFlow(sdk, url, provider, fetch) {
  const Unauthorized = sdk === 'v1' ? UnauthorizedV1 : v2.UnauthorizedError;
  const first = sdk === 'v1' ? new TransportV1(new URL(url), { authProvider: provider, fetch }) : new v2.StreamableHTTPClientTransport(new URL(url), { authProvider: provider, fetch });
  const Client = sdk === 'v1' ? ClientV1 : v2.Client;
  await assert.rejects(new Client({ name: 'flow', version: '1.0.0' }).connect(/** @type {any} */ (first)), Unauthorized);
  const code = await provider.signIn();
  await first.finishAuth(code);
  return connect(sdk, url, provider, fetch);
}

test('2. authorization code + PKCE, SDK v1 and v2, on Entra\'s own metadata: the SDKs proceed without code_challenge_methods_supported', async () => {
  for (const sdk of ['v1', 'v2']) {
    const { log, fetch, lines } = recorder();
    const provider = new PreRegisteredClient();
    const { client } = await authorizationCodeFlow(sdk, main.url, provider, fetch);
    assert.deepEqual(lines().slice(0, 5), discoverySequence(main.url), sdk);
    const authorize = provider.authorizationUrls[0];
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${LOGIN}/${TENANT}/oauth2/v2.0/authorize`);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorize.searchParams.get('resource'), main.url);
    assert.deepEqual(authorize.searchParams.get('scope')?.split(' ').filter((s) => s !== 'offline_access'), NOTES.map((s) => `${main.url}/${s}`), sdk);
    const exchange = log.find((r) => r.url === TOKEN_URL)?.form;
    assert.equal(exchange?.get('grant_type'), 'authorization_code');
    assert.ok(exchange?.get('code_verifier'), 'PKCE verifier sent');
    assert.equal(exchange?.get('resource'), main.url);
    const who = await call(client, 'whoami');
    assert.equal(who.objectId, ALICE.objectId, sdk);
    assert.equal(who.clientId, MCP_CLIENT);
    assert.equal(who.isAppOnly, false);
    assert.deepEqual([...who.scopes].sort(), NOTES);
    assert.deepEqual(await call(client, 'list_notes'), []);
    await client.close();
  }
});

test('2. the spec-following client refuses Entra\'s metadata (no code_challenge_methods_supported) and proceeds with the RFC 8414 mirror', async () => {
  for (const sdk of ['v1', 'v2']) {
    const strict = new PreRegisteredClient({ requirePkceAdvertised: true });
    const transport = sdk === 'v1'
      ? new TransportV1(new URL(main.url), { authProvider: strict, fetch: recorder().fetch })
      : new v2.StreamableHTTPClientTransport(new URL(main.url), { authProvider: strict, fetch: recorder().fetch });
    const Client = sdk === 'v1' ? ClientV1 : v2.Client;
    await assert.rejects(new Client({ name: 'strict', version: '1.0.0' }).connect(/** @type {any} */ (transport)), /refusing to proceed: .*code_challenge_methods_supported/, sdk);
    assert.equal(strict.authorizationUrls.length, 0, `${sdk}: never redirected`);

    const { log, fetch, lines } = recorder();
    const provider = new PreRegisteredClient({ requirePkceAdvertised: true, issuer: mirror.url });
    const { client } = await authorizationCodeFlow(sdk, mirror.url, provider, fetch);
    const origin = new URL(mirror.url).origin;
    assert.deepEqual(lines().slice(0, 3), [`POST ${mirror.url} 401`, `GET ${origin}/.well-known/oauth-protected-resource/mcp 200`, `GET ${origin}/.well-known/oauth-authorization-server/mcp 200`], sdk);
    assert.equal(provider.discovery.authorizationServerMetadata.issuer, mirror.url);
    // Entra's endpoints, unchanged: the mirror only names them.
    assert.equal(`${provider.authorizationUrls[0].origin}${provider.authorizationUrls[0].pathname}`, `${LOGIN}/${TENANT}/oauth2/v2.0/authorize`);
    assert.ok(log.some((r) => r.url === TOKEN_URL && r.status === 200));
    assert.equal((await call(client, 'whoami')).objectId, ALICE.objectId, sdk);
    await client.close();
  }
});

test('2. a multi-tenant server (tenantId organizations): SDK v2 refuses Entra\'s metadata (its issuer names {tenantid}, RFC 8414 §3.3), v1 does not check; with the mirror v2 proceeds', async () => {
  const v2Plain = new PreRegisteredClient({ issuer: `${LOGIN}/organizations/v2.0` });
  const transport = new v2.StreamableHTTPClientTransport(new URL(multi.url), { authProvider: v2Plain, fetch: recorder().fetch });
  await assert.rejects(new v2.Client({ name: 'multi', version: '1.0.0' }).connect(transport), (e) => e instanceof v2.IssuerMismatchError);
  const v1Plain = new PreRegisteredClient({ issuer: `${LOGIN}/organizations/v2.0` });
  const { client: v1Client } = await authorizationCodeFlow('v1', multi.url, v1Plain, recorder().fetch);
  assert.equal(`${v1Plain.authorizationUrls[0].origin}${v1Plain.authorizationUrls[0].pathname}`, `${LOGIN}/organizations/oauth2/v2.0/authorize`);
  assert.equal((await call(v1Client, 'whoami')).tenantId, TENANT, 'the user\'s tenant, allowed by allowedTenants');
  await v1Client.close();
  const mirrored = new PreRegisteredClient({ issuer: multiMirror.url, requirePkceAdvertised: true });
  const { client } = await authorizationCodeFlow('v2', multiMirror.url, mirrored, recorder().fetch);
  assert.equal((await call(client, 'whoami')).objectId, ALICE.objectId);
  await client.close();
});

// ---------------------------------------------------------------------------------------------------------
// 3. Step-up
// ---------------------------------------------------------------------------------------------------------

test('3. step-up (SDK v2): a token with mcp.notes.read calls add_note, gets 403 with the qualified scope, re-authorizes once, succeeds', async () => {
  const { log, fetch } = recorder();
  const provider = new PreRegisteredClient({ clientId: STEP_UP_CLIENT });
  const { client } = await authorizationCodeFlow('v2', stepUp.url, provider, fetch);
  assert.deepEqual((await call(client, 'whoami')).scopes, ['mcp.notes.read'], 'the server advertised only the read scope');
  // The write needs mcp.notes.write: the SDK re-authorizes (a redirect), so the call throws once.
  await assert.rejects(call(client, 'add_note', { text: 'stepped up' }), v2.UnauthorizedError);
  const forbidden = log.find((r) => r.status === 403);
  assert.match(String(forbidden?.challenge), new RegExp(`^Bearer error="insufficient_scope", .*\\bscope="${stepUp.url.replace(/[.:/]/g, '\\$&')}/mcp\\.notes\\.write"`));
  const again = provider.authorizationUrls[1];
  assert.ok(again, 'a second authorization');
  assert.deepEqual(again.searchParams.get('scope')?.split(' ').filter((s) => s !== 'offline_access').sort(), [`${stepUp.url}/mcp.notes.read`, `${stepUp.url}/mcp.notes.write`], 'the union of what it had and what the challenge asked');
  const code = await provider.signIn();
  await /** @type {any} */ (client.transport).finishAuth(code);
  assert.match(await call(client, 'add_note', { text: 'stepped up' }), /^\d+ notes$/);
  assert.deepEqual([...(await call(client, 'whoami')).scopes].sort(), NOTES);
  assert.equal(provider.authorizationUrls.length, 2, 'one re-authorization');
  await client.close();
});

test('3. step-up (SDK v1): it re-authorizes with the challenged scope alone; Entra\'s token still carries both, as it carries every consented scope', async () => {
  const provider = new PreRegisteredClient({ clientId: STEP_UP_CLIENT_V1, refreshTokens: false });
  const { client } = await authorizationCodeFlow('v1', stepUp.url, provider, recorder().fetch);
  assert.deepEqual((await call(client, 'whoami')).scopes, ['mcp.notes.read']);
  await assert.rejects(call(client, 'add_note', { text: 'v1' }), UnauthorizedV1);
  assert.deepEqual(provider.authorizationUrls[1]?.searchParams.get('scope')?.split(' '), [`${stepUp.url}/mcp.notes.write`], 'the challenge\'s scope, not the union');
  await /** @type {any} */ (client.transport).finishAuth(await provider.signIn());
  assert.match(await call(client, 'add_note', { text: 'v1' }), /^\d+ notes$/);
  assert.deepEqual([...(await call(client, 'whoami')).scopes].sort(), NOTES);
  await client.close();
});

// ---------------------------------------------------------------------------------------------------------
// 4. MSAL
// ---------------------------------------------------------------------------------------------------------

/** An SDK v1 client sending a token it already has. */
async function withToken(url, token) {
  const client = new ClientV1({ name: 'msal-token', version: '1.0.0' });
  await client.connect(new TransportV1(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

test('4. MSAL ConfidentialClientApplication (secret, then certificate) on the real authority; the server accepts its tokens', async () => {
  const system = { networkClient: entra.msalNetworkClient, loggerOptions: msalLogger };
  const bySecret = new ConfidentialClientApplication({ auth: { clientId: DAEMON, authority: `${LOGIN}/${TENANT}`, clientSecret: DAEMON_SECRET }, system });
  const byCertificate = new ConfidentialClientApplication({
    auth: { clientId: DAEMON, authority: `${LOGIN}/${TENANT}`, clientCertificate: { thumbprintSha256: certificate.thumbprintSha256, privateKey: certificate.privateKey } }, system,
  });
  for (const [name, app, azpacr] of [['secret', bySecret, '1'], ['certificate', byCertificate, '2']]) {
    const result = await /** @type {ConfidentialClientApplication} */ (app).acquireTokenByClientCredential({ scopes: [`${main.url}/.default`] });
    assert.ok(result?.accessToken, name);
    assert.equal(decodeToken(result.accessToken).claims.azpacr, azpacr, name);
    const client = await withToken(main.url, result.accessToken);
    const who = await call(client, 'whoami');
    assert.deepEqual({ clientId: who.clientId, isAppOnly: who.isAppOnly, roles: who.roles }, { clientId: DAEMON, isAppOnly: true, roles: ['Notes.Admin'] }, name);
    await client.close();
  }
});

test('4. MSAL PublicClientApplication device code (a local stdio MCP server\'s sign-in): pending, approved, the user\'s token accepted', async () => {
  const pca = new PublicClientApplication({ auth: { clientId: CLI_CLIENT, authority: `${LOGIN}/${TENANT}` }, system: { networkClient: entra.msalNetworkClient, loggerOptions: msalLogger } });
  /** @type {string[]} */
  const prompts = [];
  const result = await pca.acquireTokenByDeviceCode({ scopes: [`${main.url}/mcp.notes.read`], deviceCodeCallback: (r) => { prompts.push(r.message); } });
  assert.equal(prompts.length, 1);
  assert.match(prompts[0], /microsoft\.com\/devicelogin/);
  assert.ok(result?.accessToken);
  assert.equal(result.account?.username, ALICE.userPrincipalName);
  const client = await withToken(main.url, result.accessToken);
  const who = await call(client, 'whoami');
  assert.deepEqual({ objectId: who.objectId, clientId: who.clientId, scopes: who.scopes }, { objectId: ALICE.objectId, clientId: CLI_CLIENT, scopes: ['mcp.notes.read'] });
  assert.deepEqual(await call(client, 'list_notes'), await call(client, 'list_notes'));
  await client.close();
});

// ---------------------------------------------------------------------------------------------------------
// 5. On-behalf-of: the profile tool
// ---------------------------------------------------------------------------------------------------------

/** Alice's token for a server, from the authorization code flow (SDK v2). */
async function aliceOn(url) {
  const provider = new PreRegisteredClient();
  const { client } = await authorizationCodeFlow('v2', url, provider, recorder().fetch);
  return { client, token: /** @type {string} */ (provider.saved.access_token) };
}

/** Runs `body` with console output captured (for the no-token-in-logs check). */
async function capturingConsole(body) {
  const methods = /** @type {const} */ (['log', 'info', 'warn', 'error', 'debug']);
  const original = methods.map((m) => console[m]);
  for (const m of methods) console[m] = (...args) => { logged.push(args.map(String).join(' ')); };
  try {
    return await body();
  } finally {
    methods.forEach((m, i) => { console[m] = original[i]; });
  }
}

const tokens = /** @type {string[]} */ ([]);

test('5. on-behalf-of: the profile tool reads the signed-in user\'s Graph profile; a second call uses the cached exchange', () => capturingConsole(async () => {
  const { client, token } = await aliceOn(main.url);
  tokens.push(token);
  const before = entra.requestCount(`/${TENANT}/oauth2/v2.0/token`);
  const me = await call(client, 'profile');
  assert.deepEqual(me, { id: ALICE.objectId, displayName: ALICE.displayName, userPrincipalName: ALICE.userPrincipalName, mail: ALICE.mail });
  assert.equal(entra.requestCount(`/${TENANT}/oauth2/v2.0/token`) - before, 1, 'one exchange');
  assert.equal(entra.requestCount('/v1.0/me'), 1);
  assert.deepEqual(await call(client, 'profile'), me);
  assert.equal(entra.requestCount(`/${TENANT}/oauth2/v2.0/token`) - before, 1, 'the second call is served from the cache');
  await client.close();
}));

test('5. on-behalf-of failures reach the tool as typed errors naming the AADSTS code: consent, the assertion, Entra down, app-only', () => capturingConsole(async () => {
  // The lonely API's app has no permission on Graph: consent required.
  const onLonely = await aliceOn(lonely.url);
  tokens.push(onLonely.token);
  await assert.rejects(call(onLonely.client, 'profile'), /obo_consent_required \(AADSTS65001\): .*has not consented/);
  await onLonely.client.close();

  // A server configured with another app's credentials presents a token that is not for that app: Entra refuses the assertion.
  const onCrossed = await aliceOn(crossed.url);
  tokens.push(onCrossed.token);
  await assert.rejects(call(onCrossed.client, 'profile'), /obo_assertion_refused \(AADSTS500131\): /);
  await onCrossed.client.close();

  // Entra unreachable (the connection resets), then failing (503): obo_unavailable; the next call, with Entra back, works.
  const { client, token } = await aliceOn(main.url);
  tokens.push(token);
  entra.failNext({ path: `/${TENANT}/oauth2/v2.0/token`, status: 'reset', times: 3 });
  await assert.rejects(call(client, 'profile'), /obo_unavailable: Entra could not be reached/);
  entra.clearFaults();
  assert.equal((await call(client, 'profile')).id, ALICE.objectId);
  await client.close();

  // An app-only caller: nothing to act for; refused before Entra is asked.
  const daemon = new ClientCredentialsV1({ clientId: DAEMON, clientSecret: DAEMON_SECRET, scope: `${main.url}/.default`, expectedIssuer: AUTHORITY });
  const { client: app } = await connect('v1', main.url, daemon, recorder().fetch);
  tokens.push(/** @type {string} */ (daemon.tokens()?.access_token));
  const before = entra.requestCount(`/${TENANT}/oauth2/v2.0/token`);
  await assert.rejects(call(app, 'profile'), /obo_app_only: on-behalf-of needs a user's token/);
  assert.equal(entra.requestCount(`/${TENANT}/oauth2/v2.0/token`), before);
  await app.close();
}));

test('5. no incoming token reached a log: console, MSAL\'s verbose log, the servers\' audit events', () => {
  assert.ok(tokens.length >= 5 && tokens.every(Boolean), 'tokens were collected');
  assert.ok(logged.length > 50, `something was logged (${logged.length} entries)`);
  const all = logged.join('\n');
  for (const token of tokens) {
    assert.ok(!all.includes(token.split('.')[2]), 'a token\'s signature appears in a log');
    assert.ok(!all.includes(token.split('.')[1]), 'a token\'s payload appears in a log');
  }
});

// ---------------------------------------------------------------------------------------------------------
// 6. A v1 API next to the v2 one
// ---------------------------------------------------------------------------------------------------------

test('6. a v1 API: client credentials and authorization code give v1 tokens (aud the identifier URI) that its server accepts', async () => {
  const provider = new ClientCredentialsV1({ clientId: DAEMON, clientSecret: DAEMON_SECRET, scope: `${legacy.url}/.default`, expectedIssuer: AUTHORITY });
  const { client } = await connect('v1', legacy.url, provider, recorder().fetch);
  const app = await call(client, 'whoami');
  assert.deepEqual({ version: app.version, clientId: app.clientId, roles: app.roles }, { version: '1.0', clientId: DAEMON, roles: ['Notes.Admin'] });
  await client.close();
  const appToken = /** @type {string} */ (provider.tokens()?.access_token);
  assert.equal(decodeToken(appToken).claims.aud, legacy.url);
  assert.equal(decodeToken(appToken).claims.iss, `https://sts.windows.net/${TENANT}/`);

  const user = new PreRegisteredClient();
  const { client: userClient } = await authorizationCodeFlow('v2', legacy.url, user, recorder().fetch);
  const who = await call(userClient, 'whoami');
  assert.deepEqual({ version: who.version, objectId: who.objectId }, { version: '1.0', objectId: ALICE.objectId });
  await userClient.close();

  // Why the README says audience: [clientId, ...identifierUris]: v1 tokens carry the URI, v2 tokens the client id.
  const jwks = createRemoteJwks({ tenantId: TENANT, fetch: entra.fetch });
  const clientIdOnly = new EntraValidator({ tenantId: TENANT, audience: [LEGACY] });
  jwks.attach(clientIdOnly);
  await jwks.ready();
  assert.throws(() => clientIdOnly.validate(appToken), (e) => /** @type {any} */ (e).code === 'audience_invalid');
  const uriOnly = new EntraValidator({ tenantId: TENANT, audience: [main.url] });
  jwks.attach(uriOnly);
  const v2Token = (await aliceOn(main.url));
  await v2Token.client.close();
  assert.throws(() => uriOnly.validate(v2Token.token), (e) => /** @type {any} */ (e).code === 'audience_invalid');
});
