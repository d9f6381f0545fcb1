//! The core's integration tests, in one test binary (one link natively, one wasm build under
//! wasm-bindgen-test). Each module is one concern:
//!
//! | module | what |
//! |---|---|
//! | [`rules`] | one passing and one failing test per validation rule, named after the claim and situation |
//! | [`checks`] | every refusal names its check, in the validator's order |
//! | [`cache`] | one test per property of the verified-token cache |
//! | [`host`] | a host's RSA is asked only the arithmetic; the core's rules win |
//! | [`catalog`] | the JS layer's generated catalog and the README's tables equal the core's codes and checks |
//! | [`adversarial`] | the security checklist and the JWT CVE catalogue, item by item |
//! | [`entra_fixtures`] | real Entra-issued tokens (`../shared/entra-fixtures`) |
//! | [`wycheproof_rsa`], [`wycheproof_jose`] | Wycheproof vectors (`../shared/vectors`) |
//!
//! Modules are `#[cfg(test)]` so that clippy's test allowances (clippy.toml) cover their helpers too.

#[cfg(test)]
#[macro_use]
mod support;

#[cfg(test)]
mod adversarial;
#[cfg(test)]
mod cache;
#[cfg(test)]
mod catalog;
#[cfg(test)]
mod checks;
#[cfg(test)]
mod entra_fixtures;
#[cfg(test)]
mod host;
#[cfg(test)]
mod rules;
#[cfg(test)]
mod wycheproof_jose;
#[cfg(test)]
mod wycheproof_rsa;
