//! entra-guard: Microsoft Entra ID access-token validation, network-free and clock-free.
//!
//! Read this file as the table of contents. A token passes through the modules in this order:
//!
//! | step | module | what it enforces |
//! |---|---|---|
//! | 1 | [`limits`] | size caps on token, header, payload and JWKS, each with the reason for its number |
//! | 2 | [`jws`] | compact JWS only: three segments, strict [`base64url`], a strict [`json`] header |
//! | 3 | [`header`] | `alg` allow-list, `crit`, `b64`, nested `cty`, Graph `nonce` |
//! | 4 | [`jwks`] | keys only from the supplied JWKS, selected by `kid` (or `x5t`), fit for RS256 |
//! | 5 | [`rsa`] | RSASSA-PKCS1-v1_5 + SHA-256 verification with per-key precomputation |
//! | 6 | [`claims`] | one pure function per Entra / RFC 7519 claim rule |
//! | 7 | [`validator`] | the order of the checks and the result a caller sees |
//! | - | [`cache`] | verified tokens remembered; a hit re-checks time and permissions only |
//!
//! Configuration lives in [`policy`]; every failure is an [`Error`] with a stable code and HTTP status.
//! The wasm-bindgen boundary is in `wasm` (compiled only for `wasm32`) and only converts.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
// Input paths must not panic (a panic traps the wasm instance); test code may assert however it likes.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

/// Runs a unit test natively (`#[test]`) and, compiled to wasm32, under wasm-bindgen-test in Node.
#[cfg(test)]
macro_rules! both {
    ($($name:ident $body:block)*) => {$(
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn $name() $body
    )*};
}

pub mod base64url;
pub mod cache;
pub mod claims;
pub mod error;
pub mod header;
pub mod json;
pub mod jwks;
pub mod jws;
pub mod limits;
pub mod policy;
pub mod rsa;
pub mod validator;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{Error, ErrorCode};
pub use jwks::KeySet;
pub use policy::{Policy, Requirements, ScopeMatch, TokenTypes};
pub use validator::{ValidatedToken, Validator};
