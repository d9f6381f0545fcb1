// entra-guard/testing: a local, Entra-like token issuer for your own tests (Node only).
//
// It makes RSA keys, publishes them as Entra's v2 keys endpoint does, serves that JWKS and an OpenID
// discovery document on 127.0.0.1, and mints access tokens shaped like Entra's (v1 and v2, delegated and
// app-only), so an API's tests can exercise the real validator without a tenant or the internet.
//
// With app registrations (`apps`) it is also a loopback stand-in for Microsoft Entra ID's v2.0 endpoints, so
// that whole OAuth flows run offline with real clients (the MCP SDK clients, @azure/msal-node): the token
// endpoint (client credentials with a secret or a certificate, authorization code with PKCE, refresh tokens,
// on-behalf-of, device code), the authorization endpoint (a test user signs in without a page), Entra's error
// responses (AADSTS codes, ENTRA_ERRORS), a stand-in for Microsoft Graph's /v1.0/me, fault injection, and a
// fetch / MSAL network client that route the real https://login.microsoftonline.com and
// https://graph.microsoft.com URLs to it (lib/testing/).
//
// IT IS A TEST TOOL: it listens on 127.0.0.1 only, signs in users without passwords, consents for them, and
// keeps its keys in memory. Never use it, or anything it issues, as or with a production authorization server.
// Nothing here is used by the validator itself; it only needs node:crypto and node:http.
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { ENTRA, isGuid } from './entra.js';
import { ENTRA_ERRORS, entraError, graphError } from './testing/errors.js';
import { createDirectory, DEFAULT_USER, MICROSOFT_GRAPH } from './testing/directory.js';
import { createTestCertificate, hexToB64url, nowSeconds as jwtNow, signJwt, verifyJwt } from './testing/jose.js';
import { createOAuth } from './testing/oauth.js';
import { createGraph } from './testing/graph.js';
import { createMsalNetworkClient, createRoutedFetch, ROUTED_HOSTS } from './testing/routing.js';

export { ENTRA_ERRORS, MICROSOFT_GRAPH, createTestCertificate };
/** @type {typeof import('../types/testing.js').DEFAULT_TEST_USER} */
export const DEFAULT_TEST_USER = DEFAULT_USER;

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
/** @typedef {import('../types/testing.js').TestFault} TestFault */
/** @typedef {{ kid: string, privateKey: import('node:crypto').KeyObject, publicKey: import('node:crypto').KeyObject, publicJwk: TestJwk }} Key */
/** @typedef {import('./testing/oauth.js').Reply} Reply */

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
  return { kid, privateKey, publicKey, publicJwk: { kty: 'RSA', use: 'sig', kid, x5t: kid, n: String(n), e: String(e), issuer: jwkIssuer } };
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


/** Hosts of the routed Entra / Graph URLs, and where real documents point (the Graph userinfo endpoint). */
const PUBLIC_LOGIN = 'https://login.microsoftonline.com';
const PUBLIC_GRAPH = 'https://graph.microsoft.com';
// Entra's aliases of the public cloud's login host, as its instance discovery lists them.
const PUBLIC_ALIASES = ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'];
const MAX_BODY = 1024 * 1024;

