// HTTP for protected resources: the bearer token from a request (RFC 6750 §2.1), the answer to a refused one
// (RFC 6750 §3 WWW-Authenticate, with RFC 9728's resource_metadata as the MCP authorization spec requires),
// Express middleware, an MCP SDK token verifier, and protected-resource metadata (RFC 9728).
// Nothing here decides whether a token is valid: that is the core's job, through EntraValidator.
import { EntraValidator } from './api.js';
import { ENTRA, isCloud, isTenant } from './entra.js';
import { EntraTokenError, configError, entraError } from './errors.js';
import { createRemoteJwks } from './remote-jwks.js';

/** @typedef {import('../types/http.js').EntraAuthInfo} EntraAuthInfo */
/** @typedef {import('../types/http.js').RequireEntraAuthOptions} RequireEntraAuthOptions */
/** @typedef {import('../types/http.js').EntraTokenVerifierOptions} EntraTokenVerifierOptions */
/** @typedef {import('../types/http.js').ProtectedResourceMetadataOptions} ProtectedResourceMetadataOptions */
/** @typedef {import('../types/http.js').ChallengeOptions} ChallengeOptions */
/** @typedef {import('../types/http.js').Refusal} Refusal */
/** @typedef {import('../types/http.js').EntraAuditEvent} EntraAuditEvent */
/** @typedef {import('../types/remote-jwks.js').RemoteJwks} RemoteJwks */
/** @typedef {import('../types/api.js').ValidatedToken} ValidatedToken */
/** @typedef {import('../types/api.js').EntraValidator} Validator an EntraValidator, as the declarations describe it */
/** @typedef {import('../types/api.js').EntraTokenError} RefusalError an EntraTokenError, as the declarations describe it */
/** @typedef {import('../types/api.js').ValidateOptions} ValidateOptions */

// RFC 7235 token68 (RFC 6750 §2.1 b64token): what may follow "Bearer ".
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_DESCRIPTION = 300;

/**
 * The token in `Authorization: Bearer <token>`, `null` when there is no Authorization header at all.
 * @param {string | string[] | undefined | null} authorization
 * @returns {string | null}
 */
export function bearerToken(authorization) {
  if (authorization === undefined || authorization === null || authorization === '') return null;
  const match = /^Bearer +(\S+) *$/i.exec(String(authorization));
  if (!match || !TOKEN68.test(match[1])) {
    throw entraError('token_malformed', 'request', null, "token is malformed: the Authorization header must be 'Bearer <token>'");
  }
  return match[1];
}

/**
 * RFC 6750 §3 quoted-string content: printable ASCII without `"` and `\` (§3: error_description uses
 * %x20-21 / %x23-5B / %x5D-7E). Node also refuses header values outside Latin-1, which would turn a
 * refusal into a 500.
 * @param {unknown} text
 */
