//! Montgomery arithmetic for the RSA public-key operation `s^e mod n` (RFC 8017 §5.2.2 RSAVP1), with
//! lazy carries.
//!
//! * Digits of `rb` bits (28, or 27 above 3526-bit moduli) held in u32, and column sums in u64. A product
//!   of two digits is below 2^56, so a column absorbs every product one multiplication adds to it (at most
//!   2 l of them, and `rb` is chosen so that stays below 2^64); the carry moves once per row instead of once
//!   per product. That removes the serial add-with-carry chain that limits a 32-bit-limb loop and leaves
//!   independent multiply-adds, which wasm SIMD does two at a time: `i64x2.extmul_{low,high}_i32x4_u` and
//!   `i64x2.add` (see [`sweep4`]). Without `simd128` (native builds) the same loops run on scalars.
//! * Two rows per sweep over the column sums: each column is loaded and stored once per two rows, and the
//!   second row's reduction factor is computed before the sweep from the two lowest columns.
//! * "Almost Montgomery" (C. D. Walter, 1999): R = 2^(rb l) > 4n, so operands below 2n give results below
//!   2n and no operation needs a conditional subtraction; the one reduction to [0, n) is at the end of
//!   [`Modulus::pow`].
//! * A dedicated squaring: the cross products once, doubled (l^2/2 products), then the reduction (l^2),
//!   against 2 l^2 for a multiplication. 16 of the 18 operations of an e = 65537 verification are squarings.
//! * `-n^-1 mod 2^rb` and `R^2 mod n` are computed once per key ([`Modulus::new`]).
//! * Nothing here is constant time. Every input to a verification (key, signature, digest) is public,
//!   so timing reveals nothing an attacker does not already hold.
//!
//! Measured in Node 20 (V8, x86-64), s^65537 mod n: 2048 bits 36 µs, 3072 bits 69 µs, 4096 bits 128 µs,
//! against 67, 134 and 237 µs for the previous 32-bit-limb CIOS code (its scalar form: 58, 110, 202 µs).
//!
//! The code avoids indexing altogether (iterators, `zip`, `get`), so no input can make it panic, and the
//! crate-wide `clippy::indexing_slicing` lint holds without exceptions.

use core::cmp::Ordering;

/// Largest modulus handled, in bits. Matches `limits::MAX_RSA_BITS`; the stack arrays below are sized
/// from it, so raising it costs stack space in every verification.
pub(super) const MAX_BITS: usize = 4096;
/// 32-bit limb count for [`MAX_BITS`].
pub(super) const MAX_LIMBS: usize = MAX_BITS / 32;

/// A number of up to [`MAX_BITS`] bits, little-endian 32-bit limbs (the form of n, s and the result).
pub(super) type Limbs = [u32; MAX_LIMBS];

/// Most digits a modulus gets: 4096 bits + 2 (R > 4n) at 27 bits a digit is 152 (even).
const MAX_DIGITS: usize = 152;
/// Zero digits before a number's digits, so the one-digit-shifted operand of a two-row sweep reads
/// digit -1 as zero.
const LPAD: usize = 1;
/// Digits of a number, at `LPAD..LPAD + l`, zero elsewhere. Sweeps read up to 4 digits past the last
/// 4-aligned column, and the squaring up to 3 past l.
type Digits = [u32; LPAD + MAX_DIGITS + 7];
/// Column sums of a product: 2 l plus the sweep overrun.
const COLUMNS: usize = 2 * MAX_DIGITS + 8;

/// Big-endian octets into little-endian 32-bit limbs. Octets that do not fit are ignored; callers
/// have bounded the length to `4 * out.len()` already.
pub(super) fn be_bytes_to_limbs(bytes: &[u8], out: &mut [u32]) {
    // Whole limbs from the end, four octets at a time; then the most significant limb, if partial.
    // (`whole` leads the zip: the zip then stops without taking a limb it has no octets for.)
    let mut whole = bytes.rchunks_exact(4);
    let mut limbs = out.iter_mut();
    for (chunk, limb) in (&mut whole).zip(&mut limbs) {
        if let Ok(octets) = <[u8; 4]>::try_from(chunk) {
            *limb = u32::from_be_bytes(octets);
        }
    }
    let partial = whole.remainder();
    if let (false, Some(limb)) = (partial.is_empty(), limbs.next()) {
        *limb = partial.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    }
}

