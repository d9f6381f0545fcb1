// The two RSA paths (issue 12): node:crypto doing the exponentiation for the core ('auto', the default in
// Node) and the core's own RSA in wasm ('wasm'), held to the same verdicts three ways here: every Wycheproof
// RSASSA-PKCS1-v1_5 SHA-256 vector and every real Entra fixture through both; a seeded differential run of
// valid, mutated and crafted tokens through two validators (tests/js/differential/rsa-paths.mjs, bounded
// here; its CLI runs a million cases); and the host's failure modes (a throwing or stale host, a shim that
// fails the known-answer test), each of which must leave the core's verdict standing. The native fuzz target
// fuzz/fuzz_targets/rsa_differential.rs does the same against the `rsa` crate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { EntraValidator } from 'entra-guard';
// Not public API: the signature step as a validation runs it, for a bare (n, e), and the host's key copies.
import { WasmValidator, rsaVerifyForTests } from '../../pkg/wasm/entra_guard.js';
import { HostKeys, hasHostCrypto, useHostCrypto } from '../../pkg/lib/host-crypto.js';
import { answerEnvelope, validatedToken } from '../../pkg/lib/result.js';
import { runDifferential } from './differential/rsa-paths.mjs';
import { ROOT, bundleEntry, startWorkerd, tempDir, writeConfig } from '../workerd/harness.mjs';
import { API_CLIENT_ID, NOW, TENANT, fixture, sharedPath, testIssuer, v2User } from './helpers.mjs';

const issuer = await testIssuer();
const options = { tenantId: TENANT, audience: API_CLIENT_ID, jwks: issuer.jwks };

/** rsaVerifyForTests' answers. */
const REFUSED = 0;
const BY_CORE = 1;
const BY_HOST = 2;

/** A host holding exactly one key (n, e), as key 0 of generation 0, counting the questions it is asked. */
function singleKeyHost(n, e) {
  const counting = { createPublicKey: nodeCrypto.createPublicKey, calls: 0, verify(...args) { counting.calls += 1; return nodeCrypto.verify(...args); } };
  const host = new HostKeys(counting);
  const exponent = e.reduce((acc, byte) => acc * 256 + byte, 0);
  host.load({ keyGeneration: () => 0, keyCount: () => 1, keyModulus: () => n, keyExponent: () => exponent });
  return { host, counting };
}

const big = (bytes) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
const hex = (text) => Uint8Array.from(Buffer.from(text, 'hex'));
const stripZeros = (bytes) => {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i += 1;
  return bytes.subarray(i);
};

for (const bits of [2048, 3072, 4096]) {
  test(`Wycheproof rsa_signature_${bits}_sha256: both paths give Wycheproof's verdict on every vector`, (t) => {
    const path = sharedPath(`vectors/wycheproof/rsa_signature_${bits}_sha256_test.json`, t);
    if (!path) return;
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    let tests = 0;
    let askedHost = 0;
    /** Vectors where OpenSSL on its own would differ from the core: settled by the core's rules before the host is asked. */
    const opensslAloneDiffers = [];
    for (const group of doc.testGroups) {
      const n = stripZeros(Uint8Array.from(Buffer.from(group.keyJwk.n, 'base64url')));
      const e = Uint8Array.from(Buffer.from(group.keyJwk.e, 'base64url'));
      const { host, counting } = singleKeyHost(n, e);
      const keyObject = nodeCrypto.createPublicKey({ key: group.keyJwk, format: 'jwk' });
      for (const vector of group.tests) {
        tests += 1;
        const msg = hex(vector.msg);
        const sig = hex(vector.sig);
        const viaCore = rsaVerifyForTests(n, e, msg, sig, undefined);
        const before = counting.calls;
        const viaHost = rsaVerifyForTests(n, e, msg, sig, host);
        const label = `tcId ${vector.tcId} (${vector.result}, ${vector.comment || vector.flags.join(',')})`;
        const wanted = vector.result === 'valid';
        assert.equal(viaCore, wanted ? BY_CORE : REFUSED, `core path, ${label}`);
        assert.equal(viaHost, wanted ? BY_HOST : REFUSED, `host path, ${label}`);
        const inRange = sig.length === n.length && big(sig) > 0n && big(sig) < big(n);
        // The host is asked exactly when the core's length and range rules let the signature through.
        assert.equal(counting.calls - before, inRange ? 1 : 0, `host asked, ${label}`);
        if (inRange) askedHost += 1;
        let openssl;
        try {
          openssl = nodeCrypto.verify('sha256', msg, keyObject, sig);
        } catch {
          openssl = false;
        }
        if (openssl !== wanted) opensslAloneDiffers.push({ tcId: vector.tcId, openssl, inRange, comment: vector.comment });
      }
    }
    assert.equal(tests, doc.numberOfTests);
    assert.ok(askedHost > tests / 2, `the host was asked for ${askedHost} of ${tests} vectors`);
    // What OpenSSL alone gets "wrong" (by the core's policy) must be caught by the core's own rules first.
    for (const d of opensslAloneDiffers) assert.equal(d.inRange, false, `OpenSSL alone differs on an in-range vector: ${JSON.stringify(d)}`);
    t.diagnostic(`${tests} vectors, host asked ${askedHost}; OpenSSL alone would differ on ${opensslAloneDiffers.length}: ${JSON.stringify(opensslAloneDiffers.map((d) => d.tcId))}`);
  });
}

