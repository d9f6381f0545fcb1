#!/usr/bin/env node
// The two RSA paths of a validation, held to the same verdict on every case: the same tokens through two
// validators that differ only in `crypto` ('auto': node:crypto does the exponentiation, 'wasm': the core's
// own RSA), each case also checked against the verdict it was built to have. Cases are seeded and
// reproducible: valid tokens; bit flips in signatures and in the signed bytes; random signatures (below n
// and not); signatures of the wrong length; s = 0, 1, n - 1, n, n + 1, 2^8k - 1; a signature by another key;
// moduli with a flipped bit; and encoded messages crafted and signed raw (RSA_NO_PADDING), each wrong in
// one way a lenient PKCS#1 v1.5 verifier would let through (Bleichenbacher-06 garbage, DigestInfo without
// NULL, other hashes' DigestInfo, BER lengths, short or broken padding, block type 2).
//
//   node tests/js/differential/rsa-paths.mjs [--cases N] [--seed S]     long run (default 1,000,000 cases)
//
// tests/js/rsa-paths.test.mjs runs a bounded count of the same cases in the test command.
import { constants, createHash, createPrivateKey, createPublicKey, privateEncrypt, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EntraValidator } from 'entra-guard';

const KEYS_DIR = new URL('../../keys/', import.meta.url);
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
const NOW = 1_767_225_600;

/** The repository's test keys that a JWKS may hold (2048 to 4096 bits, e = 65537). */
const KEY_FILES = ['rsa2048.pem', 'rsa2048_b.pem', 'rsa3072.pem', 'rsa4096.pem'];

/** mulberry32: a small seeded generator, so a disagreement can be replayed from its seed and case number. */
export function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    bytes: (n) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const json64 = (value) => b64url(Buffer.from(JSON.stringify(value)));
const bigFrom = (bytes) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
const bytesOf = (value, length) => Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');

/** DigestInfo prefixes (RFC 8017 §9.2 Note 1) and lenient variants of SHA-256's. */
const DIGEST_INFO = {
  sha256: '3031300d060960864801650304020105000420',
  sha256MissingNull: '302f300b06096086480165030402010420',
  sha1: '3021300906052b0e03021a05000414',
  sha384: '3041300d060960864801650304020205000430',
  // The SEQUENCE's length in BER long form (81 31 for 31): the same DigestInfo, not its DER.
  sha256LongLength: '308131300d060960864801650304020105000420',
};

/** One test key: its JWK, and raw signing of an encoded message (for the crafted ones). */
function loadKey(file, index) {
  const privateKey = createPrivateKey(readFileSync(new URL(file, KEYS_DIR)));
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const n = Buffer.from(jwk.n, 'base64url');
  return {
    kid: `key-${index}-${n.length * 8}`,
    privateKey,
    publicKey: createPublicKey(privateKey),
    n,
    k: n.length,
    nBig: bigFrom(n),
    jwk: { kty: 'RSA', use: 'sig', kid: `key-${index}-${n.length * 8}`, n: jwk.n, e: jwk.e },
    /** s = em^d mod n for an arbitrary k-octet em < n. */
    signRaw: (em) => privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, em),
  };
}

/** EMSA-PKCS1-v1_5 (RFC 8017 §9.2) with the given pieces, for a k-octet modulus. */
function encodedMessage(k, { blockType = 0x01, lead = 0x00, prefix = DIGEST_INFO.sha256, digest, padByte = 0xff, trailing = '', psLength }) {
  const t = Buffer.concat([Buffer.from(prefix, 'hex'), digest, Buffer.from(trailing, 'hex')]);
  const ps = psLength ?? k - 3 - t.length;
  const em = Buffer.concat([Buffer.from([lead, blockType]), Buffer.alloc(ps, padByte), Buffer.from([0x00]), t]);
  if (em.length < k) return Buffer.concat([em, Buffer.alloc(k - em.length)]);
  return em.subarray(0, k);
}

