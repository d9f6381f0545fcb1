// Type declarations for entra-guard (hand-written; the wasm glue's own types are internal).

/** The stable error codes. */
export type EntraErrorCode =
  | 'token_malformed'
  | 'token_too_large'
  | 'algorithm_not_allowed'
  | 'key_not_found'
  | 'signature_invalid'
  | 'graph_token'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'issuer_invalid'
  | 'audience_invalid'
  | 'tenant_not_allowed'
  | 'client_not_allowed'
  | 'claim_missing'
  | 'claim_invalid'
  | 'token_type_not_allowed'
  | 'insufficient_scope'
  | 'insufficient_role'
  | 'jwks_invalid'
  | 'config_invalid';

export declare const ERROR_CODES: readonly EntraErrorCode[];

/** A JSON Web Key Set as Entra publishes it (`.../discovery/v2.0/keys`). */
export interface Jwks {
  keys: Array<Record<string, unknown>>;
}

export interface EntraValidatorOptions {
  /** The keys to trust: an object or its JSON text. May instead be supplied later with `setJwks`. */
  jwks?: Jwks | string;
  /** Your tenant's GUID (single tenant), or `"common"` / `"organizations"` (multi-tenant, needs `allowedTenants`), or `"consumers"`. Required unless `issuers` is given. */
  tenantId?: string;
  /** Extra tenant GUIDs allowed to call; with `common`/`organizations`, the allow-list (`["*"]` = every tenant). */
  allowedTenants?: string[];
  /** Required. The API's client id (GUID) and/or App ID URI (`api://...`); each form a token may carry must be listed. */
  audience: string | string[];
  /** Extra exact issuers, or templates with one `{tenantid}` (B2C, External ID, custom clouds). */
  issuers?: string[];
  /** Which cloud's built-in issuers apply. Default `"public"`. */
  cloud?: 'public' | 'usgov' | 'china';
  /** Leeway for `exp` and `nbf`, 0 to 600 seconds. Default 300 (as Microsoft.IdentityModel). */
  clockToleranceSeconds?: number;
  /** Accepted `ver` claims. Default `["1.0", "2.0"]`. */
  acceptedVersions?: Array<'1.0' | '2.0'>;
  /** When set, only these client applications (`azp` / `appid`) may call. */
  allowedClientIds?: string[];
  /** `"user"` refuses app-only tokens, `"app"` refuses delegated ones. Default `"any"`. */
  tokenTypes?: 'any' | 'user' | 'app';
  /** Delegated scopes (`scp`) every call requires. */
  requiredScopes?: string[];
  /** App roles (`roles`) every call requires. */
  requiredRoles?: string[];
  /** `"all"` (default) or `"any"` of the listed scopes / roles. */
  scopeMatch?: 'all' | 'any';
  /** Accepted `alg` values. Default and only supported value: `["RS256"]`. */
  algorithms?: Array<'RS256'>;
}

export interface ValidateOptions {
  /** The time to validate at: seconds since the epoch, or a Date. Default: now. */
  now?: number | Date;
  /** Delegated scopes this call requires, in addition to the validator's. */
  requiredScopes?: string[];
  /** App roles this call requires, in addition to the validator's. */
  requiredRoles?: string[];
  /** `"all"` (default) or `"any"` for this call's lists. */
  scopeMatch?: 'all' | 'any';
}

/** The identity in a valid token. Authorise on `tenantId` + `objectId`, never on names or e-mail addresses. */
export interface ValidatedToken {
  /** Every claim of the token, as issued. */
  claims: Record<string, unknown>;
  tenantId: string | null;
  objectId: string | null;
  subject: string | null;
  /** `azp` (v2) or `appid` (v1): the calling application. */
  clientId: string;
  scopes: string[];
  roles: string[];
  isAppOnly: boolean;
  version: '1.0' | '2.0';
  issuer: string;
  /** The `aud` value that matched. */
  audience: string;
  /** `exp`, seconds since the epoch. */
  expiresAt: number;
  /** The `kid` (or `x5t`) of the key that verified the token. */
  keyId: string | null;
}

export interface SetJwksResult {
  /** The kids of the usable keys. */
  keys: Array<string | null>;
  /** Keys present but unusable (wrong type or use, too small, other exponent), with the reason. */
  ignored: Array<{ kid: string | null; reason: string }>;
}

export declare class EntraTokenError extends Error {
  readonly name: 'EntraTokenError';
  readonly code: EntraErrorCode;
  /** 401, or 403 for insufficient_scope / insufficient_role; 500 for config_invalid / jwks_invalid. */
  readonly status: number;
  /** The claim, header parameter or option concerned, where there is one. */
  readonly claim: string | null;
  /** For insufficient_scope / insufficient_role: what the call requires. */
  readonly requiredPermissions?: string[];
}

export declare class EntraValidator {
  /** @throws EntraTokenError `config_invalid` naming the option, or `jwks_invalid`. */
  constructor(options: EntraValidatorOptions);
  /** Replaces the trusted keys; on failure the previous keys stay in force. @throws EntraTokenError `jwks_invalid`. */
  setJwks(jwks: Jwks | string): SetJwksResult;
  /** @throws EntraTokenError */
  validate(token: string, options?: ValidateOptions): ValidatedToken;
  /** Frees the wasm memory now rather than at garbage collection. */
  free(): void;
}
