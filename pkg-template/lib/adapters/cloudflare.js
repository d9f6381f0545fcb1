// entra-guard/cloudflare: the `validateToken` of @cloudflare/workers-oauth-provider's `OAuthResourceServer`.
// A valid token becomes `{ props, audience, expiresAt, scope, clientId, userId }`, with `audience` the
// configured `resource` (the provider compares it with its canonical resource) and the Entra identity as
// `props`; a refused token throws the provider's own OAuthError (the caller's installed copy) carrying the
// same WWW-Authenticate as the Express middleware, so the provider answers 401 or 403 with it; a server
// fault (keys or options unusable) is a 500.
import { refusal } from '../challenge.js';
import { EntraTokenError, configError } from '../errors.js';
import { createGuard } from '../guard.js';

/** @typedef {import('../../types/adapters/cloudflare.js').EntraValidateTokenOptions} EntraValidateTokenOptions */
/** @typedef {import('../../types/adapters/cloudflare.js').EntraTokenValidation} EntraTokenValidation */
/** @typedef {import('../../types/http.js').EntraAuthInfo} EntraAuthInfo */

/**
 * The provider's OAuthError for a refusal: its code decides the status (401, 403), and the headers carry
 * this package's challenge.
 * @param {import('../../types/api.js').EntraTokenError} error
 * @param {import('../../types/http.js').Refusal} refused
 */
async function providerError(error, refused) {
  const { OAuthError } = await import('@cloudflare/workers-oauth-provider');
  const code = error.status === 403 ? 'insufficient_scope' : error.status >= 500 ? 'server_error' : 'invalid_token';
  // Only the challenge: the provider sets its own Cache-Control.
  const headers = refused.headers['www-authenticate'] ? { 'WWW-Authenticate': refused.headers['www-authenticate'] } : undefined;
  return Object.assign(new OAuthError(code, {
    description: `${error.code}: ${error.message}`,
    statusCode: refused.status,
    ...(headers ? { headers } : {}),
    ...(error.requiredPermissions ? { requiredScopes: error.requiredPermissions } : {}),
  }), { cause: error });
}

/**
 * `settings`, or a function of the worker's `env` returning them (bindings such as TENANT_ID); the guard is
 * built once per `env` object, so the verified-token cache and the key cache last as long as the isolate.
 * @param {EntraValidateTokenOptions | ((env: any) => EntraValidateTokenOptions)} settings
 * @returns {(env: any, request: Request) => (resource: string, token: string) => Promise<EntraTokenValidation | null>}
 */
export function entraValidateToken(settings) {
  /** @typedef {{ guard: ReturnType<typeof createGuard>, resource: string }} Built */
  /** @type {WeakMap<object, Built>} */
  const built = new WeakMap();
  /** @type {Built | undefined} */
  let fixed;
  /** @param {EntraValidateTokenOptions} chosen @returns {Built} */
  const build = (chosen) => {
    if (typeof chosen?.resource !== 'string') {
      throw configError('resource', "is required: the canonical resource URL the OAuthResourceServer serves, which becomes the validation's audience");
    }
    return { guard: createGuard(chosen), resource: chosen.resource };
  };
  /** @param {any} env */
  const guardFor = (env) => {
    if (typeof settings !== 'function') return (fixed ??= build(settings));
    const key = env !== null && typeof env === 'object' ? env : built;
    let entry = built.get(key);
    if (!entry) {
      entry = build(settings(env));
      built.set(key, entry);
    }
    return entry;
  };
  return (env, request) => async (_providerResource, token) => {
    let entry;
    try {
      entry = guardFor(env);
    } catch (error) {
      // Settings the guard cannot use (options, keys): the server's fault, a 500 with the reason in the log,
      // never a 401 that would send the client for a new token.
      if (!(error instanceof EntraTokenError)) throw error;
      console.error(`entra-guard/cloudflare: ${error.code}: ${error.message}`);
      throw await providerError(error, refusal(error));
    }
    const { guard, resource } = entry;
    const outcome = await guard.check({ authorization: `Bearer ${token}`, request, path: new URL(request.url).pathname });
    if (!outcome.ok) {
      throw await providerError(outcome.error, outcome.refusal);
    }
    const { authInfo } = outcome;
    const extra = /** @type {NonNullable<EntraAuthInfo['extra']>} */ (authInfo.extra);
    return {
      props: { ...extra, clientId: authInfo.clientId, scopes: authInfo.scopes },
      audience: resource,
      expiresAt: authInfo.expiresAt,
      scope: authInfo.scopes,
      clientId: authInfo.clientId,
      ...(extra.objectId ? { userId: extra.objectId } : {}),
    };
  };
}