/** The crafted encoded messages for `signingInput`: only `exact` is a valid signature. */
function craftedMessages(k, signingInput, rng) {
  const digest = createHash('sha256').update(signingInput).digest();
  const other = createHash('sha256').update(`${signingInput}x`).digest();
  const flipped = Buffer.from(digest);
  flipped[rng.int(32)] ^= 1 << rng.int(8);
  return {
    exact: encodedMessage(k, { digest }),
    garbageAfterDigest: encodedMessage(k, { digest, trailing: 'deadbeef', psLength: k - 3 - 51 - 4 }),
    garbageInPadding: encodedMessage(k, { digest, padByte: 0xfe }),
    shortPadding: Buffer.concat([encodedMessage(k, { digest, psLength: 7 }).subarray(0, 10 + 51), Buffer.alloc(k - 61)]),
    missingNull: encodedMessage(k, { digest, prefix: DIGEST_INFO.sha256MissingNull }),
    sha1DigestInfo: encodedMessage(k, { digest: digest.subarray(0, 20), prefix: DIGEST_INFO.sha1 }),
    sha384DigestInfo: encodedMessage(k, { digest: Buffer.concat([digest, digest.subarray(0, 16)]), prefix: DIGEST_INFO.sha384 }),
    berLength: encodedMessage(k, { digest, prefix: DIGEST_INFO.sha256LongLength }),
    blockType2: encodedMessage(k, { digest, blockType: 0x02 }),
    leadingOne: encodedMessage(k, { digest, lead: 0x01 }).subarray(0, k),
    otherDigest: encodedMessage(k, { digest: other }),
    flippedDigest: encodedMessage(k, { digest: flipped }),
  };
}

/** Every kind of case, with the verdict it is built to have ('ok' or a code). */
const KINDS = [
  'valid', 'signatureBitFlip', 'payloadByteFlip', 'headerByteFlip', 'randomSignature', 'randomBelowN',
  'longer', 'shorter', 'rangeEdge', 'otherKey', 'crafted', 'modulusBitFlip',
];

/**
 * The differential run. Returns counts per kind and verdict, and the disagreements (none expected).
 * @param {{ cases: number, seed?: number, onProgress?: (done: number) => void }} options
 */
