//! The verified-token cache (issue 3): one test per property it promises.

use crate::support::*;
use entra_guard::cache::TokenCache;
use entra_guard::fingerprint::{mix, token_hash};
use entra_guard::{Requirements, Validator};
use serde_json::json;

fn cached_validator(size: usize) -> Validator {
    let mut p = policy();
    p.cache_size = size;
    validator_with(p)
}

both! {
    fn cache_hit_returns_same_result_without_reverifying_ok() {
        let v = cached_validator(10);
        let token = mint(&keys().main, &v2_user_claims());
        let first = v.answer(&token, NOW, &Requirements::default(), true).unwrap();
        assert!(!first.from_cache);
        let second = v.answer(&token, NOW, &Requirements::default(), true).unwrap();
        assert!(second.from_cache);
        assert_eq!(first.result, second.result);
        assert_eq!(first.cached_as, second.cached_as);
        assert_eq!(v.cached_tokens(), 1);
    }
    fn cache_size_zero_disables_cache_ok() {
        let v = cached_validator(0);
        let token = mint(&keys().main, &v2_user_claims());
        assert!(v.validate(&token, NOW, &Requirements::default()).is_ok());
        let again = v.answer(&token, NOW, &Requirements::default(), true).unwrap();
        assert!(!again.from_cache);
        assert_eq!(again.cached_as, None);
        assert_eq!(v.cached_tokens(), 0);
    }
    fn cache_hit_rechecks_exp_against_this_calls_now_fails() {
        let v = cached_validator(10);
        let token = mint(&keys().main, &v2_user_claims());
        assert!(v.validate(&token, NOW, &Requirements::default()).is_ok());
        expect_code(v.validate(&token, NOW + 3600.0 + 301.0, &Requirements::default()), "token_expired");
        // The expired entry is gone: the next call is a full validation (and fails the same way).
        assert_eq!(v.cached_tokens(), 0);
    }
    fn cache_hit_rechecks_nbf_against_this_calls_now_fails() {
        let v = cached_validator(10);
        let token = mint(&keys().main, &v2_user_claims());
        assert!(v.validate(&token, NOW, &Requirements::default()).is_ok());
        expect_code(v.validate(&token, NOW - 60.0 - 301.0, &Requirements::default()), "token_not_yet_valid");
        assert!(v.answer(&token, NOW, &Requirements::default(), true).unwrap().from_cache);
    }
    fn cache_hit_evaluates_this_calls_scopes_and_roles_fails() {
        let v = cached_validator(10);
        let token = mint(&keys().main, &v2_user_claims());
        assert!(v.validate(&token, NOW, &Requirements::default()).is_ok());
        let needs_admin = Requirements { scopes: vec!["mcp.admin".into()], ..Default::default() };
        expect_code(v.validate(&token, NOW, &needs_admin), "insufficient_scope");
        let needs_role = Requirements { roles: vec!["Admin".into()], ..Default::default() };
        expect_code(v.validate(&token, NOW, &needs_role), "insufficient_role");
        let needs_read = Requirements { scopes: vec!["mcp.tools.read".into()], ..Default::default() };
        assert!(v.answer(&token, NOW, &needs_read, true).unwrap().from_cache);
    }
    fn cache_stores_only_successes_ok() {
        let v = cached_validator(10);
        for claims in [with(&v2_user_claims(), json!({"aud": "other"})), with(&v2_user_claims(), json!({"exp": NOW - 1000.0}))] {
            let token = mint(&keys().main, &claims);
            assert!(v.validate(&token, NOW, &Requirements::default()).is_err());
            assert!(v.validate(&token, NOW, &Requirements::default()).is_err());
        }
        // A token refused for a missing scope on its first call is not remembered as a success either.
        let token = mint(&keys().main, &v2_user_claims());
        let needs_admin = Requirements { scopes: vec!["mcp.admin".into()], ..Default::default() };
        assert!(v.validate(&token, NOW, &needs_admin).is_err());
        assert_eq!(v.cached_tokens(), 0);
    }
    fn cache_hit_requires_the_exact_token_fails() {
        let v = cached_validator(10);
        let token = mint(&keys().main, &v2_user_claims());
        assert!(v.validate(&token, NOW, &Requirements::default()).is_ok());
        // Same header and payload, different (invalid) signature bytes: a miss, then a failed verification.
        let (input, sig) = token.rsplit_once('.').unwrap();
        let mut bytes = entra_guard::base64url::decode(sig.as_bytes()).unwrap();
        bytes[10] ^= 1;
        let forged = format!("{input}.{}", entra_guard::base64url::encode(&bytes));
        expect_code(v.validate(&forged, NOW, &Requirements::default()), "signature_invalid");
        // A prefix or an extension of a cached token is not that token.
        for longer in [format!("{token}A"), format!("{token}AA")] {
            let e = v.validate(&longer, NOW, &Requirements::default()).unwrap_err();
            assert!(matches!(e.code().as_str(), "signature_invalid" | "token_malformed"), "{e}");
        }
    }
    fn set_jwks_drops_entries_of_removed_keys_fails() {
        let mut v = cached_validator(10);
        let main_token = mint(&keys().main, &v2_user_claims());
        let token_3072 = mint(&keys().k3072, &v2_user_claims());
        assert!(v.validate(&main_token, NOW, &Requirements::default()).is_ok());
        assert!(v.validate(&token_3072, NOW, &Requirements::default()).is_ok());
        assert_eq!(v.cached_tokens(), 2);
        v.set_jwks(jwks(&[keys().k3072.jwk()]).as_bytes()).unwrap();
        assert_eq!(v.cached_tokens(), 1);
        expect_code(v.validate(&main_token, NOW, &Requirements::default()), "key_not_found");
        assert!(v.answer(&token_3072, NOW, &Requirements::default(), true).unwrap().from_cache);
    }
    fn set_jwks_drops_entries_when_a_kid_gets_new_key_material_fails() {
        let mut v = cached_validator(10);
        let token = mint(&keys().main, &v2_user_claims());
        assert!(v.validate(&token, NOW, &Requirements::default()).is_ok());
        // The same kid, now bound to another key: the cached success must not outlive its key.
        let mut imposter = keys().other.jwk();
        imposter["kid"] = json!("main-2048");
        v.set_jwks(jwks(&[imposter]).as_bytes()).unwrap();
        assert_eq!(v.cached_tokens(), 0);
        expect_code(v.validate(&token, NOW, &Requirements::default()), "signature_invalid");
    }
    fn set_jwks_same_keys_keeps_entries_ok() {
        let mut v = cached_validator(10);
        let token = mint(&keys().main, &v2_user_claims());
        assert!(v.validate(&token, NOW, &Requirements::default()).is_ok());
        v.set_jwks(default_jwks().as_bytes()).unwrap();
        assert!(v.answer(&token, NOW, &Requirements::default(), true).unwrap().from_cache);
    }
    fn cache_is_bounded_and_evicts_ok() {
        let v = cached_validator(4);
        let tokens: Vec<String> = (0..10).map(|i| mint(&keys().main, &with(&v2_user_claims(), json!({"uti": format!("u{i}")})))).collect();
        for token in &tokens {
            assert!(v.validate(token, NOW, &Requirements::default()).is_ok());
            assert!(v.cached_tokens() <= 4);
        }
        assert_eq!(v.cached_tokens(), 4);
        // Evicted tokens still validate (fully), and come back into the cache.
        assert!(!v.answer(&tokens[0], NOW, &Requirements::default(), true).unwrap().from_cache);
        assert!(v.answer(&tokens[0], NOW, &Requirements::default(), true).unwrap().from_cache);
    }
    fn cache_clock_eviction_spares_recently_used_entries_ok() {
        let v = cached_validator(3);
        let t: Vec<String> = (0..4).map(|i| mint(&keys().main, &with(&v2_user_claims(), json!({"uti": format!("c{i}")})))).collect();
        for token in &t[..3] {
            v.validate(token, NOW, &Requirements::default()).unwrap();
        }
        // t0 is used again, so the next insertion evicts t1 (not referenced) rather than t0.
        assert!(v.answer(&t[0], NOW, &Requirements::default(), true).unwrap().from_cache);
        v.validate(&t[3], NOW, &Requirements::default()).unwrap();
        assert!(v.answer(&t[0], NOW, &Requirements::default(), true).unwrap().from_cache);
        assert!(!v.answer(&t[1], NOW, &Requirements::default(), true).unwrap().from_cache);
    }
    fn cached_result_by_slot_and_generation_ok() {
        let v = cached_validator(2);
        let a = mint(&keys().main, &with(&v2_user_claims(), json!({"uti": "a"})));
        let (slot, generation) = v.answer(&a, NOW, &Requirements::default(), true).unwrap().cached_as.unwrap();
        assert_eq!(v.cached_result(slot, generation).unwrap().claims()["uti"].as_str(), Some("a"));
        assert!(v.cached_result(slot, generation.wrapping_add(1)).is_none());
    }
    fn token_cache_same_hash_different_token_is_a_miss_ok() {
        // Two different tokens with one 64-bit index hash: the table must still compare whole tokens.
        let (a, b) = colliding_tokens();
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), token_hash(&b), "the two tokens must collide");
        let mut cache: TokenCache<&str> = TokenCache::new(4);
        cache.insert(&a, "result for a", 1).unwrap();
        assert_eq!(cache.lookup(&a).map(|(_, e)| e.value), Some("result for a"));
        assert!(cache.lookup(&b).is_none(), "b shares a's hash but is not a's token");
        // b replaces a under the shared hash; then only b hits.
        cache.insert(&b, "result for b", 1).unwrap();
        assert_eq!(cache.lookup(&b).map(|(_, e)| e.value), Some("result for b"));
        assert!(cache.lookup(&a).is_none());
        assert_eq!(cache.len(), 1);
        assert!(cache.lookup("").is_none());
    }
}