test('real Entra fixtures: both paths give the fixture\'s signature verdict, and the same result', (t) => {
  const names = [
    'v2_access_token_2021_testtenant', 'nav_v2_access_token_2024', 'app_only_v1_access_token_2024', 'passport_v1_access_token_2016',
    'passport_v1_id_token_2016', 'passport_b2c_id_token_2016', 'identitymodel_v1_cyrano_2014',
    'passport_v1_id_token_2016_wrong_signature', 'passport_b2c_id_token_2016_wrong_signature', 'graph_app_only_nonce_2024_unverifiable',
  ];
  let compared = 0;
  for (const name of names) {
    const f = fixture(name, t);
    if (!f) return;
    const [headerText, , signatureText] = f.token.split('.');
    const header = JSON.parse(Buffer.from(headerText, 'base64url'));
    const jwk = f.jwks.keys.find((k) => (header.kid ? k.kid === header.kid : k.x5t === header.x5t || k.kid === header.x5t));
    assert.ok(jwk, `${name}: its key is in its JWKS`);
    const n = Uint8Array.from(Buffer.from(jwk.n, 'base64url'));
    const e = Uint8Array.from(Buffer.from(jwk.e, 'base64url'));
    const input = new TextEncoder().encode(f.token.slice(0, f.token.lastIndexOf('.')));
    const sig = Uint8Array.from(Buffer.from(signatureText, 'base64url'));
    const { host, counting } = singleKeyHost(n, e);
    const viaCore = rsaVerifyForTests(n, e, input, sig, undefined);
    const viaHost = rsaVerifyForTests(n, e, input, sig, host);
    assert.equal(viaCore, f.expected.signature_valid ? BY_CORE : REFUSED, `${name}, core path`);
    assert.equal(viaHost, f.expected.signature_valid ? BY_HOST : REFUSED, `${name}, host path`);
    assert.equal(counting.calls, 1, `${name}: the host was asked`);
    compared += 1;
  }
  assert.equal(compared, names.length);

  // The whole validation of each real access token: the same result both ways, but for who verified.
  for (const name of names.slice(0, 4)) {
    const f = fixture(name, t);
    const policy = { audience: f.expected.claims.aud, jwks: f.jwks, tenantId: f.expected.claims.tid };
    const [viaHost, viaCore] = ['auto', 'wasm'].map((crypto) => new EntraValidator({ ...policy, crypto }).validate(f.token, { now: f.expected.claims.iat }));
    assert.equal(viaHost.signatureVerifiedBy, 'host', name);
    assert.equal(viaCore.signatureVerifiedBy, 'wasm', name);
    assert.deepEqual({ ...viaHost, signatureVerifiedBy: null }, { ...viaCore, signatureVerifiedBy: null }, name);
  }
});

test('differential, bounded: the same verdict from both paths on every seeded case, and the verdict each case was built to have', () => {
  const seed = Number(process.env.RSA_DIFFERENTIAL_SEED ?? 12);
  const { cases, counts, disagreements } = runDifferential({ cases: 6000, seed });
  assert.deepEqual(disagreements, [], `seed ${seed}: replay with node tests/js/differential/rsa-paths.mjs --seed ${seed}`);
  const kinds = new Set(Object.keys(counts).map((k) => k.split(':')[0]));
  assert.equal(kinds.size, 12, `every kind of case ran: ${[...kinds]}`);
  assert.ok(counts['valid: ok'] > 0 && counts['crafted: ok'] > 0 && counts['crafted: signature_invalid'] > 0, JSON.stringify(counts));
  assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), cases);
});

