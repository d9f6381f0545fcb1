// Generated from the Rust core (src/catalog.rs) by tests/core/catalog.rs. Do not edit: change the core
// and run `ENTRA_GUARD_WRITE_CATALOG=1 cargo test --test core catalog` (CI fails while this file is stale).
import { deepFreeze } from './freeze.js';

/** @type {import('../types/catalog.js').Catalog} */
export const CATALOG = deepFreeze({
  "checks": [
    "config",
    "request",
    "size",
    "jws",
    "header",
    "graph",
    "key",
    "signature",
    "payload",
    "replicated_claims",
    "ver",
    "tid",
    "iss",
    "key_issuer",
    "tenant",
    "aud",
    "iat",
    "id_token",
    "client",
    "token_type",
    "scp",
    "roles",
    "lifetime",
    "scope",
    "role",
    "claim_check",
    "jwks",
    "internal"
  ],
  "clouds": {
    "china": {
      "v1": "https://sts.chinacloudapi.cn/{tenantid}/",
      "v2": "https://login.partner.microsoftonline.cn/{tenantid}/v2.0"
    },
    "public": {
      "v1": "https://sts.windows.net/{tenantid}/",
      "v2": "https://login.microsoftonline.com/{tenantid}/v2.0"
    },
    "usgov": {
      "v1": "https://sts.windows.net/{tenantid}/",
      "v2": "https://login.microsoftonline.us/{tenantid}/v2.0"
    }
  },
  "codes": [
    {
      "code": "token_missing",
      "status": 401
    },
    {
      "code": "token_malformed",
      "status": 401
    },
    {
      "code": "token_too_large",
      "status": 401
    },
    {
      "code": "algorithm_not_allowed",
      "status": 401
    },
    {
      "code": "key_not_found",
      "status": 401
    },
    {
      "code": "signature_invalid",
      "status": 401
    },
    {
      "code": "graph_token",
      "status": 401
    },
    {
      "code": "token_expired",
      "status": 401
    },
    {
      "code": "token_not_yet_valid",
      "status": 401
    },
    {
      "code": "issuer_invalid",
      "status": 401
    },
    {
      "code": "audience_invalid",
      "status": 401
    },
    {
      "code": "tenant_not_allowed",
      "status": 401
    },
    {
      "code": "client_not_allowed",
      "status": 401
    },
    {
      "code": "claim_missing",
      "status": 401
    },
    {
      "code": "claim_invalid",
      "status": 401
    },
    {
      "code": "token_type_not_allowed",
      "status": 401
    },
    {
      "code": "insufficient_scope",
      "status": 403
    },
    {
      "code": "insufficient_role",
      "status": 403
    },
    {
      "code": "jwks_invalid",
      "status": 500
    },
    {
      "code": "config_invalid",
      "status": 500
    },
    {
      "code": "internal_error",
      "status": 500
    }
  ],
  "consumerTenantId": "9188040d-6c67-4c5b-b112-36a304b66dad",
  "limits": {
    "maxHeaderSegmentBytes": 2048,
    "maxJwksBytes": 524288,
    "maxJwksKeys": 100,
    "maxTokenBytes": 16384
  },
  "resultMembers": [
    "audience",
    "clientId",
    "expiresAt",
    "isAppOnly",
    "issuer",
    "keyId",
    "objectId",
    "roles",
    "scopes",
    "signatureVerifiedBy",
    "subject",
    "tenantId",
    "version"
  ],
  "tenantAliases": [
    "common",
    "organizations",
    "consumers"
  ],
  "tenantPlaceholder": "{tenantid}"
});
