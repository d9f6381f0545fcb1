//! Arbitrary bytes as the JS-facing options object: `Validator::from_options_json` (policy parsing,
//! tenant/issuer rules, limits, and the embedded `jwks` when present), then the per-call
//! requirements parser on the same text.
#![no_main]

use entra_guard::{Requirements, Validator};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Validator::from_options_json(text) {
        Ok(validator) => {
            let policy = validator.policy();
            assert!(!policy.audiences.is_empty(), "a policy without an audience was accepted");
            assert!(policy.algorithms.iter().all(|a| a == "RS256"), "an algorithm other than RS256 was accepted");
            assert!(policy.clock_tolerance_seconds <= entra_guard::policy::MAX_CLOCK_TOLERANCE_SECONDS);
            assert!(policy.cache_size <= entra_guard::policy::MAX_CACHE_SIZE);
            assert_eq!(validator.cached_tokens(), 0);
            // A validator is usable whatever the options were: a token goes through without panicking.
            let result = validator.validate("e30.e30.AA", 1_767_225_600.0, &Requirements::default());
            if let Err(err) = result {
                common::exercise_error(&err);
            }
        }
        Err(err) => common::exercise_error(&err),
    }
    if let Err(err) = Requirements::from_json(text) {
        common::exercise_error(&err);
    }
});
