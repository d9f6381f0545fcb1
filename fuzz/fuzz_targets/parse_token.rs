//! Arbitrary bytes through the token-parsing front end: the size bound and compact-JWS split,
//! strict base64url of every segment, the JOSE header rules, and the strict JSON of the claims set.
//! No keys and no signature check: this is the code an unauthenticated caller reaches first.
#![no_main]

use entra_guard::error::Check;
use entra_guard::{header, json, jws};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let segments = match jws::split(token) {
        Ok(segments) => segments,
        Err(err) => return common::exercise_error(&err),
    };
    // The split's own invariants: three non-empty segments whose concatenation is the token.
    assert!(!segments.header.is_empty() && !segments.payload.is_empty() && !segments.signature.is_empty());
    assert_eq!(segments.signing_input.len(), segments.header.len() + 1 + segments.payload.len());
    assert_eq!(format!("{}.{}", segments.signing_input, segments.signature), token);
    assert_eq!(segments.signing_input, format!("{}.{}", segments.header, segments.payload));

    match jws::decode_segment(segments.header, "header", Check::Jws) {
        Ok(bytes) => match header::parse(&bytes) {
            Ok(h) => {
                let _ = header::algorithm_allowed(&h, &["RS256".to_owned()]).map_err(|e| common::exercise_error(&e));
                let _ = header::graph_nonce(&h).map_err(|e| common::exercise_error(&e));
            }
            Err(err) => common::exercise_error(&err),
        },
        Err(err) => common::exercise_error(&err),
    }
    match jws::decode_segment(segments.payload, "payload", Check::Payload) {
        Ok(bytes) => {
            if let Ok(claims) = json::parse_object(&bytes) {
                // Serialised back (the Rust API's `ValidatedToken::to_json`), they are a JSON object again
                // with the same members. Values need not round-trip exactly: without serde_json's
                // `float_roundtrip` a long decimal may come back an ulp off (fuzz/regressions/parse_token/);
                // JS gets the payload's own text instead.
                let text = json::Json::Object(claims.clone()).to_json_string();
                let again = json::parse_object(text.as_bytes());
                assert!(
                    again.as_ref().is_ok_and(|again| again.keys().eq(claims.keys())),
                    "claims do not serialise back to the same members: {text}"
                );
            }
        }
        Err(err) => common::exercise_error(&err),
    }
    if let Err(err) = jws::decode_segment(segments.signature, "signature", Check::Signature) {
        common::exercise_error(&err);
    }
});
