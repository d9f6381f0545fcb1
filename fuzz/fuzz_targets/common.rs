//! Shared by the fuzz targets (included with `#[path]`, not a target itself).
#![allow(dead_code)]

use entra_guard::Error;

/// Everything a caller can do with an error: each accessor and the message must work for any input
/// (a panic while formatting an error would trap the wasm instance just as surely as one in parsing).
pub fn exercise_error(err: &Error) {
    let code = err.code();
    assert!(!code.as_str().is_empty());
    let status = err.http_status();
    assert!((400..600).contains(&status), "http status {status} for {code}");
    let _ = code.http_status();
    let _ = code.to_string();
    let _ = err.claim();
    // Every error names its check, and it is one of the stable ones.
    assert!(entra_guard::error::Check::ALL.contains(&err.check()), "{code}");
    // No input reaches an internal invariant failure.
    assert_ne!(code, entra_guard::ErrorCode::InternalError, "internal error: {err}");
    let _ = err.required_permissions();
    let message = err.to_string();
    assert!(!message.is_empty(), "empty message for {code}");
    let _ = format!("{err:?}");
}
