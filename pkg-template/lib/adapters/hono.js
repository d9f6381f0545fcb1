// entra-guard/hono: Hono middleware. A valid token's AuthInfo is set as `c.get('auth')`, where @hono/mcp's
// transport reads it (and where an @modelcontextprotocol/hono route passes it on as `authInfo`); a refused
// request gets the same status, WWW-Authenticate and JSON body as the Express middleware. Runs wherever
// Hono does (Node, workerd, browsers): it uses only the Web Request/Response of the context.
import { createGuard } from '../guard.js';

/** @typedef {import('../../types/adapters/hono.js').EntraAuthOptions} EntraAuthOptions */
/** @typedef {import('hono').Context} Context */
/** @typedef {import('hono').Next} Next */

/**
 * @param {EntraAuthOptions} settings
 * @returns {import('hono').MiddlewareHandler}
 */
export function entraAuth(settings) {
  const guard = createGuard(settings);
  return async function entraAuthMiddleware(c, next) {
    const outcome = await guard.check({
      authorization: c.req.header('authorization'),
      request: c,
      // The peer's address: @hono/node-server's socket, or Cloudflare's edge header (set by the edge, not the client).
      ip: c.env?.incoming?.socket?.remoteAddress ?? c.req.header('cf-connecting-ip') ?? null,
      path: c.req.path,
    });
    if (!outcome.ok) {
      const { status, headers, body } = outcome.refusal;
      return new Response(JSON.stringify(body), { status, headers: { ...headers, 'content-type': 'application/json' } });
    }
    c.set('auth', outcome.authInfo);
    await next();
    return undefined;
  };
}
