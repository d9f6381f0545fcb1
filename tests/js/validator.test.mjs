// The built package's JS API in Node, through the real wasm: results, EntraTokenError, options, JWKS,
// clock handling, real Entra tokens, and a garbage storm followed by a good token on the same instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { EntraValidator, EntraTokenError, ERROR_CODES, CHECKS } from 'entra-guard';
import { decodeToken } from 'entra-guard/testing';
import {
  API_APP_ID_URI, API_CLIENT_ID, CALLER_CLIENT_ID, NOW, OTHER_TENANT, TENANT,
  fixture, testIssuer, v1App, v2User,
} from './helpers.mjs';

// Tokens come from the package's minter. `issuer`'s key is the one the validator is given; `other`'s is
// not: its tokens name a kid the validator does not know, and its private key, given as `key:`, signs
// tokens naming `issuer`'s kid with a signature that cannot verify.
const issuer = await testIssuer();
const other = await testIssuer();
const otherPrivateKey = other.keys[0].privateKey;
const mint = (mintOptions) => issuer.mint(mintOptions);
const jwks = issuer.jwks;
const options = { tenantId: TENANT, audience: [API_CLIENT_ID, API_APP_ID_URI], jwks };

function expectError(fn, code, status) {
  let caught;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected ${code}, nothing was thrown`);
  assert.ok(caught instanceof EntraTokenError, `expected EntraTokenError, got ${caught}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, 'EntraTokenError');
  assert.equal(caught.code, code, caught.message);
  if (status) assert.equal(caught.status, status);
  return caught;
}

test('valid v2 user token returns the documented plain object', () => {
  const v = new EntraValidator(options);
  const result = v.validate(mint(v2User()), { now: NOW });
  assert.deepEqual(Object.keys(result).sort(), [
    'audience', 'claims', 'clientId', 'expiresAt', 'isAppOnly', 'issuer', 'keyId', 'objectId', 'roles', 'scopes', 'signatureVerifiedBy', 'subject', 'tenantId', 'version',
  ]);
  assert.equal(result.tenantId, TENANT);
  assert.equal(result.objectId, 'a1b2c3d4-0000-4000-8000-000000000001');
  assert.equal(result.subject, 'pairwise-subject');
  assert.equal(result.clientId, CALLER_CLIENT_ID);
  assert.deepEqual(result.scopes, ['mcp.tools.read', 'mcp.tools.write']);
  assert.deepEqual(result.roles, []);
  assert.equal(result.isAppOnly, false);
  assert.equal(result.version, '2.0');
  assert.equal(result.issuer, `https://login.microsoftonline.com/${TENANT}/v2.0`);
  assert.equal(result.audience, API_CLIENT_ID);
  assert.equal(result.expiresAt, NOW + 3600);
  assert.equal(result.claims.name, 'Test User');
  assert.equal(result.signatureVerifiedBy, 'host'); // node:crypto, in Node (tests/js/rsa-paths.test.mjs)
});

test('a result is frozen, its members in the core\'s order, and its claims parsed when first read: the same frozen object every time, the payload\'s own values', async () => {
  const { CATALOG } = await import('../../pkg/lib/catalog.js');
  const extra = { name: 'Zoë \u201cquoted\u201d \\ "name"', note: 'line\nbreak\u2028', big: 9007199254740993, nested: { list: [1, 'two', { three: null }] } };
  const v = new EntraValidator({ ...options, cacheSize: 0 });
  const result = v.validate(mint(v2User({ claims: extra })), { now: NOW });
  // Every member but claims, in the order the core sends their values (src/validator.rs RESULT_MEMBERS).
  assert.deepEqual(Object.keys(result).filter((k) => k !== 'claims'), CATALOG.resultMembers);
  assert.ok(Object.isFrozen(result) && Object.isFrozen(result.scopes) && Object.isFrozen(result.roles));
  const claims = result.claims;
  assert.equal(result.claims, claims, 'read twice, the same object');
  assert.ok(Object.isFrozen(claims) && Object.isFrozen(claims.nested) && Object.isFrozen(claims.nested.list));
  assert.equal(claims.name, extra.name);
  assert.equal(claims.note, extra.note);
  assert.equal(claims.big, 9007199254740993); // JSON.parse of the issuer's own text, as JS reads the number
  assert.deepEqual(claims.nested, extra.nested);
  assert.equal(claims.oid, result.objectId);
  // An own, enumerable member: spreading, JSON and structured cloning all carry the claims.
  assert.deepEqual({ ...result }.claims, claims);
  assert.deepEqual(JSON.parse(JSON.stringify(result)).claims, JSON.parse(JSON.stringify(claims)));
  assert.deepEqual(structuredClone(result).claims, claims);
  assert.throws(() => { result.claims = {}; }, TypeError);
  assert.throws(() => { claims.oid = 'other'; }, TypeError);
  // Nothing else is enumerable: what a result is made of stays inside it.
  assert.deepEqual(Object.getOwnPropertySymbols(result).filter((s) => Object.getOwnPropertyDescriptor(result, s).enumerable), []);
  // Two results never share claims: each reads its own token's payload.
  const second = v.validate(mint(v2User({ claims: { name: 'Other' } })), { now: NOW });
  assert.equal(second.claims.name, 'Other');
  assert.equal(result.claims.name, extra.name);
});