both! {
    fn recheck_cached_by_slot_ok() {
        let v = cached_validator(4);
        let token = mint(&keys().main, &v2_user_claims());
        let (slot, generation) = v.answer(&token, NOW, &Requirements::default(), false).unwrap().cached_as.unwrap();
        assert_eq!(v.recheck_cached(slot, generation, NOW, &Requirements::default()), Some(Ok(())));
        let needs_admin = Requirements { scopes: vec!["mcp.admin".into()], ..Default::default() };
        assert_eq!(v.recheck_cached(slot, generation, NOW, &needs_admin).unwrap().unwrap_err().code().as_str(), "insufficient_scope");
        assert_eq!(v.recheck_cached(slot, generation, NOW + 100_000.0, &Requirements::default()).unwrap().unwrap_err().code().as_str(), "token_expired");
        assert_eq!(v.recheck_cached(slot, generation.wrapping_add(1), NOW, &Requirements::default()), None);
        assert_eq!(v.recheck_cached(slot + 1, generation, NOW, &Requirements::default()), None);
        assert_eq!(v.recheck_cached(slot, generation, f64::NAN, &Requirements::default()), None);
    }
}

/// Two different printable tokens of one length with the same [`token_hash`]: they differ in their first
/// two 8-byte words, the second chosen to cancel the first's difference. The hash is unkeyed, which is
/// fine for the index (a hit compares the whole token) and makes the collision easy to build.
fn colliding_tokens() -> (String, String) {
    let base = mint(&keys().main, &v2_user_claims());
    let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().unwrap());
    let printable = |w: u64| w.to_le_bytes().iter().all(|b| (0x21..0x7f).contains(b));
    let start = mix(0, base.len() as u64);
    let (a1, a2) = (word(&base.as_bytes()[0..8]), word(&base.as_bytes()[8..16]));
    let after_a1 = mix(start, a1);
    for n in 0u64.. {
        // Candidate first words: printable, from a counter.
        let digits: Vec<u8> = format!("{n:08}").bytes().map(|d| d + 0x11).collect();
        let b1 = word(&digits);
        if b1 == a1 {
            continue;
        }
        let b2 = after_a1.rotate_left(5) ^ mix(start, b1).rotate_left(5) ^ a2;
        if printable(b2) {
            let mut b = b1.to_le_bytes().to_vec();
            b.extend_from_slice(&b2.to_le_bytes());
            b.extend_from_slice(&base.as_bytes()[16..]);
            return (base.clone(), String::from_utf8(b).unwrap());
        }
    }
    unreachable!()
}
