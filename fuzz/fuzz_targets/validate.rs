//! The whole validator, cache included, at a fixed `now` against a JWKS of the test keys.
//!
//! Input: `[policy byte][requirements byte]` then up to four tokens separated by `\n`.
//!
//! policy byte   bits 0-2  policy variant (see `validator`): single tenant, multi-tenant (any / any
//!                         organisation / listed), issuer templates, exact issuers, restricted, usgov
//!               bit 3     cache on (else cacheSize 0)       bits 4-5  cacheSize 1..=4 when on
//!               bit 6     also validate after every token's expiry, then at `NOW` again
//!               bit 7     rotate the JWKS (key-3072 removed) and validate every token again
//! requirements  bits 0-1  required scopes                    bits 2-3  required roles
//!               bit 4     scopeMatch "any"
//!
//! Oracles, besides "no panic":
//! - the same token twice (the second normally a cache hit) gives the same answer, and the binding
//!   paths (`answer` without copy, `cached_result`, `recheck_cached`) agree with it;
//! - a token validates only if it is one of the tokens the seeds were minted with (fixtures/signed_tokens.txt):
//!   the fuzzer cannot produce a signature, so anything else validating is a forgery or malleability;
//! - after the rotation, no token signed by the removed key validates (stale cache entries are dropped);
//! - at the end, the known-good token (fixtures/known_good.jwt) still validates: no state corruption.
#![no_main]

use entra_guard::policy::Policy;
use entra_guard::{Error, Requirements, ScopeMatch, ValidatedToken, Validator};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const JWKS: &str = include_str!("../fixtures/jwks.json");
const JWKS_ROTATED: &str = include_str!("../fixtures/jwks_rotated.json");
const KNOWN_GOOD: &str = include_str!("../fixtures/known_good.jwt");
const SIGNED_TOKENS: &str = include_str!("../fixtures/signed_tokens.txt");
const REMOVED_KID: &str = "key-3072";

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
const API_CLIENT_ID: &str = "6e74172b-be56-4843-9ff4-e66a39bb12e3";
const API_APP_ID_URI: &str = "api://6e74172b-be56-4843-9ff4-e66a39bb12e3";
const CALLER: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
/// 2026-01-01T00:00:00Z; the seed tokens expire in 2100.
const NOW: f64 = 1_767_225_600.0;
/// Long after every seed token's `exp` (2100) plus the largest leeway.
const LATE: f64 = 5_000_000_000.0;

