// createRemoteJwks against real HTTP servers on 127.0.0.1 (no fetch mocks, except one injected fetch
// that records the URLs built for the national clouds): discovery, rotation, cooldown, max age,
// timeouts, failures that must keep the last good keys, and one shared request for concurrent callers.
// Time moves through the injected `now` clock, so nothing sleeps longer than the 200 ms timeout tests.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { EntraValidator, EntraTokenError, createRemoteJwks, RemoteJwks } from 'entra-guard';
import { API_CLIENT_ID, NOW, TENANT, testIssuer, v2User } from './helpers.mjs';

// Two keys of one test issuer (the package's minter); the servers below publish A, B or both.
const issuer = await testIssuer({ keys: 2 });
const [keyA, keyB] = issuer.keys;
const tokenA = issuer.mint(v2User({ kid: keyA.kid }));
const tokenB = issuer.mint(v2User({ kid: keyB.kid }));
const setA = { keys: [keyA.publicJwk] };
const setB = { keys: [keyB.publicJwk] };

const MINUTE = 60 * 1000;
const COOLDOWN = 5 * MINUTE;
const MAX_AGE = 24 * 60 * MINUTE;
const APP_ID = '11111111-2222-4333-8444-555555555555';

// ---------------------------------------------------------------------------------------------------
// Helpers

const servers = [];
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/**
 * An HTTP server on 127.0.0.1 answering from `routes` (pathname -> handler, changeable during a test),
 * counting requests per pathname and keeping every request URL.
 */
