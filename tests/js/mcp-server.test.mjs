// The example MCP server, started for real on loopback, protected by requireEntraAuth; keys fetched over
// HTTP from a local test issuer; the real MCP SDK client lists and calls tools. Then the same server with
// the MCP SDK's own requireBearerAuth + entraTokenVerifier, which must answer the same way.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { createServer } from 'node:http';
import { EntraValidator, createRemoteJwks, entraTokenVerifier, protectedResourceMetadataUrl } from 'entra-guard';
import { createTestIssuer } from 'entra-guard/testing';
const { createApp } = await import('../../examples/mcp-server/server.mjs');

const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
let issuer;

before(async () => {
  issuer = await createTestIssuer();
});
after(async () => {
  await issuer?.close();
});

/** Starts the example app on 127.0.0.1:0; returns its MCP URL, the audit events and a stop function. */
async function startServer({ sdkGuard = false } = {}) {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const resource = `http://127.0.0.1:${server.address().port}/mcp`;
  const validator = new EntraValidator({ tenantId: issuer.tenantId, audience: [issuer.audience, `api://${issuer.audience}`] });
  const jwks = createRemoteJwks({ jwksUri: issuer.jwksUri });
  const events = [];
  const settings = { validator, jwks, resource, tenantId: issuer.tenantId, onSuccess: (e) => events.push(e), onFailure: (e) => events.push(e) };
  if (sdkGuard) {
    const sdk = requireBearerAuth({ verifier: entraTokenVerifier(validator, { jwks }), resourceMetadataUrl: protectedResourceMetadataUrl(resource) });
    settings.guards = { authenticated: sdk, toolPermissions: (_req, _res, next) => next() };
  }
  server.on('request', createApp(settings));
  return {
    url: resource,
    events,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

async function mcpClient(url, token) {
  const client = new Client({ name: 'entra-guard-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  return client;
}

/** A raw JSON-RPC POST, to see the HTTP status and headers the SDK client would turn into exceptions. */
function rpc(url, token, method = 'tools/list', params = {}) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
}

const toolCall = (name, args = {}) => ['tools/call', { name, arguments: args }];
const parseChallenge = (header) => Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));

describe('example MCP server with requireEntraAuth', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => server?.stop());

  test('the real MCP SDK client lists tools and calls whoami with a valid token', async () => {
    const token = issuer.mint({ scopes: ['mcp.notes.read', 'mcp.notes.write'] });
    const client = await mcpClient(server.url, token);
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['add_note', 'list_notes', 'profile', 'purge_notes', 'whoami']);
      const who = JSON.parse((await client.callTool({ name: 'whoami', arguments: {} })).content[0].text);
      assert.equal(who.tenantId, issuer.tenantId);
      assert.equal(who.isAppOnly, false);
      assert.deepEqual(who.scopes, ['mcp.notes.read', 'mcp.notes.write']);
      assert.match((await client.callTool({ name: 'add_note', arguments: { text: 'hello' } })).content[0].text, /1 notes/);
      assert.match((await client.callTool({ name: 'list_notes', arguments: {} })).content[0].text, /hello/);
    } finally {
      await client.close();
    }
  });

  test('an app-only token with the app role may purge; a user token may not (403)', async () => {
    const app = issuer.mint({ type: 'app', roles: ['Notes.Admin'] });
    const client = await mcpClient(server.url, app);
    try {
      assert.equal((await client.callTool({ name: 'purge_notes', arguments: {} })).content[0].text, 'purged');
    } finally {
      await client.close();
    }
    const response = await rpc(server.url, issuer.mint({ scopes: ['mcp.notes.read'] }), ...toolCall('purge_notes'));
    assert.equal(response.status, 403);
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    assert.equal(challenge.error, 'insufficient_scope');
    // A role is granted, not requested: the challenge names what an app-only client requests.
    assert.equal(challenge.scope, `${server.url}/.default`);
  });

  test('no token: 401 with resource_metadata and no error code (RFC 6750 §3.1)', async () => {
    const response = await rpc(server.url, undefined);
    assert.equal(response.status, 401);
    const header = response.headers.get('www-authenticate');
    assert.match(header, /^Bearer /);
    const challenge = parseChallenge(header);
    assert.equal(challenge.resource_metadata, protectedResourceMetadataUrl(server.url));
    assert.equal(challenge.error, undefined);
  });

  for (const [name, mintOptions, code] of [
    ['an expired token', { expiresIn: -1000 }, 'token_expired'],
    ['a wrong-audience token', { audience: '00000003-0000-0000-c000-000000000000' }, 'audience_invalid'],
    ['a token from another tenant', { tenantId: OTHER_TENANT }, 'tenant_not_allowed'],
  ]) {
    test(`${name}: 401 invalid_token naming ${code}`, async () => {
      const token = issuer.mint(mintOptions);
      const response = await rpc(server.url, token);
      assert.equal(response.status, 401);
      const challenge = parseChallenge(response.headers.get('www-authenticate'));
      assert.equal(challenge.error, 'invalid_token');
      assert.equal(challenge.resource_metadata, protectedResourceMetadataUrl(server.url));
      const body = await response.json();
      assert.equal(body.code, code);
      assert.ok(!JSON.stringify(body).includes(token.split('.')[2]), 'the response must not echo the token');
    });
  }

  test('a token lacking the tool\'s scope gets 403 insufficient_scope with scope=', async () => {
    const response = await rpc(server.url, issuer.mint({ scopes: ['mcp.notes.read'] }), ...toolCall('add_note', { text: 'x' }));
    assert.equal(response.status, 403);
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    assert.equal(challenge.error, 'insufficient_scope');
    // As Entra names the scope: qualified with the resource (an identifier URI of the API app).
    assert.equal(challenge.scope, `${server.url}/mcp.notes.write`);
    assert.equal((await response.json()).code, 'insufficient_scope');
  });

  test('a JSON-RPC batch cannot carry a tools/call past the per-tool permission check (400)', async () => {
    const token = issuer.mint({ scopes: ['mcp.notes.read'] });
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add_note', arguments: { text: 'sneaky' } } }]),
    });
    assert.equal(response.status, 400);
  });

  test('garbage Authorization headers get 401, never 500', async () => {
    for (const authorization of ['Bearer', 'Basic dXNlcjpwYXNz', 'Bearer a.b', 'Bearer ' + 'x'.repeat(20000), 'Bearer é.é.é', 'Bearer a.b.c d']) {
      const response = await fetch(server.url, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: '{}' });
      assert.ok([400, 401, 431].includes(response.status), `${authorization.slice(0, 20)}: ${response.status}`);
    }
  });

  test('protected-resource metadata names the tenant\'s Entra v2 authority', async () => {
    const response = await fetch(protectedResourceMetadataUrl(server.url));
    assert.equal(response.status, 200);
    const metadata = await response.json();
    assert.equal(metadata.resource, server.url);
    assert.deepEqual(metadata.authorization_servers, [`https://login.microsoftonline.com/${issuer.tenantId}/v2.0`]);
    assert.deepEqual(metadata.bearer_methods_supported, ['header']);
    // Qualified with the resource, as Entra names the API's scopes (the resource is an identifier URI of the app).
    assert.deepEqual(metadata.scopes_supported, [`${server.url}/mcp.notes.read`, `${server.url}/mcp.notes.write`]);
  });

  test('audit hooks get code, status and identity, never the token', async () => {
    server.events.length = 0;
    const token = issuer.mint({ scopes: ['mcp.notes.read'] });
    await (await rpc(server.url, token, ...toolCall('list_notes'))).text();
    await (await rpc(server.url, issuer.mint({ expiresIn: -1000 }))).text();
    const [ok, expired] = server.events;
    assert.equal(ok.code, 'ok');
    assert.equal(ok.status, 200);
    assert.equal(ok.tenantId, issuer.tenantId);
    assert.ok(ok.objectId && ok.clientId && ok.ip && ok.path === '/mcp');
    assert.equal(expired.code, 'token_expired');
    assert.equal(expired.status, 401);
    assert.ok(!JSON.stringify(server.events).includes(token.split('.')[2]));
  });

  test('the older /sse + /messages transport works with a valid token and refuses none', async () => {
    const base = server.url.replace(/\/mcp$/, '');
    assert.equal((await fetch(`${base}/sse`)).status, 401);
    const token = issuer.mint({ scopes: ['mcp.notes.read'] });
    const headers = { authorization: `Bearer ${token}` };
    const transport = new SSEClientTransport(new URL(`${base}/sse`), {
      requestInit: { headers },
      eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...init?.headers, ...headers } }) },
    });
    const client = new Client({ name: 'entra-guard-sse-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const who = JSON.parse((await client.callTool({ name: 'whoami', arguments: {} })).content[0].text);
      assert.equal(who.tenantId, issuer.tenantId);
    } finally {
      await client.close();
    }
  });
});

