// The runtime-neutral core every framework adapter stands on. From the settings (the same object for the
// Express middleware and every adapter) it builds one guard; per request the adapter hands it the
// Authorization header and its own request object, and gets back either the MCP SDK's AuthInfo or a
// refusal (status, headers, body) to send as it is. Nothing here decides validity: the core does, through
// EntraValidator; this file only orders the steps around it (the key refresh for an unknown kid, the
// caller's claimCheck, the audit hooks, the OpenTelemetry span).
import { EntraValidator } from './api.js';
import { bearerToken, missingToken, refusal } from './challenge.js';
import { EntraTokenError, configError, entraError } from './errors.js';
import { protectedResourceMetadataUrl, qualifiedScope } from './metadata.js';
import { createRemoteJwks } from './remote-jwks.js';
import { withSpan } from './telemetry.js';

/** @typedef {import('../types/http.js').EntraAuthInfo} EntraAuthInfo */
/** @typedef {import('../types/http.js').EntraGuardSettings} EntraGuardSettings */
/** @typedef {import('../types/http.js').EntraAuditEvent} EntraAuditEvent */
/** @typedef {import('../types/http.js').Refusal} Refusal */
/** @typedef {import('../types/http.js').Permissions} Permissions */
/** @typedef {import('../types/remote-jwks.js').RemoteJwks} RemoteJwksType */
/** @typedef {import('../types/api.js').ValidatedToken} ValidatedToken */
/** @typedef {import('../types/api.js').ValidateOptions} ValidateOptions */
/** @typedef {import('../types/api.js').Jwks} Jwks */
/** @typedef {import('../types/api.js').EntraValidator} Validator an EntraValidator, as the declarations describe it */

/**
 * What an adapter knows about a request: the Authorization header, its own request object (for
 * permissions that depend on it), and where it came from (for the audit hooks).
 * @typedef {object} GuardRequest
 * @property {string | string[] | null | undefined} authorization
 * @property {unknown} [request]
 * @property {string | null} [ip]
 * @property {string | null} [path]
 */

/**
 * A request's outcome: the identity, or a refusal to send as it is (`error.code` `token_missing`: no
 * credentials were sent, and the challenge names no error, RFC 6750 §3.1).
 * @typedef {{ ok: true, authInfo: EntraAuthInfo, result: ValidatedToken } | { ok: false, error: EntraTokenError, refusal: Refusal }} GuardOutcome
 */

const SETTINGS = new Set([
  'validator', 'options', 'jwks', 'resource', 'scopePrefix', 'resourceMetadataUrl', 'realm', 'requiredScopes',
  'requiredRoles', 'scopeMatch', 'claimCheck', 'onSuccess', 'onFailure', 'tracer',
]);

/**
 * Validates a token, refreshing a remote JWKS once (within its cooldown) when the token names an unknown
 * key: Entra rotates keys without notice, and a new key appears in the JWKS before tokens use it.
 * @param {Validator} validator
 * @param {string} token
 * @param {ValidateOptions} [call]
 * @param {RemoteJwksType} [jwks]
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
 * The MCP SDK's AuthInfo (v1 and v2 alike) for a validated token, with the Entra identity in `extra`.
 * `resource`, when given, is the protected resource the token was validated for (the SDK's
 * `requireBearerAuth({ expectedResource })` compares it).
 * @param {string} token
 * @param {ValidatedToken} result
 * @param {string} [resource]
 * @returns {EntraAuthInfo}
 */
