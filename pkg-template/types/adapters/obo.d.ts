// entra-guard/obo: the on-behalf-of exchange, wrapping @azure/msal-node (an optional peer dependency).
import type { EntraCloud } from '../api.js';
import type { EntraAuthInfo } from '../http.js';

export interface OnBehalfOfOptions {
  /** The downstream scopes, e.g. `['https://graph.microsoft.com/User.Read']`. Required. */
  scopes: string[];
  /** The API app's own secret; or `clientCertificate`. Exactly one is required. */
  clientSecret?: string;
  /** The API app's certificate (MSAL's shape: SHA-256 thumbprint in hex, PEM private key, optional x5c chain). */
  clientCertificate?: { thumbprintSha256: string; privateKey: string; x5c?: string };
  /** The API app's client id. Default: the incoming token's audience when it is a GUID (v2 tokens). */
  clientId?: string;
  /** The tenant to exchange in. Default: the incoming token's tenant (the user's, as OBO requires). */
  tenantId?: string;
  /** Default `'public'`. */
  cloud?: EntraCloud;
  /** Where results are kept, per incoming token and scopes: default a shared bounded cache; `false` for none. */
  cache?: OboCache | false;
  /** Seconds before expiry a cached result stops being used. Default 300. */
  refreshBeforeSeconds?: number;
  /** More MSAL configuration (for example `system: { networkClient }` in tests, or `system.loggerOptions`). */
  msal?: Record<string, any>;
}

export interface OnBehalfOfResult {
  /** The downstream access token: send it to that API, never back to the client. */
  accessToken: string;
  expiresOn: Date;
  scopes: string[];
  tenantId: string;
  /** Whether it came from the cache. */
  fromCache: boolean;
}

/** A store of results; `createOboCache()` makes a bounded one. */
export interface OboCache {
  get(key: string): OnBehalfOfResult | undefined;
  set(key: string, value: OnBehalfOfResult): void;
  delete(key: string): unknown;
}

/**
 * - `obo_app_only`: the incoming token is app-only (nothing was sent to Entra);
 * - `obo_consent_required`: consent (or a conditional access step) is missing (AADSTS65001 and kin); `claims` may carry the challenge;
 * - `obo_assertion_refused`: Entra refused the incoming token as an assertion (AADSTS50013, 70000, ...);
 * - `obo_client_invalid`: the API's own credentials are wrong (AADSTS7000215, 700016, ...);
 * - `obo_unavailable`: Entra could not be reached, or answered without an AADSTS code;
 * - `obo_failed`: any other AADSTS error;
 * - `obo_config_invalid`: the options (or a missing @azure/msal-node).
 */
export type OnBehalfOfErrorCode =
  | 'obo_app_only'
  | 'obo_consent_required'
  | 'obo_assertion_refused'
  | 'obo_client_invalid'
  | 'obo_unavailable'
  | 'obo_failed'
  | 'obo_config_invalid';

export declare class OnBehalfOfError extends Error {
  constructor(code: OnBehalfOfErrorCode, message: string, details?: { aadsts?: number | null; status?: number; claims?: string | null; cause?: unknown });
  readonly name: 'OnBehalfOfError';
  readonly code: OnBehalfOfErrorCode;
  /** The AADSTS error number, when Entra answered one. */
  readonly aadsts: number | null;
  /** The HTTP status to pass on: 403 consent / app-only, 401 assertion, 500 configuration or credentials, 503 Entra unreachable or throttling, 502 any other Entra error. */
  readonly status: number;
  readonly claims: string | null;
}

/** Exchanges the validated incoming token for a downstream token, as the signed-in user. @throws OnBehalfOfError */
export declare function onBehalfOf(authInfo: EntraAuthInfo, options: OnBehalfOfOptions): Promise<OnBehalfOfResult>;

/** A bounded cache of results (oldest evicted first). Default 1000 entries. */
export declare function createOboCache(options?: { maxEntries?: number }): OboCache & { readonly size: number };
