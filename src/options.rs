//! The JS-facing options object (JSON) into a [`Policy`], and a call's requirements into
//! [`Requirements`]. Every failure is `config_invalid` naming the option at fault; unknown options are
//! refused, so a misspelt `audiences` can never leave the audience unchecked.

use crate::error::{quote, Error};
use crate::json::{self, parse_object, Json, Object};
use crate::limits::{MAX_OPTIONS_BYTES, MAX_POLICY_LIST};
use crate::policy::{
    is_guid, Cloud, Implications, Policy, Requirements, ScopeMatch, Tenants, TokenTypes, TokenVersion,
    CONSUMER_TENANT_ID, DEFAULT_CACHE_SIZE, DEFAULT_CLOCK_TOLERANCE_SECONDS, MAX_CACHE_SIZE,
    MAX_CLOCK_TOLERANCE_SECONDS, TENANT_PLACEHOLDER,
};

const KNOWN_OPTIONS: [&str; 17] = [
    "jwks",
    "tenantId",
    "allowedTenants",
    "audience",
    "issuers",
    "cloud",
    "clockToleranceSeconds",
    "acceptedVersions",
    "allowedClientIds",
    "tokenTypes",
    "requiredScopes",
    "requiredRoles",
    "scopeMatch",
    "algorithms",
    "cacheSize",
    "impliedScopes",
    "impliedRoles",
];

impl Policy {
    /// Builds a policy from the options object (JSON). Returns the options' `jwks` member, if any,
    /// as JSON text for the caller to load. Unknown options are refused: a misspelt `audiences`
    /// must not silently leave the audience unchecked.
    pub fn from_options_json(json: &str) -> Result<(Policy, Option<String>), Error> {
        if json.len() > MAX_OPTIONS_BYTES {
            return Err(Error::config("options", format!("{} bytes; the limit is {MAX_OPTIONS_BYTES}", json.len())));
        }
        let options =
            parse_object(json.as_bytes()).map_err(|e| Error::config("options", format!("not a JSON object: {e}")))?;
        if let Some(unknown) = options.keys().find(|k| !KNOWN_OPTIONS.contains(&k.as_str())) {
            return Err(Error::config(
                "options",
                format!("unknown option {}; known options are {}", quote(unknown), KNOWN_OPTIONS.join(", ")),
            ));
        }
        let audiences = audience(&options)?;
        let tenant_id = optional_str(&options, "tenantId")?;
        let allowed = optional_list(&options, "allowedTenants")?;
        let issuers = issuers(&options)?;
        let (tenants, builtin_issuers) = tenants(tenant_id, allowed, &issuers)?;
        let policy = Policy {
            audiences,
            tenants,
            builtin_issuers,
            issuers,
            cloud: cloud(&options)?,
            clock_tolerance_seconds: clock_tolerance(&options)?,
            accepted_versions: accepted_versions(&options)?,
            allowed_client_ids: optional_list(&options, "allowedClientIds")?
                .map(|ids| non_empty_list("allowedClientIds", ids))
                .transpose()?,
            token_types: token_types(&options)?,
            requirements: Requirements {
                scopes: permission_list(&options, "requiredScopes")?,
                roles: permission_list(&options, "requiredRoles")?,
                scope_match: scope_match(&options, "scopeMatch")?,
            },
            algorithms: algorithms(&options)?,
            cache_size: cache_size(&options)?,
            implied_scopes: implications(&options, "impliedScopes")?,
            implied_roles: implications(&options, "impliedRoles")?,
        };
        let jwks = match options.get("jwks") {
            None | Some(Json::Null) => None,
            Some(Json::String(text)) => Some(text.clone()),
            Some(doc @ Json::Object(_)) => Some(doc.to_json_string()),
            Some(other) => {
                return Err(Error::config(
                    "jwks",
                    format!("must be a JWKS object or its JSON text, found {}", other.type_name()),
                ))
            }
        };
        Ok((policy, jwks))
    }
}

impl Requirements {
    /// Per-call requirements: `{ requiredScopes, requiredRoles, scopeMatch }` as JSON (empty = none).
    pub fn from_json(json: &str) -> Result<Requirements, Error> {
        if json.trim().is_empty() {
            return Ok(Requirements::default());
        }
        let options = parse_object(json.as_bytes())
            .map_err(|e| Error::config("requirements", format!("not a JSON object: {e}")))?;
        Ok(Requirements {
            scopes: permission_list(&options, "requiredScopes")?,
            roles: permission_list(&options, "requiredRoles")?,
            scope_match: scope_match(&options, "scopeMatch")?,
        })
    }
}

