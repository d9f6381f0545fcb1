// entra-guard/fastmcp: the authenticate of new FastMCP({ authenticate }).
import type { IncomingMessage } from 'node:http';
import type { EntraAuthInfo, EntraGuardSettings } from '../http.js';

/** The settings of entraAuthenticate: those of every adapter. */
export type EntraAuthenticateOptions = EntraGuardSettings;

/** The session fastmcp gives tools as `context.session`: the AuthInfo. */
export type EntraSession = EntraAuthInfo & Record<string, unknown>;

/**
 * `new FastMCP({ authenticate: entraAuthenticate(settings) })`: resolves to the session, or throws a `Response`
 * (401 / 403 with the same WWW-Authenticate and JSON body as requireEntraAuth) that fastmcp sends as it is.
 */
export declare function entraAuthenticate(settings: EntraAuthenticateOptions): (request: IncomingMessage | undefined) => Promise<EntraSession>;
