//! Every refusal names the check that made it (`Error::check`), each stage of the pipeline has its own
//! value, and `Check::ALL` lists the token's stages in the order the validator runs them: for any two
//! claim-level failures in one token, the earlier stage is the one reported.

use crate::support::*;
use entra_guard::error::Check;
use entra_guard::{Policy, Requirements, Validator};
use serde_json::{json, Value};

/// What a failing token looks like, and which check must refuse it.
enum Token {
    /// The test token's claims with these changes (see `with`), signed by the main key.
    Claims(Value),
    /// A token with this header over the test claims.
    Header(Value),
    /// Any text.
    Raw(String),
}

struct Case {
    name: &'static str,
    token: Token,
    requirements: Requirements,
    policy: Option<Policy>,
    /// The JWKS, when not the default one.
    jwks: Option<String>,
    now: f64,
    expected: Check,
}

fn case(name: &'static str, token: Token, expected: Check) -> Case {
    Case { name, token, requirements: Requirements::default(), policy: None, jwks: None, now: NOW, expected }
}

fn claims(changes: Value) -> Token {
    Token::Claims(changes)
}

fn signed_raw(header: &Value, payload_b64: &str) -> Token {
    Token::Raw(mint_raw(&keys().main, &b64json(header), payload_b64))
}

fn rs256() -> Value {
    json!({"typ": "JWT", "alg": "RS256", "kid": "main-2048"})
}

fn needs(scopes: &[&str], roles: &[&str]) -> Requirements {
    Requirements {
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        roles: roles.iter().map(|s| (*s).to_owned()).collect(),
        ..Requirements::default()
    }
}

