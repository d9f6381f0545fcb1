// The contenders, each configured for the same policy: RS256 only, exact issuer, exact audience,
// exp required and checked, nbf checked, the same clock (a fixed `now`) and the same 300 s leeway
// (entra-guard's default), and the scope `mcp.tools.read` present in `scp`.
import { verify as cryptoVerify } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createVerifier } from 'fast-jwt';
import jsonwebtoken from 'jsonwebtoken';
import { AUDIENCE, ISSUER, REQUIRED_SCOPE, TENANT } from './tokens.mjs';

const LEEWAY_S = 300;

let EntraValidator;
/** Loads pkg/ (built by scripts/build.sh); the benchmark measures the package as shipped. */
export async function loadEntraGuard() {
  try {
    ({ EntraValidator } = await import('../../pkg/node.mjs'));
  } catch (cause) {
    throw new Error(`cannot load pkg/node.mjs (build it first: bash scripts/build.sh): ${cause.message}`);
  }
}

/** The competitors verify, then check the scope in JS, as an API using them would. */
function requireScope(payload) {
  if (typeof payload.scp !== 'string' || !payload.scp.split(' ').includes(REQUIRED_SCOPE)) {
    throw new Error(`scope ${REQUIRED_SCOPE} missing`);
  }
  return payload;
}

/**
 * entra-guard. `cacheSize` undefined = the option not passed (the default cache); `crypto` likewise (the
 * default, 'auto': node:crypto does the RSA). With `freshPerRound`, each round gets a new instance, so every
 * token really is first-seen by it.
 */
export function entraGuard(name, key, now, { cacheSize, freshPerRound, crypto, readClaims }) {
  const options = { tenantId: TENANT, audience: AUDIENCE, jwks: key.jwks, clockToleranceSeconds: LEEWAY_S, requiredScopes: [REQUIRED_SCOPE] };
  if (cacheSize !== undefined) options.cacheSize = cacheSize;
  if (crypto !== undefined) options.crypto = crypto;
  const call = { now };
  let validator = new EntraValidator(options);
  return {
    name,
    beforeRound() {
      if (!freshPerRound) return;
      validator.free();
      validator = new EntraValidator(options);
    },
    // With `readClaims`, the caller also reads a claim from `claims` (parsed when first read), as one that
    // authorises on a claim the result has no member for would.
    validate: readClaims ? (token) => validator.validate(token, call).claims.scp : (token) => validator.validate(token, call),
    dispose: () => validator.free(),
  };
}

/** jose: a local JWKS (imports each key once, then keeps the CryptoKey), async WebCrypto verification. */
export function jose(key, now) {
  const jwks = createLocalJWKSet(key.jwks);
  const options = {
    algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['exp'],
    currentDate: new Date(now * 1000), clockTolerance: LEEWAY_S,
  };
  return {
    name: 'jose',
    async: true,
    validate: async (token) => requireScope((await jwtVerify(token, jwks, options)).payload),
  };
}

/** fast-jwt: the PEM is turned into a KeyObject once, at createVerifier. Times are in ms. */
export function fastJwt(key, now, { cache }) {
  const verifier = createVerifier({
    key: key.pem, algorithms: ['RS256'], allowedIss: ISSUER, allowedAud: AUDIENCE, requiredClaims: ['exp'],
    clockTimestamp: now * 1000, clockTolerance: LEEWAY_S * 1000, cache,
  });
  return {
    name: cache ? 'fast-jwt (cache on)' : 'fast-jwt (cache off)',
    validate: (token) => requireScope(verifier(token)),
  };
}

/**
 * jsonwebtoken. Given a PEM string (the usage its README shows) it parses the PEM on every call;
 * given a KeyObject it does not. Both are measured, so the difference is visible rather than hidden.
 * It has no "required claims" option, so exp's presence is checked here.
 */
export function jsonWebToken(key, now, { keyForm }) {
  const secret = keyForm === 'pem' ? key.pem : key.publicKey;
  const options = { algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE, clockTimestamp: now, clockTolerance: LEEWAY_S };
  return {
    name: keyForm === 'pem' ? 'jsonwebtoken (PEM string)' : 'jsonwebtoken (KeyObject)',
    validate(token) {
      const payload = jsonwebtoken.verify(token, secret, options);
      if (typeof payload.exp !== 'number') throw new Error('exp missing');
      return requireScope(payload);
    },
  };
}

/** The floor: only the RSA signature check by OpenSSL, plus splitting and decoding the signature. No JSON. */
export function nodeCryptoFloor(key) {
  return {
    name: 'node:crypto verify (floor)',
    validate(token) {
      const [header, payload, signature] = token.split('.');
      const input = Buffer.from(`${header}.${payload}`);
      if (!cryptoVerify('sha256', input, key.publicKey, Buffer.from(signature, 'base64url'))) {
        throw new Error('signature does not verify');
      }
    },
  };
}

/** Throws unless the contender accepts a good token and refuses each bad one (run before timing). */
export async function checkPolicy(contender, good, bad) {
  await contender.validate(good);
  for (const [what, token] of Object.entries(bad)) {
    let refused = false;
    try {
      await contender.validate(token);
    } catch {
      refused = true;
    }
    if (!refused) throw new Error(`${contender.name} accepted a token it should refuse (${what})`);
  }
}