async function serve(routes = {}) {
  const counts = new Map();
  const urls = [];
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    counts.set(pathname, (counts.get(pathname) ?? 0) + 1);
    urls.push(req.url);
    const route = routes[pathname];
    if (route) route(req, res);
    else send(res, 404, 'not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const base = `http://127.0.0.1:${server.address().port}`;
  return { base, routes, urls, hits: (pathname) => counts.get(pathname) ?? 0 };
}

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A route answering whatever `state.body` holds at request time (so a test can rotate keys). */
function jsonRoute(state, { delay = 0 } = {}) {
  return (req, res) => {
    const answer = () => send(res, state.status ?? 200, state.body);
    if (delay) setTimeout(answer, delay);
    else answer();
  };
}

/** A JWKS server plus a discovery document pointing at it. */
async function jwksServer(body = setA, options = {}) {
  const keys = { body };
  const srv = await serve();
  srv.keys = keys;
  srv.routes['/keys'] = jsonRoute(keys, options);
  srv.routes['/tenant/v2.0/.well-known/openid-configuration'] = (req, res) =>
    send(res, 200, { issuer: `${srv.base}/tenant/v2.0`, jwks_uri: `${srv.base}/keys` });
  return srv;
}

function clock(start = 1_700_000_000_000) {
  const c = { time: start, now: () => c.time, advance: (ms) => { c.time += ms; } };
  return c;
}

const newValidator = () => new EntraValidator({ tenantId: TENANT, audience: API_CLIENT_ID });

function assertValid(validator, token) {
  assert.equal(validator.validate(token, { now: NOW }).audience, API_CLIENT_ID);
}

function assertCode(fn, code) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof EntraTokenError, `expected EntraTokenError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

function isJwksError(pattern) {
  return (err) => {
    assert.ok(err instanceof EntraTokenError, `expected EntraTokenError, got ${err}`);
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'jwks_invalid');
    assert.equal(err.status, 500);
    assert.match(err.message, pattern);
    return true;
  };
}

/** A port nothing listens on. */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ---------------------------------------------------------------------------------------------------
// Where the keys come from

test('issuer: discovery document, then its jwks_uri, one request each; fresh get() makes none', async () => {
  const srv = await jwksServer();
  const c = clock();
  const remote = createRemoteJwks({ issuer: `${srv.base}/tenant/v2.0/`, now: c.now });
  assert.ok(remote instanceof RemoteJwks);
  assert.equal(remote.fetchedAt, null);
  assert.equal(remote.jwksUri, null);
  assert.equal(remote.fetchCount, 0);

  const jwks = await remote.get();
  assert.deepEqual(jwks, setA);
  assert.deepEqual(srv.urls, ['/tenant/v2.0/.well-known/openid-configuration', '/keys']);
  assert.equal(remote.jwksUri, `${srv.base}/keys`);
  assert.equal(remote.fetchedAt, c.time);
  assert.equal(remote.fetchCount, 1);
  assert.equal(remote.lastError, null);

  c.advance(MAX_AGE - 1);
  assert.equal(await remote.get(), jwks);
  assert.equal(await remote.ready(), remote);
  assert.equal(srv.urls.length, 2);
});

test('fresh keys: get() settles without waiting on anything but microtasks', async () => {
  const srv = await jwksServer();
  const remote = await createRemoteJwks({ jwksUri: `${srv.base}/keys` }).ready();
  let settled = false;
  remote.get().then(() => { settled = true; });
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(settled, true);
  assert.equal(srv.hits('/keys'), 1);
});

test('jwksUri: fetched directly, no discovery', async () => {
  const srv = await jwksServer();
  const remote = createRemoteJwks({ jwksUri: `${srv.base}/keys` });
  assert.equal(remote.jwksUri, `${srv.base}/keys`);
  assert.deepEqual(await remote.get(), setA);
  assert.deepEqual(srv.urls, ['/keys']);
});

test('appId: sent as ?appid= on the discovery URL, and on a given jwksUri (appended to its query)', async () => {
  const srv = await jwksServer();
  await createRemoteJwks({ issuer: `${srv.base}/tenant/v2.0`, appId: APP_ID }).get();
  assert.equal(srv.urls[0], `/tenant/v2.0/.well-known/openid-configuration?appid=${APP_ID}`);

  srv.urls.length = 0;
  await createRemoteJwks({ jwksUri: `${srv.base}/keys`, appId: APP_ID }).get();
  await createRemoteJwks({ jwksUri: `${srv.base}/keys?x=1`, appId: APP_ID }).get();
  assert.deepEqual(srv.urls, [`/keys?appid=${APP_ID}`, `/keys?x=1&appid=${APP_ID}`]);
});

test('tenantId: the discovery URL of each cloud (recorded by an injected fetch answering from loopback)', async () => {
  const srv = await jwksServer();
  srv.routes['/discovery'] = (req, res) => send(res, 200, { jwks_uri: 'https://login.example/tenant/discovery/v2.0/keys' });
  const cases = [
    [{ tenantId: TENANT }, `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`],
    [{ tenantId: TENANT, cloud: 'public' }, `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`],
    [{ tenantId: TENANT, cloud: 'usgov' }, `https://login.microsoftonline.us/${TENANT}/v2.0/.well-known/openid-configuration`],
    [{ tenantId: TENANT, cloud: 'china' }, `https://login.partner.microsoftonline.cn/${TENANT}/v2.0/.well-known/openid-configuration`],
    [{ tenantId: 'common' }, 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration'],
    [{ tenantId: 'organizations' }, 'https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration'],
    [{ tenantId: 'consumers', cloud: 'usgov' }, 'https://login.microsoftonline.us/consumers/v2.0/.well-known/openid-configuration'],
    [{ tenantId: TENANT, appId: APP_ID }, `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration?appid=${APP_ID}`],
  ];
  for (const [options, expected] of cases) {
    const seen = [];
    const fetch = (url, init) => {
      seen.push(url);
      assert.equal(init.redirect, 'manual');
      assert.ok(init.signal instanceof AbortSignal);
      return globalThis.fetch(`${srv.base}${url.includes('openid-configuration') ? '/discovery' : '/keys'}`, init);
    };
    const remote = createRemoteJwks({ ...options, fetch });
    assert.deepEqual(await remote.get(), setA);
    assert.deepEqual(seen, [expected, 'https://login.example/tenant/discovery/v2.0/keys'], JSON.stringify(options));
    assert.equal(remote.jwksUri, 'https://login.example/tenant/discovery/v2.0/keys');
  }
});

