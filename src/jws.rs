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
    // Two dots and no third: `split_once` finds each with memchr, without counting every byte.
    let segments = token.split_once('.').and_then(|(header, rest)| {
        let (payload, signature) = rest.split_once('.')?;
        (!signature.contains('.')).then_some((header, payload, signature))
    });
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
        fn oversized_header_fails() {
            let big = format!("{}.b.c", "a".repeat(MAX_HEADER_SEGMENT_BYTES + 1));
            assert_eq!(split(&big).unwrap_err().code(), ErrorCode::TokenTooLarge);
        }
    }
}
