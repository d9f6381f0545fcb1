//! Claim rules: one pure function per claim, each naming the RFC 7519 section or Entra rule it applies
//! (Entra rules: Microsoft's "Access tokens in the Microsoft identity platform" and "Access token claims
//! reference", https://learn.microsoft.com/entra/identity-platform/access-tokens and
//! .../access-token-claims-reference, and Microsoft.IdentityModel's `AadIssuerValidator`,
//! https://github.com/AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet).
//! They run only after the signature has verified (RFC 8725 §3.3).

use crate::error::{quote, Check, Error};
use crate::json::{BorrowedJson, BorrowedObject};
use crate::policy::{
    find_text, is_guid, split_at_placeholder, Cloud, Implications, Policy, Requirements, ScopeMatch, Tenants,
    TokenTypes, TokenVersion, CONSUMER_TENANT_ID, TENANT_PLACEHOLDER,
};

/// A token's claims set, its strings borrowed from the payload's text.
pub type Claims<'a> = BorrowedObject<'a>;

fn required_str<'a>(
    check: Check,
    claims: &'a Claims<'_>,
    name: &'static str,
    reason: &'static str,
) -> Result<&'a str, Error> {
    optional_str(check, claims, name)?.ok_or(Error::ClaimMissing { check, claim: name, reason })
}

fn optional_str<'a>(check: Check, claims: &'a Claims<'_>, name: &'static str) -> Result<Option<&'a str>, Error> {
    claims
        .optional_str(name)
        .map_err(|found| Error::claim_invalid(check, name, format!("must be a string, found {found}")))
}

/// RFC 7519 §2 NumericDate: a JSON number (fractions allowed), never a string or boolean.
fn numeric_date(check: Check, claims: &Claims<'_>, name: &'static str) -> Result<Option<f64>, Error> {
    match claims.get(name) {
        None => Ok(None),
        Some(value) => value.as_f64().map(Some).ok_or_else(|| {
            Error::claim_invalid(
                check,
                name,
                format!("must be a NumericDate (a JSON number), found {}", value.type_name()),
            )
        }),
    }
}

/// Entra `ver`: "1.0" or "2.0", and one the API accepts (`accessTokenAcceptedVersion`).
pub fn version(claims: &Claims<'_>, accepted: &[TokenVersion]) -> Result<TokenVersion, Error> {
    let ver = required_str(Check::Ver, claims, "ver", "Entra access tokens carry ver \"1.0\" or \"2.0\"")?;
    let version = TokenVersion::parse(ver)
        .ok_or_else(|| Error::claim_invalid(Check::Ver, "ver", format!("{} is not \"1.0\" or \"2.0\"", quote(ver))))?;
    if !accepted.contains(&version) {
        let list: Vec<&str> = accepted.iter().map(|v| v.as_str()).collect();
        return Err(Error::claim_invalid(
            Check::Ver,
            "ver",
            format!("version {ver} tokens are not accepted (acceptedVersions {list:?}); the API's accessTokenAcceptedVersion decides which version Entra issues"),
        ));
    }
    Ok(version)
}

/// Entra `tid`: the tenant, a GUID ("Access token claims reference": `tid` is the tenant's GUID).
pub fn tenant_id<'a>(claims: &'a Claims<'_>) -> Result<Option<&'a str>, Error> {
    let tid = optional_str(Check::Tid, claims, "tid")?;
    match tid {
        Some(t) if !is_guid(t) => {
            Err(Error::claim_invalid(Check::Tid, "tid", format!("{} is not a tenant GUID", quote(t))))
        }
        _ => Ok(tid),
    }
}

/// The issuer templates that apply to a token of this version under this policy.
pub fn issuer_templates(policy: &Policy, version: TokenVersion) -> Vec<&str> {
    let mut templates = Vec::with_capacity(policy.issuers.len() + 1);
    if policy.builtin_issuers {
        let (v1, v2) = policy.cloud.issuer_templates();
        templates.push(match version {
            TokenVersion::V1 => v1,
            TokenVersion::V2 => v2,
        });
    }
    templates.extend(policy.issuers.iter().map(String::as_str));
    templates
}