/// A string option; `null` counts as absent (JSON.stringify writes `undefined` members as nothing, but
/// callers also pass `null` for "not set").
fn optional_str<'a>(options: &'a Object, name: &'static str) -> Result<Option<&'a str>, Error> {
    if let Some(Json::Null) = options.get(name) {
        return Ok(None);
    }
    json::optional_str(options, name).map_err(|found| Error::config(name, format!("must be a string, found {found}")))
}

/// A string or an array of non-empty strings.
fn optional_list(options: &Object, name: &'static str) -> Result<Option<Vec<String>>, Error> {
    let items = match options.get(name) {
        None | Some(Json::Null) => return Ok(None),
        Some(Json::String(s)) => vec![s.clone()],
        Some(Json::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Json::String(s) => out.push(s.clone()),
                    other => {
                        return Err(Error::config(name, format!("must hold strings only, found {}", other.type_name())))
                    }
                }
            }
            out
        }
        Some(other) => {
            return Err(Error::config(
                name,
                format!("must be a string or an array of strings, found {}", other.type_name()),
            ))
        }
    };
    if items.len() > MAX_POLICY_LIST {
        return Err(Error::config(name, format!("{} entries; the limit is {MAX_POLICY_LIST}", items.len())));
    }
    if items.iter().any(|s| s.trim().is_empty() || s.trim() != s) {
        return Err(Error::config(name, "entries must be non-empty and have no surrounding whitespace"));
    }
    Ok(Some(items))
}

fn non_empty_list(name: &'static str, items: Vec<String>) -> Result<Vec<String>, Error> {
    if items.is_empty() {
        return Err(Error::config(name, "must not be empty"));
    }
    Ok(items)
}

fn audience(options: &Object) -> Result<Vec<String>, Error> {
    let audiences = optional_list(options, "audience")?.ok_or_else(|| {
        Error::config("audience", "is required: the API's client id (GUID) and/or App ID URI (api://...)")
    })?;
    non_empty_list("audience", audiences)
}

fn issuers(options: &Object) -> Result<Vec<String>, Error> {
    let issuers = optional_list(options, "issuers")?.unwrap_or_default();
    issuers
        .into_iter()
        .map(|issuer| {
            let normalised = replace_placeholder_case_insensitively(&issuer);
            if normalised.matches(TENANT_PLACEHOLDER).count() > 1 {
                return Err(Error::config(
                    "issuers",
                    format!("{} has more than one {TENANT_PLACEHOLDER}", quote(&issuer)),
                ));
            }
            Ok(normalised)
        })
        .collect()
}

/// `{tenantId}` and `{TenantId}` are common spellings in users' configuration; all mean `{tenantid}`.
fn replace_placeholder_case_insensitively(template: &str) -> String {
    let lower = template.to_ascii_lowercase();
    let mut out = String::with_capacity(template.len());
    let mut rest_start = 0;
    let mut search_from = 0;
    while let Some(found) = lower.get(search_from..).and_then(|s| s.find(TENANT_PLACEHOLDER)) {
        let at = search_from + found;
        out.push_str(template.get(rest_start..at).unwrap_or_default());
        out.push_str(TENANT_PLACEHOLDER);
        rest_start = at + TENANT_PLACEHOLDER.len();
        search_from = rest_start;
    }
    out.push_str(template.get(rest_start..).unwrap_or_default());
    out
}

fn tenant_guids(list: Vec<String>) -> Result<Vec<String>, Error> {
    list.into_iter()
        .map(|t| {
            if is_guid(&t) {
                Ok(t.to_ascii_lowercase())
            } else {
                Err(Error::config(
                    "allowedTenants",
                    format!("{} is not a tenant id (GUID); use [\"*\"] alone to allow every tenant", quote(&t)),
                ))
            }
        })
        .collect()
}

