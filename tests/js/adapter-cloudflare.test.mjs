// entra-guard/cloudflare under the real workerd runtime: the quick start examples/quickstarts/cloudflare.mjs
// (@cloudflare/workers-oauth-provider's OAuthResourceServer in front of agents' createMcpHandler, the token
// checked by entraValidateToken) with settings made from bindings (tests/workerd/cloudflare-worker.mjs),
// bundled by esbuild with the `workerd` condition and served by the workerd binary on loopback. Three workers:
// the scope required, the app role required, and a JWKS binding that cannot be used. The real SDK v2 client
// lists and calls a tool; every refusal is checked as it goes on the wire: the provider answers the request
// without a token itself; for a refused token it sends entra-guard's WWW-Authenticate (from the OAuthError's
// headers) with its own JSON body.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ADMIN_ROLE, API_CLIENT_ID, REQUIRED_SCOPE, TENANT, adapterFixture, callWhoami, sender,
} from './adapters/support.mjs';
import {
  ROOT, bundleEntry, exampleCompatibilityDate, startWorkerdOnPorts, tempDir, writeConfig,
} from '../workerd/harness.mjs';

const OBJECT_ID = '00000000-0000-4000-8000-0000000000aa';
const CLIENT_APP = 'cccccccc-dddd-4eee-8fff-000000000001';

let fixture;
let temp;
let workerd;
let bundle;
let urls;
/** The canonical resource a worker serves (its loopback URL + /mcp). */
const resource = (name) => `${urls[name]}/mcp`;

