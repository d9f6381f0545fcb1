//! The signature step three ways, on the same bytes: the core's own RSA (`host::rs256_signature` with no
//! host), the same step with a host whose RSA is the RustCrypto `rsa` crate (the shape of the product's
//! node:crypto path: the core's length and range rules, then the host's arithmetic), and the `rsa` crate on
//! its own. All three must agree, on every input.
//!
//! Input: `[key byte][mode byte][rest]`.
//!   key byte   the test key (tests/keys: 2048, 2048, 3072, 4096 bits; mostly 2048)
//!   mode 0     `rest` is the signature, over a fixed message
//!   mode 1     a valid signature of a fixed message, with `rest` as (offset, xor) edits
//!   mode 2     the exact EMSA-PKCS1-v1_5 encoding of the message's digest with `rest` as (offset, value)
//!              edits, signed raw (m^d mod n): every way of breaking the padding, the DigestInfo or the digest
//!   mode 3     `rest` is the message, signed validly (then the verdict must be "valid" everywhere)
//!   other      `rest` split in two: the first byte's worth is the message, the remainder the signature
#![no_main]

use entra_guard::host::{self, HostVerdict, SignatureHost, VerifiedBy};
use libfuzzer_sys::fuzz_target;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const MESSAGE: &[u8] = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmdXp6In0";

/// DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2 Note 1).
const PREFIX: [u8; 19] =
    [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

struct Key {
    private: RsaPrivateKey,
    public: rsa::RsaPublicKey,
    core: entra_guard::rsa::RsaPublicKey,
    k: usize,
    signature: Vec<u8>,
}

fn keys() -> &'static [Key] {
    static KEYS: OnceLock<Vec<Key>> = OnceLock::new();
    KEYS.get_or_init(|| {
        [
            include_str!("../../tests/keys/rsa2048.pem"),
            include_str!("../../tests/keys/rsa2048_b.pem"),
            include_str!("../../tests/keys/rsa3072.pem"),
            include_str!("../../tests/keys/rsa4096.pem"),
        ]
        .iter()
        .map(|pem| {
            let private = RsaPrivateKey::from_pkcs8_pem(pem).expect("test key");
            let core = entra_guard::rsa::RsaPublicKey::new(&private.n().to_bytes_be(), &private.e().to_bytes_be())
                .expect("the core takes the test key");
            let signature = sign(&private, MESSAGE);
            Key { k: private.size(), public: private.to_public_key(), private, core, signature }
        })
        .collect()
    })
}

fn sign(private: &RsaPrivateKey, message: &[u8]) -> Vec<u8> {
    private.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message)).expect("sign")
}

/// s = em^d mod n (with the CRT), as k octets; em is taken as an integer, reduced mod n if it is not below n.
fn sign_raw(key: &Key, em: &[u8]) -> Vec<u8> {
    let m = BigUint::from_bytes_be(em) % key.private.n();
    let s =
        rsa::hazmat::rsa_decrypt(None::<&mut rsa::rand_core::OsRng>, &key.private, &m).expect("raw sign").to_bytes_be();
    let mut out = vec![0u8; key.k - s.len()];
    out.extend_from_slice(&s);
    out
}

/// The RustCrypto `rsa` crate's verdict on its own.
fn rustcrypto(key: &Key, message: &[u8], signature: &[u8]) -> bool {
    key.public.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message), signature).is_ok()
}

/// A host whose RSA is the `rsa` crate, as node:crypto is the product's.
struct RustCryptoHost<'a>(&'a Key);

impl SignatureHost for RustCryptoHost<'_> {
    fn verify_rs256(&self, key_index: usize, signing_input: &[u8], signature: &[u8]) -> HostVerdict {
        assert_eq!(key_index, 0, "the core names the key it was given");
        if rustcrypto(self.0, signing_input, signature) {
            HostVerdict::Valid
        } else {
            HostVerdict::Invalid
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [key_byte, mode, rest @ ..] = data else {
        return;
    };
    let keys = keys();
    // Mostly the 2048-bit keys (Entra's size, and the cheapest to sign with), sometimes 3072 and 4096.
    let key = &keys[match key_byte % 8 {
        0..=2 => 0,
        3..=5 => 1,
        6 => 2,
        _ => 3,
    }];
    let (message, signature, must_verify): (Vec<u8>, Vec<u8>, bool) = match mode {
        0 => (MESSAGE.to_vec(), rest.to_vec(), false),
        1 => {
            let mut signature = key.signature.clone();
            for edit in rest.chunks_exact(3) {
                let at = usize::from(u16::from_be_bytes([edit[0], edit[1]])) % key.k;
                signature[at] ^= edit[2];
            }
            (MESSAGE.to_vec(), signature, false)
        }
        2 => {
            let mut em = vec![0x00, 0x01];
            em.resize(key.k - PREFIX.len() - 32 - 1, 0xff);
            em.push(0x00);
            em.extend_from_slice(&PREFIX);
            em.extend_from_slice(&Sha256::digest(MESSAGE));
            for edit in rest.chunks_exact(3).take(8) {
                let at = usize::from(u16::from_be_bytes([edit[0], edit[1]])) % key.k;
                em[at] = edit[2];
            }
            (MESSAGE.to_vec(), sign_raw(key, &em), false)
        }
        3 => (rest.to_vec(), sign(&key.private, rest), true),
        _ => {
            let split = rest.first().map_or(0, |&b| usize::from(b)).min(rest.len().saturating_sub(1));
            let body = rest.get(1..).unwrap_or_default();
            let (m, s) = body.split_at(split.min(body.len()));
            (m.to_vec(), s.to_vec(), false)
        }
    };

    let by_core = host::rs256_signature(&key.core, 0, &message, &signature, None);
    let by_host = host::rs256_signature(&key.core, 0, &message, &signature, Some(&RustCryptoHost(key)));
    let alone = rustcrypto(key, &message, &signature);
    assert_eq!(by_core.is_some(), alone, "core vs rsa crate: key {key_byte}, mode {mode}");
    assert_eq!(by_host.is_some(), alone, "core + rsa-crate host vs rsa crate: key {key_byte}, mode {mode}");
    assert!(by_core.is_none() || by_core == Some(VerifiedBy::Core));
    assert!(by_host.is_none() || by_host == Some(VerifiedBy::Host));
    if must_verify {
        assert!(alone, "a valid signature did not verify");
    }
});