export function toAuthInfo(token, result, resource) {
  return {
    token,
    clientId: result.clientId,
    scopes: [...result.scopes],
    expiresAt: Math.floor(result.expiresAt),
    ...(resource === undefined ? {} : { resource: new URL(resource) }),
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
 * A remote JWKS (createRemoteJwks), recognised by what it does rather than by its class, so one made by
 * another copy of this package works too.
 * @param {unknown} value
 * @returns {value is RemoteJwksType}
 */
function isRemoteJwks(value) {
  const candidate = /** @type {Partial<RemoteJwksType> | null} */ (value);
  return typeof candidate?.attach === 'function' && typeof candidate.get === 'function' && typeof candidate.refreshForUnknownKey === 'function';
}

/**
 * The remote JWKS behind `jwks`: a RemoteJwks as it is; a JWKS object or its JSON text becomes the
 * validator's static keys. Anything else is a configuration error naming `jwks`.
 * @param {Validator} validator
 * @param {EntraGuardSettings['jwks']} jwks
 * @returns {RemoteJwksType | undefined}
 */
function keysFor(validator, jwks) {
  if (jwks === undefined) return undefined;
  if (isRemoteJwks(jwks)) return jwks.attach(validator);
  const isKeySet = typeof jwks === 'string' || (jwks !== null && typeof jwks === 'object' && Array.isArray(/** @type {Jwks} */ (jwks).keys));
  if (!isKeySet) {
    throw configError('jwks', 'must be a remote JWKS (createRemoteJwks), a JWKS object ({ keys: [...] }) or its JSON text');
  }
  validator.setJwks(/** @type {Jwks | string} */ (jwks));
  return undefined;
}

/**
 * The validator and the remote JWKS of `settings`: a given validator, or one built from `options`; without
 * keys anywhere, the tenant's keys come from Entra through a remote JWKS cache.
 * @param {EntraGuardSettings} settings
 * @returns {{ validator: Validator, jwks: RemoteJwksType | undefined }}
 */
function resolveValidator({ validator, options, jwks }) {
  if (!validator && !options) throw configError('validator', 'give a validator or options');
  if (validator && options) throw configError('options', 'give a validator or options, not both');
  const resolved = validator ?? new EntraValidator(/** @type {import('../types/api.js').EntraValidatorOptions} */ (options));
  if (validator && typeof validator.validate !== 'function') throw configError('validator', 'must be an EntraValidator');
  const remote = keysFor(resolved, jwks);
  if (remote || jwks !== undefined) return { validator: resolved, jwks: remote };
  if (!validator && options?.jwks === undefined && typeof options?.tenantId === 'string') {
    return { validator: resolved, jwks: createRemoteJwks({ tenantId: options.tenantId, cloud: options.cloud }).attach(resolved) };
  }
  return { validator: resolved, jwks: undefined };
}

/**
 * @param {Permissions | undefined} value
 * @param {string} name
 */
function permissionsSetting(value, name) {
  const ok = value === undefined || typeof value === 'function' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
  if (!ok) throw configError(name, 'must be a list of strings, or a function of the request returning one');
}

/**
 * @param {Permissions | undefined} value
 * @param {unknown} request
 * @returns {Promise<string[] | undefined>}
 */
async function permissions(value, request) {
  return typeof value === 'function' ? value(request) : value;
}

/**
 * Calls an audit hook. A hook must not change the answer a client gets, so its failures are swallowed.
 * @param {((event: EntraAuditEvent) => void | Promise<void>) | undefined} hook
 * @param {EntraAuditEvent} event
 */
function callHook(hook, event) {
  if (typeof hook !== 'function') return;
  try {
    const pending = hook(event);
    if (pending && typeof pending.catch === 'function') pending.catch(() => {});
  } catch {
    // See above.
  }
}

/**
 * @param {GuardRequest} input
 * @param {ValidatedToken | null} result
 * @param {EntraTokenError | null} error
 * @returns {EntraAuditEvent}
 */
function auditEvent(input, result, error) {
  return {
    code: error ? error.code : 'ok',
    status: error ? error.status : 200,
    tenantId: result?.tenantId ?? null,
    objectId: result?.objectId ?? null,
    clientId: result?.clientId ?? null,
    ip: input.ip ?? null,
    path: input.path ?? null,
  };
}

/**
 * The caller's own rule (`claimCheck`), after every check of the core passed: `true` accepts; a string
 * refuses with that message (`claim_invalid`, check `claim_check`, 401); anything else refuses too, so a
 * check that returns `false` or nothing cannot let a token through. A check that throws is the server's
 * fault: `config_invalid`, a 500.
 * @param {EntraGuardSettings['claimCheck']} claimCheck
 * @param {ValidatedToken} result
 */
async function callerClaimCheck(claimCheck, result) {
  if (claimCheck === undefined) return;
  let verdict;
  try {
    verdict = await claimCheck(result.claims, result);
  } catch (cause) {
    throw entraError('config_invalid', 'claim_check', 'claimCheck', `option claimCheck is invalid: it threw (${/** @type {Error} */ (cause)?.message ?? cause})`, cause);
  }
  if (verdict === true) return;
  const message = typeof verdict === 'string' && verdict !== '' ? verdict : `claimCheck returned ${JSON.stringify(verdict) ?? String(verdict)}, not true`;
  throw entraError('claim_invalid', 'claim_check', null, `claim check refused the token: ${message}`);
}

/**
 * Builds the guard for `settings`. Every setting is checked here, once: a mistake is `config_invalid`
 * when the middleware is created, not a 500 on the first request.
 * @param {EntraGuardSettings} settings
 */
export function createGuard(settings) {
  if (settings === null || typeof settings !== 'object') throw configError('settings', 'must be an object');
  for (const name of Object.keys(settings)) {
    if (!SETTINGS.has(name)) throw configError(name, `unknown setting; known: ${[...SETTINGS].join(', ')}`);
  }
  const { resource, realm, scopeMatch, claimCheck, onSuccess, onFailure, tracer } = settings;
  if (resource !== undefined && (typeof resource !== 'string' || !URL.canParse(resource))) {
    throw configError('resource', "must be the protected resource's absolute URL (e.g. https://mcp.example.com/mcp)");
  }
  const scopePrefix = settings.scopePrefix ?? resource;
  if (scopePrefix !== undefined && (typeof scopePrefix !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(scopePrefix))) {
    throw configError('scopePrefix', 'must be an identifier URI of the API app, such as https://mcp.example.com/mcp or api://<client-id>');
  }
  if (claimCheck !== undefined && typeof claimCheck !== 'function') throw configError('claimCheck', 'must be a function (claims) => true | string');
  permissionsSetting(settings.requiredScopes, 'requiredScopes');
  permissionsSetting(settings.requiredRoles, 'requiredRoles');
  const { validator, jwks } = resolveValidator(settings);
  const resourceMetadataUrl = settings.resourceMetadataUrl ?? (resource === undefined ? undefined : protectedResourceMetadataUrl(resource));
  const challenge = { resourceMetadataUrl, realm };

  /**
   * This request's requirements (permissions may be functions of the framework's request).
   * @param {unknown} request
   * @returns {Promise<ValidateOptions>}
   */
  async function requirementsOf(request) {
    return {
      requiredScopes: await permissions(settings.requiredScopes, request),
      requiredRoles: await permissions(settings.requiredRoles, request),
      scopeMatch,
    };
  }

  /**
   * The `scope` of a challenge, in Entra's qualified form when a prefix is known: for a 403 every scope the
   * operation needs (a missing app role cannot be asked for, only granted: then `{prefix}/.default`, the
   * request an app-only client makes); for a 401 the scopes this request requires, which MCP clients request
   * first (MCP authorization 2025-11-25, "Scope Selection Strategy"). Without a prefix a 401 names none, and
   * a 403 the bare names (a bare name would mean a Microsoft Graph scope to Entra).
   * @param {EntraTokenError} error
   * @param {ValidateOptions} call
   * @returns {string[] | undefined}
   */
  function challengeScopes(error, call) {
    if (error.code === 'insufficient_role') return scopePrefix === undefined ? error.requiredPermissions : [qualifiedScope('.default', scopePrefix)];
    if (scopePrefix === undefined) return undefined;
    const scopes = error.code === 'insufficient_scope' ? error.requiredPermissions : error.status === 401 ? call.requiredScopes : undefined;
    return scopes?.length ? scopes.map((scope) => qualifiedScope(scope, scopePrefix)) : undefined;
  }

  /**
   * @param {EntraTokenError} error
   * @param {ValidateOptions} call
   * @returns {Refusal}
   */
  const refuse = (error, call) => refusal(error, { ...challenge, scopes: challengeScopes(error, call) });

  /**
   * Validates `token` for `request` (the adapter's own request object, for permission functions).
   * @param {string} token
   * @param {unknown} [request]
   * @param {ValidateOptions} [requirements] this request's requirements, when the caller already has them
   * @returns {Promise<{ authInfo: EntraAuthInfo, result: ValidatedToken }>}
   * @throws {EntraTokenError} the refusal
   */
  async function verify(token, request, requirements) {
    return withSpan(tracer, async (span) => {
      try {
        const call = requirements ?? (await requirementsOf(request));
        const result = await authenticate(validator, token, call, jwks);
        span.tenant(result.tenantId);
        await callerClaimCheck(claimCheck, result);
        span.accepted();
        return { authInfo: toAuthInfo(token, result, resource), result };
      } catch (error) {
        if (error instanceof EntraTokenError) span.refused(error);
        throw error;
      }
    });
  }

  return {
    validator,
    jwks,
    /** What a refusal's WWW-Authenticate points at. */
    challenge,
    verify,
    /** The refusal for `error` (status, WWW-Authenticate with this guard's metadata URL and scopes, body). */
    refusal: refuse,

    /**
     * One request: the token from its Authorization header, validated, or the refusal to send. Errors
     * that are not EntraTokenError (a bug, a broken hook of the platform) propagate: the framework's own
     * error handling answers them.
     * @param {GuardRequest} input
     * @returns {Promise<GuardOutcome>}
     */
    async check(input) {
      const call = await requirementsOf(input.request);
      /** @param {EntraTokenError} error @returns {GuardOutcome} */
      const refused = (error) => {
        callHook(onFailure, auditEvent(input, null, error));
        return { ok: false, error, refusal: refuse(error, call) };
      };
      let token;
      try {
        token = bearerToken(input.authorization);
      } catch (error) {
        if (!(error instanceof EntraTokenError)) throw error;
        return refused(error);
      }
      if (token === null) return refused(missingToken());
      try {
        const { authInfo, result } = await verify(token, input.request, call);
        callHook(onSuccess, auditEvent(input, result, null));
        return { ok: true, authInfo, result };
      } catch (error) {
        if (!(error instanceof EntraTokenError)) throw error;
        return refused(error);
      }
    },
  };
}
