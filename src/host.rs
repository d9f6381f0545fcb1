//! The one question the core may put to its host: does this RSASSA-PKCS1-v1_5 SHA-256 signature verify
//! over these bytes under this key? A host with a synchronous native RSA (`node:crypto` in Node, and in
//! workerd with `nodejs_compat`) answers it faster than the core's own arithmetic in wasm.
//!
//! The core still decides everything else, before and after: the token's bytes, the algorithm, which
//! key, the key policy (size, `e`, ROCA, `use`, `key_ops`, `alg`, issuer binding), the signature's length
//! and range (RFC 8017 §8.2.2 step 1, §5.2.2 step 1), and every claim. The host sees only the key's
//! position in the current set, the signing input and the signature, and it may say "I can't": the
//! core's own RSA ([`crate::rsa`]) then answers. It can never make the core accept what the core's rules
//! refuse, so any difference between the host's RSA and the core's policy is settled by the core.

use crate::rsa::RsaPublicKey;
use sha2::{Digest, Sha256};

/// What the host said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostVerdict {
    Valid,
    Invalid,
    /// The host has no RSA, no copy of this key, or failed: the core's own RSA answers instead.
    Unavailable,
}

/// A host's RSA. `key_index` is the key's position in [`crate::KeySet::keys`] of the set in force.
pub trait SignatureHost {
    fn verify_rs256(&self, key_index: usize, signing_input: &[u8], signature: &[u8]) -> HostVerdict;
}

/// Which RSA verified a token's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifiedBy {
    /// The host's ([`SignatureHost`]).
    Host,
    /// The core's own ([`crate::rsa`]), which is the wasm in the npm package.
    Core,
}

impl VerifiedBy {
    /// The name the JS result carries (`signatureVerifiedBy`).
    pub fn as_str(self) -> &'static str {
        match self {
            VerifiedBy::Host => "host",
            VerifiedBy::Core => "wasm",
        }
    }
}

/// RFC 7515 §5.2 step 8 with RS256 (RFC 7518 §3.3): `Some(verifier)` when the signature verifies.
/// Length and range are the core's rules, applied first; then the host, when it has this key, does the
/// exponentiation and comparison, else the core does.
pub fn rs256_signature(
    key: &RsaPublicKey,
    key_index: usize,
    signing_input: &[u8],
    signature: &[u8],
    host: Option<&dyn SignatureHost>,
) -> Option<VerifiedBy> {
    if !key.signature_in_range(signature) {
        return None;
    }
    if let Some(host) = host {
        match host.verify_rs256(key_index, signing_input, signature) {
            HostVerdict::Valid => return Some(VerifiedBy::Host),
            HostVerdict::Invalid => return None,
            HostVerdict::Unavailable => {}
        }
    }
    let digest: [u8; 32] = Sha256::digest(signing_input).into();
    key.verify_pkcs1v15_sha256(&digest, signature).then_some(VerifiedBy::Core)
}
