// entra-guard/hono under the real workerd runtime: tests/workerd/hono-worker.mjs (a Hono app with the
// middleware, and an @modelcontextprotocol/hono MCP route on the SDK v2 transport) bundled by esbuild with the
// `workerd` export condition, served by the workerd binary on loopback, with the test issuer's keys as a JWKS
// text binding. The answers must be those of the same middleware under Node (tests/js/adapter-hono.test.mjs),
// byte for byte, and the real SDK v2 client must list and call a tool through workerd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Hono } from 'hono';
import { entraAuth } from 'entra-guard/hono';
import {
  ADMIN_ROLE, REQUIRED_SCOPE, RESOURCE, adapterFixture, assertAuthInfo, assertRefusals, assertWhoami, callWhoami, sender,
} from './adapters/support.mjs';
import { ROOT, bundleEntry, exampleCompatibilityDate, startWorkerd, tempDir, writeConfig } from '../workerd/harness.mjs';

let fixture;
let temp;
let workerd;
let base;
let bundle;

before(async () => {
  fixture = await adapterFixture();
  temp = tempDir();
  bundle = await bundleEntry(join(ROOT, 'tests/workerd/hono-worker.mjs'), temp.dir);
  writeConfig(temp.dir, {
    compatibilityDate: exampleCompatibilityDate(),
    workers: [{
      name: 'hono',
      bindings: {
        TENANT_ID: fixture.settings.options.tenantId,
        CLIENT_ID: fixture.settings.options.audience[0],
        RESOURCE,
        JWKS: JSON.stringify(fixture.settings.jwks),
        REQUIRED_SCOPE,
        ADMIN_ROLE,
      },
    }],
  });
  // The SDK client's GET opens the transport's standalone SSE stream, which workerd keeps draining after the
  // client went away: stop() sends SIGKILL after SIGTERM has had half a second.
  workerd = await startWorkerd(temp.dir, ['hono'], { probePath: '/', killAfter: 500 });
  base = workerd.urls.hono;
});

after(async () => {
  await workerd?.stop();
  temp?.remove();
});

/** On failure, workerd's output (the worker's console, uncaught errors) goes with the assertion. */
async function withLogs(fn) {
  try {
    await fn();
  } catch (error) {
    if (workerd && error instanceof Error) error.message += `\n--- workerd output ---\n${workerd.logs()}`;
    throw error;
  }
}

test('the bundle runs entra-guard/hono\'s workerd entry (the wasm as a module), not a Node build', () => {
  const inputs = bundle.inputs.join('\n');
  assert.match(inputs, /(^|\/)pkg\/adapters\/hono\/workerd\.js$/m);
  assert.match(inputs, /(^|\/)pkg\/workerd\.js$/m);
  assert.doesNotMatch(inputs, /pkg\/(node\.mjs|node\.cjs|browser\.js)$|pkg\/adapters\/hono\/(node|browser)/m);
});

test('a valid token reaches the handler: c.get(auth) is the AuthInfo (tenant, scopes, resource, expiry)', () => withLogs(async () => {
  const answer = await sender(`${base}/whoami`)(fixture.tokens.valid);
  assert.equal(answer.status, 200);
  assert.equal(answer.body.runtime, 'Cloudflare-Workers', 'served by workerd');
  const { auth } = answer.body;
  assertAuthInfo(auth);
  assert.equal(auth.token, fixture.tokens.valid);
  assert.equal(auth.resource, RESOURCE);
  assert.equal(auth.extra.isAppOnly, false);
  assert.equal(auth.extra.version, '2.0');
}));

test('refusals under workerd: no token, expired, wrong audience 401; missing scope, missing role 403', () => withLogs(async () => {
  await assertRefusals(fixture, sender(`${base}/whoami`), { sendAdmin: sender(`${base}/admin`), exact: true });
}));

test('every answer is the one the same middleware gives under Node (status, headers, body)', () => withLogs(async () => {
  const node = new Hono();
  node.post('/whoami', entraAuth(fixture.settings), (c) => c.json({ auth: c.get('auth') }));
  node.post('/admin', entraAuth(fixture.adminSettings), (c) => c.json({ ok: true }));
  const { tokens } = fixture;
  const cases = [
    ['/whoami', undefined], ['/whoami', tokens.expired], ['/whoami', tokens.wrongAudience],
    ['/whoami', tokens.missingScope], ['/whoami', 'not.a.jwt'], ['/admin', tokens.missingRole], ['/admin', tokens.valid],
  ];
  const relevant = ['content-type', 'www-authenticate', 'cache-control'];
  // An expiry's description names the clock ("now 1796167759.974 ... (3600s ago)"): the two runtimes read it
  // a few milliseconds apart.
  const clockless = (text) => text?.replace(/now \d+(\.\d+)?/g, 'now T').replace(/\(\d+s ago\)/g, '(N s ago)');
  for (const [path, token] of cases) {
    const init = { method: 'POST', headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) }, body: '{}' };
    const [fromWorkerd, fromNode] = await Promise.all([fetch(`${base}${path}`, init), node.request(`http://127.0.0.1${path}`, init)]);
    const label = `${path} with ${token === undefined ? 'no token' : Object.keys(tokens).find((k) => tokens[k] === token) ?? token}`;
    assert.ok(fromNode.status >= 400, `${label}: a refusal under Node (${fromNode.status})`);
    assert.equal(fromWorkerd.status, fromNode.status, label);
    for (const name of relevant) assert.equal(clockless(fromWorkerd.headers.get(name)), clockless(fromNode.headers.get(name)), `${label}: ${name}`);
    assert.deepEqual(JSON.parse(clockless(await fromWorkerd.text())), JSON.parse(clockless(await fromNode.text())), `${label}: body`);
  }
}));

test('the real SDK v2 client lists tools and calls whoami on the MCP route; the tool sees the identity', () => withLogs(async () => {
  const seen = await callWhoami(`${base}/mcp`, fixture.tokens.valid);
  assertWhoami(seen);
  assert.equal(seen.runtime, 'Cloudflare-Workers');
  // The MCP route is guarded by the same middleware.
  const refused = await sender(`${base}/mcp`)(fixture.tokens.missingScope);
  assert.equal(refused.status, 403);
  assert.match(refused.headers.get('www-authenticate'), new RegExp(`error="insufficient_scope".*scope="${RESOURCE.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/${REQUIRED_SCOPE}"`));
  assert.equal((await sender(`${base}/mcp`)(undefined)).status, 401);
}));

test('workerd logged no errors', () => {
  assert.doesNotMatch(workerd.logs(), /error|uncaught|exception/i, workerd.logs());
});
