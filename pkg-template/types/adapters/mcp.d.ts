// entra-guard/mcp: an OAuthTokenVerifier for the MCP TypeScript SDK v2 (@modelcontextprotocol/server).
import type { EntraValidator } from '../api.js';
import type { EntraAuthInfo, EntraGuardSettings } from '../http.js';

/** The settings of entraTokenVerifier: those of every adapter; give `resource` so `expectedResource` works. */
export type EntraTokenVerifierOptions = EntraGuardSettings;

/**
 * A verifier for the SDK v2's `requireBearerAuth({ verifier })` (@modelcontextprotocol/express, the web-standard
 * gate of @modelcontextprotocol/server, mcp-handler). Refusals are the installed SDK's own `OAuthError`
 * (`invalid_token` 401, `insufficient_scope` 403, `server_error` 500), with the EntraTokenError as `cause`.
 * `AuthInfo.resource` is `resource` as a URL; `expiresAt` is always set.
 */
export declare function entraTokenVerifier(
  validator: EntraValidator | EntraTokenVerifierOptions,
  options?: Omit<EntraTokenVerifierOptions, 'validator' | 'options'>,
): { verifyAccessToken(token: string): Promise<EntraAuthInfo> };
