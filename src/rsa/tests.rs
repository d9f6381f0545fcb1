//! Tests of the RSA verifier: known answers against the independent `rsa` crate, the arithmetic against
//! num-bigint, and inputs that must fail or must not panic.

use super::montgomery::*;
use super::*;
use ::rsa::pkcs8::DecodePrivateKey;
use ::rsa::traits::PublicKeyParts;
use ::rsa::{BigUint, Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest, Sha256};

const PEM_2048: &str = include_str!("../../tests/keys/rsa2048.pem");
const PEM_2048_B: &str = include_str!("../../tests/keys/rsa2048_b.pem");
const PEM_2048_E3: &str = include_str!("../../tests/keys/rsa2048_e3.pem");
const PEM_3072: &str = include_str!("../../tests/keys/rsa3072.pem");
const PEM_4096: &str = include_str!("../../tests/keys/rsa4096.pem");
const PEM_1024: &str = include_str!("../../tests/keys/rsa1024.pem");

struct Fixture {
    private: RsaPrivateKey,
    public: RsaPublicKey,
    n: Vec<u8>,
}

fn fixture(pem: &str) -> Fixture {
    let private = RsaPrivateKey::from_pkcs8_pem(pem).expect("test key parses");
    let n = private.n().to_bytes_be();
    let e = private.e().to_bytes_be();
    let public = RsaPublicKey::new(&n, &e).expect("test key accepted");
    Fixture { private, public, n }
}

fn sign(private: &RsaPrivateKey, digest: &[u8; 32]) -> Vec<u8> {
    private.sign(Pkcs1v15Sign::new::<Sha256>(), digest).expect("signing works")
}

fn sha256(msg: &[u8]) -> [u8; 32] {
    Sha256::digest(msg).into()
}

/// Deterministic xorshift64*: enough randomness for arithmetic cross-checks, no extra crate.
struct Rng(u64);
impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| (self.next_u64() >> 32) as u8).collect()
    }
}

/// A random odd modulus of exactly `bits` bits (not a valid RSA modulus, but Montgomery arithmetic
/// only needs it odd).
fn random_modulus(rng: &mut Rng, bits: usize) -> Vec<u8> {
    let len = bits.div_ceil(8);
    let mut n = rng.bytes(len);
    let top_bits = bits - 8 * (len - 1);
    n[0] &= ((1u16 << top_bits) - 1) as u8;
    n[0] |= 1 << (top_bits - 1);
    n[len - 1] |= 1;
    n
}

fn limbs_of(bytes: &[u8], limbs: usize) -> Vec<u32> {
    let mut l = vec![0u32; limbs];
    be_bytes_to_limbs(bytes, &mut l);
    l
}

fn big_of_limbs(l: &[u32]) -> BigUint {
    BigUint::from_slice(l)
}