describe('the same server behind the MCP SDK\'s requireBearerAuth + entraTokenVerifier', () => {
  let server;
  before(async () => {
    server = await startServer({ sdkGuard: true });
  });
  after(async () => server?.stop());

  test('valid token: the SDK client lists tools and whoami names the caller', async () => {
    const client = await mcpClient(server.url, issuer.mint({ scopes: ['mcp.notes.read'] }));
    try {
      const who = JSON.parse((await client.callTool({ name: 'whoami', arguments: {} })).content[0].text);
      assert.equal(who.tenantId, issuer.tenantId);
    } finally {
      await client.close();
    }
  });

  for (const [name, mintOptions, status] of [
    ['expired', { expiresIn: -1000 }, 401],
    ['wrong audience', { audience: '00000003-0000-0000-c000-000000000000' }, 401],
    ['other tenant', { tenantId: OTHER_TENANT }, 401],
  ]) {
    test(`${name}: ${status} invalid_token from the SDK's own error classes`, async () => {
      const response = await rpc(server.url, issuer.mint(mintOptions));
      assert.equal(response.status, status);
      const challenge = parseChallenge(response.headers.get('www-authenticate'));
      assert.equal(challenge.error, 'invalid_token');
      assert.equal((await response.json()).error, 'invalid_token');
    });
  }

  test('no token: 401; a verifier requiring a scope the token lacks: 403 insufficient_scope', async () => {
    assert.equal((await rpc(server.url, undefined)).status, 401);
    const validator = new EntraValidator({ tenantId: issuer.tenantId, audience: issuer.audience, jwks: issuer.jwks });
    const verifier = entraTokenVerifier(validator, { requiredScopes: ['mcp.notes.write'] });
    const { InsufficientScopeError, InvalidTokenError } = await import('@modelcontextprotocol/sdk/server/auth/errors.js');
    await assert.rejects(verifier.verifyAccessToken(issuer.mint({ scopes: ['mcp.notes.read'] })), InsufficientScopeError);
    await assert.rejects(verifier.verifyAccessToken('not-a-token'), InvalidTokenError);
    const info = await verifier.verifyAccessToken(issuer.mint({ scopes: ['mcp.notes.write'] }));
    assert.equal(info.extra.tenantId, issuer.tenantId);
    assert.equal(typeof info.expiresAt, 'number');
  });
});