test('a cached result is the same object on every hit, and its claims are parsed once', () => {
  const v = new EntraValidator(options);
  const token = mint(v2User());
  const first = v.validate(token, { now: NOW });
  const hit = v.validate(token, { now: NOW + 1 });
  assert.equal(hit, first);
  assert.equal(hit.claims, first.claims);
  assert.equal(hit.claims.name, 'Test User');
});

test('valid v1 app-only token is marked app-only with its roles', () => {
  const result = new EntraValidator(options).validate(mint(v1App()), { now: NOW });
  assert.equal(result.isAppOnly, true);
  assert.deepEqual(result.roles, ['Tools.ReadWrite.All']);
  assert.equal(result.audience, API_APP_ID_URI);
});

test('expired token throws token_expired 401 naming exp and never the token', () => {
  const token = mint(v2User({ claims: { exp: NOW - 1000 } }));
  const err = expectError(() => new EntraValidator(options).validate(token, { now: NOW }), 'token_expired', 401);
  assert.equal(err.claim, 'exp');
  assert.match(err.message, new RegExp(String(NOW - 1000)));
  for (const part of token.split('.')) assert.ok(!err.message.includes(part));
});

test('wrong audience throws audience_invalid naming expected and actual', () => {
  const err = expectError(() => new EntraValidator(options).validate(mint(v2User({ audience: 'api://someone-else' })), { now: NOW }), 'audience_invalid', 401);
  assert.equal(err.claim, 'aud');
  assert.match(err.message, /api:\/\/someone-else/);
  assert.match(err.message, new RegExp(API_CLIENT_ID));
});

test('other tenant throws tenant_not_allowed', () => {
  const token = mint(v2User({ tenantId: OTHER_TENANT })); // tid and iss of the other tenant
  expectError(() => new EntraValidator(options).validate(token, { now: NOW }), 'tenant_not_allowed', 401);
});

test('signature by an unknown key throws key_not_found; by a wrong key signature_invalid', () => {
  const v = new EntraValidator(options);
  expectError(() => v.validate(other.mint(v2User()), { now: NOW }), 'key_not_found', 401);
  expectError(() => v.validate(mint(v2User({ key: otherPrivateKey })), { now: NOW }), 'signature_invalid', 401);
});

test('per-call required scopes: all-of by default, any-of on request, 403 with the required list', () => {
  const v = new EntraValidator(options);
  const token = mint(v2User());
  assert.ok(v.validate(token, { now: NOW, requiredScopes: ['mcp.tools.read'] }));
  const err = expectError(() => v.validate(token, { now: NOW, requiredScopes: ['mcp.tools.read', 'mcp.admin'] }), 'insufficient_scope', 403);
  assert.deepEqual(err.requiredPermissions, ['mcp.tools.read', 'mcp.admin']);
  assert.ok(v.validate(token, { now: NOW, requiredScopes: ['mcp.admin', 'mcp.tools.read'], scopeMatch: 'any' }));
  expectError(() => v.validate(mint(v1App()), { now: NOW, requiredRoles: ['Admin'] }), 'insufficient_role', 403);
});

test('validator-level required scopes apply to every call', () => {
  const v = new EntraValidator({ ...options, requiredScopes: ['mcp.admin'] });
  expectError(() => v.validate(mint(v2User()), { now: NOW }), 'insufficient_scope', 403);
});

test('Graph token (header nonce) throws graph_token', () => {
  const token = mint(v2User({ audience: 'https://graph.microsoft.com', header: { nonce: 'abc' } }));
  const err = expectError(() => new EntraValidator(options).validate(token, { now: NOW }), 'graph_token', 401);
  assert.match(err.message, /Graph/);
});