fn cases() -> Vec<Case> {
    let good = mint(&keys().main, &v2_user_claims());
    let (input, signature) = good.rsplit_once('.').unwrap();
    let header_b64 = good.split('.').next().unwrap().to_owned();
    let mut bound_to_other_tenant = keys().main.jwk();
    bound_to_other_tenant["issuer"] = json!(format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"));
    let mut only_other_client = policy();
    only_other_client.allowed_client_ids = Some(vec!["11111111-1111-4111-8111-111111111111".to_owned()]);
    let mut users_only = policy();
    users_only.token_types = entra_guard::TokenTypes::User;
    vec![
        Case { now: f64::NAN, ..case("now is not a number", Token::Raw(good.clone()), Check::Config) },
        case("token over 16 KiB", Token::Raw(format!("a.{}.c", "b".repeat(17 * 1024))), Check::Size),
        case("header segment over 2 KiB", Token::Raw(format!("{}.b.c", "a".repeat(3000))), Check::Size),
        case("empty token", Token::Raw(String::new()), Check::Jws),
        case("two segments", Token::Raw("a.b".to_owned()), Check::Jws),
        case("five segments (JWE)", Token::Raw("a.b.c.d.e".to_owned()), Check::Jws),
        case("JSON serialisation", Token::Raw(r#"{"payload":"x"}"#.to_owned()), Check::Jws),
        case("empty signature segment", Token::Raw(format!("{input}.")), Check::Jws),
        case(
            "header with padding",
            Token::Raw(format!("{header_b64}=.{}", &input[header_b64.len() + 1..])),
            Check::Jws,
        ),
        case("header not a JSON object", signed_raw(&json!([1]), &b64json(&v2_user_claims())), Check::Jws),
        case("header without alg", Token::Header(json!({"kid": "main-2048"})), Check::Header),
        case("header alg not a string", Token::Header(json!({"alg": 1, "kid": "main-2048"})), Check::Header),
        case("header alg none", Token::Header(json!({"alg": "none", "kid": "main-2048"})), Check::Header),
        case("header crit", Token::Header(json!({"alg": "RS256", "kid": "main-2048", "crit": ["exp"]})), Check::Header),
        case("header b64", Token::Header(json!({"alg": "RS256", "kid": "main-2048", "b64": false})), Check::Header),
        case("header cty JWT", Token::Header(json!({"alg": "RS256", "kid": "main-2048", "cty": "JWT"})), Check::Header),
        case("header kid not a string", Token::Header(json!({"alg": "RS256", "kid": 7})), Check::Header),
        case(
            "header nonce (Graph)",
            Token::Header(json!({"alg": "RS256", "kid": "main-2048", "nonce": "n"})),
            Check::Graph,
        ),
        case("unknown kid", Token::Header(json!({"alg": "RS256", "kid": "nope"})), Check::Key),
        case("no kid nor x5t", Token::Header(json!({"alg": "RS256"})), Check::Key),
        case("signature not base64url", Token::Raw(format!("{input}.{signature}=")), Check::Signature),
        case("signature of other bytes", Token::Raw(format!("{input}.{}", "A".repeat(342))), Check::Signature),
        case("payload not base64url", signed_raw(&rs256(), "e30="), Check::Payload),
        case("payload not a JSON object", signed_raw(&rs256(), &b64json(&json!([1]))), Check::Payload),
        case(
            "header copy of iss differs",
            Token::Header(json!({"alg": "RS256", "kid": "main-2048", "iss": "https://evil.example/"})),
            Check::ReplicatedClaims,
        ),
        case("ver missing", claims(json!({"ver": null})), Check::Ver),
        case("ver 3.0", claims(json!({"ver": "3.0"})), Check::Ver),
        case("tid not a GUID", claims(json!({"tid": "contoso"})), Check::Tid),
        case("iss of another host", claims(json!({"iss": "https://evil.example/v2.0"})), Check::Iss),
        case("tid missing for a templated issuer", claims(json!({"tid": null})), Check::Iss),
        Case {
            jwks: Some(jwks(&[bound_to_other_tenant])),
            ..case("key bound to another tenant's issuer", claims(json!({})), Check::KeyIssuer)
        },
        case(
            "other tenant",
            claims(
                json!({"tid": OTHER_TENANT, "iss": format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0")}),
            ),
            Check::Tenant,
        ),
        case("aud of another API", claims(json!({"aud": "api://other"})), Check::Aud),
        case("aud missing", claims(json!({"aud": null})), Check::Aud),
        case("aud a number", claims(json!({"aud": 1})), Check::Aud),
        case("iat a string", claims(json!({"iat": "yesterday"})), Check::Iat),
        case("nonce claim (ID token)", claims(json!({"nonce": "n"})), Check::IdToken),
        case("no azp nor appid", claims(json!({"azp": null})), Check::Client),
        Case { policy: Some(only_other_client), ..case("client not allowed", claims(json!({})), Check::Client) },
        case("idtyp a number", claims(json!({"idtyp": 1})), Check::TokenType),
        Case {
            policy: Some(users_only),
            ..case(
                "app-only token for a users-only API",
                claims(json!({"idtyp": "app", "scp": null})),
                Check::TokenType,
            )
        },
        case("scp a number", claims(json!({"scp": 1})), Check::Scp),
        case("roles a string", claims(json!({"roles": "Admin"})), Check::Roles),
        case("expired", claims(json!({"exp": NOW - 3600.0})), Check::Lifetime),
        case("not yet valid", claims(json!({"nbf": NOW + 3600.0})), Check::Lifetime),
        case("exp missing", claims(json!({"exp": null})), Check::Lifetime),
        Case { requirements: needs(&["mcp.admin"], &[]), ..case("scope missing", claims(json!({})), Check::Scope) },
        Case { requirements: needs(&[], &["Admin"]), ..case("role missing", claims(json!({})), Check::Role) },
    ]
}

fn token_of(token: &Token) -> String {
    match token {
        Token::Claims(changes) => mint(&keys().main, &with(&v2_user_claims(), changes.clone())),
        Token::Header(header) => mint_with_header(&keys().main, header, &v2_user_claims()),
        Token::Raw(text) => text.clone(),
    }
}

fn refusal(case: &Case) -> entra_guard::Error {
    let mut validator = Validator::new(case.policy.clone().unwrap_or_else(policy));
    validator.set_jwks(case.jwks.clone().unwrap_or_else(default_jwks).as_bytes()).unwrap();
    match validator.validate(&token_of(&case.token), case.now, &case.requirements) {
        Ok(_) => panic!("{}: validated", case.name),
        Err(error) => error,
    }
}

fn position(check: Check) -> usize {
    Check::ALL.iter().position(|c| *c == check).unwrap()
}

both! {
    fn every_refusal_names_its_check_ok() {
        for case in cases() {
            let error = refusal(&case);
            assert_eq!(error.check(), case.expected, "{}: {error}", case.name);
        }
    }

    fn every_token_stage_has_a_case_and_its_own_check_ok() {
        // Each check from size to role is reached by at least one case: every stage of the pipeline has
        // a distinct value, and none is unreachable.
        let reached: std::collections::BTreeSet<usize> = cases().iter().map(|c| position(c.expected)).collect();
        let stages = position(Check::Size)..=position(Check::Role);
        for stage in stages {
            assert!(reached.contains(&stage), "no case reaches {}", Check::ALL[stage]);
        }
    }

    fn two_claim_failures_report_the_earlier_stage_ok() {
        // Check::ALL's order is the validator's order: a token that fails two claim-level checks is
        // refused by the one listed first.
        let cases: Vec<Case> = cases().into_iter().filter(|c| matches!(c.token, Token::Claims(_)) && c.policy.is_none() && c.jwks.is_none()).collect();
        let mut pairs = 0;
        for a in &cases {
            for b in &cases {
                let (Token::Claims(ca), Token::Claims(cb)) = (&a.token, &b.token) else { unreachable!() };
                let (ma, mb) = (ca.as_object().unwrap(), cb.as_object().unwrap());
                if position(a.expected) >= position(b.expected) || ma.keys().any(|k| mb.contains_key(k)) {
                    continue;
                }
                let mut merged = ca.clone();
                for (k, v) in mb {
                    merged[k] = v.clone();
                }
                let requirements = Requirements {
                    scopes: [a.requirements.scopes.clone(), b.requirements.scopes.clone()].concat(),
                    roles: [a.requirements.roles.clone(), b.requirements.roles.clone()].concat(),
                    ..Requirements::default()
                };
                let both = Case { requirements, ..case("merged", claims(merged), a.expected) };
                assert_eq!(refusal(&both).check(), a.expected, "{} + {}", a.name, b.name);
                pairs += 1;
            }
        }
        assert!(pairs >= 150, "only {pairs} pairs");
    }

    fn cache_hits_name_the_same_checks_ok() {
        // A cached token refused on a later call (time, permissions) names the same check as a fresh one.
        let v: Validator = validator();
        let token = mint(&keys().main, &v2_user_claims());
        v.validate(&token, NOW, &Requirements::default()).unwrap();
        assert_eq!(v.validate(&token, NOW, &needs(&["x"], &[])).unwrap_err().check(), Check::Scope);
        assert_eq!(v.validate(&token, NOW, &needs(&[], &["x"])).unwrap_err().check(), Check::Role);
        assert_eq!(v.validate(&token, NOW + 10_000.0, &Requirements::default()).unwrap_err().check(), Check::Lifetime);
    }
}
