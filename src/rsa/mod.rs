//! RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2.2), public-key operation only: the key, the
//! signature's range and length, and the encoded message. The exponentiation itself is in
//! [`montgomery`].
//!
//! The padding check is encode-and-compare (RFC 8017 §8.2.2 step 3-4): the one valid encoded message
//! for the digest is built and compared with the whole of `s^e mod n`. Nothing in the signature is parsed,
//! which is what defeats Bleichenbacher-06 style forgeries (garbage hidden in a leniently parsed
//! DigestInfo or after the digest) and every BER/length-confusion variant Wycheproof tests for.
//!
//! The code avoids indexing altogether (iterators, `zip`, `get`), so no input can make it panic, and the
//! crate-wide `clippy::indexing_slicing` lint holds without exceptions.

mod montgomery;

use core::cmp::Ordering;
use core::fmt;
use montgomery::{be_bytes_to_limbs, cmp_limbs, Limbs, Modulus, MAX_BITS, MAX_LIMBS};

/// Smallest modulus the arithmetic accepts. This is not a security policy (the JWK layer demands 2048
/// bits); it is the floor below which the SHA-256 encoded message (51 octets of DigestInfo plus at
/// least 11 of framing and padding) no longer fits, with room to spare.
const MIN_BITS: usize = 512;
/// Octet count for [`MAX_BITS`].
const MAX_OCTETS: usize = MAX_BITS / 8;

/// DER of `DigestInfo ::= SEQUENCE { AlgorithmIdentifier { id-sha256, NULL }, OCTET STRING (32) }`
/// up to the digest: RFC 8017 §9.2 Note 1. Only this encoding (with the explicit NULL parameters) is
/// accepted; see [`RsaPublicKey::verify_pkcs1v15_sha256`].
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] =
    [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];
/// Length of the DigestInfo with the digest (`tLen` in RFC 8017 §9.2).
const T_LEN: usize = SHA256_DIGEST_INFO_PREFIX.len() + 32;
/// RFC 8017 §9.2 step 3 requires `emLen >= tLen + 11`, i.e. at least 8 octets of 0xFF padding.
const MIN_PS_LEN: usize = 8;

/// An RSA public key prepared for repeated RS256 verification.
///
/// Building one costs a few hundred modular doublings and up to five Montgomery squarings (for 2048
/// bits about a third of a verification); verification then costs exactly one exponentiation. Build it
/// once per key-set entry, not once per token.
#[derive(Clone)]
pub struct RsaPublicKey {
    /// n, little-endian 32-bit limbs; limbs at and above `limbs` are zero.
    n: Limbs,
    /// n prepared for Montgomery arithmetic (its digits, `R^2 mod n`, `-n^-1`).
    modulus: Modulus,
    /// Public exponent: odd, 3 ..= u32::MAX.
    e: u32,
    /// Number of significant limbs of n, 16 ..= [`MAX_LIMBS`].
    limbs: usize,
    /// Octet length of n (`k` in RFC 8017), 64 ..= [`MAX_OCTETS`].
    k: usize,
    /// Exact bit length of n, [`MIN_BITS`] ..= [`MAX_BITS`].
    bits: usize,
}

/// Why a modulus / exponent pair cannot be used as an RSA verification key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RsaKeyError {
    /// `n` has no octets.
    ModulusEmpty,
    /// `n` starts with a zero octet. JWK (RFC 7518 §6.3.1.1) requires the minimal encoding, and
    /// accepting padded forms would give one key several spellings.
    ModulusNotMinimal,
    /// `n` is even, so it is not an RSA modulus (and has no Montgomery inverse).
    ModulusEven,
    /// `n` is longer than 4096 bits, the size the fixed-width arithmetic is built for.
    ModulusTooLarge { bits: usize },
    /// `n` is shorter than 512 bits. This is the arithmetic floor only; the JWK policy layer
    /// separately enforces at least 2048 bits.
    ModulusTooSmall { bits: usize },
    /// `e` is empty, has a leading zero octet, is even, is below 3, exceeds `u32::MAX`, or is not below n.
    ExponentInvalid,
}