/// The tenant rule from `tenantId` and `allowedTenants` (Microsoft.IdentityModel's AadIssuerValidator): a GUID is a
/// single tenant (plus any listed); `common`/`organizations` are multi-tenant and need an explicit
/// allow-list (`["*"]` for every tenant) so that "any tenant in the world" is never a default.
fn tenants(
    tenant_id: Option<&str>,
    allowed: Option<Vec<String>>,
    issuers: &[String],
) -> Result<(Tenants, bool), Error> {
    let any = allowed.as_ref().is_some_and(|list| list.iter().any(|t| t == "*"));
    if any && allowed.as_ref().is_some_and(|list| list.len() != 1) {
        return Err(Error::config("allowedTenants", "\"*\" must be the only entry"));
    }
    match tenant_id {
        Some(id) if is_guid(id) => {
            if any {
                return Err(Error::config(
                    "allowedTenants",
                    "[\"*\"] needs tenantId \"common\" or \"organizations\"; a tenant GUID means a single tenant",
                ));
            }
            let mut list = vec![id.to_ascii_lowercase()];
            for extra in tenant_guids(allowed.unwrap_or_default())? {
                if !list.contains(&extra) {
                    list.push(extra);
                }
            }
            Ok((Tenants::Listed(list), true))
        }
        Some("consumers") => Ok((Tenants::Listed(vec![CONSUMER_TENANT_ID.to_owned()]), true)),
        Some(multi @ ("common" | "organizations")) => {
            let allowed = allowed.ok_or_else(|| {
                Error::config("allowedTenants", format!("is required with tenantId {multi:?}: list the tenant GUIDs that may call, or [\"*\"] to allow every tenant"))
            })?;
            let tenants = match (any, multi) {
                (true, "organizations") => Tenants::AnyOrganization,
                (true, _) => Tenants::AnyTenant,
                (false, _) => Tenants::Listed(non_empty_list("allowedTenants", tenant_guids(allowed)?)?),
            };
            Ok((tenants, true))
        }
        Some(other) => Err(Error::config(
            "tenantId",
            format!("{} is neither a tenant GUID nor \"common\", \"organizations\" or \"consumers\"", quote(other)),
        )),
        None => {
            if issuers.is_empty() {
                return Err(Error::config("tenantId", "is required unless issuers are given"));
            }
            let templated = issuers.iter().any(|i| i.contains(TENANT_PLACEHOLDER));
            match allowed {
                Some(_) if any => Ok((Tenants::AnyTenant, false)),
                Some(list) => Ok((Tenants::Listed(non_empty_list("allowedTenants", tenant_guids(list)?)?), false)),
                None if templated => Err(Error::config(
                    "allowedTenants",
                    "is required when an issuer template contains {tenantid} and no tenantId is set ([\"*\"] to allow every tenant)",
                )),
                None => Ok((Tenants::Unrestricted, false)),
            }
        }
    }
}

fn cloud(options: &Object) -> Result<Cloud, Error> {
    match optional_str(options, "cloud")? {
        None | Some("public") => Ok(Cloud::Public),
        Some("usgov") => Ok(Cloud::UsGov),
        Some("china") => Ok(Cloud::China),
        Some(other) => {
            Err(Error::config("cloud", format!("{} is not one of \"public\", \"usgov\", \"china\"", quote(other))))
        }
    }
}

fn clock_tolerance(options: &Object) -> Result<u64, Error> {
    match options.get("clockToleranceSeconds") {
        None | Some(Json::Null) => Ok(DEFAULT_CLOCK_TOLERANCE_SECONDS),
        Some(Json::Number(n)) => match n.as_u64() {
            Some(secs) if secs <= MAX_CLOCK_TOLERANCE_SECONDS => Ok(secs),
            _ => Err(Error::config(
                "clockToleranceSeconds",
                format!("{n} is not a whole number of seconds from 0 to {MAX_CLOCK_TOLERANCE_SECONDS}"),
            )),
        },
        Some(other) => {
            Err(Error::config("clockToleranceSeconds", format!("must be a number, found {}", other.type_name())))
        }
    }
}

fn accepted_versions(options: &Object) -> Result<Vec<TokenVersion>, Error> {
    let Some(list) = optional_list(options, "acceptedVersions")? else {
        return Ok(vec![TokenVersion::V1, TokenVersion::V2]);
    };
    non_empty_list("acceptedVersions", list)?
        .iter()
        .map(|v| {
            TokenVersion::parse(v)
                .ok_or_else(|| Error::config("acceptedVersions", format!("{} is not \"1.0\" or \"2.0\"", quote(v))))
        })
        .collect()
}

