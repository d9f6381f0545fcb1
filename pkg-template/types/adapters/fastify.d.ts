// entra-guard/fastify: a Fastify preHandler hook.
import type { preHandlerAsyncHookHandler } from 'fastify';
import type { EntraAuthInfo, EntraGuardSettings } from '../http.js';

/** The settings of entraAuth: those of every adapter. */
export type EntraAuthOptions = EntraGuardSettings;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by entra-guard's entraAuth preHandler. */
    auth?: EntraAuthInfo;
  }
}

/**
 * A preHandler requiring a valid Entra access token: sets `request.auth` and `request.raw.auth` (what the MCP
 * SDK's Node transport reads), or answers 401 / 403 with the same WWW-Authenticate and JSON body as
 * requireEntraAuth.
 */
export declare function entraAuth(settings: EntraAuthOptions): preHandlerAsyncHookHandler;
