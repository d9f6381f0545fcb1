// entra-guard/testing: tokens from the local test issuer through the REAL validator (the built package),
// and its JWKS / discovery endpoints over real HTTP on loopback.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { EntraValidator, EntraTokenError } from 'entra-guard';
import { createTestCertificate, createTestIssuer, decodeToken } from 'entra-guard/testing';

const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
const issuers = [];
async function start(options) {
  const issuer = await createTestIssuer(options);
  issuers.push(issuer);
  return issuer;
}
after(() => Promise.all(issuers.map((i) => i.close())));

const issuer = await start();
const validatorFor = (i, extra = {}) =>
  new EntraValidator({ tenantId: i.tenantId, audience: [i.audience, `api://${i.audience}`], jwks: i.jwks, ...extra });

function expectError(fn, code) {
  let caught;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof EntraTokenError, `expected EntraTokenError ${code}, got ${caught}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

test('v2 user token validates with the expected identity', () => {
  const token = issuer.mint({ scopes: ['mcp.tools.read', 'mcp.tools.write'] });
  const who = validatorFor(issuer).validate(token, { requiredScopes: ['mcp.tools.read'] });
  assert.equal(who.version, '2.0');
  assert.equal(who.tenantId, issuer.tenantId);
  assert.equal(who.objectId, who.claims.oid);
  assert.deepEqual(who.scopes, ['mcp.tools.read', 'mcp.tools.write']);
  assert.deepEqual(who.roles, []);
  assert.equal(who.isAppOnly, false);
  assert.equal(who.audience, issuer.audience);
  assert.equal(who.issuer, `https://login.microsoftonline.com/${issuer.tenantId}/v2.0`);
  assert.equal(who.keyId, issuer.keys[0].kid);
  for (const claim of ['aio', 'azp', 'azpacr', 'name', 'preferred_username', 'rh', 'sub', 'uti']) assert.ok(who.claims[claim], claim);
});

test('v1 user token validates with the App ID URI audience and the sts.windows.net issuer', () => {
  const token = issuer.mint({ version: '1.0', objectId: '12345678-0000-4000-8000-000000000001' });
  const { header } = decodeToken(token);
  assert.equal(header.x5t, header.kid, 'v1 headers carry x5t, as Entra');
  const who = validatorFor(issuer).validate(token);
  assert.equal(who.version, '1.0');
  assert.equal(who.audience, `api://${issuer.audience}`);
  assert.equal(who.issuer, `https://sts.windows.net/${issuer.tenantId}/`);
  assert.equal(who.objectId, '12345678-0000-4000-8000-000000000001');
  assert.deepEqual(who.scopes, ['access_as_user']);
  assert.equal(who.clientId, who.claims.appid);
  assert.ok(who.claims.upn && who.claims.unique_name && !who.claims.preferred_username);
});

test('v1 and v2 app-only tokens validate as app-only with their roles', () => {
  const v = validatorFor(issuer);
  for (const version of ['1.0', '2.0']) {
    const token = issuer.mint({ type: 'app', version, roles: ['Tools.ReadWrite.All'], clientId: 'abcdefab-0000-4000-8000-000000000009' });
    const who = v.validate(token, { requiredRoles: ['Tools.ReadWrite.All'] });
    assert.equal(who.version, version);
    assert.equal(who.isAppOnly, true);
    assert.deepEqual(who.roles, ['Tools.ReadWrite.All']);
    assert.deepEqual(who.scopes, []);
    assert.equal(who.clientId, 'abcdefab-0000-4000-8000-000000000009');
    assert.equal(who.claims.idtyp, 'app');
    assert.equal(who.subject, who.objectId, 'app-only sub is the service principal oid');
  }
});

test('negative tokens fail with the right codes', () => {
  const v = validatorFor(issuer);
  expectError(() => v.validate(issuer.mint({ expiresIn: -1000 })), 'token_expired');
  expectError(() => v.validate(issuer.mint({ audience: 'deadbeef-0000-4000-8000-000000000000' })), 'audience_invalid');
  expectError(() => v.validate(issuer.mint({ tenantId: OTHER_TENANT })), 'tenant_not_allowed');
  expectError(() => v.validate(issuer.mint({ header: { nonce: 'graph-style' } })), 'graph_token');
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  expectError(() => v.validate(issuer.mint({ key: foreign })), 'signature_invalid');
  expectError(() => v.validate(issuer.mint({ claims: { exp: undefined } })), 'claim_missing');
  expectError(() => v.validate(issuer.mint({ notBefore: Math.floor(Date.now() / 1000) + 3600 })), 'token_not_yet_valid');
});