test('now defaults to the current time and accepts a Date', () => {
  const v = new EntraValidator(options);
  const fresh = Math.floor(Date.now() / 1000);
  const token = mint(v2User({ now: fresh, expiresIn: 600 }));
  assert.equal(v.validate(token).expiresAt, fresh + 600);
  assert.ok(v.validate(token, { now: new Date() }));
  expectError(() => v.validate(token, { now: new Date((fresh + 10_000) * 1000) }), 'token_expired');
  expectError(() => v.validate(token, { now: 'soon' }), 'config_invalid', 500);
  expectError(() => v.validate(mint(v2User())), 'token_expired');
});

test('missing or bad options throw config_invalid naming the option', () => {
  const cases = [
    [{ tenantId: TENANT }, 'audience'],
    [{ audience: API_CLIENT_ID }, 'tenantId'],
    [{ tenantId: 'contoso', audience: API_CLIENT_ID }, 'tenantId'],
    [{ tenantId: 'common', audience: API_CLIENT_ID }, 'allowedTenants'],
    [{ tenantId: TENANT, audience: API_CLIENT_ID, audiences: ['typo'] }, 'options'],
    [{ tenantId: TENANT, audience: API_CLIENT_ID, algorithms: ['HS256'] }, 'algorithms'],
    [{ tenantId: TENANT, audience: API_CLIENT_ID, algorithms: ['none'] }, 'algorithms'],
    [{ tenantId: TENANT, audience: API_CLIENT_ID, clockToleranceSeconds: 86400 }, 'clockToleranceSeconds'],
    [{ tenantId: TENANT, audience: API_CLIENT_ID, cloud: 'mars' }, 'cloud'],
    [{ tenantId: TENANT, audience: API_CLIENT_ID, tokenTypes: 'robots' }, 'tokenTypes'],
    [{ tenantId: TENANT, audience: API_CLIENT_ID, acceptedVersions: ['3.0'] }, 'acceptedVersions'],
    [{ tenantId: TENANT, audience: API_CLIENT_ID, scopeMatch: 'some' }, 'scopeMatch'],
    [{ tenantId: TENANT, audience: [] }, 'audience'],
  ];
  for (const [opts, option] of cases) {
    const err = expectError(() => new EntraValidator(opts), 'config_invalid');
    assert.equal(err.claim, option, err.message);
    assert.match(err.message, new RegExp(option));
  }
  expectError(() => new EntraValidator(null), 'config_invalid');
  expectError(() => new EntraValidator('tenant'), 'config_invalid');
});

test('unusable JWKS throws jwks_invalid; a failed setJwks keeps the previous keys', () => {
  expectError(() => new EntraValidator({ ...options, jwks: { keys: [] } }), 'jwks_invalid');
  expectError(() => new EntraValidator({ ...options, jwks: '{not json' }), 'jwks_invalid');
  const v = new EntraValidator(options);
  expectError(() => v.setJwks({ keys: [{ ...jwks.keys[0], d: 'AQAB' }] }), 'jwks_invalid');
  assert.ok(v.validate(mint(v2User()), { now: NOW }));
  const loaded = v.setJwks(JSON.stringify({ keys: [...other.jwks.keys, { kty: 'EC', kid: 'ec-key' }] }));
  assert.deepEqual(loaded.keys, [other.signingKid]);
  assert.equal(loaded.ignored[0].kid, 'ec-key');
  expectError(() => v.validate(mint(v2User()), { now: NOW }), 'key_not_found');
  assert.ok(v.validate(other.mint(v2User()), { now: NOW }));
});

test('tokens cross into wasm as their exact UTF-8 bytes, through a buffer reused by every call', () => {
  const v = new EntraValidator({ ...options, cacheSize: 0 });
  // Long and short tokens in turn: a shorter token must not carry the end of the longer one before it.
  const long = mint(v2User({ claims: { name: 'x'.repeat(4000) } }));
  const short = mint(v2User());
  assert.ok(long.length > short.length + 4000);
  for (const token of [long, short, long, short]) {
    assert.equal(v.validate(token, { now: NOW }).claims.name, token === long ? 'x'.repeat(4000) : 'Test User');
  }
  // 'ť' (U+0165) keeps 'e' (0x65) in its low byte: a Latin-1 shortcut would hand the core the signed text.
  // Every header begins '{"', so every token begins 'eyJ'.
  assert.ok(short.startsWith('eyJ'));
  const lookalike = `\u0165${short.slice(1)}`;
  assert.equal(expectError(() => v.validate(lookalike, { now: NOW }), 'token_malformed').check, 'jws');
  assert.ok(v.validate(short, { now: NOW }));
  // Up to the core's limit in characters, three bytes each, fill the buffer exactly; one more takes the copy.
  for (const count of [16_384, 16_385]) expectError(() => v.validate('é'.repeat(count), { now: NOW }), 'token_too_large');
  assert.ok(v.validate(short, { now: NOW }));
});

