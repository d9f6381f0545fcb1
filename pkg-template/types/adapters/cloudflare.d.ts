// entra-guard/cloudflare: the validateToken of @cloudflare/workers-oauth-provider's OAuthResourceServer.
import type { EntraAuthInfo, EntraGuardSettings } from '../http.js';

/** The settings of entraValidateToken: those of every adapter; `resource` is required (the audience). */
export type EntraValidateTokenOptions = EntraGuardSettings & { resource: string };

/** The Entra identity handed to the worker's handler as `ctx.props`. */
export type EntraProps = NonNullable<EntraAuthInfo['extra']> & { clientId: string; scopes: string[] };

/** What OAuthResourceServer receives for a valid token. */
export interface EntraTokenValidation {
  props: EntraProps;
  /** The configured `resource`. */
  audience: string;
  /** `exp`, seconds since the epoch. */
  expiresAt?: number;
  scope: string[];
  clientId: string;
  /** `oid`. */
  userId?: string;
}

/**
 * `new OAuthResourceServer({ validateToken: entraValidateToken(settings), ... })`. `settings` may be a function
 * of the worker's `env` (bindings); the guard is built once per `env`. A refused token throws the provider's
 * own `OAuthError` with this package's WWW-Authenticate (401 / 403); keys or options that cannot be used are a 500.
 */
export declare function entraValidateToken(
  settings: EntraValidateTokenOptions | ((env: any) => EntraValidateTokenOptions),
): (env: any, request: Request) => (resource: string, token: string) => Promise<EntraTokenValidation | null>;