before(async () => {
  fixture = await adapterFixture();
  temp = tempDir();
  bundle = await bundleEntry(join(ROOT, 'tests/workerd/cloudflare-worker.mjs'), temp.dir);
  const compatibilityDate = exampleCompatibilityDate();
  // agents' handler imports node:async_hooks: nodejs_compat, the default from 2026-08-04 on.
  const compatibilityFlags = compatibilityDate < '2026-08-04' ? ['nodejs_compat'] : [];
  const common = { TENANT_ID: TENANT, CLIENT_ID: API_CLIENT_ID, JWKS: JSON.stringify(fixture.issuer.jwks) };
  workerd = await startWorkerdOnPorts(temp.dir, ['scoped', 'admin', 'broken'], (ports) => {
    const resource = (name) => `http://127.0.0.1:${ports[name]}/mcp`;
    writeConfig(temp.dir, {
      compatibilityDate,
      workers: [
        { name: 'scoped', compatibilityFlags, bindings: { ...common, RESOURCE: resource('scoped'), REQUIRED_SCOPE } },
        { name: 'admin', compatibilityFlags, bindings: { ...common, RESOURCE: resource('admin'), REQUIRED_ROLE: ADMIN_ROLE } },
        // Keys that are JSON but no key set: the guard cannot be built.
        { name: 'broken', compatibilityFlags, bindings: { ...common, JWKS: '{"keys":"none"}', RESOURCE: resource('broken'), REQUIRED_SCOPE } },
      ],
    });
  }, { probePath: '/.well-known/oauth-protected-resource/mcp', killAfter: 1000 });
  urls = workerd.urls;
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

const metadataUrl = (name) => `${urls[name]}/.well-known/oauth-protected-resource/mcp`;
/** A POST tools/list to a worker's /mcp: { status, headers, body } (body parsed when JSON). */
const send = (name, token) => sender(`${urls[name]}/mcp`)(token);
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('the bundle runs the quick start on entra-guard/cloudflare\'s workerd entry, the provider and agents\' handler', () => {
  const inputs = bundle.inputs.join('\n');
  for (const expected of [
    /(^|\/)pkg\/adapters\/cloudflare\/workerd\.js$/m, /(^|\/)pkg\/workerd\.js$/m, /^examples\/quickstarts\/cloudflare\.mjs$/m,
    /node_modules\/@cloudflare\/workers-oauth-provider\//, /node_modules\/agents\/dist\/mcp\/server\//,
  ]) assert.match(inputs, expected);
  assert.doesNotMatch(inputs, /pkg\/(node\.mjs|node\.cjs|browser\.js)$|pkg\/adapters\/cloudflare\/(node|browser)/m);
});

test('protected-resource metadata: the canonical loopback resource and the tenant\'s Entra authority', () => withLogs(async () => {
  const response = await fetch(metadataUrl('scoped'));
  assert.equal(response.status, 200);
  const document = await response.json();
  assert.equal(document.resource, `${urls.scoped}/mcp`);
  assert.deepEqual(document.authorization_servers, [`https://login.microsoftonline.com/${TENANT}/v2.0`]);
  assert.deepEqual(document.bearer_methods_supported, ['header']);
  assert.deepEqual(document.scopes_supported, [`${urls.scoped}/mcp/${REQUIRED_SCOPE}`], 'qualified with the resource, as Entra names the scope');
}));

test('the real SDK v2 client lists tools and calls whoami; the tool sees the identity (authInfo and props)', () => withLogs(async () => {
  const seen = await callWhoami(`${urls.scoped}/mcp`, fixture.tokens.valid);
  assert.equal(seen.runtime, 'Cloudflare-Workers', 'served by workerd');
  // ctx.http.authInfo, mapped by agents from the provider's ctx.auth (entraValidateToken's validation).
  assert.equal(seen.clientId, CLIENT_APP);
  assert.deepEqual(seen.scopes, [REQUIRED_SCOPE, 'mcp.other']);
  assert.equal(seen.resource, `${urls.scoped}/mcp`, 'the audience is the configured resource');
  assert.equal(seen.token, fixture.tokens.valid);
  const { exp } = JSON.parse(Buffer.from(fixture.tokens.valid.split('.')[1], 'base64url'));
  assert.equal(seen.expiresAt, exp);
  // getMcpAuthContext().props: ctx.props, the Entra identity.
  assert.equal(seen.props.tenantId, TENANT);
  assert.equal(seen.props.objectId, OBJECT_ID);
  assert.equal(seen.props.clientId, CLIENT_APP);
  assert.deepEqual(seen.props.scopes, [REQUIRED_SCOPE, 'mcp.other']);
  assert.equal(seen.props.isAppOnly, false);
  assert.equal(seen.props.claims.oid, OBJECT_ID);
  assert.deepEqual(seen.extraProps, seen.props, 'authInfo.extra.props is ctx.props too');
}));

test('an app token with the required role: the tool sees an app-only identity', () => withLogs(async () => {
  const seen = await callWhoami(`${urls.admin}/mcp`, fixture.tokens.admin);
  assert.equal(seen.props.isAppOnly, true);
  assert.deepEqual(seen.props.roles, [ADMIN_ROLE]);
  assert.equal(seen.resource, `${urls.admin}/mcp`);
}));

test('no token: 401, the provider\'s own challenge naming resource_metadata and the advertised (qualified) scope, no error code, empty body', () => withLogs(async () => {
  const response = await send('scoped', undefined);
  assert.equal(response.status, 401);
  assert.equal(response.headers.get('www-authenticate'), `Bearer realm="OAuth", resource_metadata="${metadataUrl('scoped')}", scope="${resource('scoped')}/${REQUIRED_SCOPE}"`);
  assert.equal(response.body, null);
}));

for (const [kind, code] of [['expired', 'token_expired'], ['wrongAudience', 'audience_invalid']]) {
  test(`${kind}: 401 with entra-guard's challenge error="invalid_token" and the provider's JSON body naming ${code}`, () => withLogs(async () => {
    const response = await send('scoped', fixture.tokens[kind]);
    assert.equal(response.status, 401);
    // The scope to request, as Entra names it ({resource}/{scope}), and where the metadata is.
    assert.match(response.headers.get('www-authenticate'), new RegExp(`^Bearer error="invalid_token", error_description="[^"]+", scope="${escape(resource('scoped'))}/${REQUIRED_SCOPE}", resource_metadata="${escape(metadataUrl('scoped'))}"$`));
    assert.match(response.headers.get('content-type'), /^application\/json/);
    assert.match(response.headers.get('cache-control'), /no-store/);
    assert.equal(response.body.error, 'invalid_token');
    assert.match(response.body.error_description, new RegExp(`^${code}: `));
    assert.ok(!JSON.stringify(response.body).includes(fixture.tokens[kind].split('.')[2]), 'the token is not echoed');
  }));
}

test('garbage for a token: 401 invalid_token, never a 5xx', () => withLogs(async () => {
  for (const token of ['not.a.jwt', 'abc', `${'x'.repeat(5000)}.y.z`]) {
    const response = await send('scoped', token);
    assert.equal(response.status, 401, token.slice(0, 20));
    assert.match(response.headers.get('www-authenticate'), /^Bearer error="invalid_token"/);
  }
}));

test('missing scope: 403 error="insufficient_scope" with scope="{resource}/mcp.tools"', () => withLogs(async () => {
  const response = await send('scoped', fixture.tokens.missingScope);
  assert.equal(response.status, 403);
  assert.match(response.headers.get('www-authenticate'), new RegExp(`^Bearer error="insufficient_scope", error_description="[^"]+", scope="${escape(resource('scoped'))}/${REQUIRED_SCOPE}", resource_metadata="${escape(metadataUrl('scoped'))}"$`));
  assert.equal(response.body.error, 'insufficient_scope');
  assert.match(response.body.error_description, /^insufficient_scope: /);
}));

test('missing app role: 403 error="insufficient_scope" naming the role', () => withLogs(async () => {
  const response = await send('admin', fixture.tokens.missingRole);
  assert.equal(response.status, 403);
  const header = response.headers.get('www-authenticate');
  // A role is granted, not requested: the challenge names what an app-only client requests ({resource}/.default).
  assert.match(header, new RegExp(`^Bearer error="insufficient_scope", error_description="[^"]*app role[^"]*", scope="${escape(resource('admin'))}/\\.default", resource_metadata="${escape(metadataUrl('admin'))}"$`));
  assert.equal(response.body.error, 'insufficient_scope');
  assert.match(response.body.error_description, /^insufficient_role: /);
  // A delegated token (scopes, no role) is refused there too.
  assert.equal((await send('admin', fixture.tokens.valid)).status, 403);
}));

test('a JWKS binding that cannot be used: a 5xx without a challenge (the server\'s fault, not the token\'s), every time', () => withLogs(async () => {
  for (const token of [fixture.tokens.valid, fixture.tokens.valid, fixture.tokens.expired]) {
    const response = await send('broken', token);
    assert.equal(response.status, 500, 'the adapter turns unusable settings into the provider\'s server_error');
    assert.equal(response.headers.get('www-authenticate'), null);
  }
  // The provider still publishes the metadata (it needs no keys).
  assert.equal((await fetch(metadataUrl('broken'))).status, 200);
}));

test('one env object per isolate: the guard (its token and key caches) is built once', () => withLogs(async () => {
  const seen = await callWhoami(`${urls.scoped}/mcp`, fixture.tokens.valid);
  assert.equal(seen.envCount, 1);
}));

test('workerd logged nothing but the provider\'s CIMD notice and, for the broken worker, why it refused', () => {
  const lines = workerd.logs().split('\n').map((line) => line.replace(/^\[(stdout|stderr)\] ?/, '').trim()).filter(Boolean);
  const others = lines.filter((line) => !/^CIMD \(Client ID Metadata Document\) is disabled/.test(line));
  assert.ok(others.length > 0, 'the unusable JWKS is logged');
  for (const line of others) assert.match(line, /^entra-guard\/cloudflare: jwks_invalid: JWKS cannot be used/);
});
