//! entra-guard: Microsoft Entra ID access-token validation, network-free and clock-free.
//!
//! Read this file as the table of contents. A token passes through the modules in this order; the check
//! names in the last column are [`error::Check`]'s, the stage an [`Error`] reports:
//!
//! | step | module | what it enforces | checks |
//! |---|---|---|---|
//! | 1 | [`limits`] | size caps on token, header, payload and JWKS, each with the reason for its number | `size` |
//! | 2 | [`jws`] | compact JWS only: three segments, strict [`base64url`], a strict [`json`] header | `jws` |
//! | 3 | [`header`] | `alg` allow-list, `crit`, `b64`, nested `cty`, Graph `nonce` | `header`, `graph` |
//! | 4 | [`jwks`] | keys only from the supplied JWKS, selected by `kid` (or `x5t`), fit for RS256 | `key` |
//! | 5 | [`host`], [`rsa`] | RSASSA-PKCS1-v1_5 + SHA-256: length and range here, then the host's native RSA when it has one, else the core's with per-key precomputation | `signature` |
//! | 6 | [`claims`] | one pure function per Entra / RFC 7519 claim rule | `payload` to `role` |
//! | 7 | [`validator`] | the order of the checks and the result a caller sees | |
//! | - | [`cache`] | verified tokens remembered; a hit re-checks time and permissions only | |
//!
//! Configuration is [`policy`] (the types) and [`options`] (the JS options object into a policy); every
//! failure is an [`Error`] with a stable code, check and HTTP status ([`error`]). [`fingerprint`] is the
//! one hash the cache and the key set share; [`catalog`] gathers the stable names and numbers the JS layer
//! derives its own from. The wasm-bindgen boundary is in `wasm` (compiled only for `wasm32`) and only converts.
// Lints: Cargo.toml [lints] (no unsafe code; no unwrap, expect, indexing or panic outside tests).

#[cfg(test)]
#[macro_use]
mod test_macros;

pub mod base64url;
pub mod cache;
pub mod catalog;
pub mod claims;
pub mod error;
pub mod fingerprint;
pub mod header;
pub mod host;
pub mod json;
pub mod jwks;
pub mod jws;
pub mod limits;
pub mod options;
pub mod policy;
pub mod rsa;
pub mod validator;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{Error, ErrorCode};
pub use jwks::KeySet;
pub use policy::{Policy, Requirements, ScopeMatch, TokenTypes};
pub use validator::{ValidatedToken, Validator};
