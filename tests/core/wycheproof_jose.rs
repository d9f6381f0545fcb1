//! Wycheproof JOSE vectors (`json_web_signature_test.json`, 401 cases; `json_web_key_test.json`, 26) against
//! the signature layer of the validator: `jws::split`, `header::parse`, `header::algorithm_allowed` (RS256
//! only), `KeySet::parse` + `select`, RSASSA-PKCS1-v1_5/SHA-256, strict payload decoding (see
//! `attacks::signature_layer`). These are JWS vectors, not Entra tokens, so no claim rule runs.
//!
//! Every case is classified:
//! - agree: labelled valid and accepted, or labelled invalid and refused;
//! - refused by documented policy: labelled valid, refused for a reason this crate documents (RS256 only, no
//!   HMAC, no EC/OKP, e = 65537, modulus >= 2048 bits, key `use` sig, JWK `alg` = header `alg`, strict
//!   base64url, and a JWT payload is never empty);
//! - documented mislabel: the label is wrong for a strict validator (../shared/vectors/README.md), listed by tcId;
//! - known bug: refused by the label, accepted here (none today; listed in JWK_KNOWN_BUGS when found);
//! - unexplained: anything else. Must be 0.
//!
//! The vectors live in `../shared/vectors/wycheproof/`; without them each test prints SKIPPED and passes.
//! Native only: the tests read files.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::attacks::{self, signature_layer, KeyChoice};
use entra_guard::error::{Error, ErrorCode};
use entra_guard::KeySet;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Members only a private or symmetric JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
const PRIVATE_MEMBERS: [&str; 9] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "r"];

/// Labels that are wrong for a strict validator (../shared/vectors/README.md), checked below where possible.
const JWS_MISLABELS: [(u64, &str); 4] = [
    (367, "byte-identical to valid tcId 357 (HS256) but labelled invalid"),
    (370, "byte-identical to valid tcId 357 (HS256) but labelled invalid"),
    (372, "'?' inside the header segment, labelled valid: not base64url (RFC 7515 §2)"),
    (373, "'?' inside the payload segment, labelled valid: not base64url (RFC 7515 §2)"),
];

/// Cases this crate gets wrong: labelled invalid, accepted. None since the ROCA fingerprint check
/// (tcId 7, CVE-2017-15361) went into `jwks::rsa_key`; kept so a new one is reported, not hidden.
const JWK_KNOWN_BUGS: [(u64, &str); 0] = [];

fn vectors_dir() -> Option<PathBuf> {
    crate::support::shared_dir("vectors/wycheproof")
}

fn load(name: &str) -> Option<Value> {
    let path = vectors_dir()?.join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(serde_json::from_str(&text).expect("vector file is JSON"))
}

/// The public form of one JWK: private members dropped (a private-only group publishes this).
fn public_members(jwk: &Value) -> Value {
    let mut out = jwk.clone();
    for member in PRIVATE_MEMBERS {
        out.as_object_mut().unwrap().remove(member);
    }
    out
}

/// A JWS group carries one JWK as `public` and/or `private`; the JWKS is the public one, or the public
/// members of the private one.
fn jws_group_jwks(group: &Value) -> Value {
    let jwk = match (&group["public"], &group["private"]) {
        (public @ Value::Object(_), _) => public.clone(),
        (_, private @ Value::Object(_)) => public_members(private),
        _ => panic!("group without a key: {}", group["comment"]),
    };
    json!({ "keys": [jwk] })
}

fn group_kty(group: &Value) -> String {
    let key = if group["public"].is_object() { &group["public"] } else { &group["private"] };
    key["kty"].as_str().unwrap_or("(none)").to_owned()
}

fn header_alg(token: &str) -> Option<String> {
    let segment = token.split('.').next()?;
    let bytes = entra_guard::base64url::decode(segment.as_bytes()).ok()?;
    let header: Value = serde_json::from_slice(&bytes).ok()?;
    header["alg"].as_str().map(str::to_owned)
}