impl fmt::Display for RsaKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RsaKeyError::ModulusEmpty => f.write_str("RSA modulus is empty"),
            RsaKeyError::ModulusNotMinimal => f.write_str("RSA modulus has a leading zero octet"),
            RsaKeyError::ModulusEven => f.write_str("RSA modulus is even"),
            RsaKeyError::ModulusTooLarge { bits } => {
                write!(f, "RSA modulus has {bits} bits, more than {MAX_BITS}")
            }
            RsaKeyError::ModulusTooSmall { bits } => {
                write!(f, "RSA modulus has {bits} bits, fewer than {MIN_BITS}")
            }
            RsaKeyError::ExponentInvalid => f.write_str("RSA public exponent is invalid"),
        }
    }
}

impl std::error::Error for RsaKeyError {}

impl fmt::Debug for RsaPublicKey {
    // The limbs are public, but printing 4096 bits of them into a log helps nobody; size and exponent
    // identify the key class, the `kid` identifies the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPublicKey").field("bits", &self.bits).field("e", &self.e).finish_non_exhaustive()
    }
}

impl RsaPublicKey {
    /// n and e big-endian unsigned (the decoded JWK "n" and "e"). Precomputes everything per key once.
    pub fn new(n: &[u8], e: &[u8]) -> Result<RsaPublicKey, RsaKeyError> {
        let (&n_first, _) = n.split_first().ok_or(RsaKeyError::ModulusEmpty)?;
        if n_first == 0 {
            return Err(RsaKeyError::ModulusNotMinimal);
        }
        // Saturating: a multi-gigabyte "n" must produce an error, not an overflow.
        let bits = n.len().saturating_mul(8).saturating_sub(n_first.leading_zeros() as usize);
        if bits > MAX_BITS {
            return Err(RsaKeyError::ModulusTooLarge { bits });
        }
        if bits < MIN_BITS {
            return Err(RsaKeyError::ModulusTooSmall { bits });
        }
        if n.last().is_none_or(|&b| b & 1 == 0) {
            return Err(RsaKeyError::ModulusEven);
        }

        let e = parse_exponent(e)?;
        // n has at least MIN_BITS > 32 bits and e fits in 32, so e < n always holds; the check stays so
        // the invariant is stated where it is relied on, should MIN_BITS ever change.
        if (32 - e.leading_zeros()) as usize >= bits {
            return Err(RsaKeyError::ExponentInvalid);
        }

        let k = n.len();
        let limbs = k.div_ceil(4);
        let mut n_limbs: Limbs = [0; MAX_LIMBS];
        be_bytes_to_limbs(n, &mut n_limbs);

        let n_slice = n_limbs.get(..limbs).ok_or(RsaKeyError::ModulusTooLarge { bits })?;
        let modulus = Modulus::new(n_slice, bits);

        Ok(RsaPublicKey { n: n_limbs, modulus, e, limbs, k, bits })
    }

    /// Exact bit length of n.
    pub fn modulus_bits(&self) -> usize {
        self.bits
    }

    /// k, in octets: the length every signature for this key must have.
    pub fn modulus_len(&self) -> usize {
        self.k
    }

    /// The public exponent e.
    pub fn exponent(&self) -> u32 {
        self.e
    }

    /// The signature as an integer, if it may be one for this key at all: exactly k octets and
    /// 0 < s < n. Whoever does the exponentiation (this module, or a host's RSA; see `host`), these rules
    /// are the core's and are applied first.
    pub fn signature_in_range(&self, signature: &[u8]) -> bool {
        self.signature_representative(signature).is_some()
    }

    fn signature_representative(&self, signature: &[u8]) -> Option<Limbs> {
        // RFC 8017 §8.2.2 step 1: exactly k octets. A shorter or longer string is not "the same integer
        // with different padding"; accepting it would make signatures malleable.
        if signature.len() != self.k {
            return None;
        }
        let n = self.n.get(..self.limbs)?;
        let mut s_buf: Limbs = [0; MAX_LIMBS];
        be_bytes_to_limbs(signature, &mut s_buf);
        let s = s_buf.get(..self.limbs)?;
        // RSAVP1 step 1 (RFC 8017 §5.2.2): the representative must lie in [0, n-1]. s = n + x would
        // otherwise verify like x (malleability), and s = 0 can never be a signature of a non-zero
        // message, so it is turned away before any arithmetic.
        if s.iter().all(|&l| l == 0) || cmp_limbs(s, n) != Ordering::Less {
            return None;
        }
        Some(s_buf)
    }

