// Express (or Connect, or plain node:http) middleware over the guard: the request's Authorization header
// in, `req.auth` (the MCP SDK's AuthInfo, which its transports read) or the refusal out.
import { createGuard } from './guard.js';

/** @typedef {import('../types/http.js').RequireEntraAuthOptions} RequireEntraAuthOptions */
/** @typedef {import('../types/http.js').Refusal} Refusal */

/**
 * Middleware that requires a valid Entra access token. Sets `req.auth` to the MCP SDK's AuthInfo; answers
 * 401 / 403 with `WWW-Authenticate` itself. `requiredScopes` / `requiredRoles` may be functions of the
 * request (per MCP tool, say). Audit hooks get `{ code, status, tenantId, objectId, clientId, ip, path }`,
 * never the token.
 * @param {RequireEntraAuthOptions} settings
 * @returns {(req: any, res: any, next: (error?: unknown) => void) => Promise<void>}
 */
export function requireEntraAuth(settings) {
  const guard = createGuard(settings);
  return async function entraAuth(req, res, next) {
    let outcome;
    try {
      outcome = await guard.check({
        authorization: req.headers?.authorization,
        request: req,
        ip: req.ip ?? req.socket?.remoteAddress ?? null,
        path: req.originalUrl ?? req.url ?? null,
      });
    } catch (error) {
      next(error);
      return;
    }
    if (!outcome.ok) {
      sendRefusal(res, outcome.refusal);
      return;
    }
    req.auth = outcome.authInfo;
    next();
  };
}

/**
 * Writes a refusal to a node:http ServerResponse (or Express's).
 * @param {any} res
 * @param {Refusal} refused
 */
export function sendRefusal(res, { status, headers, body }) {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}