/// Why a labelled-valid token is refused, when the reason is a documented policy of this crate.
fn policy_reason(error: &Error, alg: Option<&str>, kty: &str) -> Option<&'static str> {
    let text = error.to_string();
    match error.code() {
        ErrorCode::AlgorithmNotAllowed => match alg.unwrap_or("") {
            a if a.starts_with("HS") || kty == "oct" => Some("HMAC alg / symmetric key (HS*)"),
            a if a.starts_with("ES") || a == "EdDSA" || kty == "EC" || kty == "OKP" => Some("EC/OKP alg (ES*, EdDSA)"),
            a if a.starts_with("RS") || a.starts_with("PS") => Some("non-RS256 RSA alg (RS384, RS512, PS*)"),
            _ => None,
        },
        ErrorCode::KeyNotFound | ErrorCode::JwksInvalid => {
            if text.contains("exponent") {
                Some("RSA e != 65537")
            } else if text.contains("modulus") {
                Some("RSA modulus < 2048 bits")
            } else if text.contains("use ") {
                Some("JWK use is not sig")
            } else if text.contains("key_ops") {
                Some("JWK key_ops without verify")
            } else if text.contains("is for alg") {
                Some("JWK alg differs from header alg")
            } else if text.contains("kty") || text.contains("no usable RS256 key") {
                Some("non-RSA key (EC/OKP/oct)")
            } else {
                None
            }
        }
        ErrorCode::TokenMalformed if text.contains("not base64url") || text.contains("non-canonical") => {
            Some("strict base64url (RFC 7515 §2)")
        }
        ErrorCode::TokenMalformed if text.contains("must not be empty") => {
            Some("empty payload: a JWT payload is a JSON object (RFC 7519 §7.2)")
        }
        _ => None,
    }
}

#[derive(Default)]
struct Tally {
    total: usize,
    agree_valid_accepted: usize,
    agree_invalid_refused: usize,
    /// Of the invalid & refused: refused by the alg/key policy before the defect the vector tests was reached.
    refused_before_signature: usize,
    policy: BTreeMap<&'static str, Vec<u64>>,
    mislabels: Vec<(u64, &'static str, String)>,
    known_bugs: Vec<(u64, &'static str)>,
    unexplained: Vec<String>,
    refusal_codes: BTreeMap<&'static str, usize>,
}

impl Tally {
    fn policy_line(&self) -> String {
        let parts: Vec<String> = self.policy.iter().map(|(reason, ids)| format!("{} {reason}", ids.len())).collect();
        parts.join(", ")
    }
    fn policy_count(&self) -> usize {
        self.policy.values().map(Vec::len).sum()
    }
    fn agree(&self) -> usize {
        self.agree_valid_accepted + self.agree_invalid_refused
    }
}

/// One vector: its id and label, the header `alg`, the group's key type, and where it comes from.
struct Case<'a> {
    tc_id: u64,
    label: &'a str,
    alg: Option<String>,
    kty: &'a str,
    context: String,
}

/// Labels known to be wrong (mislabels) and cases known to be mishandled here (known bugs), by tcId.
struct Exceptions<'a> {
    mislabels: &'a [(u64, &'static str)],
    known_bugs: &'a [(u64, &'static str)],
}

/// Sorts one outcome into the tally.
fn classify(tally: &mut Tally, case: &Case, outcome: &Result<Vec<u8>, Error>, exceptions: &Exceptions) {
    let Case { tc_id, label, kty, .. } = *case;
    let (alg, context) = (case.alg.as_deref(), &case.context);
    let Exceptions { mislabels, known_bugs } = *exceptions;
    tally.total += 1;
    if let Err(e) = outcome {
        *tally.refusal_codes.entry(e.code().as_str()).or_default() += 1;
    }
    let described = match outcome {
        Ok(_) => "accepted".to_owned(),
        Err(e) => format!("refused {} ({e})", e.code()),
    };
    if let Some((_, why)) = mislabels.iter().find(|(id, _)| *id == tc_id) {
        tally.mislabels.push((tc_id, why, described));
        return;
    }
    match (label, outcome) {
        ("valid", Ok(_)) => tally.agree_valid_accepted += 1,
        ("invalid", Err(e)) => {
            tally.agree_invalid_refused += 1;
            if matches!(e.code(), ErrorCode::AlgorithmNotAllowed | ErrorCode::KeyNotFound | ErrorCode::JwksInvalid) {
                tally.refused_before_signature += 1;
            }
        }
        ("valid", Err(e)) => match policy_reason(e, alg, kty) {
            Some(reason) => tally.policy.entry(reason).or_default().push(tc_id),
            None => tally.unexplained.push(format!("tcId {tc_id} ({label}, {context}): {described}")),
        },
        ("invalid", Ok(_)) => match known_bugs.iter().find(|(id, _)| *id == tc_id) {
            Some((_, why)) => tally.known_bugs.push((tc_id, why)),
            None => tally.unexplained.push(format!("tcId {tc_id} ({label}, {context}): {described}")),
        },
        _ => tally.unexplained.push(format!("tcId {tc_id}: unknown label {label:?}: {described}")),
    }
}

fn print_details(tally: &Tally) {
    for (reason, ids) in &tally.policy {
        eprintln!("  policy {reason}: tcId {ids:?}");
    }
    for (id, why, what) in &tally.mislabels {
        eprintln!("  mislabel tcId {id}: {why}; here: {what}");
    }
    for (id, why) in &tally.known_bugs {
        eprintln!("  KNOWN BUG tcId {id}: {why}");
    }
    for u in &tally.unexplained {
        eprintln!("  UNEXPLAINED {u}");
    }
    eprintln!("  refusal codes: {:?}", tally.refusal_codes);
}

