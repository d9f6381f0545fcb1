// examples/edge-worker/ under `wrangler dev`, as its README says to run it locally: the npm wrangler (on the
// Node 22 binary, which wrangler requires) bundles worker.js with its own esbuild, resolving `entra-guard` by
// name through node_modules (the `workerd` condition) and uploading the .wasm as a module, and serves it with its
// workerd on a random loopback port. The config is the example's wrangler.toml, copied into a temp dir with
// `main` made absolute (so .wrangler/ is written there, not into the example); the bindings come as --var: the
// tenant, the client id and the test issuer's keys (JWKS), so no network is needed. The metadata, a tool call,
// refusals, and the MCP SDK client through wrangler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_CLIENT_ID, TENANT, adapterFixture, callWhoami } from './adapters/support.mjs';
import { ROOT, WORKER_DIR, tempDir } from '../workerd/harness.mjs';
import { startWranglerDev, strictCi, wranglerUnavailable } from '../workerd/wrangler.mjs';

const OBJECT_ID = '00000000-0000-4000-8000-0000000000aa';
const CLIENT_APP = 'cccccccc-dddd-4eee-8fff-000000000001';
const parseChallenge = (header) => Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));

function rpc(base, token, method, params = {}) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
}

test('examples/edge-worker under wrangler dev (Node 22), offline', async (t) => {
  const unavailable = wranglerUnavailable();
  if (unavailable) {
    if (strictCi()) assert.fail(`CI is set, so this must run: ${unavailable}`);
    t.skip(unavailable);
    return;
  }

  const fixture = await adapterFixture();
  const { issuer } = fixture;
  const temp = tempDir();
  const exampleState = join(WORKER_DIR, '.wrangler');
  const hadExampleState = existsSync(exampleState);
  const toml = readFileSync(join(WORKER_DIR, 'wrangler.toml'), 'utf8');
  const config = toml.replace(/^main = "worker\.js"$/m, `main = ${JSON.stringify(join(WORKER_DIR, 'worker.js'))}`);
  assert.notEqual(config, toml, 'the example\'s wrangler.toml names main = "worker.js"');
  writeFileSync(join(temp.dir, 'wrangler.toml'), config);

  let wrangler;
  try {
    wrangler = await startWranglerDev({
      config: join(temp.dir, 'wrangler.toml'),
      cwd: temp.dir,
      xdg: join(temp.dir, 'xdg'),
      args: ['--var', `TENANT_ID:${TENANT}`, '--var', `CLIENT_ID:${API_CLIENT_ID}`, '--var', `JWKS:${JSON.stringify(issuer.jwks)}`],
      probePath: '/.well-known/oauth-protected-resource/mcp',
    });
    const base = wrangler.url;
    const withLogs = (fn) => async () => {
      try {
        await fn();
      } catch (error) {
        if (error instanceof Error) error.message += `\n--- wrangler output ---\n${wrangler.logs()}`;
        throw error;
      }
    };

    await t.test('the protected-resource metadata names the request\'s /mcp and the tenant\'s authority', withLogs(async () => {
      const response = await fetch(`${base}/.well-known/oauth-protected-resource/mcp`);
      assert.equal(response.status, 200);
      const document = await response.json();
      assert.equal(document.resource, `${base}/mcp`);
      assert.deepEqual(document.authorization_servers, [`https://login.microsoftonline.com/${TENANT}/v2.0`]);
      assert.ok(document.scopes_supported.includes(`api://${API_CLIENT_ID}/mcp.notes.read`));
    }));

    await t.test('a valid token: 200, whoami answers the validated identity', withLogs(async () => {
      const response = await rpc(base, issuer.mint({ scopes: ['mcp.notes.read'] }), 'tools/call', { name: 'whoami', arguments: {} });
      assert.equal(response.status, 200);
      const who = (await response.json()).result.structuredContent;
      assert.equal(who.tenantId, TENANT);
      assert.equal(who.objectId, OBJECT_ID);
      assert.equal(who.clientId, CLIENT_APP);
      assert.deepEqual(who.scopes, ['mcp.notes.read']);
    }));

    await t.test('no token: 401 with a plain challenge naming the metadata', withLogs(async () => {
      const response = await rpc(base, undefined, 'tools/list');
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`);
      assert.equal((await response.json()).code, 'token_missing');
    }));

    await t.test('an expired token: 401 invalid_token, token_expired', withLogs(async () => {
      const response = await rpc(base, fixture.tokens.expired, 'tools/call', { name: 'whoami', arguments: {} });
      assert.equal(response.status, 401);
      const challenge = parseChallenge(response.headers.get('www-authenticate'));
      assert.equal(challenge.error, 'invalid_token');
      assert.equal(challenge.resource_metadata, `${base}/.well-known/oauth-protected-resource/mcp`);
      assert.equal((await response.json()).code, 'token_expired');
    }));

    await t.test('a token without the tool\'s scope: 403 insufficient_scope, scope="mcp.notes.write"', withLogs(async () => {
      const response = await rpc(base, issuer.mint({ scopes: ['mcp.notes.read'] }), 'tools/call', { name: 'add_note', arguments: { text: 'x' } });
      assert.equal(response.status, 403);
      const challenge = parseChallenge(response.headers.get('www-authenticate'));
      assert.equal(challenge.error, 'insufficient_scope');
      assert.equal(challenge.scope, 'mcp.notes.write');
      assert.equal((await response.json()).code, 'insufficient_scope');
    }));

    await t.test('the real MCP SDK v2 client lists tools and calls whoami through wrangler', withLogs(async () => {
      const who = await callWhoami(`${base}/mcp`, issuer.mint({ scopes: ['mcp.notes.read', 'mcp.notes.write'] }));
      assert.equal(who.tenantId, TENANT);
      assert.equal(who.clientId, CLIENT_APP);
      assert.deepEqual(who.scopes, ['mcp.notes.read', 'mcp.notes.write']);
    }));
  } finally {
    await wrangler?.stop();
    assert.equal(wrangler?.alive() ?? false, false, 'wrangler and its workerd are gone');
    temp.remove();
  }
  // wrangler wrote its state into the temp dir, not into the example.
  if (!hadExampleState) assert.equal(existsSync(exampleState), false, 'examples/edge-worker/.wrangler was created');
  assert.equal(existsSync(join(ROOT, 'node_modules/.mf')), false, 'node_modules/.mf was created');
});
