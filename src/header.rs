//! The JOSE header (RFC 7515 §4): what this validator reads from it, and what it refuses.
//! Keys never come from the header: `jwk`, `jku`, `x5u` and `x5c` are ignored (RFC 8725 §3.10);
//! `kid` and `x5t` are only opaque names looked up in the supplied JWKS.

use crate::claims::Claims;
use crate::error::{quote, Check, Error};
use crate::json::{parse_borrowed_object, utf8, BorrowedJson, BorrowedObject, Json};

/// The claims RFC 7519 §5.3 lets a header replicate; see [`replicated_claims`].
const REPLICATED_CLAIMS: [&str; 3] = ["iss", "sub", "aud"];

#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub alg: String,
    pub kid: Option<String>,
    pub x5t: Option<String>,
    pub typ: Option<String>,
    /// Microsoft Graph tokens carry a `nonce` in the header (see [`graph_nonce`]).
    pub has_nonce: bool,
    /// The header's copies of `iss`, `sub` and `aud`, if any (usually none).
    pub replicated: Vec<(&'static str, Json)>,
}

/// Parses and checks a decoded header. Order matters only for which message a person sees.
pub fn parse(bytes: &[u8]) -> Result<Header, Error> {
    let members = utf8(bytes)
        .and_then(parse_borrowed_object)
        .map_err(|e| Error::malformed(Check::Jws, format!("header is not a JSON object: {e}")))?;
    crit(&members)?;
    b64(&members)?;
    cty(&members)?;
    Ok(Header {
        alg: alg(&members)?,
        kid: optional_string(&members, "kid")?,
        x5t: optional_string(&members, "x5t")?,
        typ: optional_string(&members, "typ")?,
        has_nonce: members.contains_key("nonce"),
        replicated: REPLICATED_CLAIMS
            .iter()
            .filter_map(|&n| members.get(n).map(|v| (n, v.clone().into_owned())))
            .collect(),
    })
}

/// RFC 7515 §4.1.1: `alg` is required and a string; compared case-sensitively elsewhere.
fn alg(members: &BorrowedObject<'_>) -> Result<String, Error> {
    match members.get("alg") {
        Some(BorrowedJson::String(alg)) => Ok(alg.as_ref().to_owned()),
        Some(other) => {
            Err(Error::malformed(Check::Header, format!("header alg must be a string, found {}", other.type_name())))
        }
        None => Err(Error::malformed(Check::Header, "header has no alg (RFC 7515 §4.1.1)")),
    }
}

/// RFC 7515 §4.1.11: this validator understands no extensions, so any `crit` is refused.
fn crit(members: &BorrowedObject<'_>) -> Result<(), Error> {
    match members.get("crit") {
        None => Ok(()),
        Some(value) => Err(Error::malformed(
            Check::Header,
            format!(
                "header crit {} names extensions this validator does not understand (RFC 7515 §4.1.11)",
                quote(&value.clone().into_owned().to_json_string())
            ),
        )),
    }
}

/// RFC 7797 §7: unencoded payloads (`b64`: false) are not JWTs; any `b64` is refused.
fn b64(members: &BorrowedObject<'_>) -> Result<(), Error> {
    match members.get("b64") {
        None => Ok(()),
        Some(_) => Err(Error::malformed(Check::Header, "header b64 is not allowed in a JWT (RFC 7797 §7)")),
    }
}

/// RFC 7519 §5.2 / RFC 8725 §3.3: a nested JWT (`cty`: JWT) is not an access token. RFC 7515 §4.1.10:
/// a `cty` without '/' stands for "application/" + cty, so `application/jwt` is the same marker.
fn cty(members: &BorrowedObject<'_>) -> Result<(), Error> {
    let Some(cty) = members.get("cty").and_then(BorrowedJson::as_str) else {
        return Ok(());
    };
    let subtype = match cty.split_once('/') {
        Some((kind, subtype)) if kind.eq_ignore_ascii_case("application") => subtype,
        Some(_) => return Ok(()),
        None => cty,
    };
    if subtype.eq_ignore_ascii_case("JWT") {
        return Err(Error::malformed(Check::Header, "nested JWT (header cty JWT) is not accepted (RFC 8725 §3.3)"));
    }
    Ok(())
}

/// RFC 7519 §5.3: `iss`, `sub` and `aud` replicated in the header must equal the payload's.
/// Called after the signature has verified, with the parsed header and the claims.
pub fn replicated_claims(header: &Header, claims: &Claims<'_>) -> Result<(), Error> {
    for (name, copy) in &header.replicated {
        if claims.get(name).cloned().map(BorrowedJson::into_owned).as_ref() != Some(copy) {
            return Err(Error::claim_invalid(
                Check::ReplicatedClaims,
                name,
                format!(
                    "the header's copy {} differs from the payload's (RFC 7519 §5.3)",
                    quote(&copy.to_json_string())
                ),
            ));
        }
    }
    Ok(())
}