both! {
    fn key_construction_errors() {
        let f = fixture(PEM_2048);
        let n = f.n.clone();
        let e = [0x01, 0x00, 0x01];
        assert_eq!(RsaPublicKey::new(&[], &e).unwrap_err(), RsaKeyError::ModulusEmpty);
        let mut padded = vec![0u8];
        padded.extend_from_slice(&n);
        assert_eq!(RsaPublicKey::new(&padded, &e).unwrap_err(), RsaKeyError::ModulusNotMinimal);
        assert_eq!(RsaPublicKey::new(&[0], &e).unwrap_err(), RsaKeyError::ModulusNotMinimal);
        let mut even = n.clone();
        *even.last_mut().unwrap() &= 0xfe;
        assert_eq!(RsaPublicKey::new(&even, &e).unwrap_err(), RsaKeyError::ModulusEven);
        let big = vec![0xffu8; 513];
        assert_eq!(RsaPublicKey::new(&big, &e).unwrap_err(), RsaKeyError::ModulusTooLarge { bits: 4104 });
        let mut just_over = vec![0xffu8; 513];
        just_over[0] = 1;
        assert_eq!(RsaPublicKey::new(&just_over, &e).unwrap_err(), RsaKeyError::ModulusTooLarge { bits: 4097 });
        assert!(RsaPublicKey::new(&[0xff; 512], &e).is_ok());
        assert_eq!(RsaPublicKey::new(&[0xff; 63], &e).unwrap_err(), RsaKeyError::ModulusTooSmall { bits: 504 });
        let mut just_under = vec![0xffu8; 64];
        just_under[0] = 0x7f;
        assert_eq!(RsaPublicKey::new(&just_under, &e).unwrap_err(), RsaKeyError::ModulusTooSmall { bits: 511 });
        assert_eq!(RsaPublicKey::new(&[0xff; 64], &e).unwrap().modulus_bits(), 512);
        let f1024 = fixture(PEM_1024);
        assert_eq!(f1024.public.modulus_bits(), 1024);

        for bad_e in [
            &[][..],
            &[0x00, 0x01, 0x00, 0x01][..],
            &[0x00][..],
            &[0x01][..],
            &[0x02][..],
            &[0x01, 0x00, 0x00][..],
            &[0x01, 0x00, 0x00, 0x00, 0x01][..],
            &[0xff, 0xff, 0xff, 0xff, 0xff][..],
        ] {
            assert_eq!(RsaPublicKey::new(&n, bad_e).unwrap_err(), RsaKeyError::ExponentInvalid, "e = {bad_e:02x?}");
        }
        for (good_e, value) in
            [(&[0x03][..], 3u32), (&[0x01, 0x00, 0x01][..], 65537), (&[0xff, 0xff, 0xff, 0xff][..], u32::MAX)]
        {
            assert_eq!(RsaPublicKey::new(&n, good_e).unwrap().exponent(), value);
        }
    }
}

both! {
    fn accessors_and_debug() {
        for (pem, bits) in [(PEM_2048, 2048), (PEM_3072, 3072), (PEM_4096, 4096)] {
            let f = fixture(pem);
            assert_eq!(f.public.modulus_bits(), bits);
            assert_eq!(f.public.modulus_len(), bits / 8);
            assert_eq!(f.public.exponent(), 65537);
            let dbg = format!("{:?}", f.public.clone());
            assert_eq!(dbg, format!("RsaPublicKey {{ bits: {bits}, e: 65537, .. }}"));
        }
    }
}

both! {
    fn known_good_signatures_verify_and_bit_flips_fail() {
        for pem in [PEM_2048, PEM_2048_B, PEM_2048_E3, PEM_3072, PEM_4096, PEM_1024] {
            let f = fixture(pem);
            let digest = sha256(b"entra-guard known answer");
            let sig = sign(&f.private, &digest);
            assert!(f.public.verify_pkcs1v15_sha256(&digest, &sig), "{:?}", f.public);

            // A flipped bit anywhere in the signature, or in the digest, must fail.
            for bit in [0, 1, 7, 8, 100, sig.len() * 8 / 2, sig.len() * 8 - 1] {
                let mut bad = sig.clone();
                bad[bit / 8] ^= 1 << (bit % 8);
                assert!(!f.public.verify_pkcs1v15_sha256(&digest, &bad), "sig bit {bit}");
            }
            for bit in [0, 128, 255] {
                let mut bad = digest;
                bad[bit / 8] ^= 1 << (bit % 8);
                assert!(!f.public.verify_pkcs1v15_sha256(&bad, &sig), "digest bit {bit}");
            }
        }
    }
}

both! {
    fn signature_with_other_key_fails() {
        let a = fixture(PEM_2048);
        let b = fixture(PEM_2048_B);
        let digest = sha256(b"payload");
        let sig = sign(&a.private, &digest);
        assert!(a.public.verify_pkcs1v15_sha256(&digest, &sig));
        assert!(!b.public.verify_pkcs1v15_sha256(&digest, &sig));
    }
}