/**
 * @param {number} ms
 * @returns {Promise<void>}
 */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

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
    userConsent = true,
    tokenLifetime = 3600,
    port = 0,
  } = options;
  if (issuerMode !== 'entra' && issuerMode !== 'loopback') throw new TypeError(`issuerMode must be 'entra' or 'loopback', got ${issuerMode}`);
  if (issuerMode === 'loopback' && !serve) throw new TypeError("issuerMode 'loopback' needs the server (serve: true): the issuer is its URL");
  if (defaultVersion !== '1.0' && defaultVersion !== '2.0') throw new TypeError(`version must be '1.0' or '2.0', got ${defaultVersion}`);
  if (!Number.isInteger(keyCount) || keyCount < 1) throw new TypeError('keys must be a positive integer');
  if (!Number.isInteger(tokenLifetime) || tokenLifetime < 2) throw new TypeError('tokenLifetime must be an integer number of seconds, at least 2');
  if (typeof userConsent !== 'boolean') throw new TypeError('userConsent must be a boolean');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('port must be an integer from 0 (any free port) to 65535');
  const deviceCode = {
    interval: options.deviceCode?.interval ?? 5,
    expiresIn: options.deviceCode?.expiresIn ?? 900,
    autoApproveAfter: options.deviceCode?.autoApproveAfter,
  };
  if (typeof deviceCode.interval !== 'number' || !(deviceCode.interval >= 0)) throw new TypeError('deviceCode.interval must be a number of seconds, 0 or more');
  if (!Number.isInteger(deviceCode.expiresIn) || deviceCode.expiresIn < 1) throw new TypeError('deviceCode.expiresIn must be a positive integer number of seconds');
  if (deviceCode.autoApproveAfter !== undefined && (!Number.isInteger(deviceCode.autoApproveAfter) || deviceCode.autoApproveAfter < 0)) {
    throw new TypeError('deviceCode.autoApproveAfter must be a non-negative integer (pending answers before the code is approved)');
  }
  const directory = createDirectory(options.apps, options.users);

  /** @type {Record<string, number>} */
  const requests = {};
  /** @type {import('node:http').Server | null} */
  let server = null;
  /** @type {string | null} */
  let baseUrl = null;
  if (serve) {
    const listening = createServer((req, res) => {
      handle(req, res).catch((err) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        // A malformed %-escape: answer, never crash the tests. Anything else is a stand-in bug: say what.
        if (err instanceof URIError || (err instanceof TypeError && /** @type {{ code?: string }} */ (err).code === 'ERR_INVALID_URL')) send(res, 400, { error: 'invalid_request' });
        else reply(res, entraError('SERVICE_ERROR', `The test issuer failed: ${err instanceof Error ? err.message : String(err)}`));
      });
    });
    await new Promise((resolve, reject) => {
      listening.once('error', reject);
      // Loopback only: this is a test tool, never reachable from another machine.
      listening.listen(port, '127.0.0.1', () => resolve(undefined));
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
  /**
   * @param {string} tenant
   * @param {string | null} [origin] where the client addressed the issuer; default the loopback URL
   */
  const jwksUriFor = (tenant, origin = baseUrl) => (origin ? `${origin}/${tenant}/discovery/v2.0/keys` : null);

  /**
   * Entra's discovery document for the tenant segment of the URL, or null for an unknown tenant (Entra: 400).
   * The members and their order are a recorded real document's; like Entra's it has no
   * code_challenge_methods_supported and no registration_endpoint.
   * @param {string} tenant
   * @param {string} origin the host the client addressed (the real login host through `fetch`), else the loopback URL
   */
  function discovery(tenant, origin) {
    let issuer;
    if (isGuid(tenant)) issuer = issuerFor(tenant.toLowerCase(), '2.0');
    else if (tenant === 'common' || tenant === 'organizations') issuer = templates['2.0'];
    else if (tenant === 'consumers') issuer = issuerFor(CONSUMERS_TENANT, '2.0');
    else return null;
    const t = `${origin}/${tenant}`;
    const oauth = `${t}/oauth2/v2.0`;
    const graphOrigin = origin === PUBLIC_LOGIN ? PUBLIC_GRAPH : origin;
    return {
      token_endpoint: `${oauth}/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: jwksUriFor(tenant, origin),
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${graphOrigin}/oidc/userinfo`,
      authorization_endpoint: `${oauth}/authorize`,
      device_authorization_endpoint: `${oauth}/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${oauth}/logout`,
      claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
      kerberos_endpoint: `${t}/kerberos`,
      tenant_region_scope: isGuid(tenant) ? 'NA' : null,
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
  }

  /**
   * MSAL's instance discovery (https://login.microsoftonline.com/common/discovery/instance), which MSAL only
   * calls for authorities on hosts it does not know (it has the public cloud's metadata built in).
   * @param {URLSearchParams} query
   * @param {string} origin
   * @returns {Reply}
   */
  function instanceDiscovery(query, origin) {
    const endpoint = query.get('authorization_endpoint');
    let url;
    try {
      url = endpoint ? new URL(endpoint) : null;
    } catch {
      url = null;
    }
    if (!url || (!PUBLIC_ALIASES.includes(url.host) && `${url.protocol}//${url.host}` !== baseUrl)) {
      return entraError('UNKNOWN_INSTANCE', 'Unknown or invalid instance.', { extra: { error_uri: undefined } });
    }
    const tenant = url.pathname.split('/')[1] || 'common';
    const host = url.host === new URL(origin).host ? origin : `${url.protocol}//${url.host}`;
    return {
      status: 200,
      body: {
        tenant_discovery_endpoint: `${host}/${tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [
          { preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: PUBLIC_ALIASES },
          { preferred_network: 'login.partner.microsoftonline.cn', preferred_cache: 'login.partner.microsoftonline.cn', aliases: ['login.partner.microsoftonline.cn', 'login.chinacloudapi.cn'] },
          { preferred_network: 'login.microsoftonline.us', preferred_cache: 'login.microsoftonline.us', aliases: ['login.microsoftonline.us', 'login.usgovcloudapi.net'] },
        ],
      },
    };
  }

  /**
   * The discovery document and JWKS: cacheable for a day, as Entra sends them.
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
   * A token, authorization, Graph or error reply: never cacheable.
   * @param {import('node:http').ServerResponse} res
   * @param {Reply} r
   * @param {boolean} [head]
   */
  function reply(res, r, head = false) {
    /** @type {Record<string, string>} */
    const headers = { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache', 'Access-Control-Allow-Origin': '*' };
    if (r.location !== undefined) headers.Location = r.location;
    if (r.html !== undefined) headers['Content-Type'] = 'text/html; charset=utf-8';
    else if (r.body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
    Object.assign(headers, r.headers);
    res.writeHead(r.status, headers);
    res.end(head ? undefined : r.html ?? (r.body === undefined ? undefined : JSON.stringify(r.body)));
  }

  /**
   * The signing key's header members filled in, then signed.
   * @param {Record<string, unknown>} header
   * @param {Record<string, unknown>} claims
   */
  function signIssued(header, claims) {
    const key = keyFor();
    const h = { ...header, kid: key.kid };
    if ('x5t' in h) h.x5t = key.kid;
    return signJwt(h, claims, key.privateKey);
  }

  /**
   * Whether a JWT was signed by one of the keys this issuer publishes (by kid, or x5t for v1 tokens).
   * @param {{ header: Record<string, unknown>, input: string, signature: Buffer }} jwt
   * @returns {'ok' | 'no_key' | 'bad_signature'}
   */
  function verifyIssued(jwt) {
    const kid = jwt.header.kid ?? jwt.header.x5t;
    const key = keyList.find((k) => k.kid === kid);
    if (!key) return 'no_key';
    return jwt.header.alg === 'RS256' && verifyJwt(jwt, key.publicKey) ? 'ok' : 'bad_signature';
  }

  const oauth = createOAuth({
    tenantId, directory, issuerFor, sign: signIssued, verifyIssued, tokenLifetime: () => tokenLifetime, userConsent, deviceCode,
  });
  const graph = createGraph({ tenantId, directory, issuerFor, verifyIssued });

  // Fault injection: a queue of one-shot (or n-shot) faults, and a global outage switch.
  /** @type {Array<Required<Pick<TestFault, 'path' | 'times'>> & TestFault>} */
  const faults = [];
  /** @type {boolean | 'reset' | number} */
  let down = false;

  /**
   * @param {string} path
   * @param {string} method
   * @returns {TestFault | null}
   */
  function takeFault(path, method) {
    if (down !== false) return { path: '/', status: down === true ? 503 : down };
    const i = faults.findIndex((f) => path.includes(f.path) && (f.method === undefined || f.method.toUpperCase() === method));
    if (i < 0) return null;
    const f = faults[i];
    if (--f.times <= 0) faults.splice(i, 1);
    return f;
  }

  /**
   * An Entra-like (or, on Graph's paths, Graph-like) outage answer for a status.
   * @param {string} path
   * @param {number} status
   * @returns {Reply}
   */
  function outage(path, status) {
    if (path.startsWith('/v1.0/') || path === '/oidc/userinfo') {
      const code = status === 503 ? 'ServiceUnavailable' : status === 429 ? 'TooManyRequests' : status === 500 ? 'InternalServerError' : 'UnknownError';
      return { status, body: graphError(code, 'The service is currently unavailable (fault injected by the test issuer).').body };
    }
    if (status === 503) return entraError('TEMPORARILY_UNAVAILABLE', 'The service is temporarily unavailable.');
    if (status === 429) return { ...entraError('THROTTLED', 'There are too many incoming requests.'), status };
    return { ...entraError('SERVICE_ERROR', 'There was an error issuing a token or an issue with our sign-in service.'), status };
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @returns {Promise<string | null>} null when larger than MAX_BODY
   */
  async function readRequestBody(req) {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > MAX_BODY) return null;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {string} name
   */
  const header = (req, name) => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : null;
  };

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   */
  async function handle(req, res) {
    const url = new URL(req.url ?? '/', baseUrl ?? undefined); // the query (e.g. ?appid=) is accepted and ignored by the JWKS
    const path = url.pathname;
    requests[path] = (requests[path] ?? 0) + 1;
    const method = req.method ?? 'GET';

    const fault = takeFault(path, method);
    if (fault) {
      if (fault.delay) await sleep(fault.delay);
      if (fault.status === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        const r = outage(path, fault.status);
        if (fault.body !== undefined) r.body = fault.body;
        return reply(res, r);
      }
    }

    // Through `issuer.fetch` / `msalNetworkClient` the client addressed a real host; documents name it.
    const forwarded = header(req, 'x-forwarded-host');
    const routedHost = forwarded !== null && ROUTED_HOSTS.has(forwarded) ? forwarded : null;
    const origin = routedHost ? `https://${routedHost}` : /** @type {string} */ (baseUrl);
    const correlationId = header(req, 'client-request-id') ?? url.searchParams.get('client-request-id');

    if (routedHost !== 'login.microsoftonline.com') {
      const g = graph.handle(path, header(req, 'authorization'), header(req, 'client-request-id'));
      if (g) return reply(res, g);
      if (routedHost === 'graph.microsoft.com') {
        return reply(res, { status: 400, body: graphError('BadRequest', `Invalid version: ${path.split('/')[1] ?? ''}`, header(req, 'client-request-id')).body });
      }
    }

    const oauthEndpoint = /^\/([^/]+)\/oauth2\/v2\.0\/(token|devicecode|authorize)$/.exec(path);
    /** @param {string} tenant @returns {import('./testing/oauth.js').RequestInfo} */
    const requestInfo = (tenant) => ({ origin, tenant, correlationId, authorization: header(req, 'authorization') });
    if (method === 'POST') {
      if (!oauthEndpoint || oauthEndpoint[2] === 'authorize') return send(res, 405, { error: 'method_not_allowed' });
      const body = await readRequestBody(req);
      if (body === null) return reply(res, { status: 413, body: { error: 'invalid_request', error_description: 'request body too large' } });
      const params = new URLSearchParams(body);
      const rq = requestInfo(decodeURIComponent(oauthEndpoint[1]));
      return reply(res, oauthEndpoint[2] === 'token' ? oauth.token(params, rq) : oauth.deviceAuthorization(params, rq));
    }
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, { error: 'method_not_allowed' });
    const head = method === 'HEAD';
    if (oauthEndpoint) {
      const rq = requestInfo(decodeURIComponent(oauthEndpoint[1]));
      if (oauthEndpoint[2] === 'authorize') return reply(res, oauth.authorize(url.searchParams, rq), head);
      return reply(res, entraError('POST_REQUIRED', `The endpoint only accepts POST, OPTIONS requests. Received a ${method} request.`, { correlationId }), head);
    }
    if (path === '/discovery/v2.0/keys') return send(res, 200, head ? undefined : jwks());
    let m = /^\/([^/]+)\/discovery\/v2\.0\/keys$/.exec(path);
    if (m) return send(res, 200, head ? undefined : jwks());
    m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (m) {
      const doc = discovery(decodeURIComponent(m[1]), origin);
      if (doc) return send(res, 200, head ? undefined : doc);
      return send(res, 400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${m[1]}' not found.` });
    }
    if (path === '/common/discovery/instance') return reply(res, instanceDiscovery(url.searchParams, origin), head);
    // Like Entra: no RFC 8414 metadata (/.well-known/oauth-authorization-server/...), no OIDC path insertion.
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

  /** @param {string} what */
  const needServer = (what) => {
    if (!baseUrl) throw new TypeError(`${what} needs the server (serve: true)`);
    return baseUrl;
  };
  const routedFetch = createRoutedFetch(() => needServer('issuer.fetch'));
  const msalNetworkClient = createMsalNetworkClient(routedFetch);

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
    authority: `${PUBLIC_LOGIN}/${tenantId}`,
    tokenEndpoint: `${PUBLIC_LOGIN}/${tenantId}/oauth2/v2.0/token`,
    get users() { return directory.users.map((u) => ({ ...u })); },

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

    fetch: routedFetch,
    msalNetworkClient,

    async authorize(authorizationUrl, authorizeOptions = {}) {
      const base = needServer('authorize()');
      const url = new URL(String(authorizationUrl));
      const ours = (url.protocol === 'https:' && ROUTED_HOSTS.has(url.host)) || url.origin === base;
      if (!ours) throw new TypeError(`authorize(): ${url.origin} is not this issuer (use its authorization_endpoint, or https://login.microsoftonline.com/...)`);
      if (authorizeOptions.user !== undefined) url.searchParams.set('login_hint', authorizeOptions.user);
      if (url.searchParams.get('response_mode') === 'form_post') throw new TypeError('authorize(): response_mode=form_post posts a page; use query (the default) or fragment');
      const res = await routedFetch(url, { redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status === 302 && location) {
        await res.arrayBuffer();
        return location;
      }
      const text = await res.text();
      /** @type {unknown} */
      let body = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      const description = typeof body === 'object' && body !== null && 'error_description' in body ? String(body.error_description) : text;
      throw Object.assign(new Error(`authorize(): the sign-in page answered ${res.status}: ${description}`), { status: res.status, body });
    },

    approveDeviceCode(userCode, approveOptions = {}) {
      if (typeof userCode !== 'string') throw new TypeError('approveDeviceCode: userCode must be the string the devicecode endpoint returned');
      return oauth.approveDeviceCode(userCode, approveOptions.user);
    },

    clientAssertion(a) {
      const privateKey = a.privateKey ?? a.certificate?.privateKey;
      const thumbprint = a.thumbprint ?? a.certificate?.thumbprintSha256;
      if (!privateKey || !thumbprint) throw new TypeError('clientAssertion: give privateKey and thumbprint (hex SHA-1 or SHA-256), or certificate (from createTestCertificate())');
      const hex = thumbprint.replace(/:/g, '');
      const sha256 = hex.length === 64;
      if (!sha256 && hex.length !== 40) throw new TypeError('clientAssertion: thumbprint must be a hex SHA-1 (40 digits) or SHA-256 (64 digits) certificate thumbprint');
      const now = a.now ?? jwtNow();
      // As MSAL builds it, and as https://learn.microsoft.com/entra/identity-platform/certificate-credentials describes.
      const header = merge(sha256 ? { alg: 'PS256', typ: 'JWT', 'x5t#S256': hexToB64url(hex) } : { alg: 'RS256', typ: 'JWT', x5t: hexToB64url(hex) }, a.header);
      const claims = merge({
        aud: a.audience ?? `${PUBLIC_LOGIN}/${tenantId}/oauth2/v2.0/token`,
        exp: now + (a.expiresIn ?? 600),
        iss: a.clientId,
        jti: randomUUID(),
        nbf: now,
        sub: a.clientId,
        iat: now,
      }, a.claims);
      return signJwt(header, claims, privateKey);
    },

    failNext(fault = {}) {
      const { path = '/', times = 1, status, delay, method, body } = fault;
      if (typeof path !== 'string' || path === '') throw new TypeError('failNext: path must be a non-empty string (matched anywhere in the request path)');
      if (!Number.isInteger(times) || times < 1) throw new TypeError('failNext: times must be a positive integer');
      if (status !== undefined && status !== 'reset' && (!Number.isInteger(status) || status < 400 || status > 599)) throw new TypeError("failNext: status must be an HTTP error status (400-599) or 'reset'");
      if (delay !== undefined && (typeof delay !== 'number' || !(delay >= 0))) throw new TypeError('failNext: delay must be a number of milliseconds');
      if (status === undefined && delay === undefined) throw new TypeError("failNext: give status (an HTTP error status or 'reset'), delay, or both");
      faults.push({ path, times, status, delay, method, body });
    },

    clearFaults() {
      faults.length = 0;
      down = false;
    },

    get down() { return down; },
    set down(value) {
      if (value !== true && value !== false && value !== 'reset' && !(Number.isInteger(value) && value >= 400 && value <= 599)) {
        throw new TypeError("down must be true (503), false, 'reset' (connections reset) or an HTTP error status");
      }
      down = value;
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