test('options: none, several or bad sources and bad values throw config_invalid naming the option', () => {
  const cases = [
    [{}, 'tenantId'],
    [{ tenantId: TENANT, jwksUri: 'https://x.example/keys' }, 'jwksUri'],
    [{ issuer: 'https://x.example', jwksUri: 'https://x.example/keys' }, 'jwksUri'],
    [{ tenantId: 'contoso' }, 'tenantId'],
    [{ tenantId: 42 }, 'tenantId'],
    [{ issuer: 'http://x.example/tenant/v2.0' }, 'issuer'],
    [{ issuer: 'not a url' }, 'issuer'],
    [{ jwksUri: 'http://example.com/keys' }, 'jwksUri'],
    [{ jwksUri: 'https://user:pw@x.example/keys' }, 'jwksUri'],
    [{ jwksUri: 'https://x.example/keys#frag' }, 'jwksUri'],
    [{ tenantId: TENANT, cloud: 'germany' }, 'cloud'],
    [{ tenantId: TENANT, appId: 'my-app' }, 'appId'],
    [{ tenantId: TENANT, fetch: 'fetch' }, 'fetch'],
    [{ tenantId: TENANT, timeout: 0 }, 'timeout'],
    [{ tenantId: TENANT, cooldown: -1 }, 'cooldown'],
    [{ tenantId: TENANT, cacheMaxAge: Number.NaN }, 'cacheMaxAge'],
    [{ tenantId: TENANT, maxBytes: '1' }, 'maxBytes'],
    [{ tenantId: TENANT, now: 5 }, 'now'],
    [{ tenantId: TENANT, jwksUrl: 'https://x.example/keys' }, 'jwksUrl'],
  ];
  for (const [options, claim] of cases) {
    assert.throws(() => createRemoteJwks(options), (err) => {
      assert.ok(err instanceof EntraTokenError, `${JSON.stringify(options)}: ${err}`);
      assert.equal(err.code, 'config_invalid');
      assert.equal(err.status, 500);
      assert.equal(err.claim, claim, `${JSON.stringify(options)}: ${err.message}`);
      return true;
    });
  }
  assert.throws(() => createRemoteJwks(null), (err) => err instanceof EntraTokenError && err.code === 'config_invalid');
  assert.throws(() => createRemoteJwks({ jwksUri: 'https://x.example/keys' }).attach({}),
    (err) => err instanceof EntraTokenError && err.code === 'config_invalid');
  // Loopback http is allowed (tests, local development).
  for (const jwksUri of ['http://127.0.0.1:1/keys', 'http://localhost/keys', 'http://[::1]:8080/keys']) {
    assert.equal(createRemoteJwks({ jwksUri }).jwksUri, jwksUri);
  }
});

test('discovery: https jwks_uri required unless both URLs are loopback; missing jwks_uri fails', async () => {
  const srv = await serve();
  const doc = { body: { jwks_uri: 'http://login.example/keys' } };
  srv.routes['/t/.well-known/openid-configuration'] = jsonRoute(doc);
  await assert.rejects(createRemoteJwks({ issuer: `${srv.base}/t` }).get(), isJwksError(/jwks_uri .*must use https/));
  doc.body = { issuer: 'x' };
  await assert.rejects(createRemoteJwks({ issuer: `${srv.base}/t` }).get(), isJwksError(/no string "jwks_uri"/));
  doc.body = '["not", "an object"]';
  await assert.rejects(createRemoteJwks({ issuer: `${srv.base}/t` }).get(), isJwksError(/expected a JSON object/));
});