both! {
    fn signature_length_must_be_k() {
        let f = fixture(PEM_2048);
        let digest = sha256(b"length");
        let sig = sign(&f.private, &digest);
        assert!(f.public.verify_pkcs1v15_sha256(&digest, &sig));
        // The same integer with a leading zero octet, or with one stripped, is not accepted.
        let mut longer = vec![0u8];
        longer.extend_from_slice(&sig);
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &longer));
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &sig[1..]));
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &sig[..255]));
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &[]));
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &vec![0xff; 100_000]));
    }
}

both! {
    fn out_of_range_representatives_rejected() {
        let f = fixture(PEM_2048);
        let digest = sha256(b"range");
        let k = f.public.modulus_len();
        // s = 0, s = n, s = 2^(8k) - 1, then s = n + a real signature.
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &vec![0u8; k]));
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &f.n));
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &vec![0xffu8; k]));
        // s + n, which RSAVP1 would reduce to s: a signature small enough for s + n to fit in k octets is
        // found among the first messages (for this n, about one signature in five qualifies).
        let n_big = BigUint::from_bytes_be(&f.n);
        let (shifted_digest, shifted) = (0u32..100)
            .find_map(|i| {
                let digest = sha256(&i.to_be_bytes());
                let sum = (BigUint::from_bytes_be(&sign(&f.private, &digest)) + &n_big).to_bytes_be();
                (sum.len() == k).then_some((digest, sum))
            })
            .expect("a signature s with s + n < 2^(8k) among 100 messages");
        assert!(!f.public.verify_pkcs1v15_sha256(&shifted_digest, &shifted));
        let unshifted = (BigUint::from_bytes_be(&shifted) - &n_big).to_bytes_be();
        let mut unshifted_k = vec![0u8; k - unshifted.len()];
        unshifted_k.extend_from_slice(&unshifted);
        assert!(f.public.verify_pkcs1v15_sha256(&shifted_digest, &unshifted_k), "the unshifted signature verifies");
        // s = 1 and s = n - 1 are in range but are no signature: the arithmetic runs and fails.
        let mut one = vec![0u8; k];
        one[k - 1] = 1;
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &one));
        let n_minus_1 = (BigUint::from_bytes_be(&f.n) - 1u32).to_bytes_be();
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &n_minus_1));
    }
}

both! {
    fn encoded_message_matches_rfc8017_layout() {
        let digest = [0xabu8; 32];
        let k = 256;
        let mut limbs: Limbs = [0; MAX_LIMBS];
        assert!(encode_pkcs1v15_sha256(&digest, k, &mut limbs));
        let big = big_of_limbs(&limbs[..k / 4]);
        let mut bytes = big.to_bytes_be();
        // The leading 0x00 octet disappears in the integer; put it back for the layout check.
        bytes.insert(0, 0);
        assert_eq!(bytes.len(), k);
        assert_eq!(&bytes[..2], &[0x00, 0x01]);
        assert!(bytes[2..k - 52].iter().all(|&b| b == 0xff));
        assert_eq!(bytes[k - 52], 0x00);
        assert_eq!(&bytes[k - 51..k - 32], &SHA256_DIGEST_INFO_PREFIX);
        assert_eq!(&bytes[k - 32..], &digest);
        // Too short for 8 octets of padding: refused rather than truncated.
        assert!(!encode_pkcs1v15_sha256(&digest, 3 + T_LEN + 7, &mut limbs));
        assert!(encode_pkcs1v15_sha256(&digest, 3 + T_LEN + 8, &mut limbs));
        assert!(!encode_pkcs1v15_sha256(&digest, 10, &mut limbs));
        assert!(!encode_pkcs1v15_sha256(&digest, MAX_OCTETS + 1, &mut limbs));
    }
}

