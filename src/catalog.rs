//! The core's stable names and numbers in one JSON document: error codes with their HTTP statuses, the
//! checks in pipeline order, the limits, and the Entra constants the JS layer also needs. The JS layer's
//! `pkg-template/lib/catalog.js` and the unions in `pkg-template/types/catalog.d.ts` are generated from it
//! (`ENTRA_GUARD_WRITE_CATALOG=1 cargo test --test core catalog`), and a test fails while they differ, so
//! the JS side derives these facts instead of keeping copies of them. Native only: nothing in the wasm
//! needs the document.

use crate::error::{Check, ErrorCode};
use crate::json::{Json, Object};
use crate::limits;
use crate::policy::{Cloud, CONSUMER_TENANT_ID, TENANT_ALIASES, TENANT_PLACEHOLDER};
use crate::validator::RESULT_MEMBERS;

fn text(value: &str) -> Json {
    Json::String(value.to_owned())
}

fn object<const N: usize>(members: [(&str, Json); N]) -> Json {
    Json::Object(members.into_iter().map(|(name, value)| (name.to_owned(), value)).collect::<Object>())
}

/// `{"codes":[{"code","status"}…],"checks":[…],"limits":{…},"clouds":{name:{"v1","v2"}},"tenantAliases":[…],
/// "consumerTenantId","tenantPlaceholder","resultMembers":[…]}`.
pub fn to_json() -> Json {
    let codes = ErrorCode::ALL
        .iter()
        .map(|code| object([("code", text(code.as_str())), ("status", Json::Number(code.http_status().into()))]))
        .collect();
    let clouds = Cloud::ALL
        .iter()
        .map(|cloud| {
            let (v1, v2) = cloud.issuer_templates();
            (cloud.as_str().to_owned(), object([("v1", text(v1)), ("v2", text(v2))]))
        })
        .collect::<Object>();
    let limit = |value: usize| Json::Number(value.into());
    object([
        ("codes", Json::Array(codes)),
        ("checks", Json::Array(Check::ALL.iter().map(|c| text(c.as_str())).collect())),
        (
            "limits",
            object([
                ("maxTokenBytes", limit(limits::MAX_TOKEN_BYTES)),
                ("maxHeaderSegmentBytes", limit(limits::MAX_HEADER_SEGMENT_BYTES)),
                ("maxJwksBytes", limit(limits::MAX_JWKS_BYTES)),
                ("maxJwksKeys", limit(limits::MAX_JWKS_KEYS)),
            ]),
        ),
        ("clouds", Json::Object(clouds)),
        ("tenantAliases", Json::Array(TENANT_ALIASES.iter().map(|a| text(a)).collect())),
        ("consumerTenantId", text(CONSUMER_TENANT_ID)),
        ("tenantPlaceholder", text(TENANT_PLACEHOLDER)),
        ("resultMembers", Json::Array(RESULT_MEMBERS.iter().map(|m| text(m)).collect())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::tests::accepts_tenant_id;

    both! {
        fn catalog_lists_every_code_and_check_ok() {
            let doc = to_json();
            let codes = doc.as_object().and_then(|o| o.get("codes")).and_then(Json::as_array).unwrap();
            assert_eq!(codes.len(), ErrorCode::ALL.len());
            let checks = doc.as_object().and_then(|o| o.get("checks")).and_then(Json::as_array).unwrap();
            assert_eq!(checks.len(), Check::ALL.len());
        }
        fn every_tenant_alias_is_accepted_by_the_options_ok() {
            for alias in TENANT_ALIASES {
                assert!(accepts_tenant_id(alias), "{alias}");
            }
            assert!(!accepts_tenant_id("contoso"));
        }
    }
}
