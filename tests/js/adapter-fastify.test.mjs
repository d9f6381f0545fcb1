// entra-guard/fastify: the preHandler's answers, and the quick start (examples/quickstarts/fastify.mjs:
// @modelcontextprotocol/fastify with the SDK's Node transport, which reads request.raw.auth) with the
// real SDK v2 client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { entraAuth } from 'entra-guard/fastify';
import { fastifyApp } from '../../examples/quickstarts/fastify.mjs';
import { adapterFixture, assertAuthInfo, assertRefusals, assertWhoami, callWhoami, mcpServerV2, sender } from './adapters/support.mjs';

let fixture;
const apps = [];
async function served(app) {
  apps.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${app.server.address().port}`;
}
before(async () => {
  fixture = await adapterFixture();
});
after(() => Promise.all(apps.map((app) => app.close())));

test('a valid token is request.auth and request.raw.auth; refusals are the Express middleware\'s', async () => {
  const app = Fastify();
  let seen;
  app.post('/mcp', { preHandler: entraAuth(fixture.settings) }, async (request) => {
    seen = { auth: request.auth, raw: request.raw.auth };
    return { ok: true };
  });
  app.post('/admin', { preHandler: entraAuth(fixture.adminSettings) }, async () => ({ ok: true }));
  const base = await served(app);
  const ok = await sender(`${base}/mcp`)(fixture.tokens.valid);
  assert.equal(ok.status, 200);
  assertAuthInfo(seen.auth);
  assert.equal(seen.raw, seen.auth);
  await assertRefusals(fixture, sender(`${base}/mcp`), { sendAdmin: sender(`${base}/admin`) });
});

test('the quick start: @modelcontextprotocol/fastify + the Node transport, through the real SDK v2 client', async () => {
  const base = await served(fastifyApp(fixture.settings, mcpServerV2));
  assertWhoami(await callWhoami(`${base}/mcp`, fixture.tokens.valid));
  assert.equal((await sender(`${base}/mcp`)(fixture.tokens.missingScope)).status, 403);
});
