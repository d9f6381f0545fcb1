// Entra-shaped RS256 access tokens and their keys, from the package's own minter (`entra-guard/testing`,
// which signs with node:crypto, i.e. OpenSSL), so every contender verifies exactly the same bytes.
import { createPublicKey, randomBytes, randomUUID } from 'node:crypto';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const AUDIENCE = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
export const ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
export const CALLER = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
export const REQUIRED_SCOPE = 'mcp.tools.read';

// Random base64url text of a given length, like the opaque values (aio, rh) in real tokens.
const opaque = (chars) => randomBytes(Math.ceil((chars * 3) / 4)).toString('base64url').slice(0, chars);

/**
 * A test issuer with one RSA key of `modulusLength` bits (no HTTP server), and that key in the forms each
 * contender wants: a KeyObject (node:crypto, jsonwebtoken), PEM (fast-jwt, jsonwebtoken) and the issuer's
 * JWKS, as Entra publishes it (entra-guard, jose). The kid is the issuer's: 20 random bytes in base64url,
 * the length of Entra's certificate thumbprints.
 */
export async function makeKey(modulusLength) {
  // Loaded here, not at the top: bench.mjs first loads the package with a "build it first" hint.
  const { createTestIssuer } = await import('entra-guard/testing');
  const issuer = await createTestIssuer({ tenantId: TENANT, audience: AUDIENCE, modulusLength, serve: false });
  const [{ kid, privateKey }] = issuer.keys;
  const publicKey = createPublicKey(privateKey);
  return {
    bits: modulusLength,
    kid,
    issuer,
    privateKey,
    publicKey,
    pem: publicKey.export({ type: 'spki', format: 'pem' }),
    jwks: issuer.jwks,
  };
}

/**
 * A delegated (user) v2.0 access token as Entra issues it, valid around `now` (iat = nbf = now - 60,
 * exp = now + 3600). `options` are mint options merged over these (`claims` over the claims below).
 * Every token gets its own oid (so its own sub), aio, rh and uti: no two tokens share bytes or a cache entry.
 * The header also carries x5t, and aio, rh, name and preferred_username are given the lengths of the
 * tokens the published figures were measured on (about 1.5 KB at 2048 bits).
 */
export function mint(key, now, options = {}) {
  const { claims, header, ...rest } = options;
  return key.issuer.mint({
    now: now - 60,
    expiresIn: 3660,
    clientId: CALLER,
    objectId: randomUUID(),
    scopes: ['mcp.tools.read', 'mcp.tools.write'],
    ...rest,
    header: { x5t: key.kid, ...header },
    claims: {
      aio: opaque(100),
      name: 'Ada Lovelace',
      preferred_username: 'ada.lovelace@contoso.onmicrosoft.com',
      rh: `1.${opaque(90)}.`,
      ...claims,
    },
  });
}

/** `count` distinct valid tokens (each its own uti, oid, aio...). */
export function mintMany(key, now, count) {
  return Array.from({ length: count }, () => mint(key, now));
}

/**
 * Tokens every contender must refuse: signed correctly but expired, for another audience or without
 * the scope; a bad signature; and garbage that fails before any signature work. Used by the policy
 * check before timing and by the RSS run's error phase.
 */
export function invalidTokens(key, now) {
  const good = mint(key, now);
  const [h, p, s] = good.split('.');
  return {
    expired: mint(key, now, { now: now - 7260, expiresIn: 3600 }),
    wrongAudience: mint(key, now, { audience: 'f0f0f0f0-0000-4000-8000-00000000dead' }),
    missingScope: mint(key, now, { scopes: ['mcp.tools.write'] }),
    // Edits of a minted token, which no minter makes: its signature's last bytes replaced, its payload cut.
    badSignature: `${h}.${p}.${s.slice(0, -4)}AAAA`,
    garbage: 'not.a.jwt',
    truncated: `${h}.${p.slice(0, 40)}`,
  };
}

/**
 * New string objects with the same text. A server gets each request's token as a new string; reusing
 * one string object lets V8 keep its hash, which makes any Map-keyed cache look several times faster
 * than it is (measured: ~0.1 µs against ~2.3 µs per hit for a 1.5 KB token). Made outside the clock.
 */
export function freshCopies(tokens) {
  return tokens.map((token) => Buffer.from(token, 'latin1').toString('latin1'));
}