/// RFC 7517 §4.5: `kid` (and `x5t`) are strings when present.
fn optional_string(members: &BorrowedObject<'_>, name: &str) -> Result<Option<String>, Error> {
    members
        .optional_str(name)
        .map(|s| s.map(str::to_owned))
        .map_err(|found| Error::malformed(Check::Header, format!("header {name} must be a string, found {found}")))
}

/// RFC 8725 §3.1: `alg` must be on the caller's allow-list; exact, case-sensitive (so `none`, `None`,
/// `HS256` and `rs256` all fail unless listed, and the policy never lists them).
pub fn algorithm_allowed(header: &Header, allowed: &[String]) -> Result<(), Error> {
    if allowed.contains(&header.alg) {
        return Ok(());
    }
    Err(Error::AlgorithmNotAllowed { alg: header.alg.clone(), allowed: allowed.to_vec() })
}

/// Entra rule ("Access tokens in the Microsoft identity platform": a token for Microsoft Graph is not for
/// third parties to validate): a header `nonce` marks a token for Microsoft Graph or another first-party
/// API. Its signature covers a transformed header, it is not for this API, and saying so beats a bare
/// `signature_invalid`.
pub fn graph_nonce(header: &Header) -> Result<(), Error> {
    if header.has_nonce {
        return Err(Error::GraphToken);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn rs256() -> Vec<String> {
        vec!["RS256".to_owned()]
    }

    both! {
        fn header_rs256_kid_ok() {
            let h = parse(br#"{"typ":"JWT","alg":"RS256","kid":"k1","x5t":"k1"}"#).unwrap();
            assert_eq!((h.alg.as_str(), h.kid.as_deref(), h.x5t.as_deref()), ("RS256", Some("k1"), Some("k1")));
            assert!(algorithm_allowed(&h, &rs256()).is_ok());
        }
        fn alg_missing_fails() {
            assert_eq!(parse(br#"{"kid":"k"}"#).unwrap_err().code(), ErrorCode::TokenMalformed);
        }
        fn alg_not_string_fails() {
            assert_eq!(parse(br#"{"alg":["RS256"]}"#).unwrap_err().code(), ErrorCode::TokenMalformed);
        }
        fn alg_none_every_casing_fails() {
            for alg in ["none", "None", "NONE", "nOnE", "HS256", "rs256", "RS256 ", "PS256", "ES256", ""] {
                let h = parse(format!(r#"{{"alg":"{alg}"}}"#).as_bytes()).unwrap();
                assert_eq!(algorithm_allowed(&h, &rs256()).unwrap_err().code(), ErrorCode::AlgorithmNotAllowed, "{alg}");
            }
        }
        fn duplicate_alg_fails() {
            assert_eq!(parse(br#"{"alg":"none","alg":"RS256"}"#).unwrap_err().code(), ErrorCode::TokenMalformed);
        }
        fn kid_not_string_fails() {
            assert_eq!(parse(br#"{"alg":"RS256","kid":0}"#).unwrap_err().code(), ErrorCode::TokenMalformed);
        }
        fn crit_fails() {
            for crit in [r#"["exp"]"#, "[]", r#"["alg"]"#, r#""x""#] {
                let doc = format!(r#"{{"alg":"RS256","crit":{crit},"exp":1}}"#);
                assert_eq!(parse(doc.as_bytes()).unwrap_err().code(), ErrorCode::TokenMalformed, "{crit}");
            }
        }
        fn b64_false_fails() {
            assert_eq!(parse(br#"{"alg":"RS256","b64":false,"crit":["b64"]}"#).unwrap_err().code(), ErrorCode::TokenMalformed);
            assert_eq!(parse(br#"{"alg":"RS256","b64":true}"#).unwrap_err().code(), ErrorCode::TokenMalformed);
        }
        fn cty_jwt_nested_fails() {
            assert_eq!(parse(br#"{"alg":"RS256","cty":"jwt"}"#).unwrap_err().code(), ErrorCode::TokenMalformed);
        }
        fn header_nonce_is_graph_token_fails() {
            let h = parse(br#"{"alg":"RS256","kid":"k","nonce":"abc"}"#).unwrap();
            assert_eq!(graph_nonce(&h).unwrap_err().code(), ErrorCode::GraphToken);
        }
        fn header_without_nonce_is_not_graph_ok() {
            let h = parse(br#"{"alg":"RS256","kid":"k"}"#).unwrap();
            assert!(graph_nonce(&h).is_ok());
        }
        fn header_not_object_fails() {
            assert_eq!(parse(b"[1]").unwrap_err().code(), ErrorCode::TokenMalformed);
            assert_eq!(parse(b"{\"alg\":\"RS256\"} x").unwrap_err().code(), ErrorCode::TokenMalformed);
        }
        fn jwk_jku_x5u_x5c_are_ignored_ok() {
            let h = parse(br#"{"alg":"RS256","jwk":{"kty":"RSA"},"jku":"https://evil","x5u":"https://evil","x5c":["AA"]}"#).unwrap();
            assert_eq!(h.kid, None);
        }
    }
}