/// AadIssuerValidator.IsValidIssuer: text around `{tenantid}` matches exactly and the token's `iss`
/// holds exactly its `tid` at the placeholder; a template without a placeholder needs exact equality.
pub fn issuer_matches(template: &str, iss: &str, tid: Option<&str>) -> bool {
    match split_at_placeholder(template) {
        None => template == iss,
        Some((prefix, suffix)) => tid.is_some_and(|tid| {
            iss.len() == prefix.len() + tid.len() + suffix.len()
                && iss.starts_with(prefix)
                && iss.ends_with(suffix)
                && iss.get(prefix.len()..prefix.len() + tid.len()) == Some(tid)
        }),
    }
}

/// RFC 7519 §4.1.1 + Entra v1/v2 issuers: `iss` must match one accepted template. Returns the
/// issuer and the tenant it names: `tid`, or (for exact issuers such as B2C's) the issuer's GUID path.
pub fn issuer<'a>(
    claims: &'a Claims<'_>,
    templates: &[&str],
    tid: Option<&'a str>,
    version: TokenVersion,
) -> Result<(&'a str, Option<String>), Error> {
    let iss = required_str(Check::Iss, claims, "iss", "an issuer is configured, so iss is required")?;
    if let Some(template) = templates.iter().find(|t| issuer_matches(t, iss, tid)) {
        let tenant = match tid {
            Some(tid) => Some(tid.to_owned()),
            None if split_at_placeholder(template).is_none() => tenant_in_issuer_path(iss),
            None => None,
        };
        return Ok((iss, tenant));
    }
    if tid.is_none() && templates.iter().any(|t| split_at_placeholder(t).is_some()) {
        return Err(Error::ClaimMissing {
            check: Check::Iss,
            claim: "tid",
            reason: "the issuer template contains {tenantid}, so the token must name its tenant in tid",
        });
    }
    let expected = templates
        .iter()
        .map(|t| match tid {
            Some(tid) => t.replace(TENANT_PLACEHOLDER, tid),
            None => (*t).to_owned(),
        })
        .collect();
    Err(Error::IssuerInvalid {
        check: Check::Iss,
        expected,
        actual: iss.to_owned(),
        reason: match version {
            TokenVersion::V1 => "is not an accepted issuer for a ver 1.0 token",
            TokenVersion::V2 => "is not an accepted issuer for a ver 2.0 token",
        },
    })
}

/// AadIssuerValidator: without `tid`, the tenant is the issuer's first path segment when it is a GUID.
fn tenant_in_issuer_path(iss: &str) -> Option<String> {
    let path = iss.split_once("://")?.1.split_once('/')?.1;
    let first = path.split('/').next()?;
    is_guid(first).then(|| first.to_ascii_lowercase())
}

/// Entra signing-key issuer check (Microsoft.IdentityModel `EnableAadSigningKeyIssuerValidation`,
/// IDX40004/40005/40009): when the JWK carries `issuer`, the token's `tid` substituted into it must give
/// the token's `iss`, or the cloud's v2 issuer for that tenant (which lets v1 tokens pass).
pub fn signing_key_issuer(key_issuer: Option<&str>, iss: &str, tid: Option<&str>, cloud: Cloud) -> Result<(), Error> {
    let Some(key_issuer) = key_issuer else {
        return Ok(());
    };
    let Some(tid) = tid else {
        if key_issuer == iss {
            return Ok(());
        }
        return Err(Error::ClaimMissing {
            check: Check::KeyIssuer,
            claim: "tid",
            reason: "the signing key is bound to an issuer template, which needs the token's tid",
        });
    };
    // `bound` is the key's template filled with tid; it must be iss, or the cloud's v2 issuer for tid.
    let bound_is = |value: &str| fills_to(key_issuer, tid, value);
    let v2_for_tenant = || cloud.issuer_templates().1.replace(TENANT_PLACEHOLDER, tid);
    if find_text(iss, tid).is_some() && (bound_is(iss) || bound_is(&v2_for_tenant())) {
        return Ok(());
    }
    Err(Error::IssuerInvalid {
        check: Check::KeyIssuer,
        expected: vec![key_issuer.replace(TENANT_PLACEHOLDER, tid)],
        actual: iss.to_owned(),
        reason: "is not the issuer the signing key is published for",
    })
}

