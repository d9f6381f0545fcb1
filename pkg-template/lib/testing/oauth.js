// entra-guard/testing: the OAuth 2.0 endpoints of the loopback Entra stand-in (v2.0 endpoints only):
//   GET  /{tenant}/oauth2/v2.0/authorize    signs in a test user without a page, 302 to the registered redirect URI
//   POST /{tenant}/oauth2/v2.0/token        client_credentials, authorization_code (+PKCE), refresh_token,
//                                           on-behalf-of (jwt-bearer), device_code
//   POST /{tenant}/oauth2/v2.0/devicecode   device authorization
// The rules are Entra's as documented on the flows' pages (cited at each rule) and, where the docs are silent,
// as the service answers (noted). It is a TEST TOOL on 127.0.0.1 for offline tests: no passwords, no real
// consent pages, tokens signed with throwaway keys. Never use it as an authorization server.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { entraError, shortDescription } from './errors.js';
import { parseScope } from './directory.js';
import { b64json, b64url, nowSeconds, parseJwt, verifyJwt } from './jose.js';

/** @typedef {import('./directory.js').App} App */
/** @typedef {ReturnType<typeof import('./directory.js').createDirectory>} Directory */
/** @typedef {{ objectId: string, displayName: string, userPrincipalName: string, givenName?: string | null, surname?: string | null }} User */
/** @typedef {{ status: number, body?: unknown, headers?: Record<string, string>, location?: string, html?: string }} Reply */
/**
 * What the server knows about one request.
 * @typedef {object} RequestInfo
 * @property {string} origin the login host the client addressed: `https://login.microsoftonline.com`, or the loopback base URL
 * @property {string} tenant the tenant segment of the path
 * @property {string | null} correlationId the client's `client-request-id`
 * @property {string | null} authorization the Authorization header
 * @property {string} [clientName] the client app's name (for /authorize's messages)
 */
/**
 * What the endpoints need from the issuer.
 * @typedef {object} OAuthContext
 * @property {string} tenantId
 * @property {Directory} directory
 * @property {(tid: string, version: '1.0' | '2.0') => string} issuerFor
 * @property {(header: Record<string, unknown>, claims: Record<string, unknown>) => string} sign signs with the current key, adding its kid (and x5t when the header has one)
 * @property {(jwt: { header: Record<string, unknown>, input: string, signature: Buffer }) => 'ok' | 'no_key' | 'bad_signature'} verifyIssued
 * @property {() => number} tokenLifetime
 * @property {boolean} userConsent
 * @property {{ interval: number, expiresIn: number, autoApproveAfter: number | undefined }} deviceCode
 */

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const DEVICE_CODE_URN = 'urn:ietf:params:oauth:grant-type:device_code';
const PUBLIC_LOGIN = 'https://login.microsoftonline.com';
const CERT_DOCS = 'Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .';
// Clock skew Entra allows on assertions (five minutes, as Microsoft.IdentityModel's default).
const SKEW = 300;
// Entra backdates iat/nbf of the tokens it issues by five minutes (visible in every real token: exp - iat is
// the lifetime plus 300 s).
const BACKDATE = 300;
const AUTH_CODE_LIFETIME = 600; // "Authorization codes are short lived. Typically, they expire after about 10 minutes."

/** @param {number} seconds */
const iso = (seconds) => new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
/** @param {string} text */
const sha256b64url = (text) => createHash('sha256').update(text).digest('base64url');

/**
 * The endpoints, sharing the issuer's state (codes, refresh tokens, device codes, consents).
 * @param {OAuthContext} ctx
 */
