//! Arbitrary bytes as a JWKS document: strict JSON, the per-key rules (kty/use/key_ops/alg, strict
//! Base64urlUInt, modulus size, exponent, private members, duplicate kids), the RSA key precomputation
//! for every modulus that gets that far, key selection by kid/x5t, and one verification per accepted key
//! (so fuzzer-chosen moduli reach the Montgomery arithmetic too).
#![no_main]

use entra_guard::header::Header;
use entra_guard::KeySet;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let set = match KeySet::parse(data) {
        Ok(set) => set,
        Err(err) => return common::exercise_error(&err),
    };
    assert!(!set.keys().is_empty(), "parse accepted a set with no usable key");
    assert!(set.keys().len() + set.ignored().len() <= entra_guard::limits::MAX_JWKS_KEYS);
    for key in set.keys() {
        let bits = key.rsa.modulus_bits();
        assert!((entra_guard::limits::MIN_RSA_BITS..=entra_guard::limits::MAX_RSA_BITS).contains(&bits));
        assert_eq!(key.rsa.exponent(), entra_guard::limits::RSA_PUBLIC_EXPONENT);
        let k = key.rsa.modulus_len();
        assert_eq!(k, bits.div_ceil(8));

        // One exponentiation with a signature derived from the input (all 0xff is >= n and must be
        // refused without arithmetic; the others are below n for every accepted modulus size).
        let digest = [0x5a; 32];
        let mut signature = vec![0u8; k];
        for (i, byte) in signature.iter_mut().enumerate().skip(1) {
            *byte = data.get(i % data.len().max(1)).copied().unwrap_or(0);
        }
        assert!(!key.rsa.verify_pkcs1v15_sha256(&digest, &signature));
        assert!(!key.rsa.verify_pkcs1v15_sha256(&digest, &vec![0xff; k]));
        assert!(!key.rsa.verify_pkcs1v15_sha256(&digest, &signature[1..]));

        // Selecting it by its own names must find a key with those names.
        let header = Header {
            alg: key.alg.clone().unwrap_or_else(|| "RS256".to_owned()),
            kid: key.kid.clone(),
            x5t: if key.kid.is_none() { key.x5t.clone() } else { None },
            typ: None,
            has_nonce: false,
            replicated: Vec::new(),
        };
        match set.select(&header) {
            Ok(found) => {
                if let Some(kid) = &header.kid {
                    assert_eq!(found.kid.as_ref(), Some(kid));
                }
            }
            Err(err) => common::exercise_error(&err),
        }
    }
    // A name that no key has: must be a clean KeyNotFound.
    let missing = Header {
        alg: "RS256".into(),
        kid: Some("\u{0}no such kid\u{0}".into()),
        x5t: None,
        typ: None,
        has_nonce: false,
        replicated: Vec::new(),
    };
    if let Err(err) = set.select(&missing) {
        common::exercise_error(&err);
    }
});
