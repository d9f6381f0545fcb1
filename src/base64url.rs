//! Strict base64url (RFC 4648 §5) as RFC 7515 §2 requires for JWS: the URL-safe alphabet only,
//! no `=` padding, no whitespace, and no non-zero unused trailing bits (so every byte string has
//! exactly one accepted encoding; Wycheproof tcId 374/375).

/// Why a segment is not strict base64url.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// A byte outside `A-Z a-z 0-9 - _` (this includes `=`, `+`, `/` and whitespace) at this offset.
    InvalidByte(usize),
    /// Length mod 4 == 1 cannot encode whole bytes.
    InvalidLength,
    /// The last character carries bits that do not belong to any byte.
    NonZeroTrailingBits,
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DecodeError::InvalidByte(at) => {
                write!(f, "byte at offset {at} is not base64url (no padding, whitespace, '+' or '/')")
            }
            DecodeError::InvalidLength => f.write_str("length is not a valid base64url length"),
            DecodeError::NonZeroTrailingBits => {
                f.write_str("non-canonical base64url: unused trailing bits are not zero")
            }
        }
    }
}

const INVALID: u8 = 0xff;

// A u8 index into a 256-entry table, and i < 64 into a 64-entry one, cannot be out of bounds.
#[allow(clippy::indexing_slicing)]
const fn decode_table() -> [u8; 256] {
    let mut table = [INVALID; 256];
    let alphabet = ALPHABET;
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static DECODE: [u8; 256] = decode_table();

fn sextet(input: &[u8], at: usize) -> Result<u32, DecodeError> {
    let byte = input.get(at).copied().ok_or(DecodeError::InvalidLength)?;
    match value(byte) {
        INVALID => Err(DecodeError::InvalidByte(at)),
        v => Ok(u32::from(v)),
    }
}

/// Length of the decoded output for a valid input length.
pub fn decoded_len(encoded_len: usize) -> Result<usize, DecodeError> {
    match encoded_len % 4 {
        1 => Err(DecodeError::InvalidLength),
        rem => Ok(encoded_len / 4 * 3 + rem.saturating_sub(1)),
    }
}

/// Bits above a group's 24.
const GROUP_OVERFLOW: u32 = 0xff00_0000;

/// [`DECODE`] widened: the sextet of each byte as a u32, or all ones for an invalid byte (see `decode`).
#[allow(clippy::indexing_slicing)]
const fn wide_table() -> [u32; 256] {
    let mut table = [u32::MAX; 256];
    let mut c = 0;
    while c < 256 {
        if DECODE[c] != INVALID {
            table[c] = DECODE[c] as u32;
        }
        c += 1;
    }
    table
}
static WIDE: [u32; 256] = wide_table();

/// The sextet of `byte` as a u32, or `u32::MAX` (see [`wide_table`]).
#[inline(always)]
fn wide(byte: u8) -> u32 {
    // A u8 indexes the 256-entry table: the bounds check is elided.
    WIDE.get(usize::from(byte)).copied().unwrap_or(u32::MAX)
}

/// The sextet of `byte`, or [`INVALID`].
#[inline(always)]
fn value(byte: u8) -> u8 {
    // A u8 indexes the 256-entry table: the bounds check is elided.
    DECODE.get(usize::from(byte)).copied().unwrap_or(INVALID)
}

/// The offset of the first byte at or after `from` that is not base64url.
fn first_invalid(input: &[u8], from: usize) -> DecodeError {
    let offset = input.iter().skip(from).position(|&b| value(b) == INVALID).map_or(from, |i| from + i);
    DecodeError::InvalidByte(offset)
}

/// Decodes strict base64url into a new vector.
pub fn decode(input: &[u8]) -> Result<Vec<u8>, DecodeError> {
    decode_with(input, true)
}

/// [`decode`], with or without the wasm SIMD blocks first (`simd`): the tests hold the two to the same
/// output and the same error for every input they try.
fn decode_with(input: &[u8], simd: bool) -> Result<Vec<u8>, DecodeError> {
    // Written in place into an output of the final length: no capacity check per group of four.
    let mut out = vec![0; decoded_len(input.len())?];
    // Whole blocks of 16 characters first, up to the first block with a character outside the alphabet;
    // the groups of four after them (and that block, were there one) as below, which also find the error.
    let blocks = if simd { simd_blocks::decode(input, &mut out) } else { 0 };
    let (rest, rest_out) = (input.get(blocks..).unwrap_or_default(), out.get_mut(blocks / 4 * 3..).unwrap_or_default());
    let mut quads = rest.chunks_exact(4);
    let mut triples = rest_out.chunks_exact_mut(3);
    // An invalid character's sextet is all ones, so in any position of the group it sets bits above the 24
    // a group decodes to: one test of the OR of every group after the loop, instead of a branch per group.
    let mut seen = 0u32;
    for (chunk, bytes) in (&mut quads).zip(&mut triples) {
        if let ([a, b, c, d], [x, y, z]) = (chunk, bytes) {
            let v = wide(*a) << 18 | wide(*b) << 12 | wide(*c) << 6 | wide(*d);
            seen |= v;
            (*x, *y, *z) = ((v >> 16) as u8, (v >> 8) as u8, v as u8);
        }
    }
    if seen & GROUP_OVERFLOW != 0 {
        return Err(first_invalid(input, 0));
    }
    let at = input.len() - quads.remainder().len();
    let tail = triples.into_remainder();
    match (quads.remainder().len(), tail) {
        (0, []) => {}
        (2, [x]) => {
            let v = sextet(input, at)? << 18 | sextet(input, at + 1)? << 12;
            if v & 0xffff != 0 {
                return Err(DecodeError::NonZeroTrailingBits);
            }
            *x = (v >> 16) as u8;
        }
        (3, [x, y]) => {
            let v = sextet(input, at)? << 18 | sextet(input, at + 1)? << 12 | sextet(input, at + 2)? << 6;
            if v & 0xff != 0 {
                return Err(DecodeError::NonZeroTrailingBits);
            }
            (*x, *y) = ((v >> 16) as u8, (v >> 8) as u8);
        }
        _ => return Err(DecodeError::InvalidLength),
    }
    Ok(out)
}

/// 16 characters at a time with wasm SIMD (simd128, which every wasm build of this crate has: see
/// .cargo/config.toml): the same sextets as [`DECODE`], computed from the alphabet's five ranges, and the same
/// bits, packed with shifts. About four times the speed of the groups of four in wasm.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd_blocks {
    use core::arch::wasm32::*;

    /// Decodes the leading whole 16-character blocks of `input` into `out` (12 octets each), stopping before
    /// the first block that has a character outside the alphabet. Returns the characters decoded.
    pub fn decode(input: &[u8], out: &mut [u8]) -> usize {
        let mut done = 0;
        for (chunk, octets) in input.chunks_exact(16).zip(out.chunks_exact_mut(12)) {
            match (block(chunk), <&mut [u8; 12]>::try_from(octets)) {
                (Some(decoded), Ok(octets)) => *octets = decoded,
                _ => break,
            }
            done += 16;
        }
        done
    }

    /// One block: 16 characters to 12 octets, or `None` if any character is not base64url.
    fn block(chunk: &[u8]) -> Option<[u8; 12]> {
        let (low, high) = chunk.split_at_checked(8)?;
        let x = u64x2(u64::from_le_bytes(low.try_into().ok()?), u64::from_le_bytes(high.try_into().ok()?));
        let within = |from: u8, to: u8| v128_and(u8x16_ge(x, u8x16_splat(from)), u8x16_le(x, u8x16_splat(to)));
        let (upper, lower, digit) = (within(b'A', b'Z'), within(b'a', b'z'), within(b'0', b'9'));
        let (dash, underscore) = (u8x16_eq(x, u8x16_splat(b'-')), u8x16_eq(x, u8x16_splat(b'_')));
        if !u8x16_all_true(v128_or(v128_or(upper, lower), v128_or(digit, v128_or(dash, underscore)))) {
            return None;
        }
        // A-Z are 0-25, a-z 26-51, 0-9 52-61, '-' 62 and '_' 63 (RFC 4648 §5, Table 2).
        let sextets = v128_or(
            v128_or(v128_and(upper, u8x16_sub(x, u8x16_splat(65))), v128_and(lower, u8x16_sub(x, u8x16_splat(71)))),
            v128_or(
                v128_and(digit, u8x16_add(x, u8x16_splat(4))),
                v128_or(v128_and(dash, u8x16_splat(62)), v128_and(underscore, u8x16_splat(63))),
            ),
        );
        // Pairs of sextets into 12 bits (a << 6 | b) per 16-bit lane, pairs of those into 24 bits per 32-bit
        // lane, then each lane's three low octets, most significant first.
        let twelve = v128_or(i16x8_shl(v128_and(sextets, u16x8_splat(0x00ff)), 6), u16x8_shr(sextets, 8));
        let twenty_four = v128_or(i32x4_shl(v128_and(twelve, u32x4_splat(0xffff)), 12), u32x4_shr(twelve, 16));
        let octets = i8x16_shuffle::<2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, 3, 7, 11, 15>(twenty_four, twenty_four);
        let (first, second) =
            (u64x2_extract_lane::<0>(octets).to_le_bytes(), u32x4_extract_lane::<2>(octets).to_le_bytes());
        let mut decoded = [0u8; 12];
        let (head, tail) = decoded.split_at_mut(8);
        head.copy_from_slice(&first);
        tail.copy_from_slice(&second);
        Some(decoded)
    }
}