test('mint options shape the claims; decodeToken reads them without verifying', () => {
  const t = 1_767_225_600;
  const { header, claims } = decodeToken(issuer.mint({ now: t, expiresIn: 600, subject: 's', claims: { name: undefined, extra: 1 }, header: { foo: 'bar' } }));
  assert.deepEqual(Object.keys(header).sort(), ['alg', 'foo', 'kid', 'typ']);
  assert.equal(header.alg, 'RS256');
  assert.equal(claims.iat, t);
  assert.equal(claims.nbf, t);
  assert.equal(claims.exp, t + 600);
  assert.equal(claims.sub, 's');
  assert.equal(claims.extra, 1);
  assert.ok(!('name' in claims));
  assert.equal(claims.scp, 'access_as_user');
  assert.ok(!('scp' in decodeToken(issuer.mint({ type: 'app' })).claims));
  assert.throws(() => issuer.mint({ kid: 'no-such-kid' }), /no key with kid/);
  assert.throws(() => decodeToken('not-a-token'), TypeError);
});

test('the served JWKS and discovery document equal the issuer\'s, over real HTTP', async () => {
  const jwksResponse = await fetch(`${issuer.jwksUri}?appid=${issuer.audience}`);
  assert.equal(jwksResponse.status, 200);
  assert.match(jwksResponse.headers.get('content-type'), /^application\/json/);
  assert.equal(jwksResponse.headers.get('cache-control'), 'max-age=86400, private');
  const served = await jwksResponse.json();
  assert.deepEqual(served, issuer.jwks);
  assert.deepEqual(Object.keys(served.keys[0]).sort(), ['e', 'issuer', 'kid', 'kty', 'n', 'use', 'x5t']);
  assert.equal(served.keys[0].issuer, 'https://login.microsoftonline.com/{tenantid}/v2.0');
  assert.deepEqual(await (await fetch(`${issuer.baseUrl}/discovery/v2.0/keys`)).json(), issuer.jwks);

  const doc = await (await fetch(issuer.discoveryUrl)).json();
  assert.equal(doc.issuer, `https://login.microsoftonline.com/${issuer.tenantId}/v2.0`);
  assert.equal(doc.jwks_uri, issuer.jwksUri);
  assert.ok(doc.jwks_uri.startsWith(`${issuer.baseUrl}/`));
  assert.ok(doc.token_endpoint.startsWith(issuer.baseUrl) && doc.authorization_endpoint.startsWith(issuer.baseUrl));
  assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256']);
  assert.deepEqual(await (await fetch(doc.jwks_uri)).json(), issuer.jwks);

  // Keys fetched over HTTP validate the issuer's tokens.
  const v = new EntraValidator({ tenantId: issuer.tenantId, audience: issuer.audience, jwks: served });
  assert.equal(v.validate(issuer.mint()).tenantId, issuer.tenantId);

  const common = await (await fetch(`${issuer.baseUrl}/common/v2.0/.well-known/openid-configuration`)).json();
  assert.equal(common.issuer, 'https://login.microsoftonline.com/{tenantid}/v2.0');
  assert.equal((await fetch(`${issuer.baseUrl}/not-a-tenant/v2.0/.well-known/openid-configuration`)).status, 400);
  assert.equal((await fetch(`${issuer.baseUrl}/nowhere`)).status, 404);
});

test('loopback issuer mode: discovery from the token\'s issuer works end to end', async () => {
  const loop = await start({ issuerMode: 'loopback' });
  const template = loop.issuerTemplate('2.0');
  assert.equal(template, `${loop.baseUrl}/{tenantid}/v2.0`);
  const token = loop.mint();
  const { iss } = decodeToken(token).claims;
  assert.equal(iss, `${loop.baseUrl}/${loop.tenantId}/v2.0`);

  const doc = await (await fetch(`${iss}/.well-known/openid-configuration`)).json();
  assert.equal(doc.issuer, iss);
  const jwks = await (await fetch(doc.jwks_uri)).json();
  assert.equal(jwks.keys[0].issuer, template);

  const v = new EntraValidator({ issuers: [template], allowedTenants: [loop.tenantId], audience: loop.audience, jwks });
  const who = v.validate(token);
  assert.equal(who.issuer, iss);
  assert.equal(who.tenantId, loop.tenantId);
  // Real-Entra issuers are not what this issuer's keys are bound to.
  expectError(() => validatorFor(loop).validate(token), 'issuer_invalid');
  // The core's signing-key issuer check lets v1 tokens through only via the real cloud's v2 issuer.
  const v1 = new EntraValidator({ issuers: [template, loop.issuerTemplate('1.0')], allowedTenants: [loop.tenantId], audience: `api://${loop.audience}`, jwks });
  expectError(() => v1.validate(loop.mint({ version: '1.0' })), 'issuer_invalid');
  await assert.rejects(createTestIssuer({ issuerMode: 'loopback', serve: false }), TypeError);
});

