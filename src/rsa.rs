//! RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2.2), public-key operation only.
//!
//! Verifying a token is one modular exponentiation `s^e mod n` with a public exponent, so this module
//! is built for exactly that and nothing else:
//!
//! * 32-bit limbs with `u64` products. wasm32 has a native `i64.mul` but no 64x64->128 multiply, so
//!   64-bit limbs would turn every product into a call to a `u128` helper.
//! * Fixed arrays of [`MAX_LIMBS`] limbs (4096 bits) on the stack: no allocation per verification and
//!   lengths that are validated once in [`RsaPublicKey::new`].
//! * Montgomery arithmetic: a dedicated squaring, because 16 of the 18 operations of an e = 65537
//!   verification are squarings and a square needs only half of the cross products; CIOS
//!   multiplication for the other two. Inner loops carry two independent carry chains, since the
//!   serial add-and-shift carry chain, not the multiplier, is what limits a textbook loop.
//! * `-n^-1 mod 2^32` and `R^2 mod n` are computed once per key, not once per signature.
//! * Nothing here is constant time. Every input to a verification (key, signature, digest) is public,
//!   so timing reveals nothing an attacker does not already hold.
//!
//! The padding check is encode-and-compare (RFC 8017 §8.2.2 step 3-4): the one valid encoded message
//! for the digest is built and compared with the whole of `s^e mod n`. Nothing in the signature is parsed,
//! which is what defeats Bleichenbacher-06 style forgeries (garbage hidden in a leniently parsed
//! DigestInfo or after the digest) and every BER/length-confusion variant Wycheproof tests for.
//!
//! The code avoids indexing altogether (iterators, `zip`, `get`), so no input can make it panic, and the
//! crate-wide `clippy::indexing_slicing` lint holds without exceptions.

use core::cmp::Ordering;
use core::fmt;

/// Largest modulus handled, in bits. Matches `limits::MAX_RSA_BITS`; the stack arrays below are sized
/// from it, so raising it costs stack space in every verification.
const MAX_BITS: usize = 4096;
/// Smallest modulus the arithmetic accepts. This is not a security policy (the JWK layer demands 2048
/// bits); it is the floor below which the SHA-256 encoded message (51 octets of DigestInfo plus at
/// least 11 of framing and padding) no longer fits, with room to spare.
const MIN_BITS: usize = 512;
/// Limb count for [`MAX_BITS`].
const MAX_LIMBS: usize = MAX_BITS / 32;
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

type Limbs = [u32; MAX_LIMBS];

/// An RSA public key prepared for repeated RS256 verification.
///
/// Building one costs at most 160 modular doublings and five Montgomery squarings (roughly a third of
/// a verification); verification then costs exactly one exponentiation. Build it once per key-set
/// entry, not once per token.
#[derive(Clone)]
pub struct RsaPublicKey {
    /// n, little-endian 32-bit limbs; limbs at and above `limbs` are zero.
    n: Limbs,
    /// `R^2 mod n` with `R = 2^(32 * limbs)`: one Montgomery multiplication by it moves a value into
    /// Montgomery form.
    rr: Limbs,
    /// `-n^-1 mod 2^32`: the per-limb reduction factor of Montgomery multiplication.
    n0inv: u32,
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
        let n0 = n_slice.first().copied().ok_or(RsaKeyError::ModulusEmpty)?;
        let n0inv = neg_inv_u32(n0);
        let rr = r_squared(n_slice, bits, n0inv);

        Ok(RsaPublicKey { n: n_limbs, rr, n0inv, e, limbs, k, bits })
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