/// Without wasm SIMD every character goes through the groups of four.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod simd_blocks {
    pub fn decode(_input: &[u8], _out: &mut [u8]) -> usize {
        0
    }
}

/// Encodes without padding (used for `x5t` comparisons and by tests that mint tokens).
pub fn encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let v = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (v >> (18 - 6 * i)) & 63;
            out.push(char::from(ALPHABET.get(index as usize).copied().unwrap_or(b'A')));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    both! {
        fn round_trip_all_lengths_ok() {
            let data: Vec<u8> = (0u8..=255).collect();
            for len in 0..data.len() {
                let slice = &data[..len];
                assert_eq!(decode(encode(slice).as_bytes()).unwrap(), slice);
            }
        }
        fn rfc4648_vectors_ok() {
            for (plain, enc) in [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")] {
                assert_eq!(encode(plain.as_bytes()), enc);
                assert_eq!(decode(enc.as_bytes()).unwrap(), plain.as_bytes());
            }
            assert_eq!(decode(b"-_-_").unwrap(), vec![0xfb, 0xff, 0xbf]);
        }
        fn padding_fails() {
            assert_eq!(decode(b"Zg=="), Err(DecodeError::InvalidByte(2)));
            assert_eq!(decode(b"Zm8="), Err(DecodeError::InvalidByte(3)));
        }
        fn standard_alphabet_fails() {
            assert_eq!(decode(b"+/+/"), Err(DecodeError::InvalidByte(0)));
            assert_eq!(decode(b"ab/c"), Err(DecodeError::InvalidByte(2)));
        }
        fn whitespace_fails() {
            assert!(decode(b"Zm9v Yg").is_err());
            assert!(decode(b"Zm9vYg\n").is_err());
            assert!(decode(b" Zm9v").is_err());
        }
        fn length_mod_4_is_1_fails() {
            assert_eq!(decode(b"Zm9vY"), Err(DecodeError::InvalidLength));
        }
        fn non_zero_trailing_bits_fails() {
            assert_eq!(decode(b"Zh"), Err(DecodeError::NonZeroTrailingBits));
            assert_eq!(decode(b"Zm9"), Err(DecodeError::NonZeroTrailingBits));
            assert_eq!(decode(b"Zg").unwrap(), b"f");
        }
        fn simd_blocks_match_groups_of_four_ok() {
            // Every length to 100, with and without a character outside the alphabet at every position
            // (each kind of invalid byte in turn), and random texts: the same octets, the same error.
            let alphabet = ALPHABET;
            let mut state = 0x2545_f491_4f6c_dd1du64;
            let mut next = move || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            };
            let invalid = [b'=', b'+', b'/', b' ', b'\n', 0, 0x7f, 0x80, 0xff, b'.', b'@', b'[', b'`', b'{', b':'];
            for len in 0..100 {
                let text: Vec<u8> = (0..len).map(|_| alphabet[(next() % 64) as usize]).collect();
                assert_eq!(decode_with(&text, true), decode_with(&text, false), "{len}");
                for at in 0..len {
                    let mut bad = text.clone();
                    bad[at] = invalid[(next() as usize) % invalid.len()];
                    assert_eq!(decode_with(&bad, true), decode_with(&bad, false), "{len} {at}");
                }
            }
            for _ in 0..2000 {
                let len = (next() % 400) as usize;
                let text: Vec<u8> = (0..len).map(|_| (next() % 256) as u8).map(|b| if b < 230 { alphabet[(b % 64) as usize] } else { b }).collect();
                assert_eq!(decode_with(&text, true), decode_with(&text, false));
            }
            // Each character's value in every position of a block.
            for c in 0..=255u8 {
                let text = vec![c; 32];
                assert_eq!(decode_with(&text, true), decode_with(&text, false), "{c}");
            }
        }
        fn non_ascii_fails() {
            assert!(decode("Zm9é".as_bytes()).is_err());
            assert!(decode(&[0x5a, 0x00, 0x5a, 0x5a]).is_err());
        }
    }
}
