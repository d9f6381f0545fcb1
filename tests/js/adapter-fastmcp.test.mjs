// entra-guard/fastmcp: `authenticate` for a FastMCP server on loopback (HTTP streaming, stateless and
// stateful), with the real SDK v2 client; the quick start (examples/quickstarts/fastmcp.mjs) is the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { entraAuthenticate } from 'entra-guard/fastmcp';
import { fastMcpServer } from '../../examples/quickstarts/fastmcp.mjs';
import { adapterFixture, assertAuthInfo, assertRefusals, assertWhoami, callWhoami, sender } from './adapters/support.mjs';

/** A free loopback port (fastmcp takes a port, not a listening socket). */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let fixture;
const running = [];
async function started(settings, stateless) {
  const server = fastMcpServer(settings);
  const port = await freePort();
  await server.start({ transportType: 'httpStream', httpStream: { port, host: '127.0.0.1', endpoint: '/mcp', stateless } });
  running.push(server);
  return `http://127.0.0.1:${port}/mcp`;
}
before(async () => {
  fixture = await adapterFixture();
});
after(() => Promise.all(running.map((s) => s.stop())));

test('authenticate resolves to the session (the AuthInfo); a refusal is a Response fastmcp sends as it is', async () => {
  const authenticate = entraAuthenticate(fixture.settings);
  const request = { headers: { authorization: `Bearer ${fixture.tokens.valid}` }, url: '/mcp', socket: {} };
  assertAuthInfo(await authenticate(request));
  const refused = await authenticate({ headers: {}, url: '/mcp', socket: {} }).catch((thrown) => thrown);
  assert.ok(refused instanceof Response);
  assert.equal(refused.status, 401);
  assert.ok(await authenticate(undefined).catch((thrown) => thrown instanceof Response), 'no HTTP request (stdio): refused');
});

for (const stateless of [true, false]) {
  test(`the quick start on loopback (${stateless ? 'stateless' : 'stateful'}): the real SDK v2 client calls a tool with the session`, async () => {
    const url = await started(fixture.settings, stateless);
    assertWhoami(await callWhoami(url, fixture.tokens.valid));
  });
}

test('refusals on the wire: the same status, WWW-Authenticate and body as the Express middleware', async () => {
  const url = await started(fixture.settings, true);
  const admin = await started(fixture.adminSettings, true);
  await assertRefusals(fixture, sender(url), { sendAdmin: sender(admin) });
});
