// Test helpers: RSA keys made with node:crypto (OpenSSL, independent of the wasm verifier), Entra-shaped
// claims, a token minter, and access to the shared real-token fixtures.
import { generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
export const API_CLIENT_ID = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
export const API_APP_ID_URI = `api://${API_CLIENT_ID}`;
export const CALLER_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
export const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

export const PKG_DIR = fileURLToPath(new URL('../../pkg/', import.meta.url));
export const SHARED_DIR = fileURLToPath(new URL('../../../shared/', import.meta.url));

const b64url = (data) => Buffer.from(data).toString('base64url');

export function makeKey(kid, modulusLength = 2048) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' };
  return { kid, privateKey, jwk };
}

export function mint(key, claims, header = { typ: 'JWT', alg: 'RS256', kid: key.kid }) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

export function v2UserClaims(overrides = {}) {
  return {
    aud: API_CLIENT_ID,
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    iat: NOW - 60, nbf: NOW - 60, exp: NOW + 3600,
    azp: CALLER_CLIENT_ID, azpacr: '0', name: 'Test User', oid: 'a1b2c3d4-0000-4000-8000-000000000001',
    scp: 'mcp.tools.read mcp.tools.write', sub: 'pairwise-subject', tid: TENANT, ver: '2.0',
    ...overrides,
  };
}

export function v1AppClaims(overrides = {}) {
  return {
    aud: API_APP_ID_URI,
    iss: `https://sts.windows.net/${TENANT}/`,
    iat: NOW - 60, nbf: NOW - 60, exp: NOW + 3600,
    appid: CALLER_CLIENT_ID, appidacr: '1', idtyp: 'app', oid: 'b0b0b0b0-0000-4000-8000-000000000002',
    roles: ['Tools.ReadWrite.All'], sub: 'b0b0b0b0-0000-4000-8000-000000000002', tid: TENANT, ver: '1.0',
    ...overrides,
  };
}

/** A real-token fixture, or null (and the test says it skipped) when ../shared is absent. */
export function fixture(name, t) {
  const path = `${SHARED_DIR}entra-fixtures/${name}.json`;
  if (!existsSync(path)) {
    t.skip(`../shared/entra-fixtures not present: ${name} not run`);
    return null;
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}
