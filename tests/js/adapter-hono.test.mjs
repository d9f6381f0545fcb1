// entra-guard/hono under Node (@hono/node-server): the middleware's answers, and the quick start
// (examples/quickstarts/hono.mjs: @hono/mcp's transport, which reads c.get('auth')) with the real SDK v2
// client; also an @modelcontextprotocol/hono route that passes c.get('auth') on as authInfo. The same
// middleware under workerd: tests/js/adapter-hono-workerd.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { entraAuth } from 'entra-guard/hono';
import { honoApp } from '../../examples/quickstarts/hono.mjs';
import {
  adapterFixture, assertAuthInfo, assertRefusals, assertWhoami, callWhoami, mcpServerV1, mcpServerV2, sender,
} from './adapters/support.mjs';

let fixture;
let servers = [];
/** Serves a Hono app on a random loopback port; resolves to its base URL. */
async function served(app) {
  const base = await new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
    servers.push(server);
  });
  return base;
}
before(async () => {
  fixture = await adapterFixture();
});
after(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve()))));
  servers = [];
});

test('a valid token reaches the handler as c.get(auth); refusals are the Express middleware\'s', async () => {
  const app = new Hono();
  let seen;
  app.post('/mcp', entraAuth(fixture.settings), (c) => {
    seen = c.get('auth');
    return c.json({ ok: true });
  });
  app.post('/admin', entraAuth(fixture.adminSettings), (c) => c.json({ ok: true }));
  const base = await served(app);
  const ok = await sender(`${base}/mcp`)(fixture.tokens.valid);
  assert.equal(ok.status, 200);
  assertAuthInfo(seen);
  await assertRefusals(fixture, sender(`${base}/mcp`), { sendAdmin: sender(`${base}/admin`) });
});

test('the quick start: @hono/mcp with an SDK v1 McpServer, through the real SDK v2 client', async () => {
  const base = await served(honoApp(fixture.settings, mcpServerV1));
  assertWhoami(await callWhoami(`${base}/mcp`, fixture.tokens.valid));
  const refused = await sender(`${base}/mcp`)(fixture.tokens.expired);
  assert.equal(refused.status, 401);
});

test('@modelcontextprotocol/hono with the SDK v2 transport, authInfo from c.get(auth)', async () => {
  const { createMcpHonoApp } = await import('@modelcontextprotocol/hono');
  const { WebStandardStreamableHTTPServerTransport } = await import('@modelcontextprotocol/server');
  const app = createMcpHonoApp();
  app.all('/mcp', entraAuth(fixture.settings), async (c) => {
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await (await mcpServerV2()).connect(transport);
    return transport.handleRequest(c.req.raw, { parsedBody: c.get('parsedBody'), authInfo: c.get('auth') });
  });
  const base = await served(app);
  assertWhoami(await callWhoami(`${base}/mcp`, fixture.tokens.valid));
});

test('settings are checked when the middleware is made: unknown settings and bad jwks are config_invalid', () => {
  assert.throws(() => entraAuth({ ...fixture.settings, requiredScope: ['x'] }), (e) => e.code === 'config_invalid' && e.claim === 'requiredScope');
  assert.throws(() => entraAuth({ ...fixture.settings, jwks: [1, 2] }), (e) => e.code === 'config_invalid' && e.claim === 'jwks');
});
