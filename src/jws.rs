//! Compact JWS serialisation (RFC 7515 §7.1): exactly three base64url segments, nothing else.

use crate::base64url;
use crate::error::{Check, Error};
use crate::limits::{MAX_HEADER_SEGMENT_BYTES, MAX_TOKEN_BYTES};

/// The three segments of a compact JWS, borrowed from the token.
#[derive(Debug, Clone, Copy)]
pub struct CompactJws<'a> {
    pub header: &'a str,
    pub payload: &'a str,
    pub signature: &'a str,
    /// `header '.' payload`: the bytes the signature covers (RFC 7515 §5.2 step 8).
    pub signing_input: &'a str,
}

/// Splits a token into its segments after bounding its size (RFC 8725 §3 / CVE-2025-27144: a megabyte
/// of dots costs one pass and no allocation).
pub fn split(token: &str) -> Result<CompactJws<'_>, Error> {
    token_size(token)?;
    if token.is_empty() {
        return Err(Error::malformed(Check::Jws, "the token is empty"));
    }
    if token.starts_with('{') {
        return Err(Error::malformed(
            Check::Jws,
            "JWS JSON serialisation is not accepted; send a compact token (RFC 8725bis §3.14)",
        ));
    }
    // Two dots and no third.
    let segments = match first_dots(token) {
        // A '.' is one byte of ASCII, so the offsets on either side of one are character boundaries.
        [Some(first), Some(second), None] => {
            token.get(..first).zip(token.get(first + 1..second)).zip(token.get(second + 1..))
        }
        _ => None,
    }
    .map(|((header, payload), signature)| (header, payload, signature));
    let Some((header, payload, signature)) = segments else {
        return Err(match token.bytes().filter(|&b| b == b'.').count() {
            4 => Error::malformed(
                Check::Jws,
                "five segments: an encrypted token (JWE) is not accepted; send the signed access token",
            ),
            dots => Error::malformed(
                Check::Jws,
                format!("a compact JWS has 3 segments separated by '.', this has {}", dots + 1),
            ),
        });
    };
    if header.len() > MAX_HEADER_SEGMENT_BYTES {
        return Err(Error::TokenTooLarge { part: "token header", size: header.len(), max: MAX_HEADER_SEGMENT_BYTES });
    }
    if header.is_empty() || payload.is_empty() {
        return Err(Error::malformed(Check::Jws, "header and payload segments must not be empty"));
    }
    if signature.is_empty() {
        return Err(Error::malformed(Check::Jws, "the signature segment is empty: unsigned tokens are never accepted"));
    }
    let signing_input = token.get(..header.len() + 1 + payload.len()).unwrap_or_default();
    Ok(CompactJws { header, payload, signature, signing_input })
}

/// The offsets of the first three '.' of `token` (`None` for each it does not have): one pass over the
/// token, 16 bytes at a time with wasm SIMD, the rest with memchr; the tests hold both to the same offsets.
fn first_dots(token: &str) -> [Option<usize>; 3] {
    let mut dots = [None; 3];
    // Records a dot's offset; true once all three are known.
    let note = |dots: &mut [Option<usize>; 3], offset: usize| match dots.iter_mut().find(|slot| slot.is_none()) {
        Some(slot) => {
            *slot = Some(offset);
            dots.iter().all(Option::is_some)
        }
        None => true,
    };
    // Whole blocks of 16 with wasm SIMD, then byte by byte from where they end.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let from = {
        let blocks = token.as_bytes().chunks_exact(16);
        let whole = token.len() - blocks.remainder().len();
        for (index, block) in blocks.enumerate() {
            let mut mask = dot_mask(block);
            while mask != 0 {
                if note(&mut dots, index * 16 + mask.trailing_zeros() as usize) {
                    return dots;
                }
                mask &= mask - 1;
            }
        }
        whole
    };
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let from = 0;
    // After the blocks, `from` is a character boundary unless a multi-byte character straddles it (no token
    // has one: base64url is ASCII); then the bytes are searched one by one.
    match token.get(from..) {
        Some(rest) => {
            for (offset, _) in rest.match_indices('.') {
                if note(&mut dots, from + offset) {
                    break;
                }
            }
        }
        None => {
            for (offset, _) in token.bytes().enumerate().skip(from).filter(|&(_, b)| b == b'.') {
                if note(&mut dots, offset) {
                    break;
                }
            }
        }
    }
    dots
}