/// Whether `template` with every `{tenantid}` replaced by `tid` is `value` (without building that string).
fn fills_to(template: &str, tid: &str, value: &str) -> bool {
    let (mut template, mut value) = (template, value);
    while let Some((literal, after)) = split_at_placeholder(template) {
        match value.strip_prefix(literal).and_then(|rest| rest.strip_prefix(tid)) {
            Some(rest) => (template, value) = (after, rest),
            None => return false,
        }
    }
    template == value
}

/// Entra tenant allow-list (`tenantId` / `allowedTenants`).
pub fn tenant(tenant: Option<&str>, tenants: &Tenants) -> Result<(), Error> {
    let needs_tenant = || Error::ClaimMissing {
        check: Check::Tenant,
        claim: "tid",
        reason: "a tenant restriction is configured, so the token must name its tenant",
    };
    match tenants {
        Tenants::Unrestricted => Ok(()),
        Tenants::AnyTenant => tenant.map(|_| ()).ok_or_else(needs_tenant),
        Tenants::AnyOrganization => match tenant {
            None => Err(needs_tenant()),
            Some(CONSUMER_TENANT_ID) => Err(Error::TenantNotAllowed {
                tenant: CONSUMER_TENANT_ID.to_owned(),
                allowed: vec![
                    "any organization (tenantId \"organizations\" excludes personal Microsoft accounts)".to_owned()
                ],
            }),
            Some(_) => Ok(()),
        },
        Tenants::Listed(list) => match tenant {
            None => Err(needs_tenant()),
            Some(t) if list.iter().any(|allowed| allowed == t) => Ok(()),
            Some(t) => Err(Error::TenantNotAllowed { tenant: t.to_owned(), allowed: list.clone() }),
        },
    }
}

/// Microsoft.IdentityModel `IgnoreTrailingSlashWhenValidatingAudience` (default true).
fn same_audience(a: &str, b: &str) -> bool {
    a.strip_suffix('/').unwrap_or(a) == b.strip_suffix('/').unwrap_or(b)
}

/// RFC 7519 §4.1.3 / RFC 8725 §3.9: `aud` (a string or an array of strings) must contain a configured
/// audience. Returns the matching value from the token.
pub fn audience<'a>(claims: &'a Claims<'_>, audiences: &[String]) -> Result<&'a str, Error> {
    let actual: Vec<&str> = match claims.get("aud") {
        None => {
            return Err(Error::ClaimMissing {
                check: Check::Aud,
                claim: "aud",
                reason: "an audience is configured, so aud is required",
            })
        }
        Some(BorrowedJson::String(aud)) => vec![aud],
        Some(BorrowedJson::Array(items)) if items.iter().all(|i| i.as_str().is_some()) => {
            items.iter().filter_map(BorrowedJson::as_str).collect()
        }
        Some(other) => {
            return Err(Error::claim_invalid(
                Check::Aud,
                "aud",
                format!("must be a string or an array of strings, found {}", other.type_name()),
            ))
        }
    };
    match actual.iter().find(|a| audiences.iter().any(|want| same_audience(a, want))) {
        Some(found) => Ok(found),
        None => Err(Error::AudienceInvalid {
            expected: audiences.to_vec(),
            actual: actual.into_iter().map(str::to_owned).collect(),
        }),
    }
}