export function createOAuth(ctx) {
  const { directory, tenantId } = ctx;
  /** @type {Map<string, { clientId: string, redirectUri: string, challenge: string | null, method: string, scope: string, resource: string | null, user: User, nonce: string | null, expiresAt: number, used: boolean }>} */
  const codes = new Map();
  /** @type {Map<string, { clientId: string, user: User, scope: string }>} */
  const refreshTokens = new Map();
  /** @type {Map<string, { deviceCode: string, userCode: string, clientId: string, scope: string, resource: string | null, expiresAt: number, pending: number, approvedBy: User | null, redeemed: boolean }>} */
  const deviceCodes = new Map();
  // Consents users gave on the (simulated) consent prompt: `${oid}|${clientId}|${resourceId}` -> scopes.
  /** @type {Map<string, Set<string>>} */
  const userConsents = new Map();

  /**
   * @param {RequestInfo} rq
   * @param {Parameters<typeof entraError>[0]} name
   * @param {string} message
   * @param {Record<string, unknown>} [extra]
   * @returns {Reply}
   */
  const fail = (rq, name, message, extra) => entraError(name, message, { correlationId: rq.correlationId, extra });
  /**
   * @param {RequestInfo} rq
   * @param {string} parameter
   */
  const missing = (rq, parameter) => fail(rq, 'MISSING_PARAMETER', `The request body must contain the following parameter: '${parameter}'.`);

  /**
   * The token endpoints serve this tenant and the organizations/common aliases; any other tenant is unknown.
   * @param {RequestInfo} rq
   * @returns {Reply | null}
   */
  function checkTenant(rq) {
    const t = rq.tenant.toLowerCase();
    if (t === tenantId.toLowerCase() || t === 'organizations' || t === 'common') return null;
    return fail(rq, 'TENANT_NOT_FOUND', `Tenant '${rq.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`);
  }

  // ---------------------------------------------------------------------------------------------------
  // Scopes and resources (https://learn.microsoft.com/entra/identity-platform/scopes-oidc)

  /**
   * Resolves a scope parameter (and the `resource` parameter, when sent) to the one resource a token is for.
   * `mode`: 'cc' (client credentials: `{resource}/.default` only, AADSTS1002012, of one resource, AADSTS28000);
   * 'token' (a scope parameter at the token endpoint: one resource, AADSTS28000, as Entra answers code
   * redemptions asking for two); 'authorize' (/authorize, or the scopes an authorization code or refresh token
   * was issued for: consent may span resources, the token is for the first). Unknown scopes are AADSTS70011 at
   * the token endpoint and AADSTS650053 (`invalid_client`) at /authorize, as Entra answers.
   * `resource`, sent by MCP clients (RFC 8707), must be an identifier of the app that owns the requested scopes,
   * or Entra's v2.0 endpoint answers AADSTS9010010 (enforced since March 2026: see e.g.
   * https://github.com/microsoft/powerbi-modeling-mcp/issues/68, https://github.com/microsoft/azure-devops-mcp/issues/1601).
   * @param {RequestInfo} rq
   * @param {string | null} scope
   * @param {string | null} resourceParam
   * @param {'cc' | 'token' | 'authorize'} mode
   * @returns {Reply | { resource: App, prefix: string, names: string[], oidc: Set<string>, all: Array<{ resource: App, names: string[] }> }}
   */
  function resolveScopes(rq, scope, resourceParam, mode) {
    if (scope === null || scope.trim() === '') return missing(rq, 'scope');
    const parsed = parseScope(scope);
    if (mode === 'cc') {
      for (const raw of parsed.tokens) {
        if (!raw.endsWith('/.default')) {
          return fail(rq, 'CLIENT_CREDENTIALS_DEFAULT_SCOPE_REQUIRED', `The provided value for scope ${raw} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
        }
      }
    }
    if (mode !== 'authorize' && new Set(parsed.resources.map((r) => r.prefix)).size > 1) {
      return fail(rq, 'MULTIPLE_RESOURCES', `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`);
    }
    // Only OpenID Connect scopes: the access token is Microsoft Graph's (its scopes are Graph's).
    const groups = parsed.resources.length === 0 ? [{ prefix: '', raws: /** @type {string[]} */ ([]), names: /** @type {string[]} */ ([]) }] : [];
    for (const r of parsed.resources) {
      let group = groups.find((g) => g.prefix === r.prefix);
      if (!group) groups.push((group = { prefix: r.prefix, raws: [], names: [] }));
      group.raws.push(r.raw);
      group.names.push(r.name);
    }
    /** @type {Array<{ resource: App, names: string[] }>} */
    const all = [];
    for (const g of groups) {
      const resource = directory.resolve(g.prefix);
      if (!resource) {
        return fail(rq, 'RESOURCE_NOT_FOUND', `The resource principal named ${g.prefix} was not found in the tenant named ${tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`);
      }
      /** @type {string[]} */
      const names = [];
      for (let i = 0; i < g.names.length; i++) {
        const n = g.names[i];
        if (n === '.default') {
          names.push('.default');
          continue;
        }
        const found = resource.scopes.find((s) => s.toLowerCase() === n.toLowerCase());
        if (!found && mode === 'authorize') {
          return fail(rq, 'UNKNOWN_SCOPE_ON_RESOURCE', `The application '${rq.clientName ?? ''}' asked for scope '${n}' that doesn't exist on the resource '${resource.clientId}'. Contact the app vendor.`);
        }
        if (!found) return fail(rq, 'INVALID_SCOPE', `The provided value for the input parameter 'scope' is not valid. The scope ${g.raws[i]} is not valid.`);
        names.push(found);
      }
      all.push({ resource, names });
    }
    const first = groups[0];
    const resource = all[0].resource;
    if (resourceParam !== null && resourceParam !== first.prefix && !resource.identifierUris.includes(resourceParam)) {
      return fail(rq, 'RESOURCE_SCOPE_MISMATCH', "The resource parameter provided in the request doesn't match with the requested scopes.");
    }
    return { resource, prefix: first.prefix, names: all[0].names, oidc: parsed.oidc, all };
  }

  /**
   * The delegated scopes of `resource` that `client` may use for `user`: the app's grants (admin consent)
   * and what the user consented to.
   * @param {User} user
   * @param {App} client
   * @param {App} resource
   */
  function consented(user, client, resource) {
    const granted = client.grants.get(resource.clientId)?.scopes ?? [];
    const own = userConsents.get(`${user.objectId}|${client.clientId}|${resource.clientId}`);
    return resource.scopes.filter((s) => granted.includes(s) || own?.has(s));
  }

  /**
   * Records the user's consent to the requested scopes (the consent prompt the stand-in has no page for).
   * @param {User} user
   * @param {App} client
   * @param {Array<{ resource: App, names: string[] }>} all
   */
  function recordConsent(user, client, all) {
    for (const { resource, names } of all) {
      const key = `${user.objectId}|${client.clientId}|${resource.clientId}`;
      const set = userConsents.get(key) ?? new Set();
      for (const n of names) if (n !== '.default') set.add(n);
      userConsents.set(key, set);
    }
  }

  /**
   * The delegated scopes the token gets, or null without consent (AADSTS65001). Tokens carry every scope
   * consented for the resource; `.default` asks for exactly those.
   * @param {User} user
   * @param {App} client
   * @param {App} resource
   * @param {string[]} names
   */
  function delegatedScopes(user, client, resource, names) {
    const have = consented(user, client, resource);
    if (names.some((n) => n !== '.default' && !have.includes(n))) return null;
    if (names.includes('.default') && have.length === 0) return null;
    return have;
  }

  /**
   * The registered app a request names as its client (Microsoft Graph is no client), or null.
   * @param {string} clientId
   */
  const clientApp = (clientId) => {
    const app = directory.apps.get(clientId.toLowerCase());
    return app && !app.graph ? app : null;
  };
  /**
   * AADSTS700016: no such client in the tenant.
   * @param {RequestInfo} rq
   * @param {string} clientId
   */
  const unknownClient = (rq, clientId) =>
    fail(rq, 'APPLICATION_NOT_FOUND', `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
  /**
   * AADSTS65001: the user (or an administrator) has not consented.
   * @param {RequestInfo} rq
   * @param {App} client
   */
  const consentRequired = (rq, client) =>
    fail(rq, 'CONSENT_REQUIRED', `The user or administrator has not consented to use the application with ID '${client.clientId}' named '${client.displayName}'. Send an interactive authorization request for this user and resource.`);

  // ---------------------------------------------------------------------------------------------------
  // Tokens (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference)

  /**
   * Claims in Entra's order: aud, iss, iat, nbf, exp, then the rest alphabetically (as every real token).
   * @param {Record<string, unknown>} first
   * @param {Record<string, unknown>} rest
   */
  function ordered(first, rest) {
    /** @type {Record<string, unknown>} */
    const out = { ...first };
    for (const key of Object.keys(rest).sort()) if (rest[key] !== undefined) out[key] = rest[key];
    return out;
  }

  /** @param {string} oid @param {string} clientId pairwise `sub`: per user and application */
  const pairwiseSub = (oid, clientId) => b64url(createHash('sha256').update(`${oid}|${clientId}`).digest());

  /**
   * An access token for `resource`, in the version the resource accepts (its accessTokenAcceptedVersion):
   * v2.0 `aud` is the resource's client id; v1.0 `aud` is the identifier the client asked with. Graph's are
   * v1.0 tokens with a header `nonce`, as real Graph tokens (which only Graph can validate).
   * @param {{ resource: App, prefix: string, client: App, acr: string, user: User | null, scopes: string[], roles: string[] }} t
   */
  function accessToken({ resource, prefix, client, acr, user, scopes, roles }) {
    const now = nowSeconds();
    const v = resource.version;
    const iss = ctx.issuerFor(tenantId, v);
    const aud = v === '2.0' || prefix === '' ? resource.clientId : prefix;
    /** @type {Record<string, unknown>} */
    const c = { aio: b64url(randomBytes(48)), rh: `0.${b64url(randomBytes(40))}.`, tid: tenantId, uti: b64url(randomBytes(16)), ver: v };
    if (v === '1.0') Object.assign(c, { appid: client.clientId, appidacr: acr });
    else Object.assign(c, { azp: client.clientId, azpacr: acr });
    if (user === null) {
      Object.assign(c, { idtyp: 'app', oid: client.objectId, sub: client.objectId });
      if (v === '1.0') c.idp = iss;
      if (roles.length > 0) c.roles = [...roles];
    } else {
      Object.assign(c, { name: user.displayName, oid: user.objectId, sub: pairwiseSub(user.objectId, client.clientId) });
      if (scopes.length > 0) c.scp = scopes.join(' ');
      if (v === '1.0') {
        Object.assign(c, { acr: '1', amr: ['pwd'], ipaddr: '127.0.0.1', unique_name: user.userPrincipalName, upn: user.userPrincipalName });
        if (user.givenName) c.given_name = user.givenName;
        if (user.surname) c.family_name = user.surname;
      } else {
        c.preferred_username = user.userPrincipalName;
      }
    }
    if (resource.graph) Object.assign(c, { app_displayname: client.displayName, idtyp: user === null ? 'app' : 'user', tenant_region_scope: 'NA' });
    const claims = ordered({ aud, iss, iat: now - BACKDATE, nbf: now - BACKDATE, exp: now + ctx.tokenLifetime() }, c);
    // Header members in Entra's order; sign() fills in the signing key's kid (and x5t, which v1.0 tokens carry).
    const header = resource.graph
      ? { typ: 'JWT', nonce: b64url(randomBytes(32)), alg: 'RS256', x5t: '', kid: '' }
      : v === '1.0' ? { typ: 'JWT', alg: 'RS256', x5t: '', kid: '' } : { typ: 'JWT', alg: 'RS256', kid: '' };
    return ctx.sign(header, claims);
  }

  /**
   * An ID token (https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference): v2.0, for the client.
   * @param {App} client
   * @param {User} user
   * @param {string | null} nonce
   */
  function idToken(client, user, nonce) {
    const now = nowSeconds();
    const c = {
      aio: b64url(randomBytes(48)), name: user.displayName, nonce: nonce ?? undefined, oid: user.objectId,
      preferred_username: user.userPrincipalName, rh: `0.${b64url(randomBytes(40))}.`, sid: randomUUID(),
      sub: pairwiseSub(user.objectId, client.clientId), tid: tenantId, uti: b64url(randomBytes(16)), ver: '2.0',
    };
    const claims = ordered({ aud: client.clientId, iss: ctx.issuerFor(tenantId, '2.0'), iat: now - BACKDATE, nbf: now - BACKDATE, exp: now + 3600 }, c);
    return ctx.sign({ typ: 'JWT', alg: 'RS256', kid: '' }, claims);
  }

  /**
   * A user token response (auth code, refresh, device code, OBO): Entra's members in Entra's order; a refresh
   * token with `offline_access`, an ID token with `openid`, `client_info` when asked (`client_info=1`, MSAL):
   * base64url of {"uid": oid, "utid": tenant}, the home account MSAL keys its cache by.
   * @param {{ client: App, acr: string, user: User, resolved: { resource: App, prefix: string, names: string[], oidc: Set<string> }, scopes: string[], scopeString: string, nonce: string | null, clientInfo: boolean }} t
   */
  function userTokenResponse({ client, acr, user, resolved, scopes, scopeString, nonce, clientInfo }) {
    const { resource, prefix, oidc } = resolved;
    const access = accessToken({ resource, prefix, client, acr, user, scopes: resource.graph ? [...scopes, ...[...oidc].filter((s) => s !== 'offline_access')] : scopes, roles: [] });
    const lifetime = ctx.tokenLifetime() - 1;
    // The scopes the token is valid for, named as the client asked (bare names for Graph's bare scopes),
    // with `{resource}/.default` when asked for (which is what lets MSAL find the token in its cache again).
    const named = (prefix === '' ? scopes : scopes.map((s) => `${prefix}/${s}`));
    if (resolved.names.includes('.default')) named.push(prefix === '' ? '.default' : `${prefix}/.default`);
    const listed = resource.graph ? [...named, ...[...oidc].filter((s) => s !== 'offline_access')] : named;
    /** @type {Record<string, unknown>} */
    const body = { token_type: 'Bearer', scope: listed.join(' '), expires_in: lifetime, ext_expires_in: lifetime, access_token: access };
    if (oidc.has('offline_access')) {
      const rt = `1.A${b64url(randomBytes(160))}`;
      refreshTokens.set(rt, { clientId: client.clientId, user, scope: scopeString });
      body.refresh_token = rt;
    }
    if (oidc.has('openid')) body.id_token = idToken(client, user, nonce);
    if (clientInfo) body.client_info = b64json({ uid: user.objectId, utid: tenantId });
    return { status: 200, body };
  }

  // ---------------------------------------------------------------------------------------------------
  // Client authentication (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow,
  // https://learn.microsoft.com/entra/identity-platform/certificate-credentials)

  /**
   * Who the client is and how it proved it: `acr` is azpacr/appidacr, 0 public, 1 secret, 2 certificate.
   * client_secret_post, client_secret_basic (RFC 6749 §2.3.1; Entra: "The Basic auth pattern ... is also
   * supported"), private_key_jwt, or none for public clients.
   * @param {URLSearchParams} params
   * @param {RequestInfo} rq
   * @param {boolean} confidentialOnly client credentials and on-behalf-of need a credential
   * @returns {Reply | { app: App, acr: string }}
   */
  function authenticateClient(params, rq, confidentialOnly) {
    let clientId = params.get('client_id');
    let secret = params.get('client_secret');
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(rq.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      /** @param {string} s RFC 6749 §2.3.1 form-encodes both before base64; most clients send them raw. */
      const unform = (s) => {
        try {
          return decodeURIComponent(s.replace(/\+/g, ' '));
        } catch {
          return s;
        }
      };
      if (colon >= 0) {
        clientId ??= unform(decoded.slice(0, colon));
        secret ??= unform(decoded.slice(colon + 1));
      }
    }
    const assertion = params.get('client_assertion');
    const jwt = assertion === null ? null : parseJwt(assertion);
    // Leniency, UNVERIFIED against real Entra (whose docs require client_id): without client_id, a client
    // assertion whose `sub` names a registered app identifies the client. The MCP SDKs' private_key_jwt
    // providers send no client_id.
    if (!clientId && jwt && typeof jwt.claims.sub === 'string' && directory.apps.has(jwt.claims.sub.toLowerCase())) clientId = jwt.claims.sub;
    if (!clientId) return missing(rq, 'client_id');
    const app = clientApp(clientId);
    if (!app) return unknownClient(rq, clientId);
    if (secret !== null || assertion !== null) {
      if (app.publicClient) return fail(rq, 'PUBLIC_CLIENT_WITH_CREDENTIAL', "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.");
      if (assertion !== null) {
        const problem = checkClientAssertion(rq, app, params.get('client_assertion_type'), jwt);
        return problem ?? { app, acr: '2' };
      }
      if (app.clientSecret === null || secret !== app.clientSecret) {
        return fail(rq, 'INVALID_CLIENT_SECRET', `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`);
      }
      return { app, acr: '1' };
    }
    if (!app.publicClient || confidentialOnly) return fail(rq, 'CREDENTIAL_REQUIRED', "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    return { app, acr: '0' };
  }

  /**
   * Entra's rules for a certificate client assertion: the header names the registered certificate by `x5t`
   * (SHA-1) or `x5t#S256` (SHA-256), signed RS256 or PS256 ("Should be PS256"); `iss` = `sub` = the client id;
   * `aud` = the token endpoint `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token` (the v1.0
   * endpoint `.../oauth2/token` is accepted too, as Entra accepts ADAL's assertions; the issuer URL is NOT,
   * unverified but consistent with "audience claim does not match Realm issuer" reports); `exp`/`nbf` within
   * five minutes' skew.
   * @param {RequestInfo} rq
   * @param {App} app
   * @param {string | null} type
   * @param {ReturnType<typeof parseJwt>} jwt
   * @returns {Reply | null}
   */
  function checkClientAssertion(rq, app, type, jwt) {
    if (type === null) return missing(rq, 'client_assertion_type');
    if (type !== CLIENT_ASSERTION_TYPE) return fail(rq, 'MISSING_PARAMETER', `The request body must contain the following parameter: 'client_assertion_type' with the value '${CLIENT_ASSERTION_TYPE}'.`);
    if (!jwt) return fail(rq, 'MALFORMED_JWT', 'JWT token is invalid or malformed.');
    const s256 = typeof jwt.header['x5t#S256'] === 'string' ? jwt.header['x5t#S256'] : null;
    const s1 = typeof jwt.header.x5t === 'string' ? jwt.header.x5t : null;
    const named = s256 ?? s1 ?? '';
    const hex = Buffer.from(named, 'base64url').toString('hex').toUpperCase();
    const cert = app.certificate;
    const found = cert !== null && ((s256 !== null && s256 === cert.x5tS256) || (s1 !== null && s1 === cert.x5t));
    if (!cert || !found) {
      return fail(rq, 'INVALID_CLIENT_ASSERTION', `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${hex}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${app.objectId}']`);
    }
    if (!verifyJwt(jwt, cert.key)) {
      return fail(rq, 'INVALID_CLIENT_ASSERTION', `Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${hex}']`);
    }
    const { iss, sub, aud, exp, nbf } = jwt.claims;
    if (iss !== sub) return fail(rq, 'CLIENT_ASSERTION_SUBJECT_MISMATCH', 'Subject mismatches Issuer claim in the client assertion.');
    if (typeof sub !== 'string' || sub.toLowerCase() !== app.clientId) {
      return fail(rq, 'CLIENT_ASSERTION_CLIENT_MISMATCH', `Client assertion application identifier doesn't match 'client_id' parameter. ${CERT_DOCS}`);
    }
    const accepted = new Set();
    for (const origin of new Set([rq.origin, PUBLIC_LOGIN])) {
      for (const t of new Set([rq.tenant, tenantId])) {
        accepted.add(`${origin}/${t}/oauth2/v2.0/token`);
        accepted.add(`${origin}/${t}/oauth2/token`);
      }
    }
    const auds = Array.isArray(aud) ? aud : [aud];
    if (!auds.some((a) => typeof a === 'string' && accepted.has(a))) {
      return fail(rq, 'CLIENT_ASSERTION_AUDIENCE_MISMATCH', `Client assertion audience claim does not match Realm issuer. ${CERT_DOCS}`);
    }
    const now = nowSeconds();
    if (typeof exp !== 'number' || now > exp + SKEW || (typeof nbf === 'number' && nbf > now + SKEW)) {
      const from = typeof nbf === 'number' ? iso(nbf) : 'unspecified';
      const to = typeof exp === 'number' ? iso(exp) : 'unspecified';
      return fail(rq, 'CLIENT_ASSERTION_EXPIRED', `Client assertion is not within its valid time range. Current time: ${iso(now)}, assertion valid from ${from}, expiry time of assertion ${to}. ${CERT_DOCS}`);
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------------
  // Token endpoint

  /**
   * POST /{tenant}/oauth2/v2.0/token
   * @param {URLSearchParams} params
   * @param {RequestInfo} rq
   * @returns {Reply}
   */
  function token(params, rq) {
    const tenantProblem = checkTenant(rq);
    if (tenantProblem) return tenantProblem;
    const grantType = params.get('grant_type');
    if (!grantType) return missing(rq, 'grant_type');
    const kind = grantType === 'client_credentials' ? 'cc'
      : grantType === 'authorization_code' ? 'code'
        : grantType === 'refresh_token' ? 'refresh'
          : grantType === JWT_BEARER ? 'obo'
            : grantType === 'device_code' || grantType === DEVICE_CODE_URN ? 'device' : null;
    if (kind === null) return fail(rq, 'UNSUPPORTED_GRANT_TYPE', `The app requested an unsupported grant type '${grantType}'.`);
    if (kind === 'cc' && rq.tenant.toLowerCase() === 'common') {
      return fail(rq, 'GRANT_NOT_SUPPORTED_ON_COMMON', 'The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.');
    }
    const client = authenticateClient(params, rq, kind === 'cc' || kind === 'obo');
    if ('status' in client) return client;
    const clientInfo = params.get('client_info') === '1';
    if (kind === 'cc') return clientCredentials(params, rq, client);
    if (kind === 'code') return authorizationCode(params, rq, client, clientInfo);
    if (kind === 'refresh') return refresh(params, rq, client, clientInfo);
    if (kind === 'obo') return onBehalfOf(params, rq, client, clientInfo);
    return pollDeviceCode(params, rq, client, clientInfo);
  }

  /**
   * client_credentials: an app-only token with the app roles granted to the client on the resource (none
   * granted: a token without `roles`, as Entra issues).
   * @param {URLSearchParams} params
   * @param {RequestInfo} rq
   * @param {{ app: App, acr: string }} client
   * @returns {Reply}
   */
  function clientCredentials(params, rq, { app, acr }) {
    const r = resolveScopes(rq, params.get('scope'), params.get('resource'), 'cc');
    if ('status' in r) return r;
    const roles = app.grants.get(r.resource.clientId)?.roles ?? [];
    const access = accessToken({ resource: r.resource, prefix: r.prefix, client: app, acr, user: null, scopes: [], roles });
    const lifetime = ctx.tokenLifetime() - 1;
    // As recorded from Entra (and in the flow's docs): no `scope` member.
    return { status: 200, body: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: access } };
  }

  /**
   * authorization_code: PKCE per RFC 7636 §4.6 (S256 or plain); the redirect URI must be the one the code was
   * issued to; a code is redeemed once (AADSTS54005).
   * @param {URLSearchParams} params
   * @param {RequestInfo} rq
   * @param {{ app: App, acr: string }} client
   * @param {boolean} clientInfo
   * @returns {Reply}
   */
  function authorizationCode(params, rq, { app, acr }, clientInfo) {
    const code = params.get('code');
    if (!code) return missing(rq, 'code');
    const entry = codes.get(code);
    if (!entry || entry.expiresAt < nowSeconds()) return fail(rq, 'INVALID_GRANT', 'The provided authorization code is invalid or has expired.');
    if (entry.used) return fail(rq, 'CODE_ALREADY_REDEEMED', 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.');
    if (entry.clientId !== app.clientId) return fail(rq, 'INVALID_GRANT', 'The provided authorization code was issued to a different client.');
    const redirectUri = params.get('redirect_uri');
    if (!redirectUri) return missing(rq, 'redirect_uri');
    if (redirectUri !== entry.redirectUri) {
      return fail(rq, 'REPLY_ADDRESS_MISMATCH', `The reply address '${redirectUri}' does not match the reply address '${entry.redirectUri}' provided when requesting Authorization code.`);
    }
    const verifier = params.get('code_verifier');
    if (entry.challenge !== null) {
      const computed = verifier === null ? null : entry.method === 'plain' ? verifier : sha256b64url(verifier);
      if (computed !== entry.challenge) return fail(rq, 'PKCE_MISMATCH', 'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.');
    } else if (app.requirePkce) {
      return fail(rq, 'PKCE_REQUIRED', 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.');
    }
    const scope = params.get('scope') ?? entry.scope;
    const r = resolveScopes(rq, scope, params.get('resource') ?? entry.resource, params.get('scope') === null ? 'authorize' : 'token');
    if ('status' in r) return r;
    const scopes = delegatedScopes(entry.user, app, r.resource, r.names);
    if (scopes === null) return consentRequired(rq, app);
    entry.used = true;
    return userTokenResponse({ client: app, acr, user: entry.user, resolved: r, scopes, scopeString: scope, nonce: entry.nonce, clientInfo });
  }

  /**
   * refresh_token: a new access token for any resource the client has consent for, and a new refresh token.
   * "Refresh tokens aren't revoked when used to acquire new access tokens" (v2-oauth2-auth-code-flow), so
   * the old one keeps working, as on Entra.
   * @param {URLSearchParams} params
   * @param {RequestInfo} rq
   * @param {{ app: App, acr: string }} client
   * @param {boolean} clientInfo
   * @returns {Reply}
   */
  function refresh(params, rq, { app, acr }, clientInfo) {
    const rt = params.get('refresh_token');
    if (!rt) return missing(rq, 'refresh_token');
    const entry = refreshTokens.get(rt);
    if (!entry) return fail(rq, 'INVALID_GRANT', "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.");
    if (entry.clientId !== app.clientId) return fail(rq, 'INVALID_GRANT', 'The refresh token was issued to a different client.');
    const scope = params.get('scope') ?? entry.scope;
    const r = resolveScopes(rq, scope, params.get('resource'), params.get('scope') === null ? 'authorize' : 'token');
    if ('status' in r) return r;
    const scopes = delegatedScopes(entry.user, app, r.resource, r.names);
    if (scopes === null) return consentRequired(rq, app);
    // The new refresh token is issued whether or not this request repeats offline_access.
    const resolved = { ...r, oidc: new Set([...r.oidc, 'offline_access']) };
    return userTokenResponse({ client: app, acr, user: entry.user, resolved, scopes, scopeString: scope, nonce: null, clientInfo });
  }

  /**
   * On-behalf-of (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow): the
   * assertion is a user's access token issued by this tenant for the calling app ("This token must have an
   * audience (aud) claim of the app making this OBO request"); app-only tokens are refused ("the OBO flow only
   * works for user principals"; Entra answers AADSTS7000114); the downstream scopes need consent for the
   * calling app (its grants), else AADSTS65001.
   * @param {URLSearchParams} params
   * @param {RequestInfo} rq
   * @param {{ app: App, acr: string }} client
   * @param {boolean} clientInfo
   * @returns {Reply}
   */
  function onBehalfOf(params, rq, { app, acr }, clientInfo) {
    const use = params.get('requested_token_use');
    if (use === null) return missing(rq, 'requested_token_use');
    if (use !== 'on_behalf_of') return fail(rq, 'MISSING_PARAMETER', "The request body must contain the following parameter: 'requested_token_use' with the value 'on_behalf_of'.");
    const assertion = params.get('assertion');
    if (!assertion) return missing(rq, 'assertion');
    const jwt = parseJwt(assertion);
    if (!jwt) return fail(rq, 'MALFORMED_JWT', 'JWT token is invalid or malformed.');
    const verdict = ctx.verifyIssued(jwt);
    if (verdict !== 'ok') {
      const reason = verdict === 'no_key' ? 'The key was not found.' : 'The provided signature value did not match the expected signature value.';
      return fail(rq, 'INVALID_ASSERTION', `Assertion failed signature validation. [Reason - ${reason}, Thumbprint of key used by client: '${String(jwt.header.kid ?? jwt.header.x5t ?? '')}']`);
    }
    const { claims } = jwt;
    const ver = claims.ver === '1.0' ? '1.0' : '2.0';
    if (claims.iss !== ctx.issuerFor(tenantId, ver) || claims.tid !== tenantId) {
      return fail(rq, 'INVALID_ASSERTION', `Assertion is invalid: the token issuer '${String(claims.iss)}' does not match the tenant or the API version.`);
    }
    const now = nowSeconds();
    if (typeof claims.exp !== 'number' || now > claims.exp + SKEW) {
      return fail(rq, 'ASSERTION_EXPIRED', `Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: ${iso(now)}, expiry time of assertion ${typeof claims.exp === 'number' ? iso(claims.exp) : 'unspecified'}.`);
    }
    const aud = typeof claims.aud === 'string' ? claims.aud : '';
    if (aud.toLowerCase() !== app.clientId && !app.identifierUris.includes(aud)) {
      return fail(rq, 'ASSERTION_AUDIENCE_MISMATCH', `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${aud}' and the expected audience is '${app.clientId}' or one of the Application Uris of this application with App ID '${app.clientId}'(${app.displayName}). The downstream client must request a token for the expected audience (the application that made the OBO request) and this application should use that token as the assertion.`);
    }
    if (claims.idtyp === 'app' || typeof claims.scp !== 'string') {
      return fail(rq, 'APP_ONLY_OBO_NOT_ALLOWED', `Application '${app.clientId}' is not allowed to make application on-behalf-of calls.`);
    }
    const oid = String(claims.oid ?? '');
    const known = directory.users.find((u) => u.objectId === oid.toLowerCase());
    /** @type {User} */
    const user = known ?? {
      objectId: oid,
      displayName: String(claims.name ?? ''),
      userPrincipalName: String(claims.preferred_username ?? claims.upn ?? claims.unique_name ?? ''),
    };
    const scope = params.get('scope');
    const r = resolveScopes(rq, scope, params.get('resource'), 'token');
    if ('status' in r) return r;
    const scopes = delegatedScopes(user, app, r.resource, r.names);
    if (scopes === null) return consentRequired(rq, app);
    return userTokenResponse({ client: app, acr, user, resolved: r, scopes, scopeString: String(scope), nonce: null, clientInfo });
  }

  // ---------------------------------------------------------------------------------------------------
  // Authorization endpoint (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow)

  /**
   * Whether `given` matches a registered redirect URI: exactly, or, for loopback (http://localhost,
   * http://127.0.0.1, http://[::1]), with any port, as Entra allows native apps
   * (https://learn.microsoft.com/entra/identity-platform/reply-url#localhost-exceptions).
   * @param {App} app
   * @param {string} given
   */
  function redirectAllowed(app, given) {
    if (app.redirectUris.includes(given)) return true;
    let g;
    try {
      g = new URL(given);
    } catch {
      return false;
    }
    if (g.protocol !== 'http:' || !['localhost', '127.0.0.1', '[::1]'].includes(g.hostname)) return false;
    return app.redirectUris.some((uri) => {
      const r = new URL(uri);
      return r.protocol === 'http:' && r.hostname === g.hostname && r.pathname === g.pathname && r.search === g.search;
    });
  }

  /**
   * GET /{tenant}/oauth2/v2.0/authorize: signs in the user `login_hint` names (UPN or object id), else the
   * first configured user, without a page; consents for them (unless `userConsent: false`); redirects with
   * `code`, `state` and `session_state`. Problems Entra shows on its own page (unknown client, unregistered
   * redirect URI) are a 400 with Entra's error JSON; the others go back to the redirect URI as `error` and
   * `error_description`.
   * @param {URLSearchParams} q
   * @param {RequestInfo} rq
   * @returns {Reply}
   */
  function authorize(q, rq) {
    const tenantProblem = checkTenant(rq);
    if (tenantProblem) return tenantProblem;
    const clientId = q.get('client_id');
    if (!clientId) return missing(rq, 'client_id');
    const app = clientApp(clientId);
    if (!app) return unknownClient(rq, clientId);
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri) return fail(rq, 'NO_REPLY_ADDRESS', 'No reply address provided.');
    if (!redirectAllowed(app, redirectUri)) {
      return fail(rq, 'REDIRECT_URI_MISMATCH', `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`);
    }
    const state = q.get('state');
    const mode = q.get('response_mode') ?? 'query';
    /** @param {Record<string, string>} values */
    const back = (values) => {
      const all = { ...values, ...(state === null ? {} : { state }) };
      if (mode === 'form_post') {
        const inputs = Object.entries(all).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}"/>`).join('');
        return { status: 200, html: `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="${escapeHtml(redirectUri)}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"/></noscript></form><script language="javascript">document.forms[0].submit();</script></body></html>` };
      }
      const url = new URL(redirectUri);
      if (mode === 'fragment') url.hash = new URLSearchParams(all).toString();
      else for (const [k, v] of Object.entries(all)) url.searchParams.set(k, v);
      return { status: 302, location: url.href };
    };
    /** @param {Reply} reply */
    const backWithError = (reply) => {
      const body = /** @type {Record<string, unknown>} */ (reply.body);
      return back({ error: String(body.error), error_description: shortDescription(body) });
    };
    const responseType = q.get('response_type');
    if (responseType === null) return backWithError(missing(rq, 'response_type'));
    if (responseType !== 'code') return backWithError(fail(rq, 'UNSUPPORTED_RESPONSE_TYPE', `The provided value for the input parameter 'response_type' is not allowed for this request. Expected value: 'code'. Received value: '${responseType}'.`));
    const challenge = q.get('code_challenge');
    const method = q.get('code_challenge_method') ?? (challenge === null ? 'S256' : 'plain');
    if (method !== 'S256' && method !== 'plain') return backWithError(fail(rq, 'INVALID_CODE_CHALLENGE_METHOD', 'Invalid Code_Challenge_method parameter.'));
    const scope = q.get('scope');
    const r = resolveScopes({ ...rq, clientName: app.displayName }, scope, q.get('resource'), 'authorize');
    if ('status' in r) return backWithError(r);
    const hint = q.get('login_hint');
    const user = hint ? directory.user(hint) : directory.users[0];
    if (!user) return fail(rq, 'USER_NOT_FOUND', `User account '${hint}' from identity provider 'https://sts.windows.net/${tenantId}/' does not exist in tenant '${tenantId}' and cannot access the application '${app.clientId}'(${app.displayName}) in that tenant.`);
    if (ctx.userConsent) recordConsent(user, app, r.all);
    for (const { resource, names } of r.all) {
      if (delegatedScopes(user, app, resource, names) === null) {
        const e = consentRequired(rq, app);
        return back({ error: 'consent_required', error_description: shortDescription(/** @type {Record<string, unknown>} */ (e.body)) });
      }
    }
    const code = `1.A${b64url(randomBytes(96))}`;
    codes.set(code, {
      clientId: app.clientId, redirectUri, challenge, method, scope: String(scope), resource: q.get('resource'), user,
      nonce: q.get('nonce'), expiresAt: nowSeconds() + AUTH_CODE_LIFETIME, used: false,
    });
    /** @type {Record<string, string>} */
    const values = { code };
    if (q.get('client_info') === '1') values.client_info = b64json({ uid: user.objectId, utid: tenantId });
    values.session_state = randomUUID();
    return back(values);
  }

  // ---------------------------------------------------------------------------------------------------
  // Device authorization (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code)

  /**
   * POST /{tenant}/oauth2/v2.0/devicecode
   * @param {URLSearchParams} params
   * @param {RequestInfo} rq
   * @returns {Reply}
   */
  function deviceAuthorization(params, rq) {
    const tenantProblem = checkTenant(rq);
    if (tenantProblem) return tenantProblem;
    const clientId = params.get('client_id');
    if (!clientId) return missing(rq, 'client_id');
    const app = clientApp(clientId);
    if (!app) return unknownClient(rq, clientId);
    const scope = params.get('scope');
    const r = resolveScopes(rq, scope, params.get('resource'), 'token');
    if ('status' in r) return r;
    const { interval, expiresIn } = ctx.deviceCode;
    const deviceCode = `DAQABIQEAAAD${b64url(randomBytes(120))}`;
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    const userCode = Array.from(randomBytes(9), (b) => alphabet[b % alphabet.length]).join('');
    deviceCodes.set(deviceCode, { deviceCode, userCode, clientId: app.clientId, scope: String(scope), resource: params.get('resource'), expiresAt: nowSeconds() + expiresIn, pending: 0, approvedBy: null, redeemed: false });
    const verificationUri = 'https://microsoft.com/devicelogin';
    return {
      status: 200,
      body: {
        user_code: userCode, device_code: deviceCode, verification_uri: verificationUri, expires_in: expiresIn, interval,
        message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
      },
    };
  }

  /**
   * Polling the token endpoint with a device code: `authorization_pending` (AADSTS70016) until the code is
   * approved (`approveDeviceCode`, or automatically after `deviceCode.autoApproveAfter` pending answers).
   * @param {URLSearchParams} params
   * @param {RequestInfo} rq
   * @param {{ app: App, acr: string }} client
   * @param {boolean} clientInfo
   * @returns {Reply}
   */
  function pollDeviceCode(params, rq, { app, acr }, clientInfo) {
    const code = params.get('device_code');
    if (!code) return missing(rq, 'device_code');
    const entry = deviceCodes.get(code);
    if (!entry || entry.clientId !== app.clientId || entry.redeemed) return fail(rq, 'BAD_VERIFICATION_CODE', "The provided value for the input parameter 'device_code' is not valid.");
    if (entry.expiresAt < nowSeconds()) return fail(rq, 'DEVICE_CODE_EXPIRED', 'Verification code expired.');
    const auto = ctx.deviceCode.autoApproveAfter;
    if (entry.approvedBy === null && auto !== undefined && entry.pending >= auto) approve(entry, directory.users[0]);
    if (entry.approvedBy === null) {
      entry.pending++;
      return fail(rq, 'AUTHORIZATION_PENDING', 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
    }
    const r = resolveScopes(rq, entry.scope, entry.resource, 'authorize');
    if ('status' in r) return r;
    const scopes = delegatedScopes(entry.approvedBy, app, r.resource, r.names);
    if (scopes === null) return consentRequired(rq, app);
    entry.redeemed = true;
    return userTokenResponse({ client: app, acr, user: entry.approvedBy, resolved: r, scopes, scopeString: entry.scope, nonce: null, clientInfo });
  }

  /**
   * @param {{ clientId: string, scope: string, approvedBy: User | null }} entry
   * @param {User} user
   */
  function approve(entry, user) {
    entry.approvedBy = user;
    const app = directory.apps.get(entry.clientId);
    if (!app || !ctx.userConsent) return;
    const parsed = parseScope(entry.scope);
    /** @type {Array<{ resource: App, names: string[] }>} */
    const all = [];
    for (const res of parsed.resources) {
      const resource = directory.resolve(res.prefix);
      const name = resource?.scopes.find((s) => s.toLowerCase() === res.name.toLowerCase());
      if (resource && name) all.push({ resource, names: [name] });
    }
    recordConsent(user, app, all);
  }

  /**
   * The user "enters" `userCode` at the verification page and signs in.
   * @param {string} userCode
   * @param {string} [userHint] UPN or object id; default the first user
   */
  function approveDeviceCode(userCode, userHint) {
    const user = userHint === undefined ? directory.users[0] : directory.user(userHint);
    if (!user) throw new TypeError(`approveDeviceCode: no user ${JSON.stringify(userHint)} in this issuer's directory`);
    for (const entry of deviceCodes.values()) {
      if (entry.userCode === userCode.toUpperCase().replace(/[\s-]/g, '') && !entry.redeemed && entry.expiresAt >= nowSeconds()) {
        approve(entry, user);
        return true;
      }
    }
    return false;
  }

  return { token, authorize, deviceAuthorization, approveDeviceCode };
}

/** @param {string} text */
function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
