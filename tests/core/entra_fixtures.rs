//! Real Entra-issued tokens with the keys that signed them (`../shared/entra-fixtures/`). Each is validated
//! with a fixed clock at its `iat` and a policy built from its own claims. Skipped, saying so, when the
//! shared directory is absent.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::shared_dir;
use entra_guard::{ErrorCode, Requirements, Validator};
use serde_json::{json, Value};
use std::path::PathBuf;

fn fixtures_dir() -> Option<PathBuf> {
    shared_dir("entra-fixtures")
}

struct Fixture {
    token: String,
    jwks: Value,
    claims: Value,
}

fn fixture(name: &str) -> Option<Fixture> {
    let path = fixtures_dir()?.join(format!("{name}.json"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Some(Fixture {
        token: doc["token"].as_str().unwrap().to_owned(),
        jwks: doc["jwks"].clone(),
        claims: doc["expected"]["claims"].clone(),
    })
}

/// The policy a real API in that tenant would configure: its tenant, its audience, the token's version.
fn validator_for(f: &Fixture, extra: Value) -> Validator {
    let mut options = json!({ "audience": f.claims["aud"], "jwks": f.jwks });
    if let Some(tid) = f.claims["tid"].as_str() {
        options["tenantId"] = json!(tid);
    }
    for (k, v) in extra.as_object().unwrap() {
        options[k] = v.clone();
    }
    Validator::from_options_json(&options.to_string()).unwrap()
}

fn at_iat(v: &Validator, f: &Fixture) -> Result<entra_guard::ValidatedToken, entra_guard::Error> {
    v.validate(&f.token, f.claims["iat"].as_f64().unwrap(), &Requirements::default())
}

macro_rules! fixture_or_skip {
    ($name:expr) => {
        match fixture($name) {
            Some(f) => f,
            None => return,
        }
    };
}

#[test]
fn real_v2_access_token_2021_ok() {
    let f = fixture_or_skip!("v2_access_token_2021_testtenant");
    let t = at_iat(&validator_for(&f, json!({})), &f).unwrap();
    assert_eq!(t.version.as_str(), "2.0");
    assert_eq!(t.scopes, vec!["dev.read"]);
    assert_eq!(t.client_id, "ceea412b-1a99-4a30-b0a2-d857209d8169");
    assert!(!t.is_app_only);
    let call = Requirements { scopes: vec!["dev.read".into()], ..Default::default() };
    assert!(validator_for(&f, json!({})).validate(&f.token, f.claims["iat"].as_f64().unwrap(), &call).is_ok());
}

#[test]
fn real_v2_access_token_2024_jwk_issuer_template_ok() {
    let f = fixture_or_skip!("nav_v2_access_token_2024");
    assert_eq!(f.jwks["keys"][0]["issuer"], "https://login.microsoftonline.com/{tenantid}/v2.0");
    let v = validator_for(&f, json!({}));
    let t = at_iat(&v, &f).unwrap();
    assert_eq!(t.tenant_id.as_deref(), Some("966ac572-f5b7-4bbe-aa88-c76419c0f851"));
    assert_eq!(t.object_id.as_deref(), Some("799a132a-93c8-427e-92f7-08cb220c879a"));
    assert_eq!(t.scopes, vec!["defaultaccess"]);
    // The same key bound to another tenant's issuer must refuse this token.
    let mut jwks = f.jwks.clone();
    jwks["keys"][0]["issuer"] = json!("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0");
    let v = validator_for(&f, json!({ "jwks": jwks }));
    assert_eq!(at_iat(&v, &f).unwrap_err().code(), ErrorCode::IssuerInvalid);
}

#[test]
fn real_v1_app_only_token_2024_ok() {
    let f = fixture_or_skip!("app_only_v1_access_token_2024");
    let t = at_iat(&validator_for(&f, json!({})), &f).unwrap();
    assert!(t.is_app_only);
    assert_eq!(t.version.as_str(), "1.0");
    assert_eq!(t.client_id, "c1613d8f-2173-4f41-b559-afe735b3a5b9");
    let v = validator_for(&f, json!({ "tokenTypes": "user" }));
    assert_eq!(at_iat(&v, &f).unwrap_err().code(), ErrorCode::TokenTypeNotAllowed);
}

#[test]
fn real_v1_access_token_2016_spn_audience_ok() {
    let f = fixture_or_skip!("passport_v1_access_token_2016");
    let t = at_iat(&validator_for(&f, json!({})), &f).unwrap();
    assert_eq!(t.audience, "spn:6514a8ca-d9e4-4155-b292-65258398f3aa");
    assert_eq!(t.scopes, vec!["user_impersonation"]);
    // Expired long ago: with the real clock it fails.
    let v = validator_for(&f, json!({}));
    assert_eq!(
        v.validate(&f.token, 1_767_225_600.0, &Requirements::default()).unwrap_err().code(),
        ErrorCode::TokenExpired
    );
}

#[test]
fn real_v1_access_token_wrong_version_policy_fails() {
    let f = fixture_or_skip!("passport_v1_access_token_2016");
    let v = validator_for(&f, json!({ "acceptedVersions": ["2.0"] }));
    assert_eq!(at_iat(&v, &f).unwrap_err().code(), ErrorCode::ClaimInvalid);
}

#[test]
fn real_v1_id_token_2016_refused() {
    // The signature is genuine, so the refusal comes from the claim rules (an ID token's nonce).
    let f = fixture_or_skip!("passport_v1_id_token_2016");
    let e = at_iat(&validator_for(&f, json!({})), &f).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TokenTypeNotAllowed, "{e}");
}

#[test]
fn real_v1_id_token_x5t_only_header_2014_refused_after_signature() {
    let f = fixture_or_skip!("identitymodel_v1_cyrano_2014");
    let e = at_iat(&validator_for(&f, json!({})), &f).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TokenTypeNotAllowed, "x5t key selection and signature passed, then: {e}");
}