test('non-string tokens throw token_malformed', () => {
  const v = new EntraValidator(options);
  for (const bad of [undefined, null, 42, {}, ['a.b.c']]) expectError(() => v.validate(bad, { now: NOW }), 'token_malformed');
});

test('errors crossing from the core carry a listed code, a listed check and the status of their code', () => {
  // ERROR_CODES and CHECKS are the core's (lib/catalog.js, generated and checked by tests/core/catalog.rs);
  // here every error that actually crosses the wasm boundary must fit them.
  const v = new EntraValidator(options);
  const statusOf = { insufficient_scope: 403, insufficient_role: 403, jwks_invalid: 500, config_invalid: 500, internal_error: 500 };
  const cases = [
    [() => v.validate('a.b', { now: NOW }), 'token_malformed', 'jws'],
    [() => v.validate('x'.repeat(20_000), { now: NOW }), 'token_too_large', 'size'],
    [() => v.validate(mint(v2User({ header: { alg: 'none' } })), { now: NOW }), 'algorithm_not_allowed', 'header'],
    [() => v.validate(mint(v2User({ header: { crit: ['x'] } })), { now: NOW }), 'token_malformed', 'header'],
    [() => v.validate(mint(v2User({ header: { nonce: 'n' } })), { now: NOW }), 'graph_token', 'graph'],
    [() => v.validate(other.mint(v2User()), { now: NOW }), 'key_not_found', 'key'],
    [() => v.validate(mint(v2User({ key: otherPrivateKey })), { now: NOW }), 'signature_invalid', 'signature'],
    [() => v.validate(mint(v2User({ claims: { ver: '3.0' } })), { now: NOW }), 'claim_invalid', 'ver'],
    [() => v.validate(mint(v2User({ claims: { iss: 'https://evil.example/' } })), { now: NOW }), 'issuer_invalid', 'iss'],
    [() => v.validate(mint(v2User({ audience: 'api://other' })), { now: NOW }), 'audience_invalid', 'aud'],
    [() => v.validate(mint(v2User({ claims: { nonce: 'n' } })), { now: NOW }), 'token_type_not_allowed', 'id_token'],
    [() => v.validate(mint(v2User({ claims: { scp: 5 } })), { now: NOW }), 'claim_invalid', 'scp'],
    [() => v.validate(mint(v2User()), { now: NOW + 100_000 }), 'token_expired', 'lifetime'],
    [() => v.validate(mint(v2User()), { now: NOW, requiredScopes: ['admin'] }), 'insufficient_scope', 'scope'],
    [() => v.validate(mint(v2User()), { now: NOW, requiredRoles: ['Admin'] }), 'insufficient_role', 'role'],
    [() => v.validate(mint(v2User()), { now: -1 }), 'config_invalid', 'config'],
    [() => v.setJwks({ keys: [] }), 'jwks_invalid', 'jwks'],
  ];
  for (const [fn, code, check] of cases) {
    const error = expectError(fn, code);
    assert.equal(error.check, check, `${code}: ${error.message}`);
    assert.ok(ERROR_CODES.includes(error.code) && CHECKS.includes(error.check));
    assert.equal(error.status, statusOf[code] ?? 401, code);
  }
  assert.equal(ERROR_CODES.length, new Set(ERROR_CODES).size);
  assert.deepEqual(CHECKS.slice(CHECKS.indexOf('size'), CHECKS.indexOf('size') + 3), ['size', 'jws', 'header']);
});

test('an error made in JS keeps the error it wraps as cause', () => {
  const cyclic = { tenantId: TENANT, audience: API_CLIENT_ID };
  cyclic.self = cyclic;
  const error = expectError(() => new EntraValidator(cyclic), 'config_invalid', 500);
  assert.equal(error.check, 'config');
  assert.ok(error.cause instanceof TypeError, `cause: ${error.cause}`);
});