/// The options for each variant; every one of them accepts the known-good token with no per-call
/// requirements (a v2 user token of TENANT for API_CLIENT_ID, from client CALLER, signed by main-2048).
fn options(variant: u8) -> String {
    let aud = format!(r#""audience":["{API_CLIENT_ID}","{API_APP_ID_URI}"]"#);
    match variant & 7 {
        1 => format!(r#"{{{aud},"tenantId":"common","allowedTenants":["*"]}}"#),
        2 => format!(r#"{{{aud},"tenantId":"organizations","allowedTenants":["*"]}}"#),
        3 => format!(r#"{{{aud},"tenantId":"common","allowedTenants":["{TENANT}","{OTHER_TENANT}"]}}"#),
        4 => format!(
            r#"{{{aud},"issuers":["https://login.microsoftonline.com/{{TenantId}}/v2.0","https://sts.windows.net/{{tenantid}}/"],"allowedTenants":["{TENANT}"]}}"#
        ),
        5 => format!(
            r#"{{{aud},"issuers":["https://login.microsoftonline.com/{TENANT}/v2.0","https://contoso.b2clogin.com/{TENANT}/v2.0/"]}}"#
        ),
        6 => format!(
            r#"{{"audience":"{API_CLIENT_ID}/","tenantId":"{TENANT}","acceptedVersions":"2.0","tokenTypes":"user","allowedClientIds":["{CALLER}"],"requiredScopes":["mcp.tools.read"],"clockToleranceSeconds":0}}"#
        ),
        7 => format!(
            r#"{{{aud},"tenantId":"{TENANT}","cloud":"usgov","issuers":["https://login.microsoftonline.com/{{tenantid}}/v2.0"],"clockToleranceSeconds":600}}"#
        ),
        _ => String::new(), // 0: Policy::single_tenant, built directly
    }
}

fn validator(policy_byte: u8) -> Validator {
    let mut policy = match policy_byte & 7 {
        0 => {
            let mut policy = Policy::single_tenant(TENANT, API_CLIENT_ID);
            policy.audiences.push(API_APP_ID_URI.to_owned());
            policy
        }
        variant => match Policy::from_options_json(&options(variant)) {
            Ok((policy, _)) => policy,
            Err(err) => panic!("fuzz harness: options variant {variant} refused: {err}"),
        },
    };
    policy.cache_size = if policy_byte & 0x08 == 0 { 0 } else { usize::from((policy_byte >> 4) & 3) + 1 };
    let mut validator = Validator::new(policy);
    if let Err(err) = validator.set_jwks(JWKS.as_bytes()) {
        panic!("fuzz harness: fixtures/jwks.json refused: {err}");
    }
    validator
}

fn requirements(byte: u8) -> Requirements {
    let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let scopes: [&[&str]; 4] =
        [&[], &["mcp.tools.read"], &["mcp.tools.write", "mcp.tools.read"], &["nope", "mcp.tools.write"]];
    let roles: [&[&str]; 4] = [&[], &["Tools.ReadWrite.All"], &["Tools.Read.All", "Tools.ReadWrite.All"], &["nope"]];
    Requirements {
        scopes: list(scopes[usize::from(byte & 3)]),
        roles: list(roles[usize::from((byte >> 2) & 3)]),
        scope_match: if byte & 0x10 != 0 { ScopeMatch::Any } else { ScopeMatch::All },
    }
}

/// The kid of the key that signed `token`, if it is one of the minted tokens.
fn signer(token: &str) -> Option<&'static str> {
    SIGNED_TOKENS.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let (kid, minted) = line.split_once(' ')?;
        (minted == token).then_some(kid)
    })
}

/// Same outcome: equal results, or errors with the same code and message.
fn same(a: &Result<ValidatedToken, Error>, b: &Result<ValidatedToken, Error>, what: &str) {
    match (a, b) {
        (Ok(x), Ok(y)) => assert_eq!(x, y, "{what}: results differ"),
        (Err(x), Err(y)) => {
            assert_eq!(x.code(), y.code(), "{what}: error codes differ ({x} / {y})");
            assert_eq!(x.to_string(), y.to_string(), "{what}: error messages differ");
        }
        (Ok(_), Err(e)) | (Err(e), Ok(_)) => panic!("{what}: one validation passed and the other failed: {e}"),
    }
}

fn check_ok(result: &Result<ValidatedToken, Error>, token: &str) {
    match result {
        Ok(validated) => {
            assert!(signer(token).is_some(), "a token that was never signed validated: {token:?}");
            assert!(validated.expires_at > NOW);
            assert!(!validated.client_id.is_empty());
        }
        Err(err) => common::exercise_error(err),
    }
}

fuzz_target!(|data: &[u8]| {
    let (Some(&policy_byte), Some(&req_byte)) = (data.first(), data.get(1)) else {
        return;
    };
    let Ok(rest) = std::str::from_utf8(data.get(2..).unwrap_or_default()) else {
        return;
    };
    let mut v = validator(policy_byte);
    let call = requirements(req_byte);
    let tokens: Vec<&str> = rest.split('\n').take(4).collect();
    let caching = v.policy().cache_size > 0;

    for token in &tokens {
        let first = v.validate(token, NOW, &call);
        check_ok(&first, token);
        let second = v.validate(token, NOW, &call);
        same(&first, &second, "second validation");

        // The paths the wasm binding uses for hits.
        match v.answer(token, NOW, &call, false) {
            Ok(answer) => {
                assert!(first.is_ok(), "answer() passed where validate() failed");
                assert_eq!(answer.from_cache, caching, "a validated token was (not) cached against cacheSize");
                if let Some((slot, generation)) = answer.cached_as {
                    assert!(caching);
                    let cached = v.cached_result(slot, generation);
                    assert_eq!(cached.as_ref(), first.as_ref().ok(), "cached_result differs");
                    match v.recheck_cached(slot, generation, NOW, &call) {
                        Some(Ok(())) => {}
                        Some(Err(err)) => panic!("recheck_cached failed for a token that validated: {err}"),
                        None => panic!("recheck_cached lost the entry it just answered from"),
                    }
                    // A stale generation names nothing.
                    assert!(v.cached_result(slot, generation.wrapping_add(1)).is_none());
                } else {
                    assert_eq!(answer.result.as_ref(), first.as_ref().ok());
                }
            }
            Err(err) => {
                assert!(first.is_err(), "answer() failed where validate() passed: {err}");
                common::exercise_error(&err);
            }
        }
        assert!(v.cached_tokens() <= v.policy().cache_size);

        if policy_byte & 0x40 != 0 {
            // After expiry: refused (and a cached entry is dropped), then valid again at NOW.
            let late = v.validate(token, LATE, &call);
            assert!(late.is_err(), "a token validated after its expiry");
            if let Err(err) = &late {
                common::exercise_error(err);
            }
            let again = v.validate(token, NOW, &call);
            same(&first, &again, "validation after an expired check");
        }
    }

    if policy_byte & 0x80 != 0 {
        if let Err(err) = v.set_jwks(JWKS_ROTATED.as_bytes()) {
            panic!("fuzz harness: fixtures/jwks_rotated.json refused: {err}");
        }
        for token in &tokens {
            let result = v.validate(token, NOW, &call);
            check_ok(&result, token);
            if result.is_ok() {
                assert_ne!(signer(token), Some(REMOVED_KID), "a token signed by a removed key still validates");
            }
        }
        // A failed refresh keeps the keys in force.
        assert!(v.set_jwks(b"{\"keys\":[]}").is_err());
    }

    // No state corruption: the known-good token validates, fresh or from the cache, and says who it is.
    for _ in 0..2 {
        match v.validate(KNOWN_GOOD.trim(), NOW, &Requirements::default()) {
            Ok(good) => {
                assert_eq!(good.tenant_id.as_deref(), Some(TENANT));
                assert_eq!(good.client_id, CALLER);
                assert!(!good.is_app_only);
            }
            Err(err) => panic!("the known-good token no longer validates (policy byte {policy_byte:#04x}): {err}"),
        }
    }
    assert!(v.cached_tokens() <= v.policy().cache_size);
});
