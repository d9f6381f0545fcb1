// Shared by the framework adapter tests: one Entra-like test issuer, the tokens every adapter is tried with,
// the answers each must give (the same 401/403 and WWW-Authenticate as the Express middleware), an MCP
// server with one tool for SDK v1 and v2, and an MCP client run (the real SDK v2 client: list tools, call one).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { createTestIssuer } from 'entra-guard/testing';
import { Client } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import * as z from 'zod';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const API_CLIENT_ID = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
/** The protected resource every test server claims to be (the challenges' metadata URL derives from it). */
export const RESOURCE = 'https://mcp.example.test/mcp';
export const RESOURCE_METADATA_URL = 'https://mcp.example.test/.well-known/oauth-protected-resource/mcp';
export const REQUIRED_SCOPE = 'mcp.tools';
export const ADMIN_ROLE = 'Tools.Admin';

/**
 * The issuer, the settings every adapter gets (the same object requireEntraAuth takes) and the tokens.
 * `settings` requires the scope; `adminSettings` requires the app role instead.
 */
export async function adapterFixture() {
  const issuer = await createTestIssuer({ serve: false, tenantId: TENANT, audience: API_CLIENT_ID });
  const options = { tenantId: TENANT, audience: [API_CLIENT_ID, `api://${API_CLIENT_ID}`] };
  const base = { options, jwks: issuer.jwks, resource: RESOURCE };
  return {
    issuer,
    settings: { ...base, requiredScopes: [REQUIRED_SCOPE] },
    adminSettings: { ...base, requiredRoles: [ADMIN_ROLE] },
    tokens: {
      valid: issuer.mint({ scopes: [REQUIRED_SCOPE, 'mcp.other'] }),
      admin: issuer.mint({ type: 'app', roles: [ADMIN_ROLE] }),
      expired: issuer.mint({ scopes: [REQUIRED_SCOPE], expiresIn: -3600 }),
      wrongAudience: issuer.mint({ scopes: [REQUIRED_SCOPE], audience: 'api://someone-else' }),
      missingScope: issuer.mint({ scopes: ['mcp.other'] }),
      missingRole: issuer.mint({ type: 'app', roles: ['Other.Role'] }),
    },
  };
}

/** The AuthInfo a valid token must arrive as, wherever the framework's transport reads it. */
export function assertAuthInfo(authInfo, { scopes = [REQUIRED_SCOPE, 'mcp.other'], resource = true } = {}) {
  assert.ok(authInfo, 'no AuthInfo where the transport reads it');
  assert.equal(typeof authInfo.token, 'string');
  assert.equal(authInfo.clientId, 'cccccccc-dddd-4eee-8fff-000000000001');
  assert.deepEqual(authInfo.scopes, scopes);
  assert.ok(Number.isInteger(authInfo.expiresAt) && authInfo.expiresAt > Date.now() / 1000);
  assert.equal(authInfo.extra.tenantId, TENANT);
  if (resource) assert.equal(String(authInfo.resource), RESOURCE);
}

/**
 * The refusals an adapter must give: `send(token)` makes one request (undefined: no Authorization header) and
 * resolves to `{ status, headers, body }` (headers a Headers or a plain object). `exact` (default true): the
 * answer is the Express middleware's own (plain challenge for no token, error codes in the body); false for
 * hosts that write their own challenge from our error (the SDK v2, mcp-handler).
 */
export async function assertRefusals(fixture, send, { sendAdmin, exact = true } = {}) {
  const header = (response) => (typeof response.headers.get === 'function' ? response.headers.get('www-authenticate') : response.headers['www-authenticate']) ?? '';
  const none = await send(undefined);
  assert.equal(none.status, 401, 'no token');
  assert.match(header(none), /^Bearer\b/);
  assert.match(header(none), new RegExp(`resource_metadata="${RESOURCE_METADATA_URL}"`));
  if (exact) {
    assert.doesNotMatch(header(none), /error=/, 'no credentials: a plain challenge (RFC 6750 §3.1)');
    assert.match(header(none), new RegExp(`scope="${RESOURCE}/${REQUIRED_SCOPE}"`), 'no credentials: the scope to request (MCP 2025-11-25)');
  }

  for (const [kind, code] of [['expired', 'token_expired'], ['wrongAudience', 'audience_invalid']]) {
    const answer = await send(fixture.tokens[kind]);
    assert.equal(answer.status, 401, kind);
    assert.match(header(answer), /error="invalid_token"/, kind);
    if (exact) assert.equal(answer.body.code, code, kind);
    else assert.match(header(answer), new RegExp(code), `${kind}: the description names ${code}`);
  }

  const scope = await send(fixture.tokens.missingScope);
  assert.equal(scope.status, 403, 'missing scope');
  assert.match(header(scope), /error="insufficient_scope"/);
  // As Entra names the scope ({resource}/{scope}) where the adapter writes the challenge; the SDK v2's
  // middleware writes its own requiredScopes, which it compares with the token's bare scp names.
  const expectedScope = exact ? `${RESOURCE}/${REQUIRED_SCOPE}` : `(${RESOURCE}/)?${REQUIRED_SCOPE}`;
  assert.match(header(scope), new RegExp(`scope="${expectedScope}"`), 'missing scope: scope= names it');

  if (sendAdmin) {
    const role = await sendAdmin(fixture.tokens.missingRole);
    assert.equal(role.status, 403, 'missing role');
    assert.match(header(role), /error="insufficient_scope"/);
    assert.match(header(role), /app role/, 'missing role: the description says so');
    // A role cannot be requested, only granted: the challenge names what an app-only client requests.
    if (exact) assert.match(header(role), new RegExp(`scope="${RESOURCE}/\\.default"`));
    const admin = await sendAdmin(fixture.tokens.admin);
    assert.ok(admin.status < 300, `an app token with the role passes (${admin.status})`);
  }
}