test('10,000 garbage inputs, then a good token validates on the same wasm instance', () => {
  const v = new EntraValidator(options);
  const good = mint(v2User());
  let seed = 0x9e3779b9;
  const next = () => (seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0);
  const alphabet = 'ABCxyz019-_.=+/ {}"\\\u0000\u00e9\ud800';
  let rejected = 0;
  for (let i = 0; i < 10_000; i++) {
    let input;
    if (i % 2 === 0) {
      const chars = [...good];
      chars[next() % chars.length] = alphabet[next() % alphabet.length];
      input = chars.join('');
    } else {
      input = Array.from({ length: next() % 300 }, () => alphabet[next() % alphabet.length]).join('');
    }
    try {
      v.validate(input, { now: NOW });
    } catch (err) {
      assert.ok(err instanceof EntraTokenError, `a non-EntraTokenError escaped: ${err}`);
      rejected++;
    }
  }
  assert.ok(rejected > 9_000, `rejected ${rejected}`);
  assert.equal(v.validate(good, { now: NOW }).tenantId, TENANT);
});

test('free() releases the instance; later use fails loudly, not silently', () => {
  const v = new EntraValidator(options);
  v.free();
  assert.throws(() => v.validate(mint(v2User()), { now: NOW }));
});

// ---- real Entra tokens through the wasm package ------------------------------------------------

function realValidator(f, extra = {}) {
  const opts = { audience: f.expected.claims.aud, jwks: f.jwks, ...extra };
  if (f.expected.claims.tid && !('tenantId' in extra)) opts.tenantId = f.expected.claims.tid;
  return new EntraValidator(opts);
}

for (const name of ['v2_access_token_2021_testtenant', 'nav_v2_access_token_2024', 'app_only_v1_access_token_2024', 'passport_v1_access_token_2016']) {
  test(`real Entra access token ${name} validates at its iat`, (t) => {
    const f = fixture(name, t);
    if (!f) return;
    const result = realValidator(f).validate(f.token, { now: f.expected.claims.iat });
    assert.equal(result.tenantId, f.expected.claims.tid);
    assert.equal(result.expiresAt, f.expected.claims.exp);
  });
}

for (const name of ['passport_v1_id_token_2016_wrong_signature', 'passport_b2c_id_token_2016_wrong_signature']) {
  test(`real tampered token ${name} fails`, (t) => {
    const f = fixture(name, t);
    if (!f) return;
    const v = realValidator(f, { issuers: [f.expected.claims.iss], tenantId: undefined, allowedTenants: ['*'] });
    const err = expectError(() => v.validate(f.token, { now: f.expected.claims.iat }), 'token_malformed');
    assert.match(err.message, /trailing bits/);
  });
}

test('real Graph token fails with graph_token', (t) => {
  const f = fixture('graph_app_only_nonce_2024_unverifiable', t);
  if (!f) return;
  expectError(() => realValidator(f).validate(f.token, { now: f.expected.claims.iat }), 'graph_token');
});

test('real ID tokens are refused as ID tokens after their signature verified', (t) => {
  for (const name of ['passport_v1_id_token_2016', 'identitymodel_v1_cyrano_2014']) {
    const f = fixture(name, t);
    if (!f) return;
    expectError(() => realValidator(f).validate(f.token, { now: f.expected.claims.iat }), 'token_type_not_allowed');
  }
});

test('CommonJS entry exposes the same API', () => {
  const require = createRequire(import.meta.url);
  const cjs = require('entra-guard');
  const v = new cjs.EntraValidator(options);
  assert.equal(v.validate(mint(v2User()), { now: NOW }).tenantId, TENANT);
  assert.throws(() => new cjs.EntraValidator({}), (err) => err instanceof cjs.EntraTokenError && err.code === 'config_invalid');
});

// ---- the verified-token cache, through the JS layer --------------------------------------------

test('cache: a repeated token returns the same immutable result; cacheSize 0 re-verifies', () => {
  const v = new EntraValidator(options);
  const token = mint(v2User());
  const first = v.validate(token, { now: NOW });
  const second = v.validate(token, { now: NOW });
  assert.equal(second, first);
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.claims) && Object.isFrozen(first.scopes));
  assert.throws(() => { first.scopes.push('mcp.admin'); }, TypeError);
  const uncached = new EntraValidator({ ...options, cacheSize: 0 });
  const a = uncached.validate(token, { now: NOW });
  const b = uncached.validate(token, { now: NOW });
  assert.notEqual(a, b);
  assert.deepEqual(a, b);
});