#[test]
fn wycheproof_json_web_signature_agrees_or_refuses_by_policy() {
    let Some(doc) = load("json_web_signature_test.json") else {
        return;
    };
    assert_eq!(doc["schema"], "json_web_signature_schema_v1.json");
    let mut by_id: BTreeMap<u64, String> = BTreeMap::new();
    let mut tally = Tally::default();
    for group in doc["testGroups"].as_array().unwrap() {
        let jwks = jws_group_jwks(group).to_string();
        let kty = group_kty(group);
        // Non-RSA and symmetric groups: the set has no usable key, and their algs are refused anyway.
        let keys = KeySet::parse(jwks.as_bytes());
        if kty == "RSA" && group["public"].is_object() && group["public"]["use"] != "enc" {
            assert!(keys.is_ok() || group["public"].get("key_ops").is_some(), "{}: {keys:?}", group["comment"]);
        }
        for t in group["tests"].as_array().unwrap() {
            let tc_id = t["tcId"].as_u64().unwrap();
            let token = t["jws"].as_str().unwrap();
            by_id.insert(tc_id, token.to_owned());
            let outcome = no_panic(tc_id, || signature_layer(token, keys.as_ref(), &["RS256"], KeyChoice::Select));
            let case = Case {
                tc_id,
                label: t["result"].as_str().unwrap(),
                alg: header_alg(token),
                kty: &kty,
                context: format!("group {}, kty {kty}, {}", group["comment"], t["comment"]),
            };
            classify(&mut tally, &case, &outcome, &Exceptions { mislabels: &JWS_MISLABELS, known_bugs: &[] });
        }
    }
    // The README's claims about the mislabels, checked rather than trusted.
    assert_eq!(by_id[&367], by_id[&357], "tcId 367 should be byte-identical to 357");
    assert_eq!(by_id[&370], by_id[&357], "tcId 370 should be byte-identical to 357");
    assert!(
        by_id[&372].split('.').next().unwrap().contains('?') && by_id[&373].split('.').nth(1).unwrap().contains('?')
    );

    assert_eq!(doc["numberOfTests"].as_u64(), Some(tally.total as u64));
    eprintln!(
        "wycheproof json_web_signature: {} cases: {} agree ({} valid accepted, {} invalid refused, {} of them by the alg/key policy before the signature), {} refused by documented policy ({}), {} documented mislabels (tcId {:?}), {} unexplained",
        tally.total,
        tally.agree(),
        tally.agree_valid_accepted,
        tally.agree_invalid_refused,
        tally.refused_before_signature,
        tally.policy_count(),
        tally.policy_line(),
        tally.mislabels.len(),
        tally.mislabels.iter().map(|m| m.0).collect::<Vec<_>>(),
        tally.unexplained.len()
    );
    print_details(&tally);
    assert_eq!(tally.agree() + tally.policy_count() + tally.mislabels.len() + tally.unexplained.len(), tally.total);
    assert!(tally.unexplained.is_empty(), "{:#?}", tally.unexplained);
    // Every RS256 vector labelled valid with a usable key verifies: the layer is not refusing everything.
    assert!(tally.agree_valid_accepted >= 6, "only {} valid RS256 vectors accepted", tally.agree_valid_accepted);
    assert_eq!(tally.mislabels.len(), JWS_MISLABELS.len());
}

/// Runs one case, turning a panic (a trapped instance in wasm) into a failure that names the case.
fn no_panic<T>(tc_id: u64, run: impl FnOnce() -> T) -> T {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| panic!("tcId {tc_id} panicked"))
}

/// What `KeySet::parse` made of a JWKS: refused whole, or which keys it kept and which it ignored.
fn describe_import(keys: &Result<KeySet, Error>) -> String {
    match keys {
        Err(e) => format!("set refused ({e})"),
        Ok(set) => {
            let kept: Vec<String> =
                set.keys().iter().map(|k| format!("{:?}", k.kid.as_deref().unwrap_or("-"))).collect();
            let ignored: Vec<String> =
                set.ignored().iter().map(|k| format!("{:?}: {}", k.kid.as_deref().unwrap_or("-"), k.reason)).collect();
            format!("kept [{}], ignored [{}]", kept.join(", "), ignored.join("; "))
        }
    }
}