test('rotate and removeKey change the served JWKS, and a validator follows them', async () => {
  const rot = await start({ keys: 2 });
  const [first, second] = rot.keys.map((k) => k.kid);
  const v = validatorFor(rot);
  const oldToken = rot.mint();
  assert.equal(decodeToken(rot.mint({ kid: second })).header.kid, second);

  const third = rot.rotate();
  assert.equal(rot.signingKid, third);
  const newToken = rot.mint();
  assert.equal(decodeToken(newToken).header.kid, third);
  expectError(() => v.validate(newToken), 'key_not_found');
  const fetched = async () => (await fetch(rot.jwksUri)).json();
  assert.deepEqual((await fetched()).keys.map((k) => k.kid), [first, second, third]);
  v.setJwks(await fetched());
  assert.equal(v.validate(newToken).keyId, third);

  assert.equal(rot.removeKey(first), true);
  assert.equal(rot.removeKey(first), false);
  assert.deepEqual((await fetched()).keys.map((k) => k.kid), [second, third]);
  v.setJwks(await fetched());
  expectError(() => v.validate(oldToken), 'key_not_found');
  assert.equal(rot.removeKey(third), true);
  assert.equal(rot.signingKid, second, 'the newest remaining key signs');
});

test('requests are counted per path', async () => {
  const counted = await start();
  assert.equal(counted.requestCount(), 0);
  await (await fetch(counted.jwksUri)).text();
  await (await fetch(`${counted.jwksUri}?appid=x`)).text();
  await (await fetch(counted.discoveryUrl)).text();
  assert.equal(counted.requests[`/${counted.tenantId}/discovery/v2.0/keys`], 2);
  assert.equal(counted.requestCount(`/${counted.tenantId}/discovery/`), 2);
  assert.equal(counted.requestCount(`/${counted.tenantId}/v2.0/.well-known/`), 1);
  assert.equal(counted.requestCount(), 3);
});

test('close() really closes: a later fetch fails, and closing twice is fine', async () => {
  const closing = await createTestIssuer();
  await (await fetch(closing.jwksUri)).text(); // leaves a keep-alive connection open
  await closing.close();
  await assert.rejects(fetch(closing.jwksUri));
  await closing.close();
});

test('serve: false mints and publishes keys without a server', async () => {
  const offline = await start({ serve: false, version: '1.0', tenantId: OTHER_TENANT });
  assert.equal(offline.baseUrl, null);
  assert.equal(offline.jwksUri, null);
  const who = validatorFor(offline).validate(offline.mint());
  assert.equal(who.version, '1.0');
  assert.equal(who.tenantId, OTHER_TENANT);
  await offline.close();
});

test('a forgotten issuer does not keep the process alive', async () => {
  const script = `
    const { createTestIssuer } = await import(${JSON.stringify(import.meta.resolve('entra-guard/testing'))});
    const issuer = await createTestIssuer();
    await (await fetch(issuer.jwksUri)).json();
    console.log('done');`;
  const started = Date.now();
  const out = await new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
  assert.equal(out.trim(), 'done');
  assert.ok(Date.now() - started < 8_000, 'the child exited by itself');
});

test('certificate serials are DER INTEGERs in their one encoding, whatever their first random octets', async () => {
  const { derUnsignedInteger } = await import('../../pkg/lib/testing/jose.js');
  const hex = (octets) => derUnsignedInteger(Uint8Array.from(octets)).toString('hex');
  // A leading zero octet before one below 0x80 is dropped (OpenSSL refuses it: "illegal padding"); before
  // one of 0x80 or more it is kept, and one is added where the value would otherwise read as negative.
  assert.equal(hex([0x00, 0x12, 0x34]), '02021234');
  assert.equal(hex([0x00, 0x00, 0x80, 0x01]), '0203008001');
  assert.equal(hex([0x80, 0x01]), '0203008001');
  assert.equal(hex([0x7f, 0xff]), '02027fff');
  assert.equal(hex([0x00]), '020100');
  assert.equal(hex([]), '020100');
  // And a certificate made with one parses, its serial as written.
  const { X509Certificate } = await import('node:crypto');
  const certificate = new X509Certificate(createTestCertificate().certificate);
  assert.match(certificate.serialNumber, /^[0-7][0-9A-F]{31}$/);
  assert.notEqual(certificate.serialNumber.slice(0, 2), '00');
});