test('cache: a hit re-checks time and this call\'s scopes and roles', () => {
  const v = new EntraValidator(options);
  const token = mint(v2User());
  assert.ok(v.validate(token, { now: NOW }));
  expectError(() => v.validate(token, { now: NOW + 3600 + 301 }), 'token_expired');
  assert.ok(v.validate(token, { now: NOW }));
  expectError(() => v.validate(token, { now: NOW - 60 - 301 }), 'token_not_yet_valid');
  expectError(() => v.validate(token, { now: NOW, requiredScopes: ['mcp.admin'] }), 'insufficient_scope', 403);
  expectError(() => v.validate(token, { now: NOW, requiredRoles: ['Admin'] }), 'insufficient_role', 403);
  assert.ok(v.validate(token, { now: NOW, requiredScopes: ['mcp.tools.write'] }));
});

test('cache: setJwks without the signing key forgets its tokens', () => {
  const v = new EntraValidator(options);
  const token = mint(v2User());
  assert.ok(v.validate(token, { now: NOW }));
  v.setJwks(other.jwks);
  expectError(() => v.validate(token, { now: NOW }), 'key_not_found');
  v.setJwks(jwks);
  assert.equal(v.validate(token, { now: NOW }).tenantId, TENANT);
});

test('cache: bounded by cacheSize, evicted tokens still validate', () => {
  const v = new EntraValidator({ ...options, cacheSize: 3 });
  const tokens = Array.from({ length: 8 }, (_, i) => mint(v2User({ claims: { uti: `t${i}` } })));
  for (let round = 0; round < 3; round++) {
    for (const token of tokens) assert.equal(v.validate(token, { now: NOW }).claims.uti, `t${tokens.indexOf(token)}`);
  }
  expectError(() => new EntraValidator({ ...options, cacheSize: -1 }), 'config_invalid');
  expectError(() => new EntraValidator({ ...options, cacheSize: 'big' }), 'config_invalid');
});

test('cache: only the exact token hits; a one-character change is verified (and fails)', () => {
  const v = new EntraValidator(options);
  const token = mint(v2User());
  assert.ok(v.validate(token, { now: NOW }));
  // The signature segment of a 2048-bit key is 342 characters; its second-to-last carries 6 whole bits.
  const replacement = token.at(-2) === 'A' ? 'B' : 'A';
  const altered = `${token.slice(0, -2)}${replacement}${token.at(-1)}`;
  expectError(() => v.validate(altered, { now: NOW }), 'signature_invalid');
  assert.ok(v.validate(token, { now: NOW }));
});

test('cache: many requirement sets and many tokens stay bounded and correct', () => {
  const v = new EntraValidator({ ...options, cacheSize: 5 });
  const tokens = Array.from({ length: 12 }, (_, i) => mint(v2User({ scopes: [`s${i}`, 'common'], claims: { uti: `r${i}` } })));
  for (let round = 0; round < 2; round++) {
    tokens.forEach((token, i) => {
      assert.equal(v.validate(token, { now: NOW, requiredScopes: [`s${i}`] }).claims.uti, `r${i}`);
      expectError(() => v.validate(token, { now: NOW, requiredScopes: [`s${(i + 1) % 12}`] }), 'insufficient_scope');
    });
  }
  for (let i = 0; i < 600; i++) assert.ok(v.validate(tokens[0], { now: NOW, requiredScopes: ['common'], requiredRoles: [], scopeMatch: i % 2 ? 'all' : 'any' }));
  for (let i = 0; i < 300; i++) assert.ok(v.validate(tokens[1], { now: NOW, requiredScopes: [`s1`, `x${i}`], scopeMatch: 'any' }));
});

test('cache: a forged payload carrying a cached token\'s signature (same index tail) is verified and fails', () => {
  const v = new EntraValidator(options);
  const token = mint(v2User());
  assert.ok(v.validate(token, { now: NOW }));
  const [header, , signature] = token.split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ ...decodeToken(token).claims, scp: 'mcp.admin' })).toString('base64url');
  const forged = `${header}.${forgedPayload}.${signature}`;
  expectError(() => v.validate(forged, { now: NOW }), 'signature_invalid');
  expectError(() => v.validate(forged, { now: NOW, requiredScopes: ['mcp.admin'] }), 'signature_invalid');
  assert.deepEqual(v.validate(token, { now: NOW }).scopes, ['mcp.tools.read', 'mcp.tools.write']);
});
