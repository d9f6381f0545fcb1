//! Resource limits. Every input is bounded before it is parsed; each number says where it comes from.

/// Largest compact token accepted, in bytes. Node's default `--max-http-header-size` is 16 KiB for the
/// whole header block, so a longer bearer token can never reach a Node server; Entra caps `groups` at
/// 200 entries (then emits an overage claim), which keeps real tokens well under 12 KiB.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Largest base64url header segment. Entra headers carry `typ`, `alg`, `kid`, `x5t` and sometimes
/// `nonce`: about 200 characters. Ten times that leaves room for other issuers without inviting abuse.
pub const MAX_HEADER_SEGMENT_BYTES: usize = 2 * 1024;

/// Largest JWKS document, in bytes. Entra's keys endpoint serves 7-10 keys of about 3.5 KB each
/// (with `x5c`); 512 KiB covers a merged tenant + `?appid=` set many times over.
pub const MAX_JWKS_BYTES: usize = 512 * 1024;

/// Most keys in one JWKS. Entra publishes 7-10 at a time (2024 history in the shared fixtures);
/// key lookup is a linear scan, so the bound also bounds the work per token.
pub const MAX_JWKS_KEYS: usize = 100;

/// Largest options document accepted by the constructor (audiences, issuers, tenants, client ids).
pub const MAX_OPTIONS_BYTES: usize = 1024 * 1024;

/// Deepest JSON nesting accepted anywhere. Entra claims nest at most two levels (arrays of strings,
/// the `xms_*` objects); JWKS three. A small bound keeps the recursive parser's stack use trivial in wasm.
pub const MAX_JSON_DEPTH: usize = 16;

/// Smallest and largest RSA modulus accepted, in bits. RFC 7518 §3.3 requires 2048 or more;
/// Entra signs with 2048-bit keys; 4096 is the largest size anyone deploys for JWT signing and the
/// size the fixed-width arithmetic in [`crate::rsa`] is built for.
pub const MIN_RSA_BITS: usize = 2048;
pub const MAX_RSA_BITS: usize = 4096;

/// The only RSA public exponent accepted: 65537. Entra, and every mainstream issuer, uses it;
/// e = 3 keys are the precondition for Bleichenbacher-06 style forgeries against lenient verifiers
/// (Wycheproof flags them `SmallPublicKey`), and e = 1 is no signature at all.
pub const RSA_PUBLIC_EXPONENT: u32 = 65537;

/// Most audiences, issuers, tenants, client ids, scopes or roles in one policy list.
pub const MAX_POLICY_LIST: usize = 1000;