/** A fetch-based `send` for a URL. */
export function sender(url, init = {}) {
  return async (token) => {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...init.headers };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const response = await fetch(url, {
      method: 'POST', ...init, headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    const text = await response.text();
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {
      // an SSE or empty body
    }
    return { status: response.status, headers: response.headers, body };
  };
}

/** The tool every test server registers: the caller's identity, as the transport delivered it. */
const WHOAMI = 'whoami';
const identity = (authInfo) => ({
  content: [{
    type: 'text',
    text: JSON.stringify({
      clientId: authInfo?.clientId, scopes: authInfo?.scopes, tenantId: authInfo?.extra?.tenantId,
      resource: authInfo?.resource ? String(authInfo.resource) : null,
    }),
  }],
});

/** An SDK v2 McpServer (`@modelcontextprotocol/server`) with `whoami`, reading `ctx.http.authInfo`. */
export async function mcpServerV2() {
  const { McpServer } = await import('@modelcontextprotocol/server');
  const server = new McpServer({ name: 'entra-guard-adapter-test', version: '1.0.0' });
  server.registerTool(WHOAMI, { description: "The caller's identity", inputSchema: z.object({}) }, async (_args, ctx) => identity(ctx.http?.authInfo));
  return server;
}

/** An SDK v1 McpServer (`@modelcontextprotocol/sdk`) with `whoami`, reading `extra.authInfo`. */
export async function mcpServerV1() {
  const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
  const server = new McpServer({ name: 'entra-guard-adapter-test', version: '1.0.0' });
  server.registerTool(WHOAMI, { description: "The caller's identity" }, async (extra) => identity(extra.authInfo));
  return server;
}

/**
 * The real SDK v2 client against `url` with `token`: connects, lists the tools, calls whoami, and returns
 * what the tool saw. `clientOptions` go to the Client (for example a protocol version negotiation mode).
 */
export async function callWhoami(url, token, clientOptions = {}) {
  const client = new Client({ name: 'entra-guard-adapter-test', version: '1.0.0' }, clientOptions);
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: { token: async () => token } });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === WHOAMI), `tools: ${tools.map((t) => t.name)}`);
    const result = await client.callTool({ name: WHOAMI, arguments: {} });
    return JSON.parse(result.content[0].text);
  } finally {
    await client.close();
  }
}

/** The identity whoami must report for the fixture's valid token. */
export function assertWhoami(seen, { resource = true } = {}) {
  assert.equal(seen.clientId, 'cccccccc-dddd-4eee-8fff-000000000001');
  assert.deepEqual(seen.scopes, [REQUIRED_SCOPE, 'mcp.other']);
  assert.equal(seen.tenantId, TENANT);
  if (resource) assert.equal(seen.resource, RESOURCE);
}

/** Listens on a random loopback port; resolves to the base URL and a close function. */
export async function listen(server) {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

/** A node:http server for a Web `(Request) => Response` handler (for handlers that are only that). */
export function webServer(handler) {
  return createServer(async (req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method, headers, body: hasBody ? Readable.toWeb(req) : undefined, duplex: 'half', signal: controller.signal,
    });
    let response;
    try {
      response = await handler(request);
    } catch (error) {
      res.writeHead(500).end(String(error));
      return;
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return res.end();
    try {
      for await (const chunk of response.body) res.write(chunk);
    } catch {
      // the client went away
    }
    res.end();
  });
}