test('discovery: a 404 on the discovered jwks_uri runs discovery again and follows the new jwks_uri', async () => {
  const srv = await jwksServer();
  const doc = { body: { jwks_uri: `${srv.base}/old-keys` } };
  srv.routes['/t/.well-known/openid-configuration'] = jsonRoute(doc);
  srv.routes['/old-keys'] = jsonRoute({ body: setA });
  const c = clock();
  const validator = newValidator();
  const remote = await createRemoteJwks({ issuer: `${srv.base}/t`, now: c.now }).attach(validator).ready();
  assert.equal(remote.jwksUri, `${srv.base}/old-keys`);

  delete srv.routes['/old-keys'];
  doc.body = { jwks_uri: `${srv.base}/keys` };
  srv.keys.body = setB;
  c.advance(COOLDOWN);
  assert.equal(await remote.refreshForUnknownKey(), true);
  assert.equal(remote.jwksUri, `${srv.base}/keys`);
  assert.equal(srv.hits('/t/.well-known/openid-configuration'), 2);
  assert.equal(srv.hits('/old-keys'), 2);
  assert.equal(remote.fetchCount, 3);
  assertValid(validator, tokenB);
});

test('discovery: a failed periodic rediscovery keeps using the known jwks_uri', async () => {
  const srv = await jwksServer(setA);
  const c = clock();
  const remote = await createRemoteJwks({ issuer: `${srv.base}/tenant/v2.0`, now: c.now }).ready();
  srv.routes['/tenant/v2.0/.well-known/openid-configuration'] = (req, res) => send(res, 503, 'down');
  srv.keys.body = setB;
  c.advance(MAX_AGE);
  assert.deepEqual(await remote.get(), setB);
  assert.equal(remote.lastError, null);
  assert.equal(remote.jwksUri, `${srv.base}/keys`);
  assert.equal(srv.hits('/tenant/v2.0/.well-known/openid-configuration'), 2);
});

// ---------------------------------------------------------------------------------------------------
// Rotation, cooldown, max age

test('rotation: A validates; server switches to B; B is key_not_found until refreshForUnknownKey, then A is', async () => {
  const srv = await jwksServer(setA);
  const c = clock();
  const validator = newValidator();
  const remote = createRemoteJwks({ issuer: `${srv.base}/tenant/v2.0`, now: c.now });
  assert.equal(remote.attach(validator), remote);
  await remote.ready();
  assertValid(validator, tokenA);

  srv.keys.body = setB;
  assertCode(() => validator.validate(tokenB, { now: NOW }), 'key_not_found');
  c.advance(COOLDOWN);
  assert.equal(await remote.refreshForUnknownKey(), true);
  assertValid(validator, tokenB);
  assertCode(() => validator.validate(tokenA, { now: NOW }), 'key_not_found');
  assert.deepEqual(await remote.get(), setB);
  assert.equal(remote.fetchedAt, c.time);
  assert.equal(srv.hits('/keys'), 2);
  // Discovery is not repeated for a refresh: the jwks_uri is remembered.
  assert.equal(srv.hits('/tenant/v2.0/.well-known/openid-configuration'), 1);
});

test('attach: keys already loaded are set at once; every attached validator gets each new set; detach stops it', async () => {
  const srv = await jwksServer(setA);
  const c = clock();
  const remote = await createRemoteJwks({ jwksUri: `${srv.base}/keys`, now: c.now }).ready();
  const first = newValidator();
  const second = newValidator();
  const detached = newValidator();
  remote.attach(first).attach(second).attach(detached);
  for (const v of [first, second, detached]) assertValid(v, tokenA);
  remote.detach(detached);

  srv.keys.body = { keys: [keyA.publicJwk, keyB.publicJwk] };
  c.advance(COOLDOWN);
  assert.equal(await remote.refreshForUnknownKey(), true);
  for (const v of [first, second]) {
    assertValid(v, tokenA);
    assertValid(v, tokenB);
  }
  assertCode(() => detached.validate(tokenB, { now: NOW }), 'key_not_found');
  assert.equal(srv.hits('/keys'), 2);
});