both! {
    fn be_bytes_to_limbs_matches_octet_by_octet_ok() {
        // The limbs an octet string gives, one octet at a time (the definition), against the four-at-a-time
        // conversion, for every length around the limb boundaries and buffers shorter, equal and longer.
        let reference = |bytes: &[u8], limbs: usize| {
            let mut out = vec![0xa5a5_a5a5u32; limbs];
            for (limb, chunk) in out.iter_mut().zip(bytes.rchunks(4)) {
                *limb = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            }
            out
        };
        let mut rng = Rng(0x51ed_270b_3c8f_1a77);
        for len in 0..=70 {
            let bytes = rng.bytes(len);
            for limbs in [0, 1, len / 4, len.div_ceil(4), len.div_ceil(4) + 2] {
                let mut fast = vec![0xa5a5_a5a5u32; limbs];
                be_bytes_to_limbs(&bytes, &mut fast);
                assert_eq!(fast, reference(&bytes, limbs), "{len} octets into {limbs} limbs");
            }
        }
    }
}

both! {
    fn neg_inv_is_inverse() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..1000 {
            let x = (rng.next_u64() as u32) | 1;
            assert_eq!(x.wrapping_mul(neg_inv_u32(x)), u32::MAX, "x = {x:#x}");
        }
        assert_eq!(neg_inv_u32(1), u32::MAX);
        assert_eq!(u32::MAX.wrapping_mul(neg_inv_u32(u32::MAX)), u32::MAX);
    }
}

both! {
    /// R^2 mod n, the squarings and the exponentiation against num-bigint, over moduli whose sizes are
    /// not multiples of 32 (or 8) and whose top limb is nearly empty or full; 3526 and 3527 bits are the
    /// last with 28-bit digits and the first with 27.
    fn arithmetic_matches_bigint() {
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        for bits in [512, 513, 519, 520, 543, 544, 1023, 1024, 2047, 2048, 2049, 2080, 3072, 3526, 3527, 4095, 4096] {
            for round in 0..5 {
                // Rounds 3 and 4 take the extremes for carry handling: every limb all ones
                // (2^bits - 1), and a sparse 2^(bits-1) + 1.
                let n_bytes = match round {
                    3 => ((BigUint::from(1u32) << bits) - 1u32).to_bytes_be(),
                    4 => ((BigUint::from(1u32) << (bits - 1)) + 1u32).to_bytes_be(),
                    _ => random_modulus(&mut rng, bits),
                };
                let key = RsaPublicKey::new(&n_bytes, &[0x01, 0x00, 0x01]).unwrap();
                assert_eq!(key.modulus_bits(), bits);
                let limbs = key.limbs;
                let n_big = BigUint::from_bytes_be(&n_bytes);
                let (rb, digits) = key.modulus.test_parts();
                assert!(rb as usize * digits >= bits + 2 && digits % 2 == 0, "R > 4n, {bits} bits");
                let r = BigUint::from(1u32) << (rb as usize * digits);
                let n_l = &key.n[..limbs];
                assert_eq!(big_of_limbs(&key.modulus.test_rr(n_l)), (&r * &r) % &n_big, "R^2, {bits} bits");

                let r_inv_check = |a: &BigUint, b: &BigUint, got: &[u32]| {
                    // got * R == a * b (mod n)
                    let lhs = (big_of_limbs(got) * &r) % &n_big;
                    let rhs = (a * b) % &n_big;
                    assert_eq!(lhs, rhs, "{bits} bits round {round}");
                    assert!(big_of_limbs(got) < n_big);
                };
                for case in 0..6 {
                    let a = match case {
                        0 => BigUint::from(1u32),
                        1 => &n_big - 1u32,
                        2 => (&r - 1u32) % &n_big,
                        _ => BigUint::from_bytes_be(&rng.bytes(n_bytes.len())) % &n_big,
                    };
                    let b = BigUint::from_bytes_be(&rng.bytes(n_bytes.len())) % &n_big;
                    let a_l = limbs_of(&a.to_bytes_be(), limbs);
                    let b_l = limbs_of(&b.to_bytes_be(), limbs);

                    let sq = key.modulus.test_mul(&a_l, &a_l, n_l, true);
                    r_inv_check(&a, &a, &sq);
                    assert_eq!(key.modulus.test_mul(&a_l, &a_l, n_l, false), sq);
                    let ab = key.modulus.test_mul(&a_l, &b_l, n_l, false);
                    r_inv_check(&a, &b, &ab);

                    // Long exponents (31 and 32 bits) once per modulus: they are slow in debug wasm.
                    let long: &[u32] = if case == 3 { &[0x8000_0001, u32::MAX] } else { &[] };
                    for &e in [3u32, 5, 17, 65537].iter().chain(long) {
                        let mut out = vec![0u32; limbs];
                        key.modulus.pow(&mut out, &a_l, e);
                        assert_eq!(big_of_limbs(&out), a.modpow(&BigUint::from(e), &n_big), "{bits} bits, e = {e}");
                    }
                }
            }
        }
    }
}

