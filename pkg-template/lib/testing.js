// entra-guard/testing: a local, Entra-like token issuer for your own tests (Node only).
//
// It makes RSA keys, publishes them as Entra's v2 keys endpoint does, serves that JWKS and an OpenID
// discovery document on 127.0.0.1, and mints access tokens shaped like Entra's (v1 and v2, delegated and
// app-only), so an API's tests can exercise the real validator without a tenant or the internet.
// Nothing here is used by the validator itself; it only needs node:crypto and node:http.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { ENTRA, isGuid } from './entra.js';

const DEFAULT_TENANT = '11111111-2222-4333-8444-555555555555';
const DEFAULT_AUDIENCE = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const DEFAULT_CLIENT = 'cccccccc-dddd-4eee-8fff-000000000001';
const DEFAULT_USER_OID = '00000000-0000-4000-8000-0000000000aa';
const DEFAULT_APP_OID = '00000000-0000-4000-8000-0000000000bb';
// Entra's discovery document for /consumers names the personal-accounts tenant, not a template.
const CONSUMERS_TENANT = ENTRA.consumerTenantId;
const TEMPLATE = ENTRA.tenantPlaceholder;
const { v1: ENTRA_V1, v2: ENTRA_V2 } = ENTRA.clouds.public;

/** @typedef {import('../types/testing.js').TestIssuerOptions} TestIssuerOptions */
/** @typedef {import('../types/testing.js').MintOptions} MintOptions */
/** @typedef {import('../types/testing.js').TestIssuer} TestIssuer */
/** @typedef {import('../types/testing.js').TestJwk} TestJwk */
/** @typedef {{ kid: string, privateKey: import('node:crypto').KeyObject, publicJwk: TestJwk }} Key */

/** @param {string | Uint8Array} data */
const b64url = (data) => Buffer.from(data).toString('base64url');
/** @param {unknown} value */
const json = (value) => b64url(JSON.stringify(value));
const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Copies `extra` over `base`; a member whose value is `undefined` is removed (to test missing claims).
 * @param {Record<string, unknown>} base
 * @param {Record<string, unknown>} [extra]
 * @returns {Record<string, unknown>}
 */
function merge(base, extra = {}) {
  const out = { ...base, ...extra };
  for (const [name, value] of Object.entries(extra)) if (value === undefined) delete out[name];
  return out;
}

/**
 * An RSA key as Entra publishes it. kid and x5t are the same 20-byte value: Entra's are certificate thumbprints.
 * @param {number} modulusLength
 * @param {string} jwkIssuer
 * @returns {Key}
 */
function makeKey(modulusLength, jwkIssuer) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  const kid = b64url(randomBytes(20));
  const { n, e } = publicKey.export({ format: 'jwk' });
  return { kid, privateKey, publicJwk: { kty: 'RSA', use: 'sig', kid, x5t: kid, n: String(n), e: String(e), issuer: jwkIssuer } };
}

/**
 * Reads a JWT's header and claims WITHOUT verifying anything. For inspecting tokens in tests only.
 * @param {string} token
 * @returns {{ header: Record<string, unknown>, claims: Record<string, unknown> }}
 */
export function decodeToken(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) throw new TypeError('decodeToken: expected a compact JWS (three dot-separated parts)');
  /** @param {string} text */
  const part = (text) => JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  return { header: part(parts[0]), claims: part(parts[1]) };
}

/**
 * Starts a test issuer. See types/testing.d.ts for every option and its default.
 * @param {import('../types/testing.js').TestIssuerOptions} [options]
 * @returns {Promise<import('../types/testing.js').TestIssuer>}
 */