test('cooldown: refreshForUnknownKey within the cooldown is false without a request; after it, a request', async () => {
  const srv = await jwksServer(setA);
  const c = clock();
  const remote = createRemoteJwks({ jwksUri: `${srv.base}/keys`, now: c.now });
  // Nothing fetched yet: the first call fetches (the key set changed from nothing to A).
  assert.equal(await remote.refreshForUnknownKey(), true);
  assert.equal(srv.hits('/keys'), 1);

  c.advance(1000);
  assert.equal(await remote.refreshForUnknownKey(), false);
  c.advance(COOLDOWN - 1001);
  assert.equal(await remote.refreshForUnknownKey(), false);
  assert.equal(srv.hits('/keys'), 1);
  assert.equal(remote.fetchCount, 1);

  c.advance(1);
  assert.equal(await remote.refreshForUnknownKey(), false); // fetched, but the same keys
  assert.equal(srv.hits('/keys'), 2);
  assert.equal(remote.fetchedAt, c.time);

  // A failed fetch starts the cooldown too.
  c.advance(COOLDOWN);
  srv.keys.status = 500;
  assert.equal(await remote.refreshForUnknownKey(), false);
  assert.equal(srv.hits('/keys'), 3);
  c.advance(COOLDOWN - 1);
  assert.equal(await remote.refreshForUnknownKey(), false);
  assert.equal(srv.hits('/keys'), 3);

  // A custom cooldown.
  const quick = createRemoteJwks({ jwksUri: `${srv.base}/keys`, now: c.now, cooldown: 10 });
  srv.keys.status = 200;
  await quick.get();
  assert.equal(await quick.refreshForUnknownKey(), false);
  c.advance(10);
  await quick.refreshForUnknownKey();
  assert.equal(quick.fetchCount, 2);
});

test('cacheMaxAge: get() refetches keys (and rediscovers the jwks_uri) once they are older than the max age', async () => {
  const srv = await jwksServer(setA);
  const c = clock();
  const validator = newValidator();
  const remote = await createRemoteJwks({ issuer: `${srv.base}/tenant/v2.0`, now: c.now }).attach(validator).ready();
  c.advance(MAX_AGE - 1);
  await remote.get();
  assert.equal(srv.hits('/keys'), 1);

  srv.keys.body = setB;
  c.advance(1);
  assert.deepEqual(await remote.get(), setB);
  assert.equal(srv.hits('/keys'), 2);
  assert.equal(srv.hits('/tenant/v2.0/.well-known/openid-configuration'), 2);
  assert.equal(remote.fetchedAt, c.time);
  assertValid(validator, tokenB);

  // A custom max age.
  const short = await createRemoteJwks({ jwksUri: `${srv.base}/keys`, now: c.now, cacheMaxAge: 1000 }).ready();
  c.advance(999);
  await short.get();
  assert.equal(short.fetchCount, 1);
  c.advance(1);
  await short.get();
  assert.equal(short.fetchCount, 2);
});

// ---------------------------------------------------------------------------------------------------
// Failures

test('timeout: a server that never answers fails the first get() with jwks_invalid naming the timeout, quickly', async () => {
  const srv = await serve({ '/hang': () => {} });
  const started = Date.now();
  await assert.rejects(createRemoteJwks({ jwksUri: `${srv.base}/hang`, timeout: 200 }).get(),
    isJwksError(/\/hang: no complete answer within 200 ms \(timeout\)/));
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
});

test('timeout: covers the body too (headers sent, body stalls)', async () => {
  const srv = await serve({
    '/stall': (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
    },
  });
  const started = Date.now();
  await assert.rejects(createRemoteJwks({ jwksUri: `${srv.base}/stall`, timeout: 200 }).get(), isJwksError(/timeout/));
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
});

test('connection refused: jwks_invalid naming the URL', async () => {
  const port = await closedPort();
  await assert.rejects(createRemoteJwks({ jwksUri: `http://127.0.0.1:${port}/keys` }).get(),
    isJwksError(new RegExp(`127\\.0\\.0\\.1:${port}/keys: request failed`)));
});

