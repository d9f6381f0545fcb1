// entra-guard/mcp-handler: the verifyToken of withMcpAuth, with mcp-handler's createMcpHandler called as a
// Web (Request) => Response handler (as a Next.js route or a Vercel function is), through a node:http
// bridge for the real SDK v2 client; the quick start (examples/quickstarts/mcp-handler.mjs) is the handler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as z from 'zod';
import { entraVerifyToken } from 'entra-guard/mcp-handler';
import { mcpHandler } from '../../examples/quickstarts/mcp-handler.mjs';
import {
  RESOURCE, adapterFixture, assertAuthInfo, assertRefusals, assertWhoami, callWhoami, listen, webServer,
} from './adapters/support.mjs';

/** The tools, as mcp-handler's createMcpHandler registers them. */
function registerTools(server) {
  server.registerTool('whoami', { description: "The caller's identity", inputSchema: z.object({}) }, async (_args, ctx) => {
    const a = ctx.http?.authInfo;
    return { content: [{ type: 'text', text: JSON.stringify({ clientId: a?.clientId, scopes: a?.scopes, tenantId: a?.extra?.tenantId, resource: a?.resource ? String(a.resource) : null }) }] };
  });
}

/** A `send` that calls the handler directly with a Web Request. */
const direct = (handler) => async (token) => {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', host: 'mcp.example.test' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await handler(new Request(RESOURCE, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }) }));
  const text = await response.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* SSE */ }
  return { status: response.status, headers: response.headers, body };
};

let fixture;
let bridge;
before(async () => {
  fixture = await adapterFixture();
  bridge = await listen(webServer(mcpHandler(fixture.settings, registerTools)));
});
after(() => bridge?.close());

test('verifyToken resolves to the AuthInfo, which withMcpAuth hands the MCP handler', async () => {
  const verify = entraVerifyToken(fixture.settings);
  const request = new Request(RESOURCE, { headers: { authorization: `Bearer ${fixture.tokens.valid}` } });
  assertAuthInfo(await verify(request, fixture.tokens.valid));
});

test('the quick start as a Web handler: the real SDK v2 client lists tools and calls one', async () => {
  assertWhoami(await callWhoami(`${bridge.base}/mcp`, fixture.tokens.valid));
  assertWhoami(await callWhoami(`${bridge.base}/mcp`, fixture.tokens.valid, { versionNegotiation: { mode: 'auto' } }));
});

test('refusals: 401 / 403 with the challenge, called directly as a Web Request handler', async () => {
  const handler = mcpHandler(fixture.settings, registerTools);
  const admin = mcpHandler({ ...fixture.adminSettings }, registerTools);
  await assertRefusals(fixture, direct(handler), { sendAdmin: direct(admin), exact: false });
});

test("no token is refused even with withMcpAuth's default required: false (fail closed)", async () => {
  const { createMcpHandler, withMcpAuth } = await import('mcp-handler');
  const lenient = withMcpAuth(createMcpHandler(registerTools), entraVerifyToken(fixture.settings)); // required: false
  const answer = await direct(lenient)(undefined);
  assert.equal(answer.status, 401);
  assert.match(answer.headers.get('www-authenticate'), /error="invalid_token"/);
});
