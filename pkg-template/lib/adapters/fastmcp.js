// entra-guard/fastmcp: the `authenticate` for `new FastMCP({ authenticate })` (HTTP streaming). It resolves
// to the session fastmcp gives tools as `context.session` (the AuthInfo), or throws a `Response` with the
// same status, WWW-Authenticate and JSON body as the Express middleware, which fastmcp sends as it is.
// Without an HTTP request (stdio) there is no token, so the session is refused.
import { createGuard } from '../guard.js';

/** @typedef {import('../../types/adapters/fastmcp.js').EntraAuthenticateOptions} EntraAuthenticateOptions */
/** @typedef {import('../../types/http.js').EntraAuthInfo} EntraAuthInfo */

/**
 * @param {EntraAuthenticateOptions} settings
 * @returns {(request: import('node:http').IncomingMessage | undefined) => Promise<EntraAuthInfo & Record<string, unknown>>}
 */
export function entraAuthenticate(settings) {
  const guard = createGuard(settings);
  return async function authenticate(request) {
    const outcome = await guard.check({
      authorization: request?.headers.authorization,
      request,
      ip: request?.socket?.remoteAddress ?? null,
      path: request?.url ?? null,
    });
    if (outcome.ok) return /** @type {EntraAuthInfo & Record<string, unknown>} */ (outcome.authInfo);
    const { status, headers, body } = outcome.refusal;
    throw new Response(JSON.stringify(body), { status, headers: { ...headers, 'content-type': 'application/json' } });
  };
}