/// RFC 7519 §4.1.4: `exp` is required here, a NumericDate.
pub fn expiration(claims: &Claims<'_>) -> Result<f64, Error> {
    numeric_date(Check::Lifetime, claims, "exp")?.ok_or(Error::ClaimMissing {
        check: Check::Lifetime,
        claim: "exp",
        reason: "access tokens must expire",
    })
}

/// RFC 7519 §4.1.4: `now` must be before `exp` (plus leeway).
pub fn not_expired(exp: f64, now: f64, leeway: u64) -> Result<(), Error> {
    if now < exp + leeway as f64 {
        Ok(())
    } else {
        Err(Error::TokenExpired { exp, now, leeway })
    }
}

/// RFC 7519 §4.1.5: `nbf`, when present, is a NumericDate.
pub fn not_before(claims: &Claims<'_>) -> Result<Option<f64>, Error> {
    numeric_date(Check::Lifetime, claims, "nbf")
}

/// RFC 7519 §4.1.5: when there is an `nbf`, `now` must not be before it (minus leeway).
pub fn already_valid(nbf: Option<f64>, now: f64, leeway: u64) -> Result<(), Error> {
    match nbf {
        Some(nbf) if now + (leeway as f64) < nbf => Err(Error::TokenNotYetValid { nbf, now, leeway }),
        _ => Ok(()),
    }
}

/// RFC 7519 §4.1.6: `iat`, when present, is a NumericDate.
pub fn issued_at(claims: &Claims<'_>) -> Result<(), Error> {
    numeric_date(Check::Iat, claims, "iat").map(|_| ())
}

/// RFC 8725 §3.12 (mutually exclusive validation): a `nonce` claim belongs to ID tokens (OpenID
/// Connect Core §2), never to Entra access tokens; an ID token proves a sign-in, not API access.
pub fn not_id_token(claims: &Claims<'_>) -> Result<(), Error> {
    if claims.contains_key("nonce") {
        return Err(Error::TokenTypeNotAllowed {
            check: Check::IdToken,
            actual: "ID",
            allowed: "access tokens",
            reason: "the token has a nonce claim, which only ID tokens carry; the client must send an access token issued for this API",
        });
    }
    Ok(())
}

/// Entra `azp` (v2) / `appid` (v1): the client application; every access token names one.
pub fn client_id<'a>(claims: &'a Claims<'_>) -> Result<&'a str, Error> {
    if let Some(azp) = optional_str(Check::Client, claims, "azp")? {
        return Ok(azp);
    }
    optional_str(Check::Client, claims, "appid")?.ok_or(Error::ClaimMissing {
        check: Check::Client,
        claim: "azp",
        reason: "an access token names its client application in azp (v2) or appid (v1); ID tokens do not",
    })
}

/// `allowedClientIds`: only these client applications may call.
pub fn client_allowed(client: &str, allowed: Option<&[String]>) -> Result<(), Error> {
    match allowed {
        Some(list) if !list.iter().any(|c| c == client) => {
            Err(Error::ClientNotAllowed { client: client.to_owned(), allowed: list.to_vec() })
        }
        _ => Ok(()),
    }
}

/// Entra app-only vs delegated: `idtyp` "app" is "the most accurate way" (optional claim); without it,
/// a token with no `scp` was issued to an application acting as itself.
pub fn is_app_only(claims: &Claims<'_>) -> Result<bool, Error> {
    match optional_str(Check::TokenType, claims, "idtyp")? {
        Some("app") => Ok(true),
        Some("user") => Ok(false),
        _ => Ok(!claims.contains_key("scp")),
    }
}

/// `tokenTypes`: refuse app-only or user tokens when the API says so.
pub fn token_type_allowed(app_only: bool, types: TokenTypes) -> Result<(), Error> {
    match (types, app_only) {
        (TokenTypes::User, true) => Err(Error::TokenTypeNotAllowed {
            check: Check::TokenType,
            actual: "app-only",
            allowed: "user (delegated) tokens",
            reason: "this API only serves signed-in users (tokenTypes \"user\")",
        }),
        (TokenTypes::App, false) => Err(Error::TokenTypeNotAllowed {
            check: Check::TokenType,
            actual: "user (delegated)",
            allowed: "app-only tokens",
            reason: "this API only serves applications acting as themselves (tokenTypes \"app\")",
        }),
        _ => Ok(()),
    }
}