export async function createTestIssuer(options = {}) {
  const {
    tenantId = DEFAULT_TENANT,
    audience = DEFAULT_AUDIENCE,
    keys: keyCount = 1,
    modulusLength = 2048,
    serve = true,
    version: defaultVersion = '2.0',
    issuerMode = 'entra',
  } = options;
  if (issuerMode !== 'entra' && issuerMode !== 'loopback') throw new TypeError(`issuerMode must be 'entra' or 'loopback', got ${issuerMode}`);
  if (issuerMode === 'loopback' && !serve) throw new TypeError("issuerMode 'loopback' needs the server (serve: true): the issuer is its URL");
  if (defaultVersion !== '1.0' && defaultVersion !== '2.0') throw new TypeError(`version must be '1.0' or '2.0', got ${defaultVersion}`);
  if (!Number.isInteger(keyCount) || keyCount < 1) throw new TypeError('keys must be a positive integer');

  /** @type {Record<string, number>} */
  const requests = {};
  /** @type {import('node:http').Server | null} */
  let server = null;
  /** @type {string | null} */
  let baseUrl = null;
  if (serve) {
    const listening = createServer((req, res) => {
      try {
        handle(req, res);
      } catch {
        send(res, 400, { error: 'invalid_request' }); // e.g. a malformed %-escape: answer, never crash the tests
      }
    });
    await new Promise((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(0, '127.0.0.1', () => resolve(undefined));
    });
    // A forgotten close() must not keep the test process alive.
    listening.unref();
    listening.on('connection', (socket) => socket.unref());
    baseUrl = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (listening.address()).port}`;
    server = listening;
  }

  // The two issuer templates tokens are minted with, and the one each JWK is bound to (Entra binds keys to v2).
  const templates = issuerMode === 'loopback'
    ? { '1.0': `${baseUrl}/${TEMPLATE}/`, '2.0': `${baseUrl}/${TEMPLATE}/v2.0` }
    : { '1.0': ENTRA_V1, '2.0': ENTRA_V2 };
  const jwkIssuer = templates['2.0'];

  /** @type {Key[]} */
  const keyList = [];
  for (let i = 0; i < keyCount; i++) keyList.push(makeKey(modulusLength, jwkIssuer));
  /** @type {string | null} */
  let signingKid = keyList[0].kid;

  const jwks = () => ({ keys: keyList.map((k) => ({ ...k.publicJwk })) });
  /**
   * @param {string} [tid]
   * @param {'1.0' | '2.0'} [version]
   */
  const issuerFor = (tid = tenantId, version = defaultVersion) => {
    if (!templates[version]) throw new TypeError(`version must be '1.0' or '2.0', got ${version}`);
    return templates[version].replace(TEMPLATE, tid);
  };
  /** @param {string} tenant */
  const jwksUriFor = (tenant) => (baseUrl ? `${baseUrl}/${tenant}/discovery/v2.0/keys` : null);

  /**
   * Entra's discovery document for the tenant segment of the URL, or null for an unknown tenant (Entra: 400).
   * @param {string} tenant
   */
  function discovery(tenant) {
    let issuer;
    if (isGuid(tenant)) issuer = issuerFor(tenant.toLowerCase(), '2.0');
    else if (tenant === 'common' || tenant === 'organizations') issuer = templates['2.0'];
    else if (tenant === 'consumers') issuer = issuerFor(CONSUMERS_TENANT, '2.0');
    else return null;
    const oauth = `${baseUrl}/${tenant}/oauth2/v2.0`;
    return {
      issuer,
      jwks_uri: jwksUriFor(tenant),
      token_endpoint: `${oauth}/token`,
      authorization_endpoint: `${oauth}/authorize`,
      device_authorization_endpoint: `${oauth}/devicecode`,
      end_session_endpoint: `${oauth}/logout`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'name', 'tid', 'ver', 'oid', 'preferred_username', 'email'],
      request_uri_parameter_supported: false,
      tenant_region_scope: null,
      cloud_instance_name: 'microsoftonline.com',
    };
  }

  /**
   * @param {import('node:http').ServerResponse} res
   * @param {number} status
   * @param {unknown} body
   */
  function send(res, status, body) {
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      // As Entra sends them: clients may cache the keys and the metadata for a day.
      'Cache-Control': status === 200 ? 'max-age=86400, private' : 'no-store, no-cache',
      'Access-Control-Allow-Origin': '*',
    });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   */
  function handle(req, res) {
    const path = new URL(req.url ?? '/', baseUrl ?? undefined).pathname; // the query (e.g. ?appid=) is accepted and ignored
    requests[path] = (requests[path] ?? 0) + 1;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method_not_allowed' });
    const head = req.method === 'HEAD';
    if (path === '/discovery/v2.0/keys') return send(res, 200, head ? undefined : jwks());
    let m = /^\/([^/]+)\/discovery\/v2\.0\/keys$/.exec(path);
    if (m) return send(res, 200, head ? undefined : jwks());
    m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (m) {
      const doc = discovery(decodeURIComponent(m[1]));
      if (doc) return send(res, 200, head ? undefined : doc);
      return send(res, 400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${m[1]}' not found.` });
    }
    return send(res, 404, { error: 'not_found', error_description: `no such endpoint on the test issuer: ${path}` });
  }

  /**
   * Claims as Entra puts them in access tokens; the version and token type decide which appear.
   * @param {MintOptions} o
   */
  function claimsFor(o) {
    const version = o.version ?? defaultVersion;
    if (version !== '1.0' && version !== '2.0') throw new TypeError(`version must be '1.0' or '2.0', got ${version}`);
    const app = (o.type ?? 'user') === 'app';
    if (!app && o.type !== undefined && o.type !== 'user') throw new TypeError(`type must be 'user' or 'app', got ${o.type}`);
    const tid = o.tenantId ?? tenantId;
    const api = o.audience ?? audience;
    const client = o.clientId ?? DEFAULT_CLIENT;
    const oid = o.objectId ?? (app ? DEFAULT_APP_OID : DEFAULT_USER_OID);
    const iat = o.issuedAt ?? o.now ?? nowSeconds();
    const scopes = o.scopes ?? (app ? undefined : ['access_as_user']);
    const iss = issuerFor(tid, version);
    // v1 tokens carry the App ID URI (api://…) by default, v2 tokens the client id.
    const aud = version === '1.0' && !api.includes('://') ? `api://${api}` : api;
    /** @type {Record<string, unknown>} */
    const claims = {
      aud, iss, iat,
      nbf: o.notBefore ?? iat,
      exp: iat + (o.expiresIn ?? 3600),
      aio: b64url(randomBytes(48)),
    };
    if (version === '1.0') {
      Object.assign(claims, { appid: client, appidacr: app ? '1' : '0' });
      if (app) claims.idp = iss;
    } else {
      Object.assign(claims, { azp: client, azpacr: app ? '1' : '0' });
    }
    if (app) claims.idtyp = 'app';
    else claims.name = 'Test User';
    claims.oid = oid;
    if (!app && version === '2.0') claims.preferred_username = 'test.user@contoso.example';
    claims.rh = `0.${b64url(randomBytes(40))}.`;
    if (o.roles !== undefined) claims.roles = [...o.roles];
    if (scopes !== undefined && scopes.length > 0) claims.scp = scopes.join(' ');
    // App-only tokens name the service principal in sub; user tokens a pairwise, per-application id.
    claims.sub = o.subject ?? (app ? oid : b64url(createHash('sha256').update(`${oid}|${client}`).digest()));
    claims.tid = tid;
    if (!app && version === '1.0') Object.assign(claims, { unique_name: 'test.user@contoso.example', upn: 'test.user@contoso.example' });
    claims.uti = b64url(randomBytes(16));
    claims.ver = version;
    return merge(claims, o.claims);
  }

  /**
   * The key a token's header names: `kid` if given, else the current signing key.
   * @param {string | null} [kid]
   */
  function keyFor(kid = signingKid) {
    const key = keyList.find((k) => k.kid === kid);
    if (!key) throw new Error(`no key with kid ${kid} on this test issuer (keys: ${keyList.map((k) => k.kid).join(', ') || 'none'})`);
    return key;
  }

  return {
    get baseUrl() { return baseUrl; },
    tenantId,
    audience,
    issuerMode,
    get jwks() { return jwks(); },
    get jwksUri() { return jwksUriFor(tenantId); },
    get discoveryUrl() { return baseUrl ? `${baseUrl}/${tenantId}/v2.0/.well-known/openid-configuration` : null; },
    get keys() { return keyList.map(({ kid, privateKey, publicJwk }) => ({ kid, privateKey, publicJwk: { ...publicJwk } })); },
    get signingKid() { return signingKid; },
    requests,

    /** Requests served whose path starts with `pathPrefix` (all requests without one). */
    requestCount(pathPrefix = '/') {
      return Object.entries(requests).reduce((sum, [path, n]) => (path.startsWith(pathPrefix) ? sum + n : sum), 0);
    },
    issuerFor,
    issuerTemplate(version = defaultVersion) {
      if (!templates[version]) throw new TypeError(`version must be '1.0' or '2.0', got ${version}`);
      return templates[version];
    },

    mint(mintOptions = {}) {
      const key = keyFor(mintOptions.kid);
      const version = mintOptions.version ?? defaultVersion;
      // Entra's v1 tokens also name the key by x5t; v2 tokens by kid alone.
      const base = version === '1.0' ? { typ: 'JWT', alg: 'RS256', x5t: key.kid, kid: key.kid } : { typ: 'JWT', alg: 'RS256', kid: key.kid };
      const header = merge(base, mintOptions.header);
      const input = `${json(header)}.${json(claimsFor(mintOptions))}`;
      const signature = sign('sha256', Buffer.from(input), mintOptions.key ?? key.privateKey);
      return `${input}.${b64url(signature)}`;
    },

    rotate() {
      const key = makeKey(modulusLength, jwkIssuer);
      keyList.push(key);
      signingKid = key.kid;
      return key.kid;
    },

    removeKey(kid) {
      const index = keyList.findIndex((k) => k.kid === kid);
      if (index < 0) return false;
      keyList.splice(index, 1);
      // Keep signing with the newest remaining key, as Entra moves on to its next key.
      if (signingKid === kid) signingKid = keyList.at(-1)?.kid ?? null;
      return true;
    },

    async close() {
      if (!server || !server.listening) return;
      const open = server;
      const closed = new Promise((resolve) => open.close(() => resolve(undefined)));
      // server.close() alone waits for keep-alive connections (fetch keeps them) to end by themselves.
      open.closeAllConnections?.();
      await closed;
    },
  };
}