    /// true only if signature is exactly k octets, 0 < s < n, and s^e mod n == EMSA-PKCS1-v1_5(SHA-256, digest)
    /// (encode-and-compare: 0x00 0x01 FF..FF 0x00 || DER DigestInfo(sha256 WITH NULL params) || digest; FF padding >= 8 octets).
    ///
    /// DigestInfo without the NULL parameters (RFC 8017 §9.2 Note 2 allows verifiers to accept it;
    /// Wycheproof marks it "acceptable", flag `MissingNull`) is rejected: a single canonical encoding
    /// means a single comparison, as in Go's crypto/rsa and BoringSSL, and no signer in the JWT world
    /// produces the other form.
    pub fn verify_pkcs1v15_sha256(&self, digest: &[u8; 32], signature: &[u8]) -> bool {
        // RFC 8017 §8.2.2 step 1: exactly k octets. A shorter or longer string is not "the same integer
        // with different padding"; accepting it would make signatures malleable.
        if signature.len() != self.k {
            return false;
        }
        let Some(n) = self.n.get(..self.limbs) else {
            return false;
        };
        let Some(rr) = self.rr.get(..self.limbs) else {
            return false;
        };

        let mut s_buf: Limbs = [0; MAX_LIMBS];
        be_bytes_to_limbs(signature, &mut s_buf);
        let Some(s) = s_buf.get(..self.limbs) else {
            return false;
        };
        // RSAVP1 step 1 (RFC 8017 §5.2.2): the representative must lie in [0, n-1]. s = n + x would
        // otherwise verify like x (malleability), and s = 0 can never be a signature of a non-zero
        // message, so it is turned away before any arithmetic.
        if s.iter().all(|&l| l == 0) || cmp_limbs(s, n) != Ordering::Less {
            return false;
        }

        let mut m_buf: Limbs = [0; MAX_LIMBS];
        let Some(m) = m_buf.get_mut(..self.limbs) else {
            return false;
        };
        mod_pow(m, s, self.e, n, rr, self.n0inv);

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

/// Big-endian octets into little-endian 32-bit limbs. Octets that do not fit are ignored; callers
/// have bounded the length to `4 * out.len()` already.
fn be_bytes_to_limbs(bytes: &[u8], out: &mut [u32]) {
    for (limb, chunk) in out.iter_mut().zip(bytes.rchunks(4)) {
        *limb = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    }
}

/// `-x^-1 mod 2^32` for odd x.
fn neg_inv_u32(x: u32) -> u32 {
    // Newton's iteration doubles the number of correct low bits each step. For odd x, x*x = 1 mod 8,
    // so x is its own inverse to 3 bits; 3 -> 6 -> 12 -> 24 -> 48 >= 32 takes four steps.
    let mut inv = x;
    for _ in 0..4 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(x.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// Compares two equal-length little-endian numbers.
fn cmp_limbs(a: &[u32], b: &[u32]) -> Ordering {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        match x.cmp(y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    Ordering::Equal
}

/// `a -= b`, ignoring the final borrow (callers subtract only when the true result is non-negative,
/// possibly with a carry bit held outside `a`).
fn sub_in_place(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0u32;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(borrow);
        *x = d2;
        borrow = u32::from(b1 | b2);
    }
}

/// `x = 2x mod n` for `x < n`.
fn mod_double(x: &mut [u32], n: &[u32]) {
    let mut carry = 0u32;
    for limb in x.iter_mut() {
        let next = *limb >> 31;
        *limb = (*limb << 1) | carry;
        carry = next;
    }
    // 2x < 2n, so one subtraction is enough; when the doubling overflowed the top limb, the true value
    // is above n and the wrapped subtraction lands on the right residue.
    if carry != 0 || cmp_limbs(x, n) != Ordering::Less {
        sub_in_place(x, n);
    }
}

/// `R^2 mod n` with `R = 2^(32 * limbs)`.
fn r_squared(n: &[u32], bits: usize, n0inv: u32) -> Limbs {
    let limbs = n.len();
    let mut rr: Limbs = [0; MAX_LIMBS];
    let Some(x) = rr.get_mut(..limbs) else {
        return rr;
    };
    // Start from 2^(bits-1), which is below n because n is odd and has that top bit.
    let top = bits.saturating_sub(1);
    if let Some(limb) = x.get_mut(top / 32) {
        *limb = 1 << (top % 32);
    }
    // Doubling up to 2^(32*limbs) = R mod n, then `limbs` more to 2^limbs * R: the Montgomery form of
    // 2^limbs. Five Montgomery squarings raise that to (2^limbs)^32 = R, in Montgomery form R*R.
    // That is at most 32 + 128 cheap doublings and five squarings, instead of the 32*limbs doublings
    // of the textbook approach (which a key set of ten 4096-bit keys would feel).
    let doublings = (32 * limbs).saturating_sub(top) + limbs;
    for _ in 0..doublings {
        mod_double(x, n);
    }
    for _ in 0..5 {
        mont_sqr(x, n, n0inv);
    }
    rr
}

/// `acc = acc * b * R^-1 mod n` (Montgomery multiplication), for `acc, b < n`; the result is fully
/// reduced. All slices have the modulus' limb count.
///
/// CIOS (Koç, Acar, Kaliski 1996) with the multiplication and reduction passes fused into one inner
/// loop carrying two independent carries: one pass over memory per outer step instead of two. Each
/// carry chain stays within u64: `t + a*b + c <= (2^32-1) + (2^32-1)^2 + (2^32-1) = 2^64 - 1`.
fn mont_mul(acc: &mut [u32], b: &[u32], n: &[u32], n0inv: u32) {
    let mut t_buf: Limbs = [0; MAX_LIMBS];
    let Some(t) = t_buf.get_mut(..n.len()) else {
        return;
    };
    // The running sum is t + 2^(32*limbs) * t_hi and stays below 2n, so t_hi is 0 or 1.
    let mut t_hi: u64 = 0;
    {
        let a: &[u32] = acc;
        let (Some((&a0, a_rest)), Some((&n0, n_rest))) = (a.split_first(), n.split_first()) else {
            return;
        };
        for &bi in b {
            let bi = u64::from(bi);
            let Some((t0, t_rest)) = t.split_first_mut() else {
                return;
            };
            let p1 = u64::from(*t0) + u64::from(a0) * bi;
            let mut c1 = p1 >> 32;
            // m makes the low limb of t + a*bi + m*n zero, so the sum can be shifted down a limb.
            let m = u64::from((p1 as u32).wrapping_mul(n0inv));
            let p2 = u64::from(p1 as u32) + m * u64::from(n0);
            let mut c2 = p2 >> 32;
            // `prev` trails one limb behind: the shift by one limb is done while storing.
            let mut prev = t0;
            for ((tj, &aj), &nj) in t_rest.iter_mut().zip(a_rest).zip(n_rest) {
                let p1 = u64::from(*tj) + u64::from(aj) * bi + c1;
                c1 = p1 >> 32;
                let p2 = u64::from(p1 as u32) + m * u64::from(nj) + c2;
                c2 = p2 >> 32;
                *prev = p2 as u32;
                prev = tj;
            }
            let top = t_hi + c1 + c2;
            *prev = top as u32;
            t_hi = top >> 32;
        }
    }
    if t_hi != 0 || cmp_limbs(t, n) != Ordering::Less {
        sub_in_place(t, n);
    }
    for (dst, &src) in acc.iter_mut().zip(t.iter()) {
        *dst = src;
    }
}

/// `x = x^2 * R^-1 mod n` for `x < n`; the result is fully reduced.
///
/// Squaring is 16 of the 18 Montgomery operations of an e = 65537 verification, so this is where the
/// time goes. It builds the full 2*limbs square ([`square_wide`]: each cross product once, then doubled)
/// and reduces it ([`montgomery_reduce`]): limbs^2/2 + limbs^2 products, against 2*limbs^2 for
/// [`mont_mul`].
fn mont_sqr(x: &mut [u32], n: &[u32], n0inv: u32) {
    let mut buf = [0u32; 2 * MAX_LIMBS];
    let Some(prod) = buf.get_mut(..2 * n.len()) else {
        return;
    };
    square_wide(x, prod);
    montgomery_reduce(prod, x, n, n0inv);
}

/// `prod = x^2`, with `prod` zeroed and exactly twice as long as `x`.
///
/// Both passes below handle two rows (two multipliers) per sweep over the product buffer. Each row has
/// its own carry chain, so the two chains run in parallel instead of every product waiting on the
/// previous carry (the add/shift carry chain, not the multiplier, limits a one-row loop), and every
/// product limb is loaded and stored once per two rows. In wasm (V8) this measured about 30% faster
/// than one row per pass; three or four rows gained only a few percent more for much more code.
fn square_wide(x: &[u32], prod: &mut [u32]) {
    let s = x.len();
    // Cross products x_i * x_j, i < j, rows i and i+1 together. Row i covers positions 2i+1 ..= i+s-1
    // and row i+1 covers 2i+3 ..= i+s; positions i+s and i+s+1 are still zero (the previous pair
    // ended at i+s-1), so the final carries are stored, not added.
    let mut i = 0;
    while i + 3 <= s {
        let (Some(&a), Some(&b), Some(&x2)) = (x.get(i), x.get(i + 1), x.get(i + 2)) else {
            return;
        };
        let (a, b) = (u64::from(a), u64::from(b));
        let Some(window) = prod.get_mut(2 * i + 1..i + s + 2) else {
            return;
        };
        let Some((d1, window)) = window.split_first_mut() else {
            return;
        };
        let Some((d2, window)) = window.split_first_mut() else {
            return;
        };
        let Some((mid, tail)) = window.split_at_mut_checked(s - i - 3) else {
            return;
        };
        let Some(xa) = x.get(i + 3..) else {
            return;
        };
        // Positions 2i+1 and 2i+2: row i only.
        let p = u64::from(*d1) + a * b;
        *d1 = p as u32;
        let p = u64::from(*d2) + a * u64::from(x2) + (p >> 32);
        *d2 = p as u32;
        let (mut ca, mut cb) = (p >> 32, 0u64);
        // Row i+1 multiplies the limb row i used one position earlier: keep it in a register.
        let mut xb = u64::from(x2);
        for (&xj, d) in xa.iter().zip(mid.iter_mut()) {
            let xj = u64::from(xj);
            let pa = u64::from(*d) + a * xj + ca;
            ca = pa >> 32;
            let pb = (pa & 0xffff_ffff) + b * xb + cb;
            cb = pb >> 32;
            *d = pb as u32;
            xb = xj;
        }
        // Position i+s: row i+1's last product (xb is now x_(s-1)) and both carries.
        if let [d, d_next] = tail {
            let p = b * xb + ca + cb;
            *d = p as u32;
            *d_next = (p >> 32) as u32;
        }
        i += 2;
    }
    // The last one or two rows (at most one product) one at a time.
    while i < s {
        let (Some(&xi), Some(rest)) = (x.get(i), x.get(i + 1..)) else {
            return;
        };
        let Some((last, dst)) = prod.get_mut(2 * i + 1..i + s + 1).and_then(|d| d.split_last_mut()) else {
            return;
        };
        let xi = u64::from(xi);
        let mut c = 0u64;
        for (&xj, d) in rest.iter().zip(dst.iter_mut()) {
            let p = u64::from(*d) + xi * u64::from(xj) + c;
            *d = p as u32;
            c = p >> 32;
        }
        *last = c as u32;
        i += 1;
    }

    // Double the cross products and add the squares x_i^2 at position 2i, in one pass. The cross
    // products sum to less than x^2 / 2 and the total is x^2 < 2^(64*limbs): no bit is lost at the top.
    let mut shift_in = 0u32;
    let mut c = 0u64;
    for (pair, &xi) in prod.chunks_exact_mut(2).zip(x.iter()) {
        if let [lo, hi] = pair {
            let sq = u64::from(xi) * u64::from(xi);
            let dlo = (*lo << 1) | shift_in;
            let dhi = (*hi << 1) | (*lo >> 31);
            shift_in = *hi >> 31;
            let p = u64::from(dlo) + (sq & 0xffff_ffff) + c;
            *lo = p as u32;
            let p = u64::from(dhi) + (sq >> 32) + (p >> 32);
            *hi = p as u32;
            c = p >> 32;
        }
    }
}

/// `out = prod * R^-1 mod n` for `prod < n * R` (`prod` has 2*limbs limbs), fully reduced.
///
/// Each step picks m so that adding m*n clears the lowest remaining limb; two steps share one sweep
/// (see [`square_wide`] for why). m1 depends on the limb m0*n has just changed, so it is computed
/// before the sweep from the two lowest limbs.
fn montgomery_reduce(prod: &mut [u32], out: &mut [u32], n: &[u32], n0inv: u32) {
    let s = n.len();
    let (Some(&n0), Some(&n1), Some(&n_last), Some(n_hi)) = (n.first(), n.get(1), n.last(), n.get(2..)) else {
        return;
    };
    // Carry out of position i+s+1 of one pair, owed to position i+s of the next (its i is 2 higher).
    let mut top = 0u64;
    let mut i = 0;
    while i + 1 < s {
        let Some(window) = prod.get_mut(i..i + s + 2) else {
            return;
        };
        let Some((w0, window)) = window.split_first_mut() else {
            return;
        };
        let Some((w1, window)) = window.split_first_mut() else {
            return;
        };
        let Some((mid, tail)) = window.split_at_mut_checked(s - 2) else {
            return;
        };
        // Positions i and i+1 become zero; they are below the result and never read again.
        let m0 = u64::from(w0.wrapping_mul(n0inv));
        let p = u64::from(*w0) + m0 * u64::from(n0);
        let pa = u64::from(*w1) + m0 * u64::from(n1) + (p >> 32);
        let m1 = u64::from((pa as u32).wrapping_mul(n0inv));
        let pb = (pa & 0xffff_ffff) + m1 * u64::from(n0);
        let (mut ca, mut cb) = (pa >> 32, pb >> 32);
        // Position i+j gets m0*n_j and m1*n_(j-1); n_(j-1) is the limb m0 used one step earlier.
        let mut nb = u64::from(n1);
        for (&nj, w) in n_hi.iter().zip(mid.iter_mut()) {
            let nj = u64::from(nj);
            let pa = u64::from(*w) + m0 * nj + ca;
            ca = pa >> 32;
            let pb = (pa & 0xffff_ffff) + m1 * nb + cb;
            cb = pb >> 32;
            *w = pb as u32;
            nb = nj;
        }
        if let [w, w_next] = tail {
            let pa = u64::from(*w) + ca + top;
            let pb = (pa & 0xffff_ffff) + m1 * u64::from(n_last) + cb;
            *w = pb as u32;
            let p = u64::from(*w_next) + (pa >> 32) + (pb >> 32);
            *w_next = p as u32;
            top = p >> 32;
        }
        i += 2;
    }
    // An odd limb count leaves one step.
    if i < s {
        let Some((high, low)) = prod.get_mut(i..i + s + 1).and_then(|w| w.split_last_mut()) else {
            return;
        };
        let Some(&w0) = low.first() else {
            return;
        };
        let m = u64::from(w0.wrapping_mul(n0inv));
        let mut c = 0u64;
        for (w, &nj) in low.iter_mut().zip(n) {
            let p = u64::from(*w) + m * u64::from(nj) + c;
            *w = p as u32;
            c = p >> 32;
        }
        let p = u64::from(*high) + c + top;
        *high = p as u32;
        top = p >> 32;
    }

    // (prod + M*n) / R < (n*R + R*n) / R = 2n: at most one subtraction.
    let Some(result) = prod.get_mut(s..2 * s) else {
        return;
    };
    if top != 0 || cmp_limbs(result, n) != Ordering::Less {
        sub_in_place(result, n);
    }
    for (dst, &src) in out.iter_mut().zip(result.iter()) {
        *dst = src;
    }
}

/// `out = s^e mod n` for odd `e >= 3` and `s < n`, fully reduced.
///
/// Left-to-right square-and-multiply in Montgomery form. The conversion out of Montgomery form is
/// folded away: e is odd, so the last step is always a multiplication, and multiplying the Montgomery
/// form `s^(e-1) * R` by the plain `s` yields `s^e * R * R^-1`, the plain result.
fn mod_pow(out: &mut [u32], s: &[u32], e: u32, n: &[u32], rr: &[u32], n0inv: u32) {
    // base = s * R mod n (Montgomery form of s).
    let mut base_buf: Limbs = [0; MAX_LIMBS];
    let Some(base) = base_buf.get_mut(..n.len()) else {
        return;
    };
    for (dst, &src) in base.iter_mut().zip(s) {
        *dst = src;
    }
    mont_mul(base, rr, n, n0inv);

    for (dst, &src) in out.iter_mut().zip(base.iter()) {
        *dst = src;
    }
    if e == 65537 {
        // 2^16 + 1: sixteen squarings then the final multiplication below. Every JWT issuer uses this
        // exponent, so it gets a branch-free loop.
        for _ in 0..16 {
            mont_sqr(out, n, n0inv);
        }
    } else {
        // Bits below the leading one, down to bit 1; bit 0 (always set) is the final multiplication.
        // `checked_`: e is validated odd and >= 3 in `new`, but nothing here may panic regardless.
        let top_bit = e.checked_ilog2().unwrap_or(0);
        for bit in (1..top_bit).rev() {
            mont_sqr(out, n, n0inv);
            if (e >> bit) & 1 == 1 {
                mont_mul(out, base, n, n0inv);
            }
        }
        mont_sqr(out, n, n0inv);
    }
    // Final multiply by plain s: leaves Montgomery form.
    mont_mul(out, s, n, n0inv);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use ::rsa::pkcs8::DecodePrivateKey;
    use ::rsa::traits::PublicKeyParts;
    use ::rsa::{BigUint, Pkcs1v15Sign, RsaPrivateKey};
    use sha2::{Digest, Sha256};

    const PEM_2048: &str = include_str!("../tests/keys/rsa2048.pem");
    const PEM_2048_B: &str = include_str!("../tests/keys/rsa2048_b.pem");
    const PEM_2048_E3: &str = include_str!("../tests/keys/rsa2048_e3.pem");
    const PEM_3072: &str = include_str!("../tests/keys/rsa3072.pem");
    const PEM_4096: &str = include_str!("../tests/keys/rsa4096.pem");
    const PEM_1024: &str = include_str!("../tests/keys/rsa1024.pem");

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

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
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

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
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

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
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

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn signature_with_other_key_fails() {
        let a = fixture(PEM_2048);
        let b = fixture(PEM_2048_B);
        let digest = sha256(b"payload");
        let sig = sign(&a.private, &digest);
        assert!(a.public.verify_pkcs1v15_sha256(&digest, &sig));
        assert!(!b.public.verify_pkcs1v15_sha256(&digest, &sig));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
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

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn out_of_range_representatives_rejected() {
        let f = fixture(PEM_2048);
        let digest = sha256(b"range");
        let sig = sign(&f.private, &digest);
        let k = f.public.modulus_len();
        // s = 0, s = n, s = n + sig (when it fits), s = 2^(8k) - 1.
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &vec![0u8; k]));
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &f.n));
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &vec![0xffu8; k]));
        let sum = BigUint::from_bytes_be(&sig) + BigUint::from_bytes_be(&f.n);
        let sum = sum.to_bytes_be();
        if sum.len() == k {
            assert!(!f.public.verify_pkcs1v15_sha256(&digest, &sum));
        }
        // s = 1 and s = n - 1 are in range but are no signature: the arithmetic runs and fails.
        let mut one = vec![0u8; k];
        one[k - 1] = 1;
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &one));
        let n_minus_1 = (BigUint::from_bytes_be(&f.n) - 1u32).to_bytes_be();
        assert!(!f.public.verify_pkcs1v15_sha256(&digest, &n_minus_1));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
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

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn neg_inv_is_inverse() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..1000 {
            let x = (rng.next_u64() as u32) | 1;
            assert_eq!(x.wrapping_mul(neg_inv_u32(x)), u32::MAX, "x = {x:#x}");
        }
        assert_eq!(neg_inv_u32(1), u32::MAX);
        assert_eq!(u32::MAX.wrapping_mul(neg_inv_u32(u32::MAX)), u32::MAX);
    }

    /// R^2 mod n, the squarings and the exponentiation against num-bigint, over moduli whose sizes are
    /// not multiples of 32 (or 8) and whose top limb is nearly empty or full.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn arithmetic_matches_bigint() {
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        for bits in [512, 513, 519, 520, 543, 544, 1023, 1024, 2047, 2048, 2049, 2080, 3072, 4095, 4096] {
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
                let r = BigUint::from(1u32) << (32 * limbs);
                assert_eq!(big_of_limbs(&key.rr[..limbs]), (&r * &r) % &n_big, "R^2, {bits} bits");
                assert!(key.rr[limbs..].iter().all(|&l| l == 0));

                let r_inv_check = |a: &BigUint, b: &BigUint, got: &[u32]| {
                    // got * R == a * b (mod n)
                    let lhs = (big_of_limbs(got) * &r) % &n_big;
                    let rhs = (a * b) % &n_big;
                    assert_eq!(lhs, rhs, "{bits} bits round {round}");
                    assert!(big_of_limbs(got) < n_big);
                };
                let n_l = &key.n[..limbs];
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

                    let mut sq = a_l.clone();
                    mont_sqr(&mut sq, n_l, key.n0inv);
                    r_inv_check(&a, &a, &sq);
                    let mut mul_sq = a_l.clone();
                    mont_mul(&mut mul_sq, &a_l, n_l, key.n0inv);
                    assert_eq!(mul_sq, sq);
                    let mut ab = a_l.clone();
                    mont_mul(&mut ab, &b_l, n_l, key.n0inv);
                    r_inv_check(&a, &b, &ab);

                    // Long exponents (31 and 32 bits) once per modulus: they are slow in debug wasm.
                    let long: &[u32] = if case == 3 { &[0x8000_0001, u32::MAX] } else { &[] };
                    for &e in [3u32, 5, 17, 65537].iter().chain(long) {
                        let mut out = vec![0u32; limbs];
                        mod_pow(&mut out, &a_l, e, n_l, &key.rr[..limbs], key.n0inv);
                        assert_eq!(big_of_limbs(&out), a.modpow(&BigUint::from(e), &n_big), "{bits} bits, e = {e}");
                    }
                }
            }
        }
    }

    /// Arbitrary bytes for n, e and the signature never panic (this runs with overflow checks in
    /// debug builds), whatever `new` decides.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
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

    /// The EMSA encoding and verification agree with an independent signer on many digests and with
    /// e = 3 (the exponent of Bleichenbacher's forgery, where lenient parsers fail).
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
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

    /// A forged e = 3 "signature" in the Bleichenbacher-06 shape (correct prefix, garbage after the
    /// digest, computed as an integer cube root) must fail: only a full-width comparison catches it.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
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
