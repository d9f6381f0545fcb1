// Test-only macros, shared by the crate's unit tests (src/lib.rs) and its integration tests
// (tests/core/support/mod.rs includes this file), so there is one definition of each.

/// Runs a test natively (`#[test]`) and, compiled to wasm32, under wasm-bindgen-test in Node.
/// Other attributes (such as `#[ignore]`) go after the pair: wasm-bindgen-test only honours them there.
macro_rules! both {
    ($($(#[$meta:meta])* fn $name:ident() $body:block)*) => {$(
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        $(#[$meta])*
        fn $name() $body
    )*};
}