test("crypto: 'auto' is the default and node:crypto verifies in Node; 'wasm' makes the core do it", () => {
  const token = issuer.mint(v2User());
  assert.equal(hasHostCrypto(), true);
  assert.equal(new EntraValidator(options).validate(token, { now: NOW }).signatureVerifiedBy, 'host');
  assert.equal(new EntraValidator({ ...options, crypto: 'auto' }).validate(token, { now: NOW }).signatureVerifiedBy, 'host');
  assert.equal(new EntraValidator({ ...options, crypto: 'wasm' }).validate(token, { now: NOW }).signatureVerifiedBy, 'wasm');
  // CommonJS: the bundle installs node:crypto for its own copy of the layer.
  const cjs = createRequire(import.meta.url)('entra-guard');
  assert.equal(new cjs.EntraValidator(options).validate(token, { now: NOW }).signatureVerifiedBy, 'host');
  // A cached result says how it was verified the first time.
  const v = new EntraValidator(options);
  v.validate(token, { now: NOW });
  assert.equal(v.validate(token, { now: NOW }).signatureVerifiedBy, 'host');
});

test('crypto option: anything but "auto" or "wasm" is config_invalid, naming the option', () => {
  for (const crypto of ['native', 'WASM', '', null, 1, true, {}, ['wasm']]) {
    assert.throws(() => new EntraValidator({ ...options, crypto }), (error) => {
      assert.equal(error.code, 'config_invalid');
      assert.equal(error.claim, 'crypto');
      assert.match(error.message, /"auto".*"wasm"/);
      return true;
    }, `crypto: ${JSON.stringify(crypto)}`);
  }
});

test('a refused signature is refused by both paths, with the same error', () => {
  const token = issuer.mint(v2User());
  const tampered = `${token.slice(0, token.lastIndexOf('.'))}.${Buffer.from(nodeCrypto.randomBytes(256)).toString('base64url')}`;
  for (const crypto of ['auto', 'wasm']) {
    assert.throws(() => new EntraValidator({ ...options, crypto }).validate(tampered, { now: NOW }), (error) => error.code === 'signature_invalid' && error.status === 401);
  }
});

test('key rotation: the host\'s copies follow setJwks (new keys verify by host, removed keys are gone, a failed setJwks changes nothing)', async () => {
  const next = await testIssuer();
  const v = new EntraValidator(options);
  const oldToken = issuer.mint(v2User());
  const newToken = next.mint(v2User());
  assert.equal(v.validate(oldToken, { now: NOW }).signatureVerifiedBy, 'host');
  assert.throws(() => v.validate(newToken, { now: NOW }), (error) => error.code === 'key_not_found');
  v.setJwks({ keys: [...next.jwks.keys, ...issuer.jwks.keys] });
  assert.equal(v.validate(newToken, { now: NOW }).signatureVerifiedBy, 'host');
  assert.equal(v.validate(issuer.mint(v2User({ claims: { n: 2 } })), { now: NOW }).signatureVerifiedBy, 'host');
  assert.throws(() => v.setJwks({ keys: [] }), (error) => error.code === 'jwks_invalid');
  assert.equal(v.validate(next.mint(v2User({ claims: { n: 3 } })), { now: NOW }).signatureVerifiedBy, 'host');
  v.setJwks(next.jwks);
  assert.throws(() => v.validate(issuer.mint(v2User({ claims: { n: 4 } })), { now: NOW }), (error) => error.code === 'key_not_found');
});

/** A bare core with `host` as its RSA, and the test issuer's keys. */
function coreWith(host) {
  const core = new WasmValidator(JSON.stringify({ tenantId: TENANT, audience: API_CLIENT_ID, cacheSize: 0 }));
  JSON.parse(core.setJwks(JSON.stringify(issuer.jwks)));
  host.load?.(core);
  core.setHostCrypto(host);
  return core;
}
const outcome = (core, token) => {
  const text = core.validate(new TextEncoder().encode(token), NOW, 0);
  const answer = answerEnvelope(text);
  return answer.ok ? validatedToken(answer.ok, text).signatureVerifiedBy : answer.error.code;
};

