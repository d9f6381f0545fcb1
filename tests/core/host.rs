//! A host's RSA (issue 12, `entra_guard::host`): it is asked only after every rule of the core before the
//! signature has passed, its "no" is final, its "can't" hands the work back to the core, and its "yes"
//! settles the arithmetic only: the core's length and range rules and every claim still apply.

use crate::support::*;
use entra_guard::host::{HostVerdict, SignatureHost, VerifiedBy};
use entra_guard::Requirements;
use rsa::traits::PublicKeyParts;
use serde_json::json;
use std::cell::{Cell, RefCell};

/// A host that always answers `verdict` and records what it was asked.
struct ScriptedHost {
    verdict: HostVerdict,
    asked: Cell<usize>,
    last_key: Cell<Option<usize>>,
    last_input: RefCell<Vec<u8>>,
}

impl ScriptedHost {
    fn new(verdict: HostVerdict) -> ScriptedHost {
        ScriptedHost { verdict, asked: Cell::new(0), last_key: Cell::new(None), last_input: RefCell::new(Vec::new()) }
    }
}

impl SignatureHost for ScriptedHost {
    fn verify_rs256(&self, key_index: usize, signing_input: &[u8], _signature: &[u8]) -> HostVerdict {
        self.asked.set(self.asked.get() + 1);
        self.last_key.set(Some(key_index));
        *self.last_input.borrow_mut() = signing_input.to_vec();
        self.verdict
    }
}

fn answer_with(host: &ScriptedHost, token: &str) -> Result<entra_guard::ValidatedToken, entra_guard::Error> {
    let v = validator();
    v.answer_with_host(token, NOW, &Requirements::default(), true, Some(host as &dyn SignatureHost))
        .map(|answer| answer.result.expect("a fresh validation returns its result"))
}

both! {
    fn host_valid_verdict_is_reported_ok() {
        let host = ScriptedHost::new(HostVerdict::Valid);
        let k = keys();
        let token = mint(&k.k3072, &v2_user_claims());
        let result = answer_with(&host, &token).unwrap();
        assert_eq!(result.signature_verified_by, VerifiedBy::Host);
        assert_eq!(host.asked.get(), 1);
        // The default JWKS is [main, k3072, k4096]: the host is told the selected key's position.
        assert_eq!(host.last_key.get(), Some(1));
        let signing_input = token.rsplit_once('.').unwrap().0;
        assert_eq!(host.last_input.borrow().as_slice(), signing_input.as_bytes());
    }
    fn host_invalid_verdict_is_final_fails() {
        // The core's RSA would accept this token; the host's "no" still refuses it.
        let host = ScriptedHost::new(HostVerdict::Invalid);
        let token = mint(&keys().main, &v2_user_claims());
        expect_code(answer_with(&host, &token), "signature_invalid");
        assert_eq!(host.asked.get(), 1);
    }
    fn host_unavailable_falls_back_to_core_ok() {
        let host = ScriptedHost::new(HostVerdict::Unavailable);
        let token = mint(&keys().main, &v2_user_claims());
        assert_eq!(answer_with(&host, &token).unwrap().signature_verified_by, VerifiedBy::Core);
    }
    fn host_unavailable_with_bad_signature_fails() {
        let host = ScriptedHost::new(HostVerdict::Unavailable);
        // Signed by the other key, naming the main one.
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": keys().main.kid});
        let forged = mint_with_header(&keys().other, &header, &v2_user_claims());
        expect_code(answer_with(&host, &forged), "signature_invalid");
    }
    fn signature_length_is_the_cores_rule_even_if_host_says_valid_fails() {
        let host = ScriptedHost::new(HostVerdict::Valid);
        let token = mint(&keys().main, &v2_user_claims());
        let (input, sig) = token.rsplit_once('.').unwrap();
        let mut bytes = entra_guard::base64url::decode(sig.as_bytes()).unwrap();
        bytes.insert(0, 0); // k + 1 octets, the same integer
        let longer = format!("{input}.{}", entra_guard::base64url::encode(&bytes));
        expect_code(answer_with(&host, &longer), "signature_invalid");
        bytes.drain(..2); // k - 1 octets
        let shorter = format!("{input}.{}", entra_guard::base64url::encode(&bytes));
        expect_code(answer_with(&host, &shorter), "signature_invalid");
        assert_eq!(host.asked.get(), 0, "a signature of the wrong length never reaches the host");
    }
    fn signature_range_is_the_cores_rule_even_if_host_says_valid_fails() {
        let host = ScriptedHost::new(HostVerdict::Valid);
        let token = mint(&keys().main, &v2_user_claims());
        let (input, _) = token.rsplit_once('.').unwrap();
        let k = keys().main.private.n().to_bytes_be().len();
        let n = keys().main.private.n().to_bytes_be();
        for (what, sig) in [("s = 0", vec![0u8; k]), ("s = n", n.clone()), ("s = 2^8k - 1", vec![0xff; k])] {
            let token = format!("{input}.{}", entra_guard::base64url::encode(&sig));
            expect_code(answer_with(&host, &token), "signature_invalid");
            assert_eq!(host.asked.get(), 0, "{what} reached the host");
        }
    }
    fn key_policy_is_the_cores_rule_host_never_asked_fails() {
        let host = ScriptedHost::new(HostVerdict::Valid);
        let k = keys();
        // The 1024-bit and e = 3 keys are ignored when the JWKS loads: no key, no question to the host.
        let mut v = validator();
        v.set_jwks(jwks(&[k.main.jwk(), k.k1024.jwk(), k.e3.jwk()]).as_bytes()).unwrap();
        for key in [&k.k1024, &k.e3] {
            let token = mint(key, &v2_user_claims());
            let result = v.answer_with_host(&token, NOW, &Requirements::default(), true, Some(&host as &dyn SignatureHost));
            assert_eq!(result.unwrap_err().code().as_str(), "key_not_found");
        }
        assert_eq!(host.asked.get(), 0);
    }
    fn claims_are_checked_after_host_says_valid_fails() {
        let host = ScriptedHost::new(HostVerdict::Valid);
        let expired = mint(&keys().main, &with(&v2_user_claims(), json!({"exp": NOW - 3600.0})));
        expect_code(answer_with(&host, &expired), "token_expired");
        let graph = mint(&keys().main, &with(&v2_user_claims(), json!({"aud": "00000003-0000-0000-c000-000000000000"})));
        assert!(answer_with(&host, &graph).is_err());
        assert_eq!(host.asked.get(), 2);
    }
    fn cache_hit_does_not_ask_host_again_ok() {
        let host = ScriptedHost::new(HostVerdict::Valid);
        let v = validator();
        let token = mint(&keys().main, &v2_user_claims());
        let h = Some(&host as &dyn SignatureHost);
        assert!(!v.answer_with_host(&token, NOW, &Requirements::default(), true, h).unwrap().from_cache);
        let hit = v.answer_with_host(&token, NOW, &Requirements::default(), true, h).unwrap();
        assert!(hit.from_cache);
        assert_eq!(hit.result.unwrap().signature_verified_by, VerifiedBy::Host);
        assert_eq!(host.asked.get(), 1);
    }
    fn without_host_core_verifies_ok() {
        let token = mint(&keys().main, &v2_user_claims());
        assert_eq!(check(&validator(), &token).unwrap().signature_verified_by, VerifiedBy::Core);
    }
}