/// Entra `scp`: one space-separated string of delegated permissions (RFC 6749 §3.3 scope syntax).
pub fn scopes(claims: &Claims<'_>) -> Result<Vec<String>, Error> {
    Ok(optional_str(Check::Scp, claims, "scp")?
        .map(|scp| scp.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default())
}

/// Entra `roles`: an array of app-role values (application permissions or a user's app roles).
pub fn roles(claims: &Claims<'_>) -> Result<Vec<String>, Error> {
    match claims.get("roles") {
        None => Ok(Vec::new()),
        Some(BorrowedJson::Array(items)) if items.iter().all(|i| i.as_str().is_some()) => {
            Ok(items.iter().filter_map(BorrowedJson::as_str).map(str::to_owned).collect())
        }
        Some(other) => Err(Error::claim_invalid(
            Check::Roles,
            "roles",
            format!("must be an array of strings, found {}", other.type_name()),
        )),
    }
}

fn satisfied(present: &[String], required: &[String], mode: ScopeMatch, implied: &Implications) -> bool {
    let has = |r: &String| implied.satisfies(present, r);
    match mode {
        _ if required.is_empty() => true,
        ScopeMatch::All => required.iter().all(has),
        ScopeMatch::Any => required.iter().any(has),
    }
}

/// Required delegated scopes (all-of by default, any-of on request), a broader scope standing for the
/// narrower ones it implies (`impliedScopes`). A 403, not a 401 (RFC 6750 §3.1).
pub fn required_scopes(present: &[String], required: &Requirements, implied: &Implications) -> Result<(), Error> {
    if satisfied(present, &required.scopes, required.scope_match, implied) {
        return Ok(());
    }
    Err(Error::InsufficientScope {
        required: required.scopes.clone(),
        present: present.to_vec(),
        any_of: required.scope_match == ScopeMatch::Any,
    })
}

/// Required app roles, matched like scopes (`impliedRoles`).
pub fn required_roles(present: &[String], required: &Requirements, implied: &Implications) -> Result<(), Error> {
    if satisfied(present, &required.roles, required.scope_match, implied) {
        return Ok(());
    }
    Err(Error::InsufficientRole {
        required: required.roles.clone(),
        present: present.to_vec(),
        any_of: required.scope_match == ScopeMatch::Any,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fills_to` is `template.replace("{tenantid}", tid) == value`, without the allocation.
    #[test]
    fn fills_to_equals_replace_then_compare() {
        let tid = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        let templates = [
            "https://login.microsoftonline.com/{tenantid}/v2.0",
            "https://sts.windows.net/{tenantid}/",
            "{tenantid}",
            "",
            "no placeholder",
            "{tenantid}{tenantid}",
            "a{tenantid}b{tenantid}c",
            "{tenantid",
            "https://login.microsoftonline.com/{tenantid}/v2.0/{tenantid}",
        ];
        let values = |t: &str| {
            let filled = t.replace(TENANT_PLACEHOLDER, tid);
            vec![
                filled.clone(),
                format!("{filled}x"),
                format!("x{filled}"),
                filled.get(1..).unwrap_or_default().to_owned(),
                filled.replace(tid, "f8cdef31-a31e-4b4a-93e4-5f571e91255a"),
                t.to_owned(),
                String::new(),
            ]
        };
        for template in templates {
            for value in values(template) {
                assert_eq!(
                    fills_to(template, tid, &value),
                    template.replace(TENANT_PLACEHOLDER, tid) == value,
                    "{template:?} / {value:?}"
                );
            }
        }
    }
}
