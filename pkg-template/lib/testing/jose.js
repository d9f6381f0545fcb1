// entra-guard/testing: the JOSE pieces of the loopback Entra stand-in. Compact JWS signing and checking
// (RS256 and PS256, the two algorithms Entra accepts in client assertions), and a self-signed X.509
// certificate built by hand (DER), so that private_key_jwt tests name a real certificate thumbprint as
// Entra's apps do. TEST TOOL ONLY: nothing here is meant for production keys.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, constants, X509Certificate } from 'node:crypto';

/** @typedef {import('node:crypto').KeyObject} KeyObject */

/** @param {string | Uint8Array} data */
export const b64url = (data) => Buffer.from(data).toString('base64url');
/** @param {unknown} value */
export const b64json = (value) => b64url(JSON.stringify(value));
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * A JWT split into its parts, or null when it is not a compact JWS with JSON objects in header and payload.
 * @param {unknown} token
 * @returns {{ header: Record<string, unknown>, claims: Record<string, unknown>, input: string, signature: Buffer } | null}
 */
export function parseJwt(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (!isObject(header) || !isObject(claims)) return null;
    return { header, claims, input: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
  } catch {
    return null;
  }
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
export function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @param {string} alg */
const pss = (alg) => alg === 'PS256';

/**
 * Signs a compact JWS. `alg` is taken from the header: RS256 (PKCS#1 v1.5) or PS256 (RSA-PSS, salt = digest
 * length, as RFC 7518 §3.5 requires).
 * @param {Record<string, unknown>} header
 * @param {Record<string, unknown>} claims
 * @param {KeyObject | string | Buffer} key
 */
export function signJwt(header, claims, key) {
  const input = `${b64json(header)}.${b64json(claims)}`;
  const alg = String(header.alg ?? 'RS256');
  const keyObject = typeof key === 'string' || Buffer.isBuffer(key) ? createPrivateKey(key) : key;
  const signature = pss(alg)
    ? sign('sha256', Buffer.from(input), { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
    : sign('sha256', Buffer.from(input), keyObject);
  return `${input}.${b64url(signature)}`;
}

/**
 * Whether a parsed JWS verifies with `publicKey` under its header's `alg` (RS256 or PS256 only).
 * @param {{ header: Record<string, unknown>, input: string, signature: Buffer }} jwt
 * @param {KeyObject} publicKey
 */
export function verifyJwt(jwt, publicKey) {
  const alg = jwt.header.alg;
  if (alg !== 'RS256' && alg !== 'PS256') return false;
  try {
    return pss(alg)
      ? verify('sha256', Buffer.from(jwt.input), { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, jwt.signature)
      : verify('sha256', Buffer.from(jwt.input), publicKey, jwt.signature);
  } catch {
    return false;
  }
}

/**
 * A certificate thumbprint in hex (as the Entra admin center and MSAL's `thumbprint` / `thumbprintSha256`
 * take it) as the base64url value of an assertion's `x5t` / `x5t#S256` header.
 * @param {string} hex
 */
export function hexToB64url(hex) {
  return Buffer.from(hex.replace(/:/g, ''), 'hex').toString('base64url');
}

// --- A minimal DER encoder for one self-signed certificate (RFC 5280 §4.1). ---

/** @param {number} length */
function derLength(length) {
  if (length < 0x80) return Buffer.from([length]);
  const bytes = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
/**
 * @param {number} tag
 * @param {Buffer[]} content
 */
function der(tag, ...content) {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}
/** @param {...Buffer} content */
const seq = (...content) => der(0x30, ...content);
/**
 * A non-negative INTEGER from big-endian octets, in DER's one encoding (X.690 §8.3.2: no leading octet that
 * is 0x00 before an octet below 0x80; a 0x00 prefix before one of 0x80 or more, which would read as negative).
 * A random serial whose first octet is 0 is otherwise a non-minimal encoding that OpenSSL refuses.
 * @param {Uint8Array} octets
 */
export function derUnsignedInteger(octets) {
  let start = 0;
  while (start < octets.length - 1 && octets[start] === 0) start += 1;
  const minimal = Buffer.from(octets.subarray(start));
  return der(0x02, minimal.length === 0 || minimal[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}
/** @param {string} dotted */
function oid(dotted) {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift(0x80 | (v & 0x7f));
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}
/** @param {Date} date RFC 5280 §4.1.2.5.1: UTCTime YYMMDDHHMMSSZ */
function utcTime(date) {
  const iso = date.toISOString();
  return der(0x17, Buffer.from(`${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`));
}
/** @param {string} commonName */
const name = (commonName) => seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName, 'utf8')))));
const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

/**
 * A fresh RSA key pair with a self-signed certificate, as an app registration's certificate credential
 * (https://learn.microsoft.com/entra/identity-platform/certificate-credentials). The thumbprints are of the
 * certificate's DER encoding, as Entra computes them: `x5t` is SHA-1, `x5t#S256` SHA-256.
 * @param {import('../../types/testing.js').TestCertificateOptions} [options]
 * @returns {import('../../types/testing.js').TestCertificate}
 */
export function createTestCertificate(options = {}) {
  const { subject = 'CN=entra-guard test certificate', modulusLength = 2048, validDays = 365 } = options;
  if (!Number.isInteger(modulusLength) || modulusLength < 2048) throw new TypeError('modulusLength must be an integer of at least 2048 (Entra refuses weaker keys)');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  // RFC 5280 §4.1.2.2: a positive integer of at most 20 octets; non-zero here because the first octet is.
  const serial = randomBytes(16);
  serial[0] = 1 + (serial[0] % 0x7f);
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + validDays * 86_400_000);
  const cn = subject.replace(/^CN=/i, '');
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), // version v3
    derUnsignedInteger(serial),
    SHA256_WITH_RSA,
    name(cn),
    seq(utcTime(notBefore), utcTime(notAfter)),
    name(cn),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const raw = seq(tbs, SHA256_WITH_RSA, der(0x03, Buffer.from([0]), signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${raw.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  const thumbprint = createHash('sha1').update(raw).digest('hex').toUpperCase();
  const thumbprintSha256 = createHash('sha256').update(raw).digest('hex').toUpperCase();
  return {
    privateKey: String(privateKey.export({ type: 'pkcs8', format: 'pem' })),
    publicKey,
    certificate: pem,
    x5c: raw.toString('base64'),
    thumbprint,
    thumbprintSha256,
    x5t: hexToB64url(thumbprint),
    x5tS256: hexToB64url(thumbprintSha256),
  };
}

/**
 * The verification key and thumbprints of an app's certificate credential, from a certificate PEM (thumbprints
 * computed) or a public key (thumbprints as given).
 * @param {KeyObject | string} publicKey
 * @param {string | undefined} thumbprint hex SHA-1
 * @param {string | undefined} thumbprintSha256 hex SHA-256
 * @param {string} clientId for error messages
 * @returns {{ key: KeyObject, x5t: string | null, x5tS256: string | null }}
 */
export function certificateCredential(publicKey, thumbprint, thumbprintSha256, clientId) {
  if (typeof publicKey === 'string' && publicKey.includes('BEGIN CERTIFICATE')) {
    const cert = new X509Certificate(publicKey);
    return {
      key: cert.publicKey,
      x5t: b64url(createHash('sha1').update(cert.raw).digest()),
      x5tS256: b64url(createHash('sha256').update(cert.raw).digest()),
    };
  }
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
  if (thumbprint === undefined && thumbprintSha256 === undefined) {
    throw new TypeError(`apps[${clientId}]: a bare publicKey needs thumbprint or thumbprintSha256 (the certificate thumbprint the assertion's x5t / x5t#S256 names), or pass the certificate PEM as publicKey`);
  }
  return {
    key,
    x5t: thumbprint === undefined ? null : hexToB64url(thumbprint),
    x5tS256: thumbprintSha256 === undefined ? null : hexToB64url(thumbprintSha256),
  };
}