both! {
    /// A Montgomery result in [n, 2n) does not fit n's limbs when n's top bits are ones (2n > 2^bits), so
    /// it must be reduced before leaving the digit form. The final multiplication by s lands in [n, 2n)
    /// when the residue is below s (acc) / R: with n = 2^bits - 1, s = 2^k and e = 3, the residue is
    /// 2^(3k - bits), tiny, while s is large. (For a signature the residue is the encoded message, far
    /// above that slack, so verdicts never depended on it; the arithmetic must be right regardless.)
    fn pow_reduces_results_above_the_limb_width() {
        for bits in [512, 1024, 2048, 3072, 4096] {
            let n_big = (BigUint::from(1u32) << bits) - 1u32;
            let n_bytes = n_big.to_bytes_be();
            let key = RsaPublicKey::new(&n_bytes, &[0x01, 0x00, 0x01]).unwrap();
            let limbs = key.limbs;
            let one = || BigUint::from(1u32);
            for a in [one(), BigUint::from(2u32), one() << (bits.div_ceil(3) + 1), one() << (bits.div_ceil(3) + 5), (one() << (bits - 8)) + 3u32] {
                for e in [3u32, 65537] {
                    let mut out = vec![0u32; limbs];
                    key.modulus.pow(&mut out, &limbs_of(&a.to_bytes_be(), limbs), e);
                    assert_eq!(big_of_limbs(&out), a.modpow(&BigUint::from(e), &n_big), "{bits} bits, a = {a}, e = {e}");
                }
            }
        }
        // A real RSA modulus (p q, made for this test) whose top 58 bits are ones, and s = r^d for a
        // residue r = 2^2010 + 12345 below the slack, with e = 65537: s^e mod n in [n, 2n) is above 2^2048.
        let hex = |parts: &[&str]| BigUint::parse_bytes(parts.concat().as_bytes(), 16).unwrap();
        let n_big = hex(&[
            "ffffffffffffffc000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            "000000000000000000000000000000000000000000000000000000000000013fe75acd9e85750b21db17bf580b22cc47",
            "cf24b13036077ed436598f293a0e971c153f706792a321aecb3110df3cce35e8853f8d704cf86c41a5eefd975529342c",
            "6d4e74e67d8ad42e6252a5f4616e292683e0dfd101fdb085bbff84780a7076b50bf8de17ba08ad71f11434eca494dc3c",
            "3b2a88a4ca4c4e8e80b5ae697db1c949",
        ]);
        let s_big = hex(&[
            "438e15a49e749212a106e906f133bb8a532bdf1021cc75aec6b18214b2e39ef2fdf6af57c80cd4fa042d30ede7530433",
            "ee16c7b9dbcf932e3819e2cd26934e639d2847f97b60c42d7ac5579ff51dc5c0a6cbc54f739d3b7e91ed210a0b06036a",
            "fa306539a631053a50e6b7d2217c21c9f9bb17d46a251972f95d5cd6e4f0493f48b591a3b0830ed2f2674d2d776dff50",
            "f8095d11e511a3b6d13fe4a55482e45b740078a67d6fb4788f64d1cfd945a18bfa3e95851aedf832adac3eee911f0c53",
            "2a9ed34ecd99ca3ff60ed2d4cdd008537a21a1364760d356d0044ed06d388d2418c5136d676ca9d37f5ba598d8f6a389",
            "d35a59335518fa29e1cd79b8f5b9077e",
        ]);
        let r = (BigUint::from(1u32) << 2010) + 12345u32;
        let key = RsaPublicKey::new(&n_big.to_bytes_be(), &[0x01, 0x00, 0x01]).unwrap();
        let mut out = vec![0u32; key.limbs];
        key.modulus.pow(&mut out, &limbs_of(&s_big.to_bytes_be(), key.limbs), 65537);
        assert_eq!(big_of_limbs(&out), r);
    }
}