    /// n as k big-endian octets, the minimal encoding (what the JWK's `n` decodes to), for a host's RSA.
    pub fn modulus_bytes(&self) -> Vec<u8> {
        let mut octets: Vec<u8> = self.n.iter().take(self.limbs).flat_map(|limb| limb.to_le_bytes()).collect();
        octets.truncate(self.k);
        octets.reverse();
        octets
    }

    /// true only if signature is exactly k octets, 0 < s < n, and s^e mod n == EMSA-PKCS1-v1_5(SHA-256, digest)
    /// (encode-and-compare: 0x00 0x01 FF..FF 0x00 || DER DigestInfo(sha256 WITH NULL params) || digest; FF padding >= 8 octets).
    ///
    /// DigestInfo without the NULL parameters (RFC 8017 §9.2 Note 2 allows verifiers to accept it;
    /// Wycheproof marks it "acceptable", flag `MissingNull`) is rejected: a single canonical encoding
    /// means a single comparison, as in Go's crypto/rsa and BoringSSL, and no signer in the JWT world
    /// produces the other form.
    pub fn verify_pkcs1v15_sha256(&self, digest: &[u8; 32], signature: &[u8]) -> bool {
        let Some(s_buf) = self.signature_representative(signature) else {
            return false;
        };
        let Some(s) = s_buf.get(..self.limbs) else {
            return false;
        };

        let mut m_buf: Limbs = [0; MAX_LIMBS];
        let Some(m) = m_buf.get_mut(..self.limbs) else {
            return false;
        };
        self.modulus.pow(m, s, self.e);

        let mut em_buf: Limbs = [0; MAX_LIMBS];
        if !encode_pkcs1v15_sha256(digest, self.k, &mut em_buf) {
            return false;
        }
        let Some(em) = em_buf.get(..self.limbs) else {
            return false;
        };
        // Public data on both sides: an early-exit comparison is fine.
        m == em
    }
}

/// Decodes e: minimal big-endian, at most 32 bits, odd and at least 3.
fn parse_exponent(e: &[u8]) -> Result<u32, RsaKeyError> {
    match e.first() {
        None | Some(0) => return Err(RsaKeyError::ExponentInvalid),
        Some(_) => {}
    }
    if e.len() > 4 {
        return Err(RsaKeyError::ExponentInvalid);
    }
    let value = e.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    // e = 1 makes s the message itself (no signature at all); even e is never coprime to lambda(n).
    if value < 3 || value & 1 == 0 {
        return Err(RsaKeyError::ExponentInvalid);
    }
    Ok(value)
}

/// Writes EMSA-PKCS1-v1_5(SHA-256, digest) for a k-octet modulus (RFC 8017 §9.2) into `out` as
/// little-endian limbs. Returns false if k is too short for the minimum padding (cannot happen for
/// keys built by [`RsaPublicKey::new`]; kept total so no length can panic).
fn encode_pkcs1v15_sha256(digest: &[u8; 32], k: usize, out: &mut Limbs) -> bool {
    let Some(ps_len) = k.checked_sub(3 + T_LEN) else {
        return false;
    };
    if ps_len < MIN_PS_LEN || k > MAX_OCTETS {
        return false;
    }
    let mut em_bytes = [0u8; MAX_OCTETS];
    let encoded = [0x00u8, 0x01]
        .iter()
        .chain(core::iter::repeat_n(&0xffu8, ps_len))
        .chain(core::iter::once(&0x00u8))
        .chain(SHA256_DIGEST_INFO_PREFIX.iter())
        .chain(digest.iter());
    let mut written = 0usize;
    for (dst, &src) in em_bytes.iter_mut().zip(encoded) {
        *dst = src;
        written += 1;
    }
    let Some(em) = em_bytes.get(..written) else {
        return false;
    };
    if written != k {
        return false;
    }
    *out = [0; MAX_LIMBS];
    be_bytes_to_limbs(em, out);
    true
}

#[cfg(test)]
mod tests;