/// `-x^-1 mod 2^32` for odd x.
pub(super) fn neg_inv_u32(x: u32) -> u32 {
    // Newton's iteration doubles the number of correct low bits each step. For odd x, x*x = 1 mod 8,
    // so x is its own inverse to 3 bits; 3 -> 6 -> 12 -> 24 -> 48 >= 32 takes four steps.
    let mut inv = x;
    for _ in 0..4 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(x.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// Compares two equal-length little-endian numbers.
pub(super) fn cmp_limbs(a: &[u32], b: &[u32]) -> Ordering {
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
pub(super) fn sub_in_place(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0u32;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(borrow);
        *x = d2;
        borrow = u32::from(b1 | b2);
    }
}

/// `x = 2x mod n` for `x < n`.
pub(super) fn mod_double(x: &mut [u32], n: &[u32]) {
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

/// 32-bit limbs into `l` digits of `rb` bits at `out[LPAD..]` (the rest of `out` untouched).
fn limbs_to_digits(x: &[u32], out: &mut Digits, l: usize, rb: u32) {
    let mask = (1u64 << rb) - 1;
    let (mut acc, mut have) = (0u64, 0u32);
    let mut src = x.iter();
    for digit in out.iter_mut().skip(LPAD).take(l) {
        if have < rb {
            acc |= u64::from(src.next().copied().unwrap_or(0)) << have;
            have += 32;
        }
        *digit = (acc & mask) as u32;
        acc >>= rb;
        have -= rb;
    }
}

/// Digits (from `x[LPAD..]`) back into 32-bit limbs, as many as `out` holds.
fn digits_to_limbs(x: &Digits, out: &mut [u32], rb: u32) {
    let (mut acc, mut have) = (0u64, 0u32);
    let mut src = x.iter().skip(LPAD);
    for limb in out.iter_mut() {
        while have < 32 {
            acc |= u64::from(src.next().copied().unwrap_or(0)) << have;
            have += rb;
        }
        *limb = acc as u32;
        acc >>= 32;
        have -= 32;
    }
}

/// `x.get(i)`, 0 outside (never happens: the callers' indices are bounded by the array sizes above).
fn col(x: &[u64], i: usize) -> u64 {
    x.get(i).copied().unwrap_or(0)
}

fn add_col(x: &mut [u64], i: usize, v: u64) {
    if let Some(c) = x.get_mut(i) {
        *c += v;
    }
}

/// The carries out of columns i and i+1, which two rows have just cleared, into the next ones.
fn carry_two(t: &mut [u64], i: usize, rb: u32) {
    let c = col(t, i) >> rb;
    add_col(t, i + 1, c);
    let c = col(t, i + 1) >> rb;
    add_col(t, i + 2, c);
}

/// Digit `k` of `x`, widened.
fn digit(x: &Digits, k: usize) -> u64 {
    u64::from(x.get(LPAD + k).copied().unwrap_or(0))
}

/// `w` digits of `x` starting at digit `-shift` (`shift` <= [`LPAD`]); empty if out of range, which the
/// sizes above rule out.
fn digits_from(x: &Digits, shift: usize, w: usize) -> &[u32] {
    x.get(LPAD - shift..LPAD - shift + w).unwrap_or(&[])
}

/// A modulus prepared for Montgomery arithmetic in radix `2^rb`, `R = 2^(rb l)`.
#[derive(Clone)]
pub(super) struct Modulus {
    n: Digits,
    /// `R^2 mod n` (below 2n): one multiplication by it moves a value into Montgomery form.
    rr: Digits,
    /// `-n^-1 mod 2^rb`: the per-row reduction factor.
    n0inv: u32,
    rb: u32,
    /// Digits (rows); even, so rows go in pairs. `rb l >= bits + 2`, i.e. R > 4n.
    l: usize,
    /// `l` rounded up to a multiple of 4: the columns one row sweeps.
    lp: usize,
    /// Zero, in a field so LLVM cannot know it; see [`sweep4`].
    zero: [u32; 4],
}

impl Modulus {
    /// `n` as 32-bit limbs of an odd modulus of exactly `bits` bits, `bits <= MAX_BITS`.
    pub(super) fn new(n: &[u32], bits: usize) -> Modulus {
        // A column takes at most 2l products below 2^(2 rb): 28-bit digits up to l = 126.
        let digits = |rb: usize| (bits + 2).div_ceil(rb).next_multiple_of(2);
        let rb = if digits(28) <= 126 { 28 } else { 27 };
        let l = digits(rb).min(MAX_DIGITS);
        let mut m = Modulus {
            n: [0; LPAD + MAX_DIGITS + 7],
            rr: [0; LPAD + MAX_DIGITS + 7],
            n0inv: 0,
            rb: rb as u32,
            l,
            lp: l.next_multiple_of(4),
            zero: [0; 4],
        };
        limbs_to_digits(n, &mut m.n, l, m.rb);
        m.n0inv = neg_inv_u32(digit(&m.n, 0) as u32) & ((1 << rb) - 1);

        // R^2 mod n is the Montgomery form of R = 2^(rb l) = 2^(t 2^s): doubling 2^(bits-1) (below n)
        // up to 2^t R mod n, the Montgomery form of 2^t, then s squarings. 2048 bits: 284 doublings of
        // 64 limbs and 3 squarings.
        let rl = rb * l;
        let s = rl.trailing_zeros().min(5);
        let t = rl >> s;
        let mut x: Limbs = [0; MAX_LIMBS];
        let Some(xs) = x.get_mut(..n.len()) else {
            return m;
        };
        let top = bits.saturating_sub(1);
        if let Some(limb) = xs.get_mut(top / 32) {
            *limb = 1 << (top % 32);
        }
        for _ in 0..(rl.saturating_sub(top) + t) {
            mod_double(xs, n);
        }
        let mut rr: Digits = [0; LPAD + MAX_DIGITS + 7];
        limbs_to_digits(xs, &mut rr, l, m.rb);
        for _ in 0..s {
            let x = rr;
            m.sqr(&x, &mut rr);
        }
        m.rr = rr;
        m
    }

    /// `out = a b / R mod n`, below 2n, for `a, b < 2n`.
    fn mul(&self, a: &Digits, b: &Digits, out: &mut Digits) {
        let mut t = [0u64; COLUMNS];
        let (rb, mask, inv) = (self.rb, (1u32 << self.rb) - 1, self.n0inv);
        let (a0, a1, n0, n1) = (digit(a, 0), digit(a, 1), digit(&self.n, 0), digit(&self.n, 1));
        // Row i+1 reaches one column further than row i.
        let w = self.lp + 4;
        for i in (0..self.l).step_by(2) {
            let (bi, bj) = (digit(b, i), digit(b, i + 1));
            // m0 clears column i; m1 clears column i+1 once row i (and its carry) and row i+1's first
            // product are in.
            let c0 = col(&t, i) + a0 * bi;
            let m0 = (c0 as u32).wrapping_mul(inv) & mask;
            let c1 = col(&t, i + 1) + a1 * bi + n1 * u64::from(m0) + ((c0 + n0 * u64::from(m0)) >> rb) + a0 * bj;
            let m1 = (c1 as u32).wrapping_mul(inv) & mask;
            let Some(window) = t.get_mut(i..i + w) else {
                break;
            };
            let ops =
                [digits_from(a, 0, w), digits_from(&self.n, 0, w), digits_from(a, 1, w), digits_from(&self.n, 1, w)];
            sweep4(window, ops, [bi as u32, m0, bj as u32, m1], &self.zero);
            carry_two(&mut t, i, rb);
        }
        self.normalise(&t, out);
    }

    /// `out = x^2 / R mod n`, below 2n, for `x < 2n`.
    fn sqr(&self, x: &Digits, out: &mut Digits) {
        let mut t = [0u64; COLUMNS];
        let (l, rb, mask, inv) = (self.l, self.rb, (1u32 << self.rb) - 1, self.n0inv);
        // Cross products doubled, and the squares: rows i and i+1 together. Positions 2i ..= 2i+2 by
        // hand; from 2i+3 on, row i multiplies x_j and row i+1 x_(j-1), j = p - i.
        for i in (0..l).step_by(2) {
            let (xi, xj) = (digit(x, i), digit(x, i + 1));
            add_col(&mut t, 2 * i, xi * xi);
            add_col(&mut t, 2 * i + 1, 2 * xi * xj);
            add_col(&mut t, 2 * i + 2, xj * xj + 2 * xi * digit(x, i + 2));
            // j = i+3 ..= l: row i's x_j (j < l) and row i+1's x_(j-1) (j-1 >= i+2).
            let cnt = (l - i).saturating_sub(2).next_multiple_of(4);
            if cnt == 0 {
                continue;
            }
            let (Some(window), Some(o0), Some(o1)) = (
                t.get_mut(2 * i + 3..2 * i + 3 + cnt),
                x.get(LPAD + i + 3..LPAD + i + 3 + cnt),
                x.get(LPAD + i + 2..LPAD + i + 2 + cnt),
            ) else {
                break;
            };
            sweep2(window, [o0, o1], [(xi as u32) << 1, (xj as u32) << 1], &self.zero);
        }
        // Reduction, rows i and i+1 together (as in `mul`, without the a b products).
        let (n0, n1) = (digit(&self.n, 0), digit(&self.n, 1));
        let w = self.lp + 4;
        for i in (0..l).step_by(2) {
            let c0 = col(&t, i);
            let m0 = (c0 as u32).wrapping_mul(inv) & mask;
            let c1 = col(&t, i + 1) + n1 * u64::from(m0) + ((c0 + n0 * u64::from(m0)) >> rb);
            let m1 = (c1 as u32).wrapping_mul(inv) & mask;
            let Some(window) = t.get_mut(i..i + w) else {
                break;
            };
            sweep2(window, [digits_from(&self.n, 0, w), digits_from(&self.n, 1, w)], [m0, m1], &self.zero);
            carry_two(&mut t, i, rb);
        }
        self.normalise(&t, out);
    }

    /// The result `t[l..2l] = prod / R` as digits, carries propagated. It is below 2n < R, so nothing is
    /// left above digit l-1.
    fn normalise(&self, t: &[u64], out: &mut Digits) {
        let mask = (1u64 << self.rb) - 1;
        *out = [0; LPAD + MAX_DIGITS + 7];
        let mut carry = 0u64;
        for (digit, &c) in out.iter_mut().skip(LPAD).zip(t.iter().skip(self.l).take(self.l)) {
            let v = c + carry;
            *digit = (v & mask) as u32;
            carry = v >> self.rb;
        }
    }

    /// `out = s^e mod n` for odd `e >= 3` and `s < n`, fully reduced; `s` and `out` are 32-bit limbs of
    /// n's length.
    ///
    /// Left-to-right square-and-multiply in Montgomery form. The conversion out of Montgomery form is
    /// folded away: e is odd, so the last step is always a multiplication, and multiplying the Montgomery
    /// form `s^(e-1) R` by the plain `s` yields `s^e R R^-1`, the plain result.
    pub(super) fn pow(&self, out: &mut [u32], s: &[u32], e: u32) {
        let mut plain: Digits = [0; LPAD + MAX_DIGITS + 7];
        limbs_to_digits(s, &mut plain, self.l, self.rb);
        let mut base: Digits = [0; LPAD + MAX_DIGITS + 7];
        self.mul(&plain, &self.rr, &mut base);
        let mut acc = base;
        let mut tmp: Digits = [0; LPAD + MAX_DIGITS + 7];
        if e == 65537 {
            // 2^16 + 1: sixteen squarings then the final multiplication below. Every JWT issuer uses this
            // exponent, so it gets a branch-free loop.
            for _ in 0..8 {
                self.sqr(&acc, &mut tmp);
                self.sqr(&tmp, &mut acc);
            }
        } else {
            // Bits below the leading one, down to bit 1; bit 0 (always set) is the final multiplication.
            // `checked_`: e is validated odd and >= 3 in `new`, but nothing here may panic regardless.
            let top_bit = e.checked_ilog2().unwrap_or(0);
            for bit in (1..top_bit).rev() {
                self.sqr(&acc, &mut tmp);
                if (e >> bit) & 1 == 1 {
                    self.mul(&tmp, &base, &mut acc);
                } else {
                    acc = tmp;
                }
            }
            self.sqr(&acc, &mut tmp);
            acc = tmp;
        }
        // Final multiply by plain s: leaves Montgomery form; below 2n, so one subtraction at most. It is
        // done on the digits: a value in [n, 2n) may not fit in n's 32-bit limbs (2n > 2^bits when n's top
        // bits are ones), so it is reduced before the conversion.
        self.mul(&acc, &plain, &mut tmp);
        self.reduce_once(&mut tmp);
        digits_to_limbs(&tmp, out, self.rb);
    }

    /// `x = x mod n` for digits `x < 2n`: one comparison and at most one subtraction, digit by digit.
    fn reduce_once(&self, x: &mut Digits) {
        for k in (0..self.l).rev() {
            match digit(x, k).cmp(&digit(&self.n, k)) {
                Ordering::Less => return,
                Ordering::Greater => break,
                Ordering::Equal => {}
            }
        }
        let mask = (1u32 << self.rb) - 1;
        let mut borrow = 0u32;
        for (xd, &nd) in x.iter_mut().skip(LPAD).zip(self.n.iter().skip(LPAD)).take(self.l) {
            // Digits are below 2^rb <= 2^28, so a borrow shows as the top bit of the wrapped difference.
            let d = xd.wrapping_sub(nd).wrapping_sub(borrow);
            borrow = d >> 31;
            *xd = d & mask;
        }
    }

    #[cfg(test)]
    pub(super) fn test_parts(&self) -> (u32, usize) {
        (self.rb, self.l)
    }

    /// `a b / R mod n` for 32-bit-limb `a, b < n` (the result fully reduced), for the tests.
    #[cfg(test)]
    pub(super) fn test_mul(&self, a: &[u32], b: &[u32], n: &[u32], square: bool) -> Vec<u32> {
        let (mut da, mut db, mut out) =
            ([0; LPAD + MAX_DIGITS + 7], [0; LPAD + MAX_DIGITS + 7], [0; LPAD + MAX_DIGITS + 7]);
        limbs_to_digits(a, &mut da, self.l, self.rb);
        limbs_to_digits(b, &mut db, self.l, self.rb);
        if square {
            self.sqr(&da, &mut out);
        } else {
            self.mul(&da, &db, &mut out);
        }
        self.reduce_once(&mut out);
        let mut limbs = vec![0u32; n.len()];
        digits_to_limbs(&out, &mut limbs, self.rb);
        limbs
    }

    /// `R^2 mod n` as 32-bit limbs, fully reduced, for the tests.
    #[cfg(test)]
    pub(super) fn test_rr(&self, n: &[u32]) -> Vec<u32> {
        let mut rr = self.rr;
        self.reduce_once(&mut rr);
        let mut limbs = vec![0u32; n.len()];
        digits_to_limbs(&rr, &mut limbs, self.rb);
        limbs
    }
}

/// `t[c] += o0[c] s0 + o1[c] s1 + o2[c] s2 + o3[c] s3` over whole groups of 4 columns (the slices are
/// zero past the numbers' digits).
///
/// With `simd128`, one `i64x2.extmul` per two products. `zero` is zero, but LLVM cannot know it: OR-ing
/// it into every multiplicand (and into the splatted multipliers, via the column sums just loaded) keeps
/// each one a loop-variant non-load. Without that, LLVM hoists the splat's widening out of the loop or
/// folds the load into `v128.load32x2_u`, and emits `i64x2.mul`, which V8 expands to three `pmuludq`
/// and shifts; that measured slower than the scalar loop.
#[inline(always)]
fn sweep4(t: &mut [u64], ops: [&[u32]; 4], s: [u32; 4], zero: &[u32; 4]) {
    let [o0, o1, o2, o3] = ops;
    #[cfg(target_feature = "simd128")]
    {
        use core::arch::wasm32::{u32x4, u32x4_splat, v128_or};
        let z = u32x4(zero[0], zero[1], zero[2], zero[3]);
        let sv = s.map(|x| u32x4_splat(x));
        let groups = o0.chunks_exact(4).zip(o1.chunks_exact(4)).zip(o2.chunks_exact(4)).zip(o3.chunks_exact(4));
        for (tc, (((c0, c1), c2), c3)) in t.chunks_exact_mut(4).zip(groups) {
            let ld = |c: &[u32]| match *c {
                [a, b, c, d] => v128_or(u32x4(a, b, c, d), z),
                _ => z,
            };
            simd::accumulate(tc, [ld(c0), ld(c1), ld(c2), ld(c3)], sv, z);
        }
    }
    #[cfg(not(target_feature = "simd128"))]
    {
        let _ = zero;
        let s = s.map(u64::from);
        for ((((tj, &x0), &x1), &x2), &x3) in t.iter_mut().zip(o0).zip(o1).zip(o2).zip(o3) {
            *tj += u64::from(x0) * s[0] + u64::from(x1) * s[1] + u64::from(x2) * s[2] + u64::from(x3) * s[3];
        }
    }
}

/// [`sweep4`] with two operands.
#[inline(always)]
fn sweep2(t: &mut [u64], ops: [&[u32]; 2], s: [u32; 2], zero: &[u32; 4]) {
    let [o0, o1] = ops;
    #[cfg(target_feature = "simd128")]
    {
        use core::arch::wasm32::{u32x4, u32x4_splat, v128_or};
        let z = u32x4(zero[0], zero[1], zero[2], zero[3]);
        let sv = s.map(|x| u32x4_splat(x));
        for (tc, (c0, c1)) in t.chunks_exact_mut(4).zip(o0.chunks_exact(4).zip(o1.chunks_exact(4))) {
            let ld = |c: &[u32]| match *c {
                [a, b, c, d] => v128_or(u32x4(a, b, c, d), z),
                _ => z,
            };
            simd::accumulate(tc, [ld(c0), ld(c1)], sv, z);
        }
    }
    #[cfg(not(target_feature = "simd128"))]
    {
        let _ = zero;
        let s = s.map(u64::from);
        for ((tj, &x0), &x1) in t.iter_mut().zip(o0).zip(o1) {
            *tj += u64::from(x0) * s[0] + u64::from(x1) * s[1];
        }
    }
}

#[cfg(target_feature = "simd128")]
mod simd {
    use core::arch::wasm32::{
        u64x2, u64x2_add, u64x2_extmul_high_u32x4, u64x2_extmul_low_u32x4, u64x2_extract_lane, v128, v128_and, v128_or,
    };

    /// Four column sums `tc` += sum over k of the four lanes of `x[k]` times the splat `s[k]`.
    #[inline(always)]
    pub(super) fn accumulate<const K: usize>(tc: &mut [u64], x: [v128; K], s: [v128; K], z: v128) {
        let [t0, t1, t2, t3] = tc else {
            return;
        };
        let (mut lo, mut hi) = (u64x2(*t0, *t1), u64x2(*t2, *t3));
        // A zero that varies with the loop, from the sums just loaded: keeps the splats' widening in it.
        let zj = v128_and(lo, z);
        for (&xk, &sk) in x.iter().zip(s.iter()) {
            let y = v128_or(sk, zj);
            lo = u64x2_add(lo, u64x2_extmul_low_u32x4(xk, y));
            hi = u64x2_add(hi, u64x2_extmul_high_u32x4(xk, y));
        }
        *t0 = u64x2_extract_lane::<0>(lo);
        *t1 = u64x2_extract_lane::<1>(lo);
        *t2 = u64x2_extract_lane::<0>(hi);
        *t3 = u64x2_extract_lane::<1>(hi);
    }
}
