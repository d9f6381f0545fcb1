// The demo tenant: an RSA-2048 key made with WebCrypto in this tab, a JWKS with its public half, and tokens
// shaped like Entra's (v1 or v2, user or app-only) signed with it. No DOM here: the page's wiring reads the
// mint form and shows the results. Issuer templates come from the package's ENTRA constants.
import { ENTRA } from 'entra-guard';

/** An app role the demo API defines; app-only tokens get it by default. */
export const DEMO_ROLE = 'MCP.Tools.All';
/** The delegated scopes a user token gets by default. */
export const DEFAULT_SCOPES = 'mcp.tools.read mcp.tools.write';
/** An audience the demo policy does not accept ("Wrong audience"). */
export const OTHER_AUDIENCE = 'api://another-api';

/** @typedef {'1.0' | '2.0'} TokenVersion */
/** @typedef {'user' | 'app'} CallerKind */
/** @typedef {{ keys: Array<Record<string, unknown>> }} DemoJwks */
/**
 * @typedef {object} DemoTenant
 * @property {string} tenantId
 * @property {string} apiClientId the API (the audience)
 * @property {string} callerClientId the calling application (azp / appid)
 * @property {string} userObjectId
 * @property {string} appObjectId the calling application's service principal
 * @property {string} kid
 * @property {CryptoKey} privateKey not extractable: it never leaves WebCrypto
 * @property {DemoJwks} jwks
 */
/**
 * @typedef {object} MintParams
 * @property {TokenVersion} version
 * @property {CallerKind} kind
 * @property {string} audience
 * @property {string[]} scopes
 * @property {string[]} roles
 * @property {number} expiresInMinutes negative: already expired
 */

/** @param {Uint8Array} bytes */
export function bytesToBase64url(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @param {unknown} value */
const jsonSegment = (value) => bytesToBase64url(new TextEncoder().encode(JSON.stringify(value)));
/** @param {number} length */
const randomBase64url = (length) => bytesToBase64url(crypto.getRandomValues(new Uint8Array(length)));

const PUBLIC_CLOUD = ENTRA.clouds.public;
/** @param {string} template @param {string} tenantId */
const issuerFor = (template, tenantId) => template.replace(ENTRA.tenantPlaceholder, tenantId);

/** Whether this page can make keys: WebCrypto needs a secure context (https, localhost or 127.0.0.1). */
export const canMakeKeys = () => Boolean(globalThis.crypto?.subtle);

/**
 * A new tenant with its own signing key and ids.
 * @returns {Promise<DemoTenant>}
 */
export async function newDemoTenant() {
  const { publicKey, privateKey } = await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    false, // the private key never leaves WebCrypto; public keys are always exportable
    ['sign', 'verify'],
  );
  const exported = await crypto.subtle.exportKey('jwk', publicKey);
  const kid = randomBase64url(20);
  return {
    tenantId: crypto.randomUUID(),
    apiClientId: crypto.randomUUID(),
    callerClientId: crypto.randomUUID(),
    userObjectId: crypto.randomUUID(),
    appObjectId: crypto.randomUUID(),
    kid,
    privateKey,
    jwks: {
      // As in Entra's JWKS: the key is bound to the tenant's v2 issuer (the template, {tenantid} and all).
      keys: [{ kty: 'RSA', use: 'sig', kid, n: exported.n, e: exported.e, issuer: PUBLIC_CLOUD.v2 }],
    },
  };
}

/**
 * The audience a token for the demo API carries by default: its client id (v2) or App ID URI (v1).
 * @param {DemoTenant} tenant
 * @param {TokenVersion} version
 */
export const defaultAudience = (tenant, version) => (version === '1.0' ? `api://${tenant.apiClientId}` : tenant.apiClientId);

/** Every audience form the demo API accepts (its policy lists each one). @param {DemoTenant} tenant */
export const acceptedAudiences = (tenant) => [tenant.apiClientId, `api://${tenant.apiClientId}`];

