//! Montgomery arithmetic for the RSA public-key operation `s^e mod n` (RFC 8017 §5.2.2 RSAVP1).
//!
//! * 32-bit limbs with `u64` products. wasm32 has a native `i64.mul` but no 64x64->128 multiply, so
//!   64-bit limbs would turn every product into a call to a `u128` helper.
//! * Fixed arrays of [`MAX_LIMBS`] limbs (4096 bits) on the stack: no allocation per verification and
//!   lengths that are validated once in [`super::RsaPublicKey::new`].
//! * A dedicated squaring, because 16 of the 18 operations of an e = 65537 verification are squarings
//!   and a square needs only half of the cross products; CIOS multiplication for the other two. Inner
//!   loops carry two independent carry chains, since the serial add-and-shift carry chain, not the
//!   multiplier, is what limits a textbook loop.
//! * `-n^-1 mod 2^32` and `R^2 mod n` are computed once per key ([`neg_inv_u32`], [`r_squared`]), not
//!   once per signature.
//! * Nothing here is constant time. Every input to a verification (key, signature, digest) is public,
//!   so timing reveals nothing an attacker does not already hold.
//!
//! The code avoids indexing altogether (iterators, `zip`, `get`), so no input can make it panic, and the
//! crate-wide `clippy::indexing_slicing` lint holds without exceptions.

use core::cmp::Ordering;

/// Largest modulus handled, in bits. Matches `limits::MAX_RSA_BITS`; the stack arrays below are sized
/// from it, so raising it costs stack space in every verification.
pub(super) const MAX_BITS: usize = 4096;
/// Limb count for [`MAX_BITS`].
pub(super) const MAX_LIMBS: usize = MAX_BITS / 32;

/// A number of up to [`MAX_BITS`] bits, little-endian 32-bit limbs.
pub(super) type Limbs = [u32; MAX_LIMBS];

/// Big-endian octets into little-endian 32-bit limbs. Octets that do not fit are ignored; callers
/// have bounded the length to `4 * out.len()` already.
pub(super) fn be_bytes_to_limbs(bytes: &[u8], out: &mut [u32]) {
    for (limb, chunk) in out.iter_mut().zip(bytes.rchunks(4)) {
        *limb = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
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

/// `R^2 mod n` with `R = 2^(32 * limbs)`.
pub(super) fn r_squared(n: &[u32], bits: usize, n0inv: u32) -> Limbs {
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
pub(super) fn mont_mul(acc: &mut [u32], b: &[u32], n: &[u32], n0inv: u32) {
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
pub(super) fn mont_sqr(x: &mut [u32], n: &[u32], n0inv: u32) {
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
pub(super) fn square_wide(x: &[u32], prod: &mut [u32]) {
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
pub(super) fn montgomery_reduce(prod: &mut [u32], out: &mut [u32], n: &[u32], n0inv: u32) {
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
pub(super) fn mod_pow(out: &mut [u32], s: &[u32], e: u32, n: &[u32], rr: &[u32], n0inv: u32) {
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
