//! One fast, unkeyed 64-bit hash, used for two things that only need to tell values apart cheaply:
//! naming a JWKS key by its material ([`crate::jwks::Jwk::fingerprint`]) and indexing the verified-token
//! cache ([`crate::cache`]). Neither relies on it for security: the cache compares whole tokens on every
//! hit, and a key fingerprint only decides which cached successes a new JWKS keeps.

/// The hash of a whole token, for the cache's index.
pub fn token_hash(token: &str) -> u64 {
    fingerprint(&[token.as_bytes()])
}

/// The hash of several byte strings, each length-prefixed so that ("ab", "c") and ("a", "bc") differ.
/// FxHash's multiply-rotate step over little-endian 8-byte words, the last word zero-padded: not
/// collision resistant, and it need not be (see the module comment).
pub fn fingerprint(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0;
    for part in parts {
        h = mix(h, part.len() as u64);
        let mut chunks = part.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            h = mix(h, u64::from_le_bytes(word));
        }
        let mut tail = [0u8; 8];
        for (dst, src) in tail.iter_mut().zip(chunks.remainder()) {
            *dst = *src;
        }
        h = mix(h, u64::from_le_bytes(tail));
    }
    h
}

/// FxHash's multiplier (rustc-hash): odd, so multiplying by it is a bijection on u64.
pub const MULTIPLIER: u64 = 0x517c_c1b7_2722_0a95;

/// One step: rotate, add the word in, multiply. Public so a test can build two tokens with one hash.
pub fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(MULTIPLIER)
}

#[cfg(test)]
mod tests {
    use super::*;

    both! {
        fn length_prefix_separates_parts_ok() {
            assert_ne!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"a", b"bc"]));
        }
        fn token_hash_is_the_one_part_fingerprint_ok() {
            assert_eq!(token_hash("a.b.c"), fingerprint(&[b"a.b.c"]));
            assert_ne!(token_hash("a.b.c"), token_hash("a.b.d"));
        }
    }
}