/**
 * The claims Entra would put in such a token, in Entra's order.
 * @param {DemoTenant} tenant
 * @param {MintParams} params
 * @returns {Record<string, unknown> & { exp: number }}
 */
export function demoClaims(tenant, { version, kind, audience, scopes, roles, expiresInMinutes }) {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + Math.round(expiresInMinutes * 60);
  const iat = Math.min(now, exp - 3600); // Entra tokens live 60-90 minutes
  const v1 = version === '1.0';
  const app = kind === 'app';
  const oid = app ? tenant.appObjectId : tenant.userObjectId;
  /** @type {Record<string, unknown> & { exp: number }} */
  const claims = {
    aud: audience,
    iss: issuerFor(v1 ? PUBLIC_CLOUD.v1 : PUBLIC_CLOUD.v2, tenant.tenantId),
    iat, nbf: iat, exp,
  };
  if (v1) Object.assign(claims, { appid: tenant.callerClientId, appidacr: app ? '1' : '0' });
  else Object.assign(claims, { azp: tenant.callerClientId, azpacr: app ? '1' : '0' });
  if (app) claims.idtyp = 'app';
  else if (v1) Object.assign(claims, { name: 'Demo User', unique_name: 'demo.user@demo-tenant.example', upn: 'demo.user@demo-tenant.example' });
  else Object.assign(claims, { name: 'Demo User', preferred_username: 'demo.user@demo-tenant.example' });
  claims.oid = oid;
  if (roles.length) claims.roles = roles;
  if (!app) claims.scp = scopes.join(' ');
  Object.assign(claims, {
    sub: app ? oid : randomBase64url(32),
    tid: tenant.tenantId,
    uti: randomBase64url(16),
    ver: version,
  });
  return claims;
}

/**
 * The JOSE header Entra writes: v1 tokens also carry x5t (the same value as kid).
 * @param {DemoTenant} tenant
 * @param {TokenVersion} version
 * @returns {Record<string, unknown>}
 */
export const demoHeader = (tenant, version) =>
  version === '1.0' ? { typ: 'JWT', alg: 'RS256', x5t: tenant.kid, kid: tenant.kid } : { typ: 'JWT', alg: 'RS256', kid: tenant.kid };

/**
 * A compact JWS of any header and claims, signed RS256 with the tenant's key.
 * @param {DemoTenant} tenant
 * @param {Record<string, unknown>} header
 * @param {Record<string, unknown>} claims
 */
export async function signToken(tenant, header, claims) {
  const input = `${jsonSegment(header)}.${jsonSegment(claims)}`;
  const signature = await crypto.subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, tenant.privateKey, new TextEncoder().encode(input));
  return `${input}.${bytesToBase64url(new Uint8Array(signature))}`;
}

/**
 * A token as Entra would issue it for these choices.
 * @param {DemoTenant} tenant
 * @param {MintParams} params
 */
export async function mintToken(tenant, params) {
  const claims = demoClaims(tenant, params);
  return { token: await signToken(tenant, demoHeader(tenant, params.version), claims), claims };
}

/**
 * The token with one signature character changed, in the middle: the length stays right (and the last
 * character's unused bits zero), so the token is still well-formed and only the signature check can catch
 * it. Null when there is no signature to change.
 * @param {string} token
 * @returns {{ token: string, position: number, was: string, now: string } | null}
 */
export function tamperSignature(token) {
  const parts = token.trim().split('.');
  const signature = parts[2];
  if (parts.length !== 3 || signature === undefined || signature.length < 8) return null;
  const at = Math.floor(signature.length / 2);
  const was = signature.charAt(at);
  const now = was === 'A' ? 'B' : 'A';
  parts[2] = signature.slice(0, at) + now + signature.slice(at + 1);
  return { token: parts.join('.'), position: at + 1, was, now };
}