export function runDifferential({ cases, seed = 1, onProgress }) {
  const rng = random(seed);
  const keys = KEY_FILES.map(loadKey);
  const jwks = { keys: keys.map((key) => key.jwk) };
  const options = { tenantId: TENANT, audience: AUDIENCE, cacheSize: 0 };
  const host = new EntraValidator({ ...options, jwks, crypto: 'auto' });
  const core = new EntraValidator({ ...options, jwks, crypto: 'wasm' });

  const claims = (i) => ({
    aud: AUDIENCE, iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, tid: TENANT, ver: '2.0',
    iat: NOW - 60, nbf: NOW - 60, exp: NOW + 3600, azp: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', azpacr: '0',
    oid: 'a1b2c3d4-0000-4000-8000-000000000001', sub: `s${i}`, scp: 'mcp.tools.read', case: i,
  });
  // A pool of validly signed tokens per key: signing is the slow part, mutating is not.
  const POOL = 24;
  const pool = keys.map((key) => Array.from({ length: POOL }, (_, i) => {
    const input = `${json64({ typ: 'JWT', alg: 'RS256', kid: key.kid })}.${json64(claims(i))}`;
    return { input, signature: sign('sha256', Buffer.from(input), key.privateKey) };
  }));
  // Crafted encoded messages, signed raw once per key.
  const crafted = keys.map((key, index) => {
    const { input } = pool[index][0];
    return Object.entries(craftedMessages(key.k, input, rng)).map(([name, em]) => ({
      name, input, valid: name === 'exact', signature: bigFrom(em) < key.nBig ? key.signRaw(em) : null,
    })).filter((c) => c.signature !== null);
  });

  const counts = {};
  const disagreements = [];
  // Where OpenSSL on its own (crypto.verify over the same bytes, without the core's rules in front of it)
  // would give another verdict than the core: for the record, not a failure (the core's rules decide).
  const opensslAloneDiffers = {};
  const verdict = (validator, token) => {
    try {
      return { outcome: 'ok', by: validator.validate(token, { now: NOW }).signatureVerifiedBy };
    } catch (error) {
      if (!error.code) throw error;
      return { outcome: error.code };
    }
  };

  for (let i = 0; i < cases; i += 1) {
    const kind = KINDS[i % KINDS.length];
    const keyIndex = rng.int(keys.length);
    const key = keys[keyIndex];
    const base = rng.pick(pool[keyIndex]);
    let input = base.input;
    let signature = Buffer.from(base.signature);
    let expected = 'signature_invalid';
    let pair = [host, core];
    switch (kind) {
      case 'valid':
        expected = 'ok';
        break;
      case 'signatureBitFlip':
        signature[rng.int(signature.length)] ^= 1 << rng.int(8);
        break;
      case 'payloadByteFlip':
      case 'headerByteFlip': {
        const [header, payload] = input.split('.');
        const part = Buffer.from(kind === 'payloadByteFlip' ? payload : header, 'base64url');
        const at = rng.int(part.length);
        part[at] ^= 1 << rng.int(8);
        input = kind === 'payloadByteFlip' ? `${header}.${b64url(part)}` : `${b64url(part)}.${payload}`;
        // A flipped byte may break the header's JSON or name another kid: then the refusal comes before
        // the signature, and both paths must still give the same one.
        expected = null;
        break;
      }
      case 'randomSignature':
        signature = Buffer.from(rng.bytes(key.k));
        break;
      case 'randomBelowN':
        signature = bytesOf(bigFrom(rng.bytes(key.k)) % key.nBig, key.k);
        break;
      case 'longer':
        signature = Buffer.concat([Buffer.from([0]), signature]);
        break;
      case 'shorter':
        signature = signature[0] === 0 ? signature.subarray(1) : signature.subarray(0, key.k - 1);
        break;
      case 'rangeEdge': {
        const all = (2n ** BigInt(8 * key.k)) - 1n;
        const value = rng.pick([0n, 1n, key.nBig - 1n, key.nBig, key.nBig + 1n, all]);
        signature = bytesOf(value, key.k);
        break;
      }
      case 'otherKey': {
        const signer = keys[(keyIndex + 1 + rng.int(keys.length - 1)) % keys.length];
        signature = sign('sha256', Buffer.from(input), signer.privateKey);
        break;
      }
      case 'crafted': {
        const c = rng.pick(crafted[keyIndex]);
        input = c.input;
        signature = Buffer.from(c.signature);
        expected = c.valid ? 'ok' : 'signature_invalid';
        break;
      }
      case 'modulusBitFlip': {
        // The same token against a JWKS whose n has one bit flipped (kept odd, kept its length): the host
        // builds its key from the core's copy of n, so both must refuse.
        const n = Buffer.from(key.n);
        const at = 1 + rng.int(n.length - 2);
        n[at] ^= 1 << rng.int(8);
        const altered = { keys: [{ ...key.jwk, n: b64url(n) }] };
        pair = [
          new EntraValidator({ ...options, jwks: altered, crypto: 'auto' }),
          new EntraValidator({ ...options, jwks: altered, crypto: 'wasm' }),
        ];
        break;
      }
      default:
        throw new Error(`unknown kind ${kind}`);
    }
    const token = `${input}.${b64url(signature)}`;
    const [viaHost, viaCore] = pair.map((v) => verdict(v, token));
    if (kind === 'modulusBitFlip') for (const v of pair) v.free();
    const key_ = `${kind}: ${viaHost.outcome}`;
    counts[key_] = (counts[key_] ?? 0) + 1;
    const problems = [];
    if (viaHost.outcome !== viaCore.outcome) problems.push(`host path says ${viaHost.outcome}, core path says ${viaCore.outcome}`);
    if (expected !== null && viaCore.outcome !== expected) problems.push(`expected ${expected}, got ${viaCore.outcome}`);
    if (viaHost.outcome === 'ok' && viaHost.by !== 'host') problems.push(`'auto' verified with ${viaHost.by}, not the host`);
    if (viaCore.outcome === 'ok' && viaCore.by !== 'wasm') problems.push(`'wasm' verified with ${viaCore.by}`);
    if (kind !== 'modulusBitFlip' && (viaCore.outcome === 'ok' || viaCore.outcome === 'signature_invalid')) {
      let alone;
      try {
        alone = verify('sha256', Buffer.from(input), key.publicKey, signature) ? 'ok' : 'signature_invalid';
      } catch {
        alone = 'signature_invalid';
      }
      if (alone !== viaCore.outcome) opensslAloneDiffers[kind] = (opensslAloneDiffers[kind] ?? 0) + 1;
    }
    if (problems.length > 0 && disagreements.length < 20) disagreements.push({ case: i, seed, kind, key: key.kid, problems, token });
    if (onProgress && (i + 1) % 50_000 === 0) onProgress(i + 1);
  }
  host.free();
  core.free();
  return { cases, seed, counts, opensslAloneDiffers, disagreements };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { cases: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' } } });
  const started = performance.now();
  const result = runDifferential({
    cases: Number(values.cases),
    seed: Number(values.seed),
    onProgress: (done) => process.stderr.write(`${done.toLocaleString('en')} cases, ${((performance.now() - started) / 1000).toFixed(0)} s\n`),
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ ...result, seconds: Math.round(seconds) }, null, 2));
  console.log(`${result.cases.toLocaleString('en')} cases, ${result.disagreements.length} disagreements, ${seconds.toFixed(0)} s`);
  process.exitCode = result.disagreements.length === 0 ? 0 : 1;
}
