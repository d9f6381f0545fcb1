//! Wycheproof RSASSA-PKCS1-v1_5 / SHA-256 vectors against `entra_guard::rsa`, plus a native
//! micro-benchmark of one 2048-bit verification.
//!
//! The vectors live outside the crate (`../shared/vectors/wycheproof/`, relative to the manifest);
//! without them every test here prints a SKIPPED line and passes, so the crate tests on its own.
//! Native only: the tests read files.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use entra_guard::rsa::RsaPublicKey;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn vectors_dir() -> Option<PathBuf> {
    crate::support::shared_dir("vectors/wycheproof")
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd-length hex {s:?}");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit")).collect()
}

/// Base64url without padding (RFC 7515 §2), tolerant of trailing '=' so either spelling in the data works.
/// Deliberately local: the test checks the RSA primitive, not the crate's strict base64url module.
fn b64url(s: &str) -> Vec<u8> {
    fn val(c: u8) -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'-' => 62,
            b'_' => 63,
            _ => panic!("not base64url: {c:#x}"),
        }
    }
    let s = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut nbits) = (0u32, 0u32);
    for &c in s {
        acc = (acc << 6) | val(c);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((acc >> nbits) as u8);
            acc &= (1 << nbits) - 1;
        }
    }
    out
}

/// Drops leading zero octets. Wycheproof's `publicKey.modulus` is an ASN.1 INTEGER in hex, so a
/// modulus with its top bit set carries a sign octet 00 in front; `keyJwk.n` is already minimal (checked
/// below). `RsaPublicKey::new` rejects non-minimal n on purpose (one spelling per key), so the test
/// normalises here rather than loosening the primitive.
fn strip_leading_zeros(mut b: &[u8]) -> &[u8] {
    while let [0, rest @ ..] = b {
        b = rest;
    }
    b
}

#[derive(Default)]
struct Summary {
    tests: usize,
    valid_verified: usize,
    invalid_rejected: usize,
    acceptable_rejected: usize,
    disagreements: Vec<String>,
}