/// Bit i set where byte i of a 16-byte `block` is '.'.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn dot_mask(block: &[u8]) -> u32 {
    use core::arch::wasm32::{u64x2, u8x16_bitmask, u8x16_eq, u8x16_splat};
    let Some((low, high)) = block.split_at_checked(8) else { return 0 };
    let (Ok(low), Ok(high)) = (<[u8; 8]>::try_from(low), <[u8; 8]>::try_from(high)) else { return 0 };
    let bytes = u64x2(u64::from_le_bytes(low), u64::from_le_bytes(high));
    u32::from(u8x16_bitmask(u8x16_eq(bytes, u8x16_splat(b'.'))))
}

/// RFC 7519 gives no size limit; [`MAX_TOKEN_BYTES`] says why this one is safe.
pub fn token_size(token: &str) -> Result<(), Error> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Error::TokenTooLarge { part: "token", size: token.len(), max: MAX_TOKEN_BYTES });
    }
    Ok(())
}

/// Decodes one segment with strict base64url (RFC 7515 §2), naming the segment in the error; `check` is
/// the stage that reads it (the header's is [`Check::Jws`], the signature's and the payload's their own).
pub fn decode_segment(segment: &str, name: &str, check: Check) -> Result<Vec<u8>, Error> {
    base64url::decode(segment.as_bytes()).map_err(|e| Error::malformed(check, format!("{name} segment: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    both! {
        fn three_segments_ok() {
            let jws = split("aGVhZA.cGF5.c2ln").unwrap();
            assert_eq!((jws.header, jws.payload, jws.signature, jws.signing_input), ("aGVhZA", "cGF5", "c2ln", "aGVhZA.cGF5"));
        }
        fn two_segments_fails() {
            assert_eq!(split("a.b").unwrap_err().code(), ErrorCode::TokenMalformed);
        }
        fn five_segments_jwe_fails() {
            let err = split("a.b.c.d.e").unwrap_err();
            assert!(err.to_string().contains("JWE"), "{err}");
        }
        fn json_serialisation_fails() {
            assert!(split(r#"{"payload":"x","signatures":[]}"#).unwrap_err().to_string().contains("JSON serialisation"));
        }
        fn empty_signature_fails() {
            assert_eq!(split("a.b.").unwrap_err().code(), ErrorCode::TokenMalformed);
        }
        fn empty_token_fails() {
            assert_eq!(split("").unwrap_err().code(), ErrorCode::TokenMalformed);
        }
        fn oversized_token_fails() {
            let dots = ".".repeat(1 << 20);
            assert_eq!(split(&dots).unwrap_err().code(), ErrorCode::TokenTooLarge);
            let big = format!("a.{}.c", "b".repeat(MAX_TOKEN_BYTES));
            assert_eq!(split(&big).unwrap_err().code(), ErrorCode::TokenTooLarge);
        }
        fn first_dots_match_a_byte_by_byte_search_ok() {
            // Every length to 70 with dots in random places (none to many), and each single dot at every
            // offset: the first three offsets, as a plain search finds them.
            let reference = |token: &str| {
                let mut dots = token.bytes().enumerate().filter(|&(_, b)| b == b'.').map(|(i, _)| Some(i));
                [dots.next().flatten(), dots.next().flatten(), dots.next().flatten()]
            };
            let mut state = 0x853c_49e6_748f_ea9bu64;
            for len in 0..70 {
                for _ in 0..40 {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let rate = state % 8;
                    let token: String = (0..len)
                        .map(|i| if (state.rotate_left(i as u32 * 7) % 16) < rate { '.' } else { char::from(b'a' + (i % 26) as u8) })
                        .collect();
                    assert_eq!(first_dots(&token), reference(&token), "{token:?}");
                }
                for at in 0..len {
                    let mut token = vec![b'x'; len];
                    token[at] = b'.';
                    let token = String::from_utf8(token).unwrap();
                    assert_eq!(first_dots(&token), [Some(at), None, None]);
                }
            }
            // Every ASCII byte, and characters of two, three and four bytes (some straddling a block's end).
            for c in (0..=127u8).map(char::from).chain(['é', '€', '😀']) {
                for prefix in 0..20 {
                    let token = format!("{}{}.a.{c}", "x".repeat(prefix), String::from(c).repeat(12));
                    assert_eq!(first_dots(&token), reference(&token), "{token:?}");
                }
            }
        }
        fn oversized_header_fails() {
            let big = format!("{}.b.c", "a".repeat(MAX_HEADER_SEGMENT_BYTES + 1));
            assert_eq!(split(&big).unwrap_err().code(), ErrorCode::TokenTooLarge);
        }
    }
}
