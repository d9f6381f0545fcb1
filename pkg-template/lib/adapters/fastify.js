// entra-guard/fastify: a Fastify preHandler hook. A valid token's AuthInfo is set as `request.auth` and on
// the raw Node request as `request.raw.auth`, which is where the MCP SDK's Node transport reads it when a
// route hands it `request.raw` (the SDK v2 Fastify setup); a refused request gets the same status,
// WWW-Authenticate and JSON body as the Express middleware.
import { createGuard } from '../guard.js';

/** @typedef {import('../../types/adapters/fastify.js').EntraAuthOptions} EntraAuthOptions */

/**
 * @param {EntraAuthOptions} settings
 * @returns {import('fastify').preHandlerAsyncHookHandler}
 */
export function entraAuth(settings) {
  const guard = createGuard(settings);
  return async function entraAuthPreHandler(request, reply) {
    const outcome = await guard.check({ authorization: request.headers.authorization, request, ip: request.ip, path: request.url });
    if (!outcome.ok) {
      const { status, headers, body } = outcome.refusal;
      await reply.code(status).headers(headers).type('application/json').send(body);
      return;
    }
    /** @type {any} */ (request).auth = outcome.authInfo;
    /** @type {any} */ (request.raw).auth = outcome.authInfo;
  };
}