/// Runs one file. Returns None (after printing SKIPPED) when the shared vectors are absent.
fn run_file(name: &str, expect_bits: usize) -> Option<Summary> {
    let dir = vectors_dir()?;
    let path = dir.join(format!("{name}_test.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).expect("vector file is JSON");
    assert_eq!(doc["schema"], "rsassa_pkcs1_verify_schema_v1.json", "{name}: schema changed");

    let mut sum = Summary::default();
    for group in doc["testGroups"].as_array().expect("testGroups") {
        assert_eq!(group["sha"], "SHA-256", "{name}: only SHA-256 files are expected");
        assert_eq!(group["keySize"].as_u64(), Some(expect_bits as u64));

        // The JWK is what production code sees; the hex INTEGER form must describe the same key.
        let jwk = &group["keyJwk"];
        let (n, e) = if jwk.is_object() {
            let n = b64url(jwk["n"].as_str().expect("keyJwk.n"));
            let e = b64url(jwk["e"].as_str().expect("keyJwk.e"));
            assert_ne!(n.first(), Some(&0), "{name}: keyJwk.n is expected to be minimal");
            (n, e)
        } else {
            let pk = &group["publicKey"];
            let n = hex(pk["modulus"].as_str().or(group["n"].as_str()).expect("modulus"));
            let e = hex(pk["publicExponent"].as_str().or(group["e"].as_str()).expect("exponent"));
            (n, e)
        };
        if let Some(modulus_hex) = group["publicKey"]["modulus"].as_str() {
            let from_hex = hex(modulus_hex);
            assert_eq!(strip_leading_zeros(&from_hex), strip_leading_zeros(&n));
        }
        let key = RsaPublicKey::new(strip_leading_zeros(&n), strip_leading_zeros(&e));

        for t in group["tests"].as_array().expect("tests") {
            sum.tests += 1;
            let tc_id = t["tcId"].as_u64().expect("tcId");
            let result = t["result"].as_str().expect("result");
            let flags: Vec<&str> =
                t["flags"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let msg = hex(t["msg"].as_str().expect("msg"));
            let sig = hex(t["sig"].as_str().expect("sig"));
            let digest: [u8; 32] = Sha256::digest(&msg).into();
            let verified = match &key {
                Ok(key) => key.verify_pkcs1v15_sha256(&digest, &sig),
                Err(_) => false,
            };
            let comment = t["comment"].as_str().unwrap_or("");
            match (result, verified) {
                // Valid includes the e = 3 groups (flag SmallPublicKey, plus SmallSignature and
                // EdgeCaseSignature): correct at the primitive level, so they must verify here.
                // Refusing e != 65537 is a policy of the JWK layer, not an arithmetic disagreement.
                ("valid", true) => sum.valid_verified += 1,
                ("invalid", false) => sum.invalid_rejected += 1,
                // Acceptable is only tcId 8 (MissingNull: DigestInfo without the NULL parameters).
                // Our policy is REJECT: RFC 8017 §8.2.2 verifies by encode-and-compare against the
                // encoding with NULL parameters; §9.2 Note 2 merely allows accepting the absent NULL.
                // We keep the single canonical encoding, as Go's crypto/rsa and BoringSSL do, and no
                // JWT signer produces the other one.
                ("acceptable", false) => sum.acceptable_rejected += 1,
                _ => sum.disagreements.push(format!(
                    "{name} tcId {tc_id} ({result}, flags {flags:?}, {comment:?}): verified = {verified}, key = {:?}",
                    key.as_ref().map(|k| k.modulus_bits())
                )),
            }
        }
    }
    assert_eq!(
        doc["numberOfTests"].as_u64(),
        Some(sum.tests as u64),
        "{name}: numberOfTests disagrees with the tests read"
    );
    eprintln!(
        "wycheproof {name}: {} tests, valid {} verified, invalid {} rejected, acceptable {} rejected (policy), {} disagreements",
        sum.tests,
        sum.valid_verified,
        sum.invalid_rejected,
        sum.acceptable_rejected,
        sum.disagreements.len()
    );
    for d in &sum.disagreements {
        eprintln!("  DISAGREEMENT {d}");
    }
    Some(sum)
}

fn check(name: &str, bits: usize) {
    let Some(sum) = run_file(name, bits) else {
        return;
    };
    assert!(sum.tests > 0, "{name}: no tests read");
    assert!(sum.valid_verified > 0, "{name}: no valid vector exercised");
    assert!(sum.disagreements.is_empty(), "{name}: {:#?}", sum.disagreements);
}

#[test]
fn wycheproof_rsa_2048_sha256_no_disagreement() {
    check("rsa_signature_2048_sha256", 2048);
}

#[test]
fn wycheproof_rsa_3072_sha256_no_disagreement() {
    check("rsa_signature_3072_sha256", 3072);
}

#[test]
fn wycheproof_rsa_4096_sha256_no_disagreement() {
    check("rsa_signature_4096_sha256", 4096);
}

/// Micro-benchmark: `cargo test --release --test wycheproof_rsa -- --ignored --nocapture`.
/// Signs with the test key in tests/keys (so it needs no shared vectors), then times verification.
#[test]
#[ignore = "benchmark; run in release with --ignored --nocapture"]
fn bench_verify_rs256_2048() {
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::traits::PublicKeyParts;
    use std::hint::black_box;
    use std::time::Instant;

    const ITERS: u32 = 2000;
    let pem = include_str!("../keys/rsa2048.pem");
    let private = rsa::RsaPrivateKey::from_pkcs8_pem(pem).expect("test key");
    let key = RsaPublicKey::new(&private.n().to_bytes_be(), &private.e().to_bytes_be()).expect("key accepted");
    let digest: [u8; 32] = Sha256::digest(b"benchmark payload").into();
    let sig = private.sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest).expect("sign");
    assert!(key.verify_pkcs1v15_sha256(&digest, &sig));

    for _ in 0..100 {
        black_box(key.verify_pkcs1v15_sha256(black_box(&digest), black_box(&sig)));
    }
    let start = Instant::now();
    for _ in 0..ITERS {
        assert!(black_box(key.verify_pkcs1v15_sha256(black_box(&digest), black_box(&sig))));
    }
    let per_verify = start.elapsed().as_secs_f64() * 1e6 / f64::from(ITERS);

    let n = private.n().to_bytes_be();
    let e = private.e().to_bytes_be();
    let start = Instant::now();
    for _ in 0..ITERS {
        black_box(RsaPublicKey::new(black_box(&n), black_box(&e)).is_ok());
    }
    let per_key = start.elapsed().as_secs_f64() * 1e6 / f64::from(ITERS);

    eprintln!(
        "rsa verify RS256 2048-bit: {per_verify:.2} us/verify, key precomputation {per_key:.2} us/key ({ITERS} iterations{})",
        if cfg!(debug_assertions) { ", DEBUG build: use --release" } else { "" }
    );
}
