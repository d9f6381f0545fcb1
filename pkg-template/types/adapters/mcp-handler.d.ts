// entra-guard/mcp-handler: the verifyToken of mcp-handler's withMcpAuth.
import type { EntraAuthInfo, EntraGuardSettings } from '../http.js';

/** The settings of entraVerifyToken: those of every adapter. */
export type EntraVerifyTokenOptions = EntraGuardSettings;

/**
 * `withMcpAuth(handler, entraVerifyToken(settings), options)`: resolves to the AuthInfo, or throws the SDK v2's
 * own `OAuthError`, which withMcpAuth answers with 401 / 403. A request without a token is refused even with
 * withMcpAuth's default `required: false`.
 */
export declare function entraVerifyToken(settings: EntraVerifyTokenOptions): (req: Request, bearerToken?: string) => Promise<EntraAuthInfo>;