#[test]
fn real_b2c_id_token_2016_trailing_slash_issuer_refused_as_id_token() {
    let f = fixture_or_skip!("passport_b2c_id_token_2016");
    let iss = f.claims["iss"].as_str().unwrap().to_owned();
    let v = validator_for(&f, json!({ "issuers": [iss] }));
    let e = at_iat(&v, &f).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TokenTypeNotAllowed, "issuer matched exactly, then: {e}");
    // Without the custom issuer it is not an issuer this API trusts.
    let v = validator_for(&f, json!({ "tenantId": "22bf40c6-1186-4ea5-b49b-3dc4ec0f54eb" }));
    assert!(matches!(
        at_iat(&v, &f).unwrap_err().code(),
        ErrorCode::ClaimInvalid | ErrorCode::IssuerInvalid | ErrorCode::ClaimMissing
    ));
}

#[test]
fn real_tampered_tokens_fail() {
    for name in ["passport_v1_id_token_2016_wrong_signature", "passport_b2c_id_token_2016_wrong_signature"] {
        let f = fixture_or_skip!(name);
        let iss = f.claims["iss"].as_str().unwrap().to_owned();
        let v = validator_for(&f, json!({ "issuers": [iss], "allowedTenants": ["*"] , "tenantId": null}));
        let e = at_iat(&v, &f).unwrap_err();
        assert!(matches!(e.code(), ErrorCode::TokenMalformed | ErrorCode::SignatureInvalid), "{name}: {e}");
    }
}

#[test]
fn real_tampered_token_with_canonical_encoding_fails_signature() {
    // Re-encode the tampered signature canonically (clear the trailing bits) so it reaches RSA.
    let f = fixture_or_skip!("passport_v1_id_token_2016_wrong_signature");
    let (input, sig) = f.token.rsplit_once('.').unwrap();
    let mut bytes = sig.as_bytes().to_vec();
    let last = bytes.pop().unwrap();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let value = alphabet.iter().position(|&c| c == last).unwrap();
    bytes.push(alphabet[value & !0b1111]);
    let token = format!("{input}.{}", String::from_utf8(bytes).unwrap());
    let v = validator_for(&f, json!({}));
    let e = v.validate(&token, f.claims["iat"].as_f64().unwrap(), &Requirements::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignatureInvalid, "{e}");
}

#[test]
fn real_graph_token_2024_fails_graph_token() {
    let f = fixture_or_skip!("graph_app_only_nonce_2024_unverifiable");
    let e = at_iat(&validator_for(&f, json!({})), &f).unwrap_err();
    assert_eq!(e.code(), ErrorCode::GraphToken, "{e}");
}

#[test]
fn real_entra_jwks_history_2024_all_keys_usable() {
    let Some(dir) = fixtures_dir() else { return };
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("entra_common_jwks_history_2024.json")).unwrap())
            .unwrap();
    let keys: Vec<Value> = doc.as_object().unwrap().values().map(|entry| entry["jwk"].clone()).collect();
    assert_eq!(keys.len(), 42);
    let mut v = Validator::from_options_json(
        &json!({"tenantId": "common", "allowedTenants": ["*"], "audience": "x"}).to_string(),
    )
    .unwrap();
    let set = v.set_jwks(json!({ "keys": keys }).to_string().as_bytes()).unwrap();
    assert_eq!(set.keys().len(), 42, "ignored: {:?}", set.ignored());
    assert!(set
        .keys()
        .iter()
        .all(|k| k.issuer.as_deref().is_some_and(|i| i.contains("{tenantid}") || i.contains("9188040d"))));
}