both! {
    /// Arbitrary bytes for n, e and the signature never panic (this runs with overflow checks in
    /// debug builds), whatever `new` decides.
    fn random_inputs_never_panic() {
        let mut rng = Rng(0xdead_beef_cafe_f00d);
        let digest = sha256(b"fuzz");
        let mut accepted = 0;
        for round in 0..300 {
            let n_len = match round % 4 {
                0 => (rng.next_u64() % 600) as usize,
                1 => 64 + (rng.next_u64() % 8) as usize,
                2 => 256,
                _ => 512 + (rng.next_u64() % 3) as usize,
            };
            let mut n = rng.bytes(n_len);
            if round % 3 != 0 {
                if let Some(last) = n.last_mut() {
                    *last |= 1;
                }
            }
            let e_len = (rng.next_u64() % 6) as usize;
            let mut e = rng.bytes(e_len);
            if round % 2 == 0 && !e.is_empty() {
                e = vec![0x01, 0x00, 0x01];
            }
            let Ok(key) = RsaPublicKey::new(&n, &e) else {
                continue;
            };
            accepted += 1;
            let k = key.modulus_len();
            for sig_len in [0, 1, k - 1, k, k, k + 1] {
                let sig = rng.bytes(sig_len);
                assert!(!key.verify_pkcs1v15_sha256(&digest, &sig));
            }
        }
        assert!(accepted > 20, "too few random keys accepted: {accepted}");
    }
}

both! {
    /// The EMSA encoding and verification agree with an independent signer on many digests and with
    /// e = 3 (the exponent of Bleichenbacher's forgery, where lenient parsers fail).
    fn many_digests_verify() {
        let fixtures = [fixture(PEM_2048), fixture(PEM_2048_E3)];
        for f in &fixtures {
            for i in 0u32..20 {
                let digest = sha256(&i.to_be_bytes());
                let sig = sign(&f.private, &digest);
                assert!(f.public.verify_pkcs1v15_sha256(&digest, &sig));
                let other = sha256(&(i + 1000).to_be_bytes());
                assert!(!f.public.verify_pkcs1v15_sha256(&other, &sig));
            }
        }
    }
}

both! {
    /// A forged e = 3 "signature" in the Bleichenbacher-06 shape (correct prefix, garbage after the
    /// digest, computed as an integer cube root) must fail: only a full-width comparison catches it.
    fn bleichenbacher_06_cube_root_forgery_fails() {
        let f = fixture(PEM_2048_E3);
        assert_eq!(f.public.exponent(), 3);
        let k = f.public.modulus_len();
        let digest = sha256(b"forged");
        // 00 01 FF 00 DigestInfo digest || garbage: short padding, the classic target.
        let mut target = vec![0x00, 0x01, 0xff, 0x00];
        target.extend_from_slice(&SHA256_DIGEST_INFO_PREFIX);
        target.extend_from_slice(&digest);
        target.resize(k, 0xff);
        let t = BigUint::from_bytes_be(&target);
        let root = t.nth_root(3);
        // root^3 <= t, agreeing with t in its leading octets: what a lenient parser would accept.
        let forged = root.to_bytes_be();
        let mut sig = vec![0u8; k - forged.len()];
        sig.extend_from_slice(&forged);
        let cube = (&root * &root * &root).to_bytes_be();
        assert_eq!(&cube[..20], &target[1..21]);
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &sig));
    }
}