fn token_types(options: &Object) -> Result<TokenTypes, Error> {
    match optional_str(options, "tokenTypes")? {
        None | Some("any") => Ok(TokenTypes::Any),
        Some("user") => Ok(TokenTypes::User),
        Some("app") => Ok(TokenTypes::App),
        Some(other) => {
            Err(Error::config("tokenTypes", format!("{} is not one of \"any\", \"user\", \"app\"", quote(other))))
        }
    }
}

/// Scope and role names: no spaces (RFC 6749 §3.3 scope tokens are space-delimited).
fn permission_list(options: &Object, name: &'static str) -> Result<Vec<String>, Error> {
    let list = optional_list(options, name)?.unwrap_or_default();
    if let Some(bad) = list.iter().find(|s| s.contains(' ')) {
        return Err(Error::config(name, format!("{} contains a space; list each permission separately", quote(bad))));
    }
    Ok(list)
}

fn scope_match(options: &Object, name: &'static str) -> Result<ScopeMatch, Error> {
    match optional_str(options, name)? {
        None | Some("all") => Ok(ScopeMatch::All),
        Some("any") => Ok(ScopeMatch::Any),
        Some(other) => Err(Error::config(name, format!("{} is not \"all\" or \"any\"", quote(other)))),
    }
}

fn algorithms(options: &Object) -> Result<Vec<String>, Error> {
    let Some(list) = optional_list(options, "algorithms")? else {
        return Ok(vec!["RS256".to_owned()]);
    };
    let list = non_empty_list("algorithms", list)?;
    if let Some(bad) = list.iter().find(|a| a.as_str() != "RS256") {
        return Err(Error::config("algorithms", format!("{} is not supported; Entra signs access tokens with RS256, the only algorithm implemented (never none, never HMAC)", quote(bad))));
    }
    Ok(list)
}

/// `{ "broader": ["narrower", ...] }`: permission names (no spaces), at most [`MAX_POLICY_LIST`] in all.
fn implications(options: &Object, name: &'static str) -> Result<Implications, Error> {
    let map = match options.get(name) {
        None | Some(Json::Null) => return Ok(Implications::default()),
        Some(Json::Object(map)) => map,
        Some(other) => {
            return Err(Error::config(
                name,
                format!("must be an object of permission -> [implied permissions], found {}", other.type_name()),
            ))
        }
    };
    let mut direct = Vec::with_capacity(map.len());
    let mut names = 0usize;
    for (broader, implied) in map {
        let not_a_list =
            || Error::config(name, format!("{}: must be an array of permission names without spaces", quote(broader)));
        if !matches!(implied, Json::Array(_)) {
            return Err(not_a_list());
        }
        let holder = Object::from([(name.to_owned(), implied.clone())]);
        let narrower = permission_list(&holder, name).map_err(|_| not_a_list())?;
        if broader.is_empty() || broader.contains(' ') {
            return Err(Error::config(name, format!("{} is not a permission name", quote(broader))));
        }
        names += 1 + narrower.len();
        direct.push((broader.clone(), narrower));
    }
    if names > MAX_POLICY_LIST {
        return Err(Error::config(name, format!("{names} names; the limit is {MAX_POLICY_LIST}")));
    }
    Ok(Implications::new(&direct))
}

fn cache_size(options: &Object) -> Result<usize, Error> {
    match options.get("cacheSize") {
        None | Some(Json::Null) => Ok(DEFAULT_CACHE_SIZE),
        Some(Json::Number(n)) => match n.as_u64() {
            Some(size) if size <= MAX_CACHE_SIZE as u64 => Ok(size as usize),
            _ => Err(Error::config("cacheSize", format!("{n} is not a whole number from 0 to {MAX_CACHE_SIZE}"))),
        },
        Some(other) => Err(Error::config("cacheSize", format!("must be a number, found {}", other.type_name()))),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Whether `tenantId` alone (with `allowedTenants: ["*"]` where an alias needs it) makes a policy.
    pub(crate) fn accepts_tenant_id(tenant_id: &str) -> bool {
        let options = format!(r#"{{"tenantId":{tenant_id:?},"audience":"x","allowedTenants":["*"]}}"#);
        let single = format!(r#"{{"tenantId":{tenant_id:?},"audience":"x"}}"#);
        Policy::from_options_json(&options).is_ok() || Policy::from_options_json(&single).is_ok()
    }
}