/** Each failure: how to make the server produce it, and what the message must say. */
const BIG = JSON.stringify({ keys: [keyA.publicJwk], padding: 'x'.repeat(4096) });
const failures = [
  ['HTTP 500', (res) => send(res, 500, { error: 'boom' }), /HTTP 500/],
  ['HTTP 404', (res) => send(res, 404, 'gone'), /HTTP 404/],
  ['invalid JSON', (res) => send(res, 200, '{"keys": ['), /not JSON/],
  ['not a key set', (res) => send(res, 200, { hello: 'world' }), /"keys" array/],
  ['an empty key set', (res) => send(res, 200, { keys: [] }), /empty/],
  ['a set the core refuses (private key members)', (res) => send(res, 200, { keys: [{ ...keyB.publicJwk, d: 'AQAB' }] }), /JWKS cannot be used/],
  ['a set the core refuses (no usable key)', (res) => send(res, 200, { keys: [{ kty: 'EC', kid: 'ec', crv: 'P-256' }] }), /no usable RS256 key/],
  ['a body over maxBytes (Content-Length)', (res) => send(res, 200, BIG), /larger than 2048 bytes.*Content-Length/],
  ['a body over maxBytes (chunked)', (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(BIG.slice(0, 1500));
    setTimeout(() => res.end(BIG.slice(1500)), 10);
  }, /larger than 2048 bytes.*received/],
  ['a 302 redirect', (res) => send(res, 302, '', { location: '/keys' }), /redirect \(HTTP 302 to \/keys\).*not followed/],
];

test('failures after a good load keep the last good keys, set lastError, and validation goes on', async () => {
  for (const [name, fail, pattern] of failures) {
    const srv = await jwksServer(setA);
    const good = srv.routes['/keys'];
    const c = clock();
    const validator = newValidator();
    const r = createRemoteJwks({ jwksUri: `${srv.base}/keys`, now: c.now, maxBytes: 2048 }).attach(validator);
    const loaded = await r.get();
    assertValid(validator, tokenA);

    srv.routes['/keys'] = (req, res) => fail(res);
    // Through refreshForUnknownKey: false, no rejection.
    c.advance(COOLDOWN);
    assert.equal(await r.refreshForUnknownKey(), false, name);
    assert.ok(r.lastError, `${name}: lastError set`);
    isJwksError(pattern)(r.lastError);
    assert.equal(await r.get(), loaded, name);
    assertValid(validator, tokenA);

    // Through get() with stale keys: the last good keys come back.
    c.advance(MAX_AGE);
    assert.equal(await r.get(), loaded, name);
    assert.equal(r.fetchedAt, c.time - MAX_AGE - COOLDOWN, `${name}: fetchedAt is the last success`);
    isJwksError(pattern)(r.lastError);
    assertValid(validator, tokenA);
    assert.equal(srv.hits('/keys'), 3, name);

    // Recovery clears lastError.
    srv.routes['/keys'] = good;
    c.advance(COOLDOWN);
    assert.equal(await r.get(), loaded, name);
    assert.equal(r.lastError, null, name);
    assert.equal(srv.hits('/keys'), 4, name);
  }
});

test('failures on the first load reject get() and ready() with jwks_invalid', async () => {
  for (const [name, fail, pattern] of failures) {
    const srv = await serve({ '/keys': (req, res) => fail(res) });
    const validator = newValidator();
    const remote = createRemoteJwks({ jwksUri: `${srv.base}/keys`, maxBytes: 2048 }).attach(validator);
    await assert.rejects(remote.get(), isJwksError(pattern), name);
    await assert.rejects(remote.ready(), isJwksError(pattern), name);
    assert.equal(remote.fetchedAt, null, name);
    isJwksError(pattern)(remote.lastError);
    assert.equal(await remote.refreshForUnknownKey(), false, `${name}: within the cooldown`);
  }
});

test('redirects are not followed: the redirect target is never requested', async () => {
  const srv = await jwksServer(setA);
  srv.routes['/moved'] = (req, res) => send(res, 301, '', { location: `${srv.base}/keys` });
  await assert.rejects(createRemoteJwks({ jwksUri: `${srv.base}/moved` }).get(), isJwksError(/HTTP 301/));
  srv.routes['/t/.well-known/openid-configuration'] = (req, res) => send(res, 307, '', { location: '/tenant/v2.0/.well-known/openid-configuration' });
  await assert.rejects(createRemoteJwks({ issuer: `${srv.base}/t` }).get(), isJwksError(/OpenID discovery document .*HTTP 307/));
  assert.equal(srv.hits('/keys'), 0);
  assert.equal(srv.hits('/tenant/v2.0/.well-known/openid-configuration'), 0);
});