export function quotedText(text) {
  const safe = String(text).replace(/"/g, "'").replace(/\\/g, '/').replace(/[^\x20-\x7e]/g, '?');
  return safe.length > MAX_DESCRIPTION ? `${safe.slice(0, MAX_DESCRIPTION - 3)}...` : safe;
}

/**
 * The OAuth error code (RFC 6750 §3.1) for a refusal.
 * @param {RefusalError} error
 */
function oauthError(error) {
  if (error.status === 403) return 'insufficient_scope';
  if (error.status >= 500) return 'server_error';
  return 'invalid_token';
}

/**
 * The `WWW-Authenticate` value for a refusal. `error` null means the request carried no credentials,
 * which RFC 6750 §3.1 answers without an error code. `resourceMetadataUrl` points clients at the
 * protected-resource metadata (RFC 9728 §5.1).
 * @param {RefusalError | null} error
 * @param {ChallengeOptions} [options]
 * @returns {string}
 */
export function wwwAuthenticate(error, { resourceMetadataUrl, realm } = {}) {
  const params = [];
  if (realm) params.push(`realm="${quotedText(realm)}"`);
  if (error) {
    params.push(`error="${oauthError(error)}"`, `error_description="${quotedText(error.message)}"`);
    if (error.status === 403 && error.requiredPermissions?.length) {
      params.push(`scope="${quotedText(error.requiredPermissions.join(' '))}"`);
    }
  }
  if (resourceMetadataUrl) params.push(`resource_metadata="${quotedText(resourceMetadataUrl)}"`);
  return params.length ? `Bearer ${params.join(', ')}` : 'Bearer';
}

/**
 * Everything an HTTP answer to a refusal needs: status, headers and a JSON body. Never contains the token.
 * @param {RefusalError | null} error
 * @param {ChallengeOptions} [options]
 * @returns {Refusal}
 */
export function refusal(error, { resourceMetadataUrl, realm } = {}) {
  const status = error ? error.status : 401;
  /** @type {Record<string, string>} */
  const headers = { 'cache-control': 'no-store' };
  if (status === 401 || status === 403) headers['www-authenticate'] = wwwAuthenticate(error, { resourceMetadataUrl, realm });
  const body = error
    ? { error: oauthError(error), error_description: error.message, code: error.code }
    : { error: 'invalid_request', error_description: 'an Authorization: Bearer token is required', code: 'token_missing' };
  return { status, headers, body };
}

/**
 * Validates a token, refreshing a remote JWKS once (within its cooldown) when the token names an unknown
 * key: Entra rotates keys without notice, and a new key appears in the JWKS before tokens use it.
 * @param {Validator} validator
 * @param {string} token
 * @param {ValidateOptions} [call]
 * @param {RemoteJwks} [jwks]
 * @returns {Promise<ValidatedToken>}
 */
export async function authenticate(validator, token, call = {}, jwks = undefined) {
  if (jwks) await jwks.get();
  try {
    return validator.validate(token, call);
  } catch (error) {
    if (jwks && error instanceof EntraTokenError && error.code === 'key_not_found' && (await jwks.refreshForUnknownKey())) {
      return validator.validate(token, call);
    }
    throw error;
  }
}

/**
 * The MCP SDK's AuthInfo for a validated token, with the Entra identity in `extra`.
 * @param {string} token
 * @param {ValidatedToken} result
 * @returns {EntraAuthInfo}
 */
export function toAuthInfo(token, result) {
  return {
    token,
    clientId: result.clientId,
    scopes: [...result.scopes],
    expiresAt: Math.floor(result.expiresAt),
    extra: {
      tenantId: result.tenantId,
      objectId: result.objectId,
      subject: result.subject,
      roles: [...result.roles],
      isAppOnly: result.isAppOnly,
      version: result.version,
      issuer: result.issuer,
      audience: result.audience,
      claims: result.claims,
    },
  };
}

/**
 * The validator and the remote JWKS a helper works with: a given validator (and `jwks`), or one built from
 * `options`; without keys in the options, the tenant's keys are fetched from Entra by a remote JWKS cache.
 * @param {{ validator?: Validator, options?: import('../types/api.js').EntraValidatorOptions, jwks?: RemoteJwks }} settings
 * @returns {{ validator: Validator, jwks: RemoteJwks | undefined }}
 */
function resolveValidator({ validator, options, jwks }) {
  if (!validator && !options) throw configError('validator', 'give a validator or options');
  const resolved = validator ?? new EntraValidator(/** @type {import('../types/api.js').EntraValidatorOptions} */ (options));
  let remote = jwks;
  if (!remote && !validator && options?.jwks === undefined && typeof options?.tenantId === 'string') {
    remote = createRemoteJwks({ tenantId: options.tenantId, cloud: options.cloud });
  }
  remote?.attach(resolved);
  return { validator: resolved, jwks: remote };
}

/**
 * @param {string[] | ((req: any) => string[] | undefined) | undefined} value
 * @param {unknown} req
 */
const permissions = (value, req) => (typeof value === 'function' ? value(req) : value);

/**
 * @param {((event: EntraAuditEvent) => void | Promise<void>) | undefined} hook
 * @param {EntraAuditEvent} event
 */
function callHook(hook, event) {
  if (typeof hook !== 'function') return;
  try {
    const pending = hook(event);
    if (pending && typeof pending.catch === 'function') pending.catch(() => {});
  } catch {
    // An audit hook must not change the answer a client gets.
  }
}

/**
 * @param {any} req
 * @param {ValidatedToken | null | undefined} result
 * @param {RefusalError | null} error
 * @returns {EntraAuditEvent}
 */
function auditEvent(req, result, error) {
  return {
    code: error ? error.code : 'ok',
    status: error ? error.status : 200,
    tenantId: result?.tenantId ?? null,
    objectId: result?.objectId ?? null,
    clientId: result?.clientId ?? null,
    ip: req.ip ?? req.socket?.remoteAddress ?? null,
    path: req.originalUrl ?? req.url ?? null,
  };
}

/**
 * Express (or Connect-style) middleware that requires a valid Entra access token. Sets `req.auth` to the
 * MCP SDK's AuthInfo; answers 401 / 403 with `WWW-Authenticate` itself. `requiredScopes` / `requiredRoles`
 * may be functions of the request (per MCP tool, say). Audit hooks get `{ code, status, tenantId,
 * objectId, clientId, ip, path }`, never the token.
 * @param {RequireEntraAuthOptions} settings
 * @returns {(req: any, res: any, next: (error?: unknown) => void) => Promise<void>}
 */
export function requireEntraAuth(settings) {
  const { validator, jwks } = resolveValidator(settings);
  const { resourceMetadataUrl, realm, onSuccess, onFailure, scopeMatch } = settings;
  return async function entraAuth(req, res, next) {
    /** @type {ValidatedToken | undefined} */
    let result;
    try {
      const token = bearerToken(req.headers?.authorization);
      if (token === null) {
        sendRefusal(res, refusal(null, { resourceMetadataUrl, realm }));
        callHook(onFailure, { ...auditEvent(req, null, null), code: 'token_missing', status: 401 });
        return;
      }
      const call = {
        requiredScopes: permissions(settings.requiredScopes, req),
        requiredRoles: permissions(settings.requiredRoles, req),
        scopeMatch,
      };
      result = await authenticate(validator, token, call, jwks);
      req.auth = toAuthInfo(token, result);
    } catch (error) {
      if (!(error instanceof EntraTokenError)) return next(error);
      sendRefusal(res, refusal(error, { resourceMetadataUrl, realm }));
      callHook(onFailure, auditEvent(req, null, error));
      return;
    }
    callHook(onSuccess, auditEvent(req, result, null));
    next();
  };
}

/**
 * @param {any} res a node:http ServerResponse (or Express's)
 * @param {Refusal} refused
 */
function sendRefusal(res, { status, headers, body }) {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

/**
 * An `OAuthTokenVerifier` for `@modelcontextprotocol/sdk`'s `requireBearerAuth`. Refusals become the SDK's
 * own `InvalidTokenError` / `InsufficientScopeError` / `ServerError` (anything else is a 500 there).
 * @param {Validator | EntraTokenVerifierOptions} validatorOrSettings
 * @param {Omit<EntraTokenVerifierOptions, 'validator' | 'options'>} [settings]
 */
export function entraTokenVerifier(validatorOrSettings, settings = {}) {
  /** @type {EntraTokenVerifierOptions} */
  const merged = validatorOrSettings instanceof EntraValidator
    ? { ...settings, validator: validatorOrSettings }
    : /** @type {EntraTokenVerifierOptions} */ (validatorOrSettings);
  const { validator, jwks } = resolveValidator(merged);
  const call = { requiredScopes: merged.requiredScopes, requiredRoles: merged.requiredRoles, scopeMatch: merged.scopeMatch };
  return {
    /** @param {string} token */
    async verifyAccessToken(token) {
      try {
        return toAuthInfo(token, await authenticate(validator, token, call, jwks));
      } catch (error) {
        if (!(error instanceof EntraTokenError)) throw error;
        // The SDK is a peer dependency, loaded only by those who use this verifier.
        const sdk = await import('@modelcontextprotocol/sdk/server/auth/errors.js');
        // The SDK writes the message into WWW-Authenticate unquoted: keep it header-safe.
        const message = `${error.code}: ${quotedText(error.message)}`;
        const Refusal = error.status === 403 ? sdk.InsufficientScopeError : error.status >= 500 ? sdk.ServerError : sdk.InvalidTokenError;
        throw Object.assign(new Refusal(message), { cause: error });
      }
    },
  };
}

/**
 * RFC 9728 §3.1: the metadata URL for a resource: `/.well-known/oauth-protected-resource` + the resource's path.
 * @param {string} resource
 */
export function protectedResourceMetadataUrl(resource) {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-protected-resource${path}`;
}

/**
 * The RFC 9728 protected-resource metadata document for an Entra-protected resource: the tenant's Entra v2
 * authority as the authorization server, so MCP clients obtain Entra tokens themselves. A plain object, for
 * any runtime (workers serve it with `Response.json`).
 * @param {ProtectedResourceMetadataOptions} options
 */
export function protectedResourceMetadataDocument({
  resource, tenantId, cloud = 'public', authorizationServers, scopesSupported, resourceName, resourceDocumentation, bearerMethodsSupported = ['header'],
}) {
  if (!resource || !URL.canParse(resource)) throw configError('resource', "the protected resource's absolute URL is required");
  if (!authorizationServers && !isTenant(tenantId)) {
    throw configError('tenantId', 'a tenant GUID (or common / organizations) is required unless authorizationServers is given');
  }
  if (!isCloud(cloud)) throw configError('cloud', 'use public, usgov or china');
  return {
    resource,
    authorization_servers: authorizationServers ?? [`https://${ENTRA.clouds[cloud].host}/${tenantId}/v2.0`],
    ...(scopesSupported ? { scopes_supported: scopesSupported } : {}),
    bearer_methods_supported: bearerMethodsSupported,
    ...(resourceName ? { resource_name: resourceName } : {}),
    ...(resourceDocumentation ? { resource_documentation: resourceDocumentation } : {}),
  };
}

/**
 * Middleware serving {@link protectedResourceMetadataDocument} at `/.well-known/oauth-protected-resource[/path]`.
 * @param {ProtectedResourceMetadataOptions} options
 * @returns {(req: any, res: any, next: (error?: unknown) => void) => void}
 */
export function protectedResourceMetadata(options) {
  const document = JSON.stringify(protectedResourceMetadataDocument(options));
  const paths = new Set([new URL(protectedResourceMetadataUrl(options.resource)).pathname, '/.well-known/oauth-protected-resource']);
  return function protectedResourceMetadataHandler(req, res, next) {
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    if (!paths.has(path)) return next();
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-allow-headers': '*' });
      return res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600', 'access-control-allow-origin': '*' });
    res.end(req.method === 'HEAD' ? undefined : document);
  };
}
