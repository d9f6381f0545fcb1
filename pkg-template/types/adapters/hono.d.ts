// entra-guard/hono: Hono middleware.
import type { MiddlewareHandler } from 'hono';
import type { EntraAuthInfo, EntraGuardSettings } from '../http.js';

/** The settings of entraAuth: those of every adapter. */
export type EntraAuthOptions = EntraGuardSettings;

/** What the middleware sets: `c.get('auth')` (what @hono/mcp's transport reads). */
export type EntraAuthEnv = { Variables: { auth: EntraAuthInfo } };

/**
 * Requires a valid Entra access token: sets `c.set('auth', authInfo)`, or answers 401 / 403 with the same
 * WWW-Authenticate and JSON body as requireEntraAuth. Runs under Node and workerd.
 */
export declare function entraAuth(settings: EntraAuthOptions): MiddlewareHandler<EntraAuthEnv>;
