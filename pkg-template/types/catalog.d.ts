// Generated from the Rust core (src/catalog.rs) by tests/core/catalog.rs. Do not edit: change the core
// and run `ENTRA_GUARD_WRITE_CATALOG=1 cargo test --test core catalog` (CI fails while this file is stale).

/** The stable error codes (src/error.rs `ErrorCode`), in the README's order. */
export type EntraErrorCode =
  | 'token_missing'
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
  | 'config_invalid'
  | 'internal_error';

/** The check that refused (src/error.rs `Check`); from 'size' to 'claim_check' in the order a token meets them. */
export type EntraCheck =
  | 'config'
  | 'request'
  | 'size'
  | 'jws'
  | 'header'
  | 'graph'
  | 'key'
  | 'signature'
  | 'payload'
  | 'replicated_claims'
  | 'ver'
  | 'tid'
  | 'iss'
  | 'key_issuer'
  | 'tenant'
  | 'aud'
  | 'iat'
  | 'id_token'
  | 'client'
  | 'token_type'
  | 'scp'
  | 'roles'
  | 'lifetime'
  | 'scope'
  | 'role'
  | 'claim_check'
  | 'jwks'
  | 'internal';

/** The core's catalog, as lib/catalog.js holds it. */
export interface Catalog {
  readonly codes: ReadonlyArray<{ readonly code: EntraErrorCode; readonly status: number }>;
  readonly checks: readonly EntraCheck[];
  readonly limits: {
    readonly maxTokenBytes: number;
    readonly maxHeaderSegmentBytes: number;
    readonly maxJwksBytes: number;
    readonly maxJwksKeys: number;
  };
  readonly clouds: Readonly<Record<'china' | 'public' | 'usgov', { readonly v1: string; readonly v2: string }>>;
  readonly tenantAliases: readonly string[];
  readonly consumerTenantId: string;
  readonly tenantPlaceholder: string;
  /** A validated token's members other than `claims`, in the order the core sends their values. */
  readonly resultMembers: readonly string[];
}