test('a failed refresh of stale keys is retried by get() only after the cooldown', async () => {
  const srv = await jwksServer(setA);
  const c = clock();
  const remote = await createRemoteJwks({ jwksUri: `${srv.base}/keys`, now: c.now }).ready();
  srv.keys.status = 500;
  c.advance(MAX_AGE);
  assert.deepEqual(await remote.get(), setA);
  assert.equal(srv.hits('/keys'), 2);
  c.advance(COOLDOWN - 1);
  assert.deepEqual(await remote.get(), setA);
  assert.equal(srv.hits('/keys'), 2);
  c.advance(1);
  await remote.get();
  assert.equal(srv.hits('/keys'), 3);
});

test('a set the core refuses is not adopted: get() keeps the last good set and the validator its keys', async () => {
  const srv = await jwksServer(setA);
  const c = clock();
  const validator = newValidator();
  const remote = await createRemoteJwks({ jwksUri: `${srv.base}/keys`, now: c.now }).attach(validator).ready();
  srv.keys.body = { keys: [{ ...keyB.publicJwk, d: 'AQAB' }] };
  c.advance(COOLDOWN);
  assert.equal(await remote.refreshForUnknownKey(), false);
  assert.equal(remote.lastError.code, 'jwks_invalid');
  assert.deepEqual(await remote.get(), setA);
  assertValid(validator, tokenA);
  // The refused set is not remembered as current: when the server fixes it, it counts as a change.
  srv.keys.body = setB;
  c.advance(COOLDOWN);
  assert.equal(await remote.refreshForUnknownKey(), true);
  assertValid(validator, tokenB);
});

// ---------------------------------------------------------------------------------------------------
// One request for many callers

test('100 concurrent refreshForUnknownKey() calls share exactly one JWKS request', async () => {
  const srv = await jwksServer(setA, { delay: 50 });
  const c = clock();
  const validator = newValidator();
  const remote = await createRemoteJwks({ jwksUri: `${srv.base}/keys`, now: c.now }).attach(validator).ready();
  srv.keys.body = setB;
  c.advance(COOLDOWN);
  const results = await Promise.all(Array.from({ length: 100 }, () => remote.refreshForUnknownKey()));
  assert.deepEqual(new Set(results), new Set([true]));
  assert.equal(srv.hits('/keys'), 2);
  assert.equal(remote.fetchCount, 2);
  assertValid(validator, tokenB);
});

test('100 concurrent get() calls on a cold cache share one discovery and one JWKS request', async () => {
  const srv = await jwksServer(setA, { delay: 50 });
  const remote = createRemoteJwks({ issuer: `${srv.base}/tenant/v2.0` });
  const sets = await Promise.all([
    ...Array.from({ length: 100 }, () => remote.get()),
    ...Array.from({ length: 10 }, () => remote.refreshForUnknownKey()),
  ]);
  assert.equal(new Set(sets.slice(0, 100)).size, 1);
  assert.deepEqual(sets[0], setA);
  assert.equal(srv.hits('/tenant/v2.0/.well-known/openid-configuration'), 1);
  assert.equal(srv.hits('/keys'), 1);
  assert.equal(remote.fetchCount, 1);
});

test('100 concurrent get() calls on a failing cold cache all reject with the one shared error', async () => {
  const srv = await serve({ '/keys': (req, res) => setTimeout(() => send(res, 503, 'busy'), 50) });
  const remote = createRemoteJwks({ jwksUri: `${srv.base}/keys` });
  const outcomes = await Promise.allSettled(Array.from({ length: 100 }, () => remote.get()));
  assert.ok(outcomes.every((o) => o.status === 'rejected' && o.reason === outcomes[0].reason));
  isJwksError(/HTTP 503/)(outcomes[0].reason);
  assert.equal(srv.hits('/keys'), 1);
});