#[test]
fn wycheproof_json_web_key_import_agrees_or_refuses_by_policy() {
    let Some(doc) = load("json_web_key_test.json") else {
        return;
    };
    assert_eq!(doc["schema"], "json_web_key_schema_v1.json");
    let mut tally = Tally::default();
    let mut import: BTreeMap<&'static str, usize> = BTreeMap::new();
    for group in doc["testGroups"].as_array().unwrap() {
        // The set exactly as the group publishes it: `public`, else `private` (a key set holding private
        // members is itself the defect some of these cases test: Wycheproof MixedKeySet).
        let published = if group["public"].is_object() { &group["public"] } else { &group["private"] };
        let keys = KeySet::parse(published.to_string().as_bytes());
        *import
            .entry(match &keys {
                Err(_) => "set refused",
                Ok(set) if set.ignored().is_empty() => "all keys kept",
                Ok(_) => "some keys ignored",
            })
            .or_default() += 1;
        let kty = published["keys"][0]["kty"].as_str().unwrap_or("(none)").to_owned();
        for t in group["tests"].as_array().unwrap() {
            let tc_id = t["tcId"].as_u64().unwrap();
            let token = t["jws"].as_str().unwrap();
            let outcome = no_panic(tc_id, || signature_layer(token, keys.as_ref(), &["RS256"], KeyChoice::Select));
            let label = t["result"].as_str().unwrap();
            eprintln!(
                "  jwk tcId {tc_id:>2} {label:<7} {:<28} import: {}; token: {}",
                group["comment"].as_str().unwrap_or(""),
                describe_import(&keys),
                match &outcome {
                    Ok(_) => "accepted".to_owned(),
                    Err(e) => format!("refused {}", e.code()),
                }
            );
            let case = Case {
                tc_id,
                label,
                alg: header_alg(token),
                kty: &kty,
                context: format!("group {}, {}", group["comment"], t["comment"]),
            };
            classify(&mut tally, &case, &outcome, &Exceptions { mislabels: &[], known_bugs: &JWK_KNOWN_BUGS });
        }
    }
    assert_eq!(doc["numberOfTests"].as_u64(), Some(tally.total as u64));
    eprintln!(
        "wycheproof json_web_key: {} cases: {} agree ({} valid accepted, {} invalid refused), {} refused by documented policy ({}), {} known bugs (tcId {:?}), {} unexplained; import: {:?}",
        tally.total,
        tally.agree(),
        tally.agree_valid_accepted,
        tally.agree_invalid_refused,
        tally.policy_count(),
        tally.policy_line(),
        tally.known_bugs.len(),
        tally.known_bugs.iter().map(|b| b.0).collect::<Vec<_>>(),
        tally.unexplained.len(),
        import
    );
    print_details(&tally);
    assert!(tally.unexplained.is_empty(), "{:#?}", tally.unexplained);
    assert!(tally.agree_valid_accepted >= 1, "the valid RS256 key set (tcId 5) must be accepted");
}

/// The JWK test's ROCA case (tcId 7) by itself: the key set must not yield a usable key, so its token
/// must be refused. Today the key is kept and the signature verifies.
#[test]
fn wycheproof_jwk_tc7_roca_key_refused() {
    let Some(doc) = load("json_web_key_test.json") else {
        return;
    };
    let group = doc["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["comment"] == "jws_rsa_roca_key")
        .expect("jws_rsa_roca_key group");
    let t = &group["tests"][0];
    assert_eq!(t["tcId"], 7);
    let keys = KeySet::parse(group["public"].to_string().as_bytes());
    let outcome = signature_layer(t["jws"].as_str().unwrap(), keys.as_ref(), &["RS256"], KeyChoice::Select);
    assert!(outcome.is_err(), "ROCA key accepted; import: {}", describe_import(&keys));
}

/// The detector in attacks.rs flags the Wycheproof ROCA modulus and none of the other RSA moduli in the
/// two files: the fix proposed for KeySet (same test) is safe on these keys.
#[test]
fn wycheproof_roca_detector_flags_only_the_roca_key() {
    let (Some(jws_doc), Some(jwk_doc)) = (load("json_web_signature_test.json"), load("json_web_key_test.json")) else {
        return;
    };
    let mut moduli: Vec<(String, Vec<u8>)> = Vec::new();
    let mut collect = |name: String, jwk: &Value| {
        if let Some(n) = jwk["n"].as_str() {
            let bytes = entra_guard::base64url::decode(n.as_bytes()).expect("n is base64url");
            moduli.push((name, bytes));
        }
    };
    for g in jws_doc["testGroups"].as_array().unwrap() {
        collect(format!("jws {}", g["comment"]), &g["public"]);
    }
    for g in jwk_doc["testGroups"].as_array().unwrap() {
        for k in g["public"]["keys"].as_array().into_iter().flatten() {
            collect(format!("jwk {}", g["comment"]), k);
        }
    }
    let flagged: Vec<&str> =
        moduli.iter().filter(|(_, n)| attacks::roca_fingerprint(n)).map(|(name, _)| name.as_str()).collect();
    eprintln!("roca detector: {} RSA moduli, flagged {flagged:?}", moduli.len());
    assert_eq!(flagged, vec!["jwk \"jws_rsa_roca_key\""]);
}
