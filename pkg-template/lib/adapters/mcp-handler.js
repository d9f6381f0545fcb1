// entra-guard/mcp-handler: the `verifyToken` for mcp-handler's `withMcpAuth(handler, verifyToken, options)`.
// It resolves to the AuthInfo (which withMcpAuth sets as `req.auth` for the MCP handler) and refuses with the
// SDK v2's own OAuthError (the caller's installed @modelcontextprotocol/server, mcp-handler's peer), which
// withMcpAuth answers with 401 or 403 and its challenge. A request without a token is refused too, even with
// withMcpAuth's default `required: false`, which would otherwise let it through unauthenticated.
import { createGuard } from '../guard.js';
import { sdkOAuthError } from './mcp.js';

/** @typedef {import('../../types/adapters/mcp-handler.js').EntraVerifyTokenOptions} EntraVerifyTokenOptions */

/**
 * @param {EntraVerifyTokenOptions} settings
 * @returns {(req: Request, bearerToken?: string) => Promise<import('../../types/http.js').EntraAuthInfo>}
 */
export function entraVerifyToken(settings) {
  const guard = createGuard(settings);
  return async function verifyToken(req) {
    const outcome = await guard.check({ authorization: req.headers.get('authorization'), request: req, path: new URL(req.url).pathname });
    if (outcome.ok) return outcome.authInfo;
    throw await sdkOAuthError(outcome.error);
  };
}