test('a host that throws, or cannot say, hands the work back to the core: the verdict is the core\'s', () => {
  const token = issuer.mint(v2User());
  const forged = `${token.slice(0, token.lastIndexOf('.'))}.${Buffer.from(nodeCrypto.randomBytes(256)).toString('base64url')}`;
  const throwing = new HostKeys({ createPublicKey: nodeCrypto.createPublicKey, verify: () => { throw new Error('engine gone'); } });
  const raw = { verify: () => { throw new Error('not even HostKeys'); } };
  const unsure = { verify: () => 2 };
  const nonsense = [() => 'yes', () => true, () => '1', () => 1.5, () => undefined, () => Number.NaN, () => 1n].map((verify) => ({ verify }));
  for (const host of [throwing, raw, unsure, ...nonsense]) {
    const core = coreWith(host);
    assert.equal(outcome(core, token), 'wasm');
    assert.equal(outcome(core, forged), 'signature_invalid');
    // The instance is still usable: a throw did not leave it borrowed.
    assert.equal(outcome(core, token), 'wasm');
  }
});

test('a host whose key copies are of an older key set is not used for the newer one', async () => {
  const host = new HostKeys(nodeCrypto);
  const core = coreWith(host);
  const token = issuer.mint(v2User());
  assert.equal(outcome(core, token), 'host');
  // setJwks on the core without telling the host: the generation differs, so the host says "cannot say".
  const next = await testIssuer();
  JSON.parse(core.setJwks(JSON.stringify({ keys: [...next.jwks.keys, ...issuer.jwks.keys] })));
  assert.equal(outcome(core, token), 'wasm');
  host.load(core);
  assert.equal(outcome(core, token), 'host');
});

test('a runtime crypto that fails the known-answer test is never used', () => {
  const liars = [
    { createPublicKey: nodeCrypto.createPublicKey, verify: () => true },
    { createPublicKey: nodeCrypto.createPublicKey, verify: () => false },
    { createPublicKey: nodeCrypto.createPublicKey, verify: () => { throw new Error('no'); } },
    { createPublicKey: () => { throw new Error('no JWK import'); }, verify: nodeCrypto.verify },
    { verify: nodeCrypto.verify },
    null,
    undefined,
  ];
  const token = issuer.mint(v2User());
  try {
    for (const liar of liars) {
      assert.equal(useHostCrypto(liar), false);
      assert.equal(hasHostCrypto(), false);
      assert.equal(new EntraValidator(options).validate(token, { now: NOW }).signatureVerifiedBy, 'wasm');
    }
  } finally {
    assert.equal(useHostCrypto(nodeCrypto), true);
  }
  assert.equal(new EntraValidator(options).validate(token, { now: NOW }).signatureVerifiedBy, 'host');
});

test('workerd: node:crypto verifies when the isolate has it (nodejs_compat), the core\'s RSA when it has not; the same verdicts', async () => {
  const token = issuer.mint(v2User());
  const forged = `${token.slice(0, token.lastIndexOf('.'))}.${Buffer.from(nodeCrypto.randomBytes(256)).toString('base64url')}`;
  const temp = tempDir();
  let workerd;
  try {
    await bundleEntry(join(ROOT, 'tests/workerd/crypto-path-worker.mjs'), temp.dir);
    const bindings = { TENANT_ID: TENANT, CLIENT_ID: API_CLIENT_ID, JWKS: JSON.stringify(issuer.jwks), NOW: String(NOW) };
    // nodejs_compat is on by default from 2026-08-04; a date before it, without the flag, has no node:crypto.
    writeConfig(temp.dir, {
      compatibilityDate: '2026-07-01',
      workers: [{ name: 'compat', bindings, compatibilityFlags: ['nodejs_compat'] }, { name: 'plain', bindings }],
    });
    workerd = await startWorkerd(temp.dir, ['compat', 'plain'], { probePath: '/' });
    const ask = async (name, query) => (await fetch(`${workerd.urls[name]}/?${new URLSearchParams(query)}`)).json();
    assert.deepEqual(await ask('compat', { token }), { hasNodeCrypto: true, signatureVerifiedBy: 'host' });
    assert.deepEqual(await ask('compat', { token, crypto: 'wasm' }), { hasNodeCrypto: true, signatureVerifiedBy: 'wasm' });
    assert.deepEqual(await ask('plain', { token }), { hasNodeCrypto: false, signatureVerifiedBy: 'wasm' });
    for (const name of ['compat', 'plain']) {
      assert.deepEqual(await ask(name, { token: forged }), { hasNodeCrypto: name === 'compat', code: 'signature_invalid' });
    }
  } catch (error) {
    if (workerd && error instanceof Error) error.message += `\n--- workerd output ---\n${workerd.logs()}`;
    throw error;
  } finally {
    await workerd?.stop();
    temp.remove();
  }
});
