// examples/edge-worker/worker.js in the real workerd runtime: bundled as wrangler would (the `workerd`
// export condition, the wasm as a pre-compiled module), served by the workerd binary, and called over
// HTTP. Four workers in one workerd: keys in hand (a JWKS text binding, no network); remote keys fetched
// from a loopback test issuer (JWKS_URI), to see the remote JWKS cache and the verified-token cache work
// across requests of one isolate; a key server that drops connections; a bad TENANT_ID. Then the example's
// own local.capnp, bundled and served as its README says.
import { test as nodeTest, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { PKG_DIR } from './helpers.mjs';
import {
  WORKER_DIR, bundleWorker, exampleCompatibilityDate, startWorkerd, tempDir, workerdBinary, writeConfig,
} from '../workerd/harness.mjs';

if (!existsSync(`${PKG_DIR}workerd.js`)) throw new Error('pkg/ is not built: run `bash scripts/build.sh` first');

const { createTestIssuer } = await import(`${PKG_DIR}testing.mjs`);
const { protectedResourceMetadataUrl } = await import(`${PKG_DIR}node.mjs`);

const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
// The remote worker's RESOURCE binding: its public URL, as behind a custom domain.
const PUBLIC_RESOURCE = 'https://mcp.contoso.example/mcp';
const GRAPH = '00000003-0000-0000-c000-000000000000';

let temp;
let workerd;
let bundle;
let localIssuer; // keys handed to the worker as the JWKS binding
let remoteIssuer; // serves its JWKS on loopback; the worker fetches it (JWKS_URI)
let deadKeyServer;
let urls;

/** Every failure carries workerd's output (console.error of the worker, startup errors). */
function test(name, fn) {
  return nodeTest(name, async (t) => {
    try {
      await fn(t);
    } catch (error) {
      if (workerd) {
        const output = `--- workerd output ---\n${workerd.logs()}`;
        t.diagnostic(output);
        if (error instanceof Error) error.stack = `${error.stack}\n${output}`;
      }
      throw error;
    }
  });
}

before(async () => {
  temp = tempDir();
  localIssuer = await createTestIssuer({ serve: false });
  remoteIssuer = await createTestIssuer({ tenantId: '99999999-8888-4777-8666-555555555555' });
  deadKeyServer = await droppingServer();
  bundle = await bundleWorker(temp.dir);
  const compatibilityDate = exampleCompatibilityDate();
  writeConfig(temp.dir, {
    compatibilityDate,
    workers: [
      {
        name: 'local',
        bindings: { TENANT_ID: localIssuer.tenantId, CLIENT_ID: localIssuer.audience, JWKS: JSON.stringify(localIssuer.jwks) },
      },
      {
        name: 'remote',
        bindings: { TENANT_ID: remoteIssuer.tenantId, CLIENT_ID: remoteIssuer.audience, JWKS_URI: remoteIssuer.jwksUri, RESOURCE: PUBLIC_RESOURCE },
        network: ['local'],
      },
      {
        // Keys that cannot be fetched: the server drops every connection.
        name: 'unreachable',
        bindings: { TENANT_ID: remoteIssuer.tenantId, CLIENT_ID: remoteIssuer.audience, JWKS_URI: `http://127.0.0.1:${deadKeyServer.address().port}/keys` },
        network: ['local'],
      },
      { name: 'misconfigured', bindings: { TENANT_ID: 'contoso.onmicrosoft.com', CLIENT_ID: remoteIssuer.audience } },
    ],
  });
  workerd = await startWorkerd(temp.dir, ['local', 'remote', 'unreachable', 'misconfigured']);
  urls = workerd.urls;
});

after(async () => {
  await workerd?.stop();
  await remoteIssuer?.close();
  deadKeyServer?.close();
  temp?.remove();
});

/** A loopback "key server" that drops every connection at once, counting them. */
async function droppingServer() {
  const server = createServer((socket) => {
    server.accepted += 1;
    socket.destroy();
  });
  server.accepted = 0;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return server;
}

function rpc(base, token, method = 'tools/list', params = {}, { headers = {}, body } = {}) {
  const all = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers };
  if (token !== undefined) all.authorization = `Bearer ${token}`;
  return fetch(`${base}/mcp`, {
    method: 'POST',
    headers: all,
    body: body ?? JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
}
const toolCall = (name, args = {}) => ['tools/call', { name, arguments: args }];
const parseChallenge = (header) => Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
const metadataUrl = (base) => protectedResourceMetadataUrl(`${base}/mcp`);

describe('bundling for workerd', () => {
  test('the bundle uses entra-guard/workerd.js, keeps the wasm as a module import and has no Node APIs', () => {
    assert.ok(bundle.inputs.some((path) => /(^|\/)pkg\/workerd\.js$/.test(path)), `inputs: ${bundle.inputs.join(', ')}`);
    assert.ok(!bundle.inputs.some((path) => /pkg\/(node\.mjs|node\.cjs|browser\.js)$/.test(path)), `inputs: ${bundle.inputs.join(', ')}`);
    assert.match(bundle.code, /from\s*["']\.\/entra_guard_bg\.wasm["']/);
    // No Node module is imported (without nodejs_compat that would not load); node:crypto is only asked for
    // at run time, through process.getBuiltinModule, where nodejs_compat provides it (lib/host-crypto.js).
    assert.doesNotMatch(bundle.code, /node:fs|readFileSync|node:http|(import|from|require\()\s*\(?\s*["']node:/);
    assert.equal([...bundle.code.matchAll(/node:crypto/g)].length, 1, 'one mention of node:crypto: getBuiltinModule');
    assert.match(bundle.code, /process\?\.getBuiltinModule\?\.\(["']node:crypto["']\)/);
    assert.match(bundle.code, /initSync/);
  });

  test('the example compatibility date is one this workerd supports', () => {
    assert.ok(exampleCompatibilityDate() <= workerdBinary().compatibilityDate);
  });
});

describe('edge worker with keys in hand (JWKS binding)', () => {
  test('a valid token: tools/call whoami answers the caller\'s identity', async () => {
    const token = localIssuer.mint({ scopes: ['mcp.notes.read'] });
    const response = await rpc(urls.local, token, ...toolCall('whoami'));
    assert.equal(response.status, 200);
    const { id, result } = await response.json();
    assert.equal(id, 1);
    const who = result.structuredContent;
    assert.deepEqual(JSON.parse(result.content[0].text), who);
    assert.equal(who.tenantId, localIssuer.tenantId);
    assert.equal(who.objectId, '00000000-0000-4000-8000-0000000000aa');
    assert.equal(who.clientId, 'cccccccc-dddd-4eee-8fff-000000000001');
    assert.deepEqual(who.scopes, ['mcp.notes.read']);
    assert.deepEqual(who.roles, []);
    assert.equal(who.isAppOnly, false);
  });

  test('an app-only v1 token (audience api://CLIENT_ID) is accepted and reported as app-only', async () => {
    const token = localIssuer.mint({ type: 'app', version: '1.0', roles: ['Notes.Admin'] });
    const who = (await (await rpc(urls.local, token, ...toolCall('whoami'))).json()).result.structuredContent;
    assert.equal(who.isAppOnly, true);
    assert.deepEqual(who.roles, ['Notes.Admin']);
  });

  test('tools/list names the tools', async () => {
    const response = await rpc(urls.local, localIssuer.mint());
    assert.equal(response.status, 200);
    const { result } = await response.json();
    assert.deepEqual(result.tools.map((t) => t.name).sort(), ['add_note', 'list_notes', 'purge_notes', 'whoami']);
  });

  test('the same token twice: both answered (the second from the verified-token cache)', async () => {
    const token = localIssuer.mint({ scopes: ['mcp.notes.read', 'mcp.notes.write'] });
    for (let i = 0; i < 2; i++) {
      const response = await rpc(urls.local, token, ...toolCall('whoami'));
      assert.equal(response.status, 200);
      assert.equal((await response.json()).result.structuredContent.objectId, '00000000-0000-4000-8000-0000000000aa');
    }
  });

  for (const [name, mintOptions, code] of [
    ['an expired token', { expiresIn: -1000 }, 'token_expired'],
    ['a wrong-audience token', { audience: GRAPH }, 'audience_invalid'],
    ['a token from another tenant', { tenantId: OTHER_TENANT }, 'tenant_not_allowed'],
    ['a token signed by another key under a published kid', { key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }, 'signature_invalid'],
  ]) {
    test(`${name}: 401 invalid_token naming ${code}, with resource_metadata`, async () => {
      const token = localIssuer.mint(mintOptions);
      const response = await rpc(urls.local, token, ...toolCall('whoami'));
      assert.equal(response.status, 401);
      const header = response.headers.get('www-authenticate');
      assert.match(header, /^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="[^"]+"$/);
      const challenge = parseChallenge(header);
      assert.equal(challenge.resource_metadata, `${urls.local}/.well-known/oauth-protected-resource/mcp`);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const body = await response.json();
      assert.equal(body.code, code);
      assert.equal(body.error, 'invalid_token');
      assert.ok(!JSON.stringify(body).includes(token.split('.')[2]), 'the response must not echo the token');
    });
  }

  test('a token lacking the tool\'s scope: 403 insufficient_scope with scope="mcp.notes.write"', async () => {
    const token = localIssuer.mint({ scopes: ['mcp.notes.read'] });
    const response = await rpc(urls.local, token, ...toolCall('add_note', { text: 'x' }));
    assert.equal(response.status, 403);
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    assert.equal(challenge.error, 'insufficient_scope');
    assert.equal(challenge.scope, 'mcp.notes.write');
    assert.equal(challenge.resource_metadata, metadataUrl(urls.local));
    assert.equal((await response.json()).code, 'insufficient_scope');
    // The same token may call what its scope allows.
    assert.equal((await rpc(urls.local, token, ...toolCall('list_notes'))).status, 200);
  });

  test('per-tool permissions: add_note then list_notes with the scopes; purge_notes needs the app role', async () => {
    const writer = localIssuer.mint({ scopes: ['mcp.notes.write', 'mcp.notes.read'] });
    const added = await rpc(urls.local, writer, ...toolCall('add_note', { text: 'hello from workerd' }));
    assert.equal(added.status, 200);
    const listed = await (await rpc(urls.local, writer, ...toolCall('list_notes'))).json();
    assert.ok(listed.result.structuredContent.notes.some((note) => note.text === 'hello from workerd'));
    const userPurge = await rpc(urls.local, writer, ...toolCall('purge_notes'));
    assert.equal(userPurge.status, 403);
    assert.equal(parseChallenge(userPurge.headers.get('www-authenticate')).scope, 'Notes.Admin');
    const appPurge = await rpc(urls.local, localIssuer.mint({ type: 'app', roles: ['Notes.Admin'] }), ...toolCall('purge_notes'));
    assert.equal(appPurge.status, 200);
  });

  test('a JSON-RPC batch cannot carry a tools/call past the per-tool check', async () => {
    const token = localIssuer.mint({ scopes: ['mcp.notes.read'] });
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add_note', arguments: { text: 'x' } } };
    const response = await rpc(urls.local, token, undefined, undefined, { body: JSON.stringify([call]) });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error.code, -32600);
  });

  test('no token: 401 with resource_metadata and no error code (RFC 6750 §3.1)', async () => {
    const response = await rpc(urls.local, undefined, ...toolCall('whoami'));
    assert.equal(response.status, 401);
    const header = response.headers.get('www-authenticate');
    assert.equal(header, `Bearer resource_metadata="${metadataUrl(urls.local)}"`);
    assert.equal((await response.json()).code, 'token_missing');
  });

  test('the body is not parsed before authentication', async () => {
    const response = await rpc(urls.local, undefined, undefined, undefined, { body: '{not json' });
    assert.equal(response.status, 401);
    const authed = await rpc(urls.local, localIssuer.mint(), undefined, undefined, { body: '{not json' });
    assert.equal(authed.status, 400);
    assert.equal((await authed.json()).error.code, -32700);
  });

  test('garbage Authorization headers get 401, never 500', async () => {
    for (const authorization of ['Bearer', 'Basic dXNlcjpwYXNz', 'Bearer a.b', 'Bearer a.b.c', `Bearer ${'x'.repeat(20000)}`, 'Bearer a.b.c d', 'Bearer ...']) {
      const response = await fetch(`${urls.local}/mcp`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(response.status, 401, `${authorization.slice(0, 20)}: ${response.status}`);
      assert.match(response.headers.get('www-authenticate'), /^Bearer error="invalid_token"/);
      await response.arrayBuffer();
    }
  });

  test('GET /mcp: 401 without a token, 405 (Allow: POST) with one', async () => {
    const anonymous = await fetch(`${urls.local}/mcp`);
    assert.equal(anonymous.status, 401);
    await anonymous.arrayBuffer();
    const authed = await fetch(`${urls.local}/mcp`, { headers: { authorization: `Bearer ${localIssuer.mint()}` } });
    assert.equal(authed.status, 405);
    assert.equal(authed.headers.get('allow'), 'POST');
    await authed.arrayBuffer();
  });

  test('protected-resource metadata (RFC 9728) names the tenant\'s Entra v2 authority', async () => {
    const response = await fetch(metadataUrl(urls.local));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^application\/json/);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const document = await response.json();
    assert.equal(document.resource, `${urls.local}/mcp`);
    assert.deepEqual(document.authorization_servers, [`https://login.microsoftonline.com/${localIssuer.tenantId}/v2.0`]);
    assert.deepEqual(document.bearer_methods_supported, ['header']);
    assert.ok(document.scopes_supported.includes(`api://${localIssuer.audience}/mcp.notes.read`));
  });

  test('the MCP SDK client lists tools and calls whoami through the worker', async () => {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const token = localIssuer.mint({ scopes: ['mcp.notes.read'] });
    const client = new Client({ name: 'entra-guard-workerd-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${urls.local}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    try {
      const { tools } = await client.listTools();
      assert.ok(tools.some((tool) => tool.name === 'whoami'));
      const who = JSON.parse((await client.callTool({ name: 'whoami', arguments: {} })).content[0].text);
      assert.equal(who.tenantId, localIssuer.tenantId);
    } finally {
      await client.close();
    }
  });
});

describe('edge worker with remote keys (JWKS_URI on a loopback test issuer)', () => {
  const keysPath = () => new URL(remoteIssuer.jwksUri).pathname;

  test('the metadata names the RESOURCE binding', async () => {
    const document = await (await fetch(`${urls.remote}/.well-known/oauth-protected-resource/mcp`)).json();
    assert.equal(document.resource, PUBLIC_RESOURCE);
    assert.deepEqual(document.authorization_servers, [`https://login.microsoftonline.com/${remoteIssuer.tenantId}/v2.0`]);
  });

  test('concurrent first requests share one JWKS fetch; later requests use the cached keys', async () => {
    const tokens = Array.from({ length: 5 }, (_, i) => remoteIssuer.mint({ scopes: ['mcp.notes.read'], objectId: `00000000-0000-4000-8000-00000000010${i}` }));
    const first = await Promise.all(tokens.map((token) => rpc(urls.remote, token, ...toolCall('whoami'))));
    for (const [i, response] of first.entries()) {
      assert.equal(response.status, 200);
      assert.equal((await response.json()).result.structuredContent.objectId, `00000000-0000-4000-8000-00000000010${i}`);
    }
    for (const token of [tokens[0], tokens[0], remoteIssuer.mint()]) {
      const response = await rpc(urls.remote, token, ...toolCall('whoami'));
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
    assert.equal(remoteIssuer.requestCount(keysPath()), 1);
    assert.equal(remoteIssuer.requestCount(), 1, `requests: ${JSON.stringify(remoteIssuer.requests)}`);
  });

  test('refusals as with keys in hand: expired 401, missing scope 403, unknown kid 401 key_not_found (no refetch)', async () => {
    const expired = await rpc(urls.remote, remoteIssuer.mint({ expiresIn: -1000 }), ...toolCall('whoami'));
    assert.equal(expired.status, 401);
    // RESOURCE names the public URL: the challenge points there, not at the loopback address.
    assert.equal(parseChallenge(expired.headers.get('www-authenticate')).resource_metadata, 'https://mcp.contoso.example/.well-known/oauth-protected-resource/mcp');
    assert.equal((await expired.json()).code, 'token_expired');
    const forbidden = await rpc(urls.remote, remoteIssuer.mint({ scopes: ['mcp.notes.read'] }), ...toolCall('add_note', { text: 'x' }));
    assert.equal(forbidden.status, 403);
    assert.equal(parseChallenge(forbidden.headers.get('www-authenticate')).scope, 'mcp.notes.write');
    await forbidden.arrayBuffer();
    // A token signed by a key this issuer never published: one refresh for the unknown kid, then 401.
    const stranger = localIssuer.mint({ tenantId: remoteIssuer.tenantId, audience: remoteIssuer.audience });
    const unknown = await rpc(urls.remote, stranger, ...toolCall('whoami'));
    assert.equal(unknown.status, 401);
    assert.equal((await unknown.json()).code, 'key_not_found');
    // The keys were fetched moments ago: within the 5-minute cooldown an unknown kid does not refetch, so
    // tokens with made-up kids cannot turn into requests to the identity provider.
    assert.equal(remoteIssuer.requestCount(keysPath()), 1, 'no refetch for an unknown kid within the cooldown');
  });
});

describe('examples/edge-worker/local.capnp, as its README runs it', () => {
  let local;
  let localTemp;
  before(async () => {
    localTemp = tempDir();
    await bundleWorker(localTemp.dir, { readmeStyle: true });
    copyFileSync(join(WORKER_DIR, 'local.capnp'), join(localTemp.dir, 'local.capnp'));
    local = await startWorkerd(localTemp.dir, ['http'], { config: 'local.capnp', args: ['--socket-addr=http=127.0.0.1:0'] });
  });
  after(async () => {
    await local?.stop();
    localTemp?.remove();
  });

  test('same compatibility date as wrangler.toml', () => {
    const match = /compatibilityDate = "([^"]+)"/.exec(readFileSync(join(WORKER_DIR, 'local.capnp'), 'utf8'));
    assert.equal(match?.[1], exampleCompatibilityDate());
  });

  test('serves the metadata and refuses a request without a token (no network needed)', async () => {
    const base = local.urls.http;
    const metadata = await fetch(`${base}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(metadata.status, 200, local.logs());
    assert.equal((await metadata.json()).resource, `${base}/mcp`);
    const response = await rpc(base, undefined, ...toolCall('whoami'));
    assert.equal(response.status, 401, local.logs());
    assert.equal(response.headers.get('www-authenticate'), `Bearer resource_metadata="${metadataUrl(base)}"`);
    await response.arrayBuffer();
  });
});

describe('edge worker failing on the server side', () => {
  test('keys that cannot be fetched: 500 jwks_invalid (no WWW-Authenticate), fast, at most one fetch per request', async () => {
    const token = remoteIssuer.mint();
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const response = await rpc(urls.unreachable, token, ...toolCall('whoami'));
      assert.equal(response.status, 500);
      assert.equal(response.headers.get('www-authenticate'), null);
      const body = await response.json();
      assert.equal(body.code, 'jwks_invalid');
      assert.ok(!JSON.stringify(body).includes(token.split('.')[2]));
      assert.ok(Date.now() - started < 4000, 'a dropped connection fails fast');
    }
    // Before any key set was loaded, each request tries once more (remote-jwks retries a failed *first*
    // load on every get(); only stale keys wait for the cooldown). At most one fetch per request:
    assert.ok(deadKeyServer.accepted >= 1 && deadKeyServer.accepted <= 2, `connections: ${deadKeyServer.accepted}`);
  });

  test('a misconfigured TENANT_ID: 500 config_invalid for /mcp and the metadata, the worker keeps answering', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await rpc(urls.misconfigured, remoteIssuer.mint(), ...toolCall('whoami'));
      assert.equal(response.status, 500);
      assert.equal((await response.json()).code, 'config_invalid');
    }
    const metadata = await fetch(metadataUrl(urls.misconfigured));
    assert.equal(metadata.status, 500);
    assert.equal((await metadata.json()).code, 'config_invalid');
  });
});

test('workerd logged nothing but the worker\'s own lines for the server-side failures', () => {
  const lines = workerd.logs().split('\n').filter((line) => line.trim() !== '' && line !== '(workerd wrote nothing)');
  const unexpected = lines.filter((line) => !/^(\[stderr\] )?edge-worker: (jwks_invalid|config_invalid)/.test(line));
  assert.deepEqual(unexpected, []);
  assert.ok(lines.some((line) => line.includes('edge-worker: jwks_invalid')), 'a key-fetch failure is logged');
});
