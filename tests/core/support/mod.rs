//! Test support: test-only RSA keys (tests/keys/*.pem, made with `openssl genpkey` for these tests and
//! nothing else), a JWKS built from them, and a minter for Entra-shaped tokens. Signing uses the `rsa`
//! crate, an implementation independent of the verifier under test.
#![allow(dead_code)]

use entra_guard::base64url;
use entra_guard::{Policy, Requirements, ValidatedToken, Validator};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

include!("../../../src/test_macros.rs");

pub mod attacks;

/// `../shared/<relative>` beside the repository: the real Entra fixtures and the test vectors, which are
/// not part of the repository. Without it the calling test says SKIPPED and returns early; under CI (the
/// environment variable `CI` set, other than to `false` or `0`) it fails instead, so a green CI always
/// means these tests ran.
pub fn shared_dir(relative: &str) -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared").join(relative);
    if dir.is_dir() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(!ci, "CI is set but {} is missing: the tests that need ../shared/{relative} cannot run", dir.display());
    eprintln!("SKIPPED: ../shared/{relative} not present; the tests that need it did not run");
    None
}

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const OTHER_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
pub const API_CLIENT_ID: &str = "6e74172b-be56-4843-9ff4-e66a39bb12e3";
pub const API_APP_ID_URI: &str = "api://6e74172b-be56-4843-9ff4-e66a39bb12e3";
pub const CALLER_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
pub const USER_OID: &str = "a1b2c3d4-0000-4000-8000-000000000001";
/// A fixed "now" for every test: 2026-01-01T00:00:00Z.
pub const NOW: f64 = 1_767_225_600.0;

pub struct TestKey {
    pub kid: String,
    pub private: RsaPrivateKey,
}

impl TestKey {
    fn load(kid: &str, pem: &str) -> TestKey {
        TestKey { kid: kid.to_owned(), private: RsaPrivateKey::from_pkcs8_pem(pem).expect("test key") }
    }

    pub fn n(&self) -> String {
        base64url::encode(&self.private.n().to_bytes_be())
    }

    pub fn e(&self) -> String {
        base64url::encode(&self.private.e().to_bytes_be())
    }

    /// The JWK as Entra publishes it (kty, use, kid, x5t, n, e, issuer template).
    pub fn jwk(&self) -> Value {
        json!({
            "kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.kid, "n": self.n(), "e": self.e(),
            "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"
        })
    }

    pub fn sign(&self, signing_input: &str) -> Vec<u8> {
        let digest = Sha256::digest(signing_input.as_bytes());
        self.private.sign(Pkcs1v15Sign::new::<Sha256>(), &digest).expect("sign")
    }
}

pub struct Keys {
    pub main: TestKey,
    pub other: TestKey,
    pub k3072: TestKey,
    pub k4096: TestKey,
    pub k1024: TestKey,
    pub e3: TestKey,
}

pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        main: TestKey::load("main-2048", include_str!("../../keys/rsa2048.pem")),
        other: TestKey::load("other-2048", include_str!("../../keys/rsa2048_b.pem")),
        k3072: TestKey::load("key-3072", include_str!("../../keys/rsa3072.pem")),
        k4096: TestKey::load("key-4096", include_str!("../../keys/rsa4096.pem")),
        k1024: TestKey::load("weak-1024", include_str!("../../keys/rsa1024.pem")),
        e3: TestKey::load("small-e-3", include_str!("../../keys/rsa2048_e3.pem")),
    })
}

pub fn jwks(jwks: &[Value]) -> String {
    json!({ "keys": jwks }).to_string()
}

/// The default JWKS: the main key and the 3072/4096-bit keys.
pub fn default_jwks() -> String {
    let k = keys();
    jwks(&[k.main.jwk(), k.k3072.jwk(), k.k4096.jwk()])
}

pub fn b64json(value: &Value) -> String {
    base64url::encode(value.to_string().as_bytes())
}

/// Signs `header.claims` (both given as JSON values) with `key`.
pub fn mint_with_header(key: &TestKey, header: &Value, claims: &Value) -> String {
    mint_raw(key, &b64json(header), &b64json(claims))
}

pub fn mint_raw(key: &TestKey, header_b64: &str, payload_b64: &str) -> String {
    let input = format!("{header_b64}.{payload_b64}");
    let sig = key.sign(&input);
    format!("{input}.{}", base64url::encode(&sig))
}

pub fn mint(key: &TestKey, claims: &Value) -> String {
    mint_with_header(key, &json!({"typ": "JWT", "alg": "RS256", "kid": key.kid}), claims)
}

/// A v2 delegated (user) token for the test API, valid at [`NOW`].
pub fn v2_user_claims() -> Value {
    json!({
        "aud": API_CLIENT_ID,
        "iss": format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
        "iat": NOW - 60.0, "nbf": NOW - 60.0, "exp": NOW + 3600.0,
        "azp": CALLER_CLIENT_ID, "azpacr": "0",
        "name": "Test User", "oid": USER_OID, "preferred_username": "user@example.test",
        "scp": "mcp.tools.read mcp.tools.write", "sub": "pairwise-subject", "tid": TENANT,
        "uti": "abc", "ver": "2.0"
    })
}

/// A v1 app-only token (client credentials) with an app role, valid at [`NOW`].
pub fn v1_app_claims() -> Value {
    json!({
        "aud": API_APP_ID_URI,
        "iss": format!("https://sts.windows.net/{TENANT}/"),
        "iat": NOW - 60.0, "nbf": NOW - 60.0, "exp": NOW + 3600.0,
        "appid": CALLER_CLIENT_ID, "appidacr": "1", "idtyp": "app",
        "oid": "b0b0b0b0-0000-4000-8000-000000000002", "sub": "b0b0b0b0-0000-4000-8000-000000000002",
        "roles": ["Tools.ReadWrite.All"], "tid": TENANT, "ver": "1.0"
    })
}

/// Changes claims: `with(&claims, json!({"aud": "x"}))`; a `null` value removes the claim.
pub fn with(claims: &Value, changes: Value) -> Value {
    let mut out = claims.clone();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            out.as_object_mut().unwrap().remove(k);
        } else {
            out[k] = v.clone();
        }
    }
    out
}

/// A policy for the test tenant and API that accepts both audience forms.
pub fn policy() -> Policy {
    let mut policy = Policy::single_tenant(TENANT, API_CLIENT_ID);
    policy.audiences.push(API_APP_ID_URI.to_owned());
    policy
}

pub fn validator_with(policy: Policy) -> Validator {
    let mut v = Validator::new(policy);
    v.set_jwks(default_jwks().as_bytes()).expect("jwks");
    v
}

pub fn validator() -> Validator {
    validator_with(policy())
}

pub fn options_validator(options: Value) -> Result<Validator, entra_guard::Error> {
    Validator::from_options_json(&options.to_string())
}

pub fn check(v: &Validator, token: &str) -> Result<ValidatedToken, entra_guard::Error> {
    v.validate(token, NOW, &Requirements::default())
}

/// Asserts the error code and returns the error for further checks.
#[track_caller]
pub fn expect_code(result: Result<ValidatedToken, entra_guard::Error>, code: &str) -> entra_guard::Error {
    match result {
        Ok(t) => panic!("expected {code}, but the token validated: {:?}", t.claims().keys().collect::<Vec<_>>()),
        Err(e) => {
            assert_eq!(e.code().as_str(), code, "wrong code; message: {e}");
            e
        }
    }
}
