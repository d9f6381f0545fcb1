//! What a validator accepts. [`Policy`] is a plain struct whose fields document their defaults;
//! [`crate::options`] builds one from the JS-facing options object.

/// Microsoft-account (consumer) tenant: tokens for personal accounts carry this `tid`.
pub const CONSUMER_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// The tenant aliases `tenantId` accepts besides a GUID: `common` and `organizations` (multi-tenant,
/// with an allow-list) and `consumers` (personal Microsoft accounts), as in Entra's authority URLs.
pub const TENANT_ALIASES: [&str; 3] = ["common", "organizations", "consumers"];

/// The placeholder in issuer templates (Microsoft.IdentityModel's spelling).
pub const TENANT_PLACEHOLDER: &str = "{tenantid}";

/// `template` either side of its first [`TENANT_PLACEHOLDER`], or `None` for an exact issuer.
pub fn split_at_placeholder(template: &str) -> Option<(&str, &str)> {
    let at = find_text(template, TENANT_PLACEHOLDER)?;
    Some((template.get(..at)?, template.get(at + TENANT_PLACEHOLDER.len()..)?))
}

/// Where `needle` first occurs in `text` (`str::find` with a `&str`): each occurrence of its first
/// character is found with memchr and tested for the rest. For the short needles of the claim checks (the
/// placeholder, a tenant GUID) this beats `str::find`, which sets up a two-way searcher on every call.
pub fn find_text(text: &str, needle: &str) -> Option<usize> {
    let Some(first) = needle.chars().next() else {
        return Some(0);
    };
    let mut from = 0;
    loop {
        let at = from + text.get(from..)?.find(first)?;
        if text.get(at..)?.starts_with(needle) {
            return Some(at);
        }
        from = at + first.len_utf8();
    }
}

/// Largest clock tolerance accepted. RFC 7519 §4.1.4 allows "a few minutes"; ten is generous.
pub const MAX_CLOCK_TOLERANCE_SECONDS: u64 = 600;

/// The default leeway: 300 s, as Microsoft.IdentityModel (`ClockSkew`) and passport-azure-ad use,
/// so a token Microsoft's own validators accept is not refused here for clock drift.
pub const DEFAULT_CLOCK_TOLERANCE_SECONDS: u64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Public,
    UsGov,
    China,
}

impl Cloud {
    pub const ALL: [Cloud; 3] = [Cloud::Public, Cloud::UsGov, Cloud::China];

    /// The `cloud` option's value for this cloud.
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Public => "public",
            Cloud::UsGov => "usgov",
            Cloud::China => "china",
        }
    }

    /// Issuer templates per token version: the issuer each cloud's metadata reports ("National clouds",
    /// https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud). Returns (v1, v2).
    pub fn issuer_templates(self) -> (&'static str, &'static str) {
        match self {
            Cloud::Public => {
                ("https://sts.windows.net/{tenantid}/", "https://login.microsoftonline.com/{tenantid}/v2.0")
            }
            Cloud::UsGov => ("https://sts.windows.net/{tenantid}/", "https://login.microsoftonline.us/{tenantid}/v2.0"),
            Cloud::China => {
                ("https://sts.chinacloudapi.cn/{tenantid}/", "https://login.partner.microsoftonline.cn/{tenantid}/v2.0")
            }
        }
    }
}

/// Access-token versions (`ver`), set by the API's `accessTokenAcceptedVersion` in its app manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenVersion {
    V1,
    V2,
}

impl TokenVersion {
    pub fn parse(ver: &str) -> Option<TokenVersion> {
        match ver {
            "1.0" => Some(TokenVersion::V1),
            "2.0" => Some(TokenVersion::V2),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TokenVersion::V1 => "1.0",
            TokenVersion::V2 => "2.0",
        }
    }
}

/// Which tokens are accepted: delegated (a user is present) or app-only (client credentials).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenTypes {
    Any,
    User,
    App,
}

impl TokenTypes {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenTypes::Any => "any",
            TokenTypes::User => "user",
            TokenTypes::App => "app",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScopeMatch {
    /// Every listed scope (or role) must be present. The default.
    #[default]
    All,
    /// At least one listed scope (or role) must be present.
    Any,
}

/// Permissions a token must carry. Set once in the policy and, per call, in addition to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirements {
    /// Delegated permissions looked for in `scp` (space-separated). Default: none.
    pub scopes: Vec<String>,
    /// App roles looked for in `roles`. Default: none.
    pub roles: Vec<String>,
    /// How `scopes` and `roles` are each matched. Default: [`ScopeMatch::All`].
    pub scope_match: ScopeMatch,
}

/// Scope (or role) hierarchies: a broader permission implies narrower ones (MCP authorization 2026-07-28,
/// "Step-Up Authorization Flow": servers MUST account for scope hierarchies, where a broader scope implies
/// narrower ones). Built once from `{ broader: [narrower, ...] }`, closed transitively, so a check is a
/// lookup; cycles are harmless (each permission implies the other).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Implications {
    /// (broader, every permission it implies, directly or through others). Plain vectors: policies name a
    /// handful of permissions, and maps would cost the wasm build several kilobytes.
    closure: Vec<(String, Vec<String>)>,
}

impl Implications {
    /// From direct implications: `(broader, narrower...)`. The closure is computed here, once, in at most
    /// (number of names)^2 steps; the options parser bounds the names.
    pub fn new(direct: &[(String, Vec<String>)]) -> Implications {
        fn implied_by<'a>(direct: &'a [(String, Vec<String>)], name: &'a str) -> impl Iterator<Item = &'a String> {
            direct.iter().filter(move |(b, _)| b == name).flat_map(|(_, n)| n.iter())
        }
        let mut closure: Vec<(String, Vec<String>)> = Vec::new();
        for (broader, _) in direct {
            if closure.iter().any(|(b, _)| b == broader) {
                continue;
            }
            let mut reached: Vec<String> = Vec::new();
            let mut pending: Vec<&String> = implied_by(direct, broader).collect();
            while let Some(next) = pending.pop() {
                if next != broader && !reached.contains(next) {
                    reached.push(next.clone());
                    pending.extend(implied_by(direct, next));
                }
            }
            closure.push((broader.clone(), reached));
        }
        Implications { closure }
    }

    /// Whether `present` holds `required` itself or a permission that implies it.
    pub fn satisfies(&self, present: &[String], required: &str) -> bool {
        present.iter().any(|p| {
            p == required || self.closure.iter().any(|(b, implied)| b == p && implied.iter().any(|i| i == required))
        })
    }
}

/// Which tenants may call. Exactly one of these, derived from `tenantId` and `allowedTenants`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tenants {
    /// These tenants only (lower-case GUIDs): `tenantId` as a GUID, plus any `allowedTenants`.
    Listed(Vec<String>),
    /// Any tenant (`allowedTenants: ["*"]` with `tenantId: "common"`): a deliberate SaaS choice.
    AnyTenant,
    /// Any tenant but the Microsoft-account one (`tenantId: "organizations"` with `["*"]`).
    AnyOrganization,
    /// No tenant rule: only exact `issuers` were configured.
    Unrestricted,
}

#[derive(Debug, Clone)]
pub struct Policy {
    /// Accepted audiences, exact (one trailing slash ignored, as Microsoft.IdentityModel does). Required.
    pub audiences: Vec<String>,
    /// Tenants allowed to call. Required unless `issuers` are given.
    pub tenants: Tenants,
    /// Whether the cloud's built-in v1/v2 issuer templates apply (true when `tenantId` is set).
    pub builtin_issuers: bool,
    /// Extra exact issuers or templates with one `{tenantid}`. Default: none.
    pub issuers: Vec<String>,
    /// Which cloud's issuers are built in. Default: [`Cloud::Public`].
    pub cloud: Cloud,
    /// Leeway for `exp` and `nbf`. Default: [`DEFAULT_CLOCK_TOLERANCE_SECONDS`].
    pub clock_tolerance_seconds: u64,
    /// Accepted `ver` values. Default: both.
    pub accepted_versions: Vec<TokenVersion>,
    /// When set, `azp` (v2) / `appid` (v1) must be one of these. Default: any client.
    pub allowed_client_ids: Option<Vec<String>>,
    /// Default: [`TokenTypes::Any`].
    pub token_types: TokenTypes,
    /// Checked on every call. Default: nothing required.
    pub requirements: Requirements,
    /// Accepted `alg` values. Default and only implemented value: `RS256` (what Entra signs with).
    pub algorithms: Vec<String>,
    /// Verified tokens remembered ([`crate::cache`]). Default [`DEFAULT_CACHE_SIZE`]; 0 turns the cache off.
    pub cache_size: usize,
    /// Scopes implied by broader scopes (`impliedScopes`). Default: none.
    pub implied_scopes: Implications,
    /// App roles implied by broader roles (`impliedRoles`). Default: none.
    pub implied_roles: Implications,
}

/// Verified tokens remembered by default. A busy MCP server sees one token per client session for up
/// to an hour; a thousand entries of a few KB each bound the cache near 4 MB.
pub const DEFAULT_CACHE_SIZE: usize = 1000;

/// Largest `cacheSize` accepted: at the 16 KiB token limit, about 1.6 GB of tokens. Beyond that it is a typo.
pub const MAX_CACHE_SIZE: usize = 100_000;

impl Policy {
    /// A single-tenant policy: the common case, and the one tests start from.
    pub fn single_tenant(tenant_id: &str, audience: &str) -> Policy {
        Policy {
            audiences: vec![audience.to_owned()],
            tenants: Tenants::Listed(vec![tenant_id.to_ascii_lowercase()]),
            builtin_issuers: true,
            issuers: Vec::new(),
            cloud: Cloud::Public,
            clock_tolerance_seconds: DEFAULT_CLOCK_TOLERANCE_SECONDS,
            accepted_versions: vec![TokenVersion::V1, TokenVersion::V2],
            allowed_client_ids: None,
            token_types: TokenTypes::Any,
            requirements: Requirements::default(),
            algorithms: vec!["RS256".to_owned()],
            cache_size: DEFAULT_CACHE_SIZE,
            implied_scopes: Implications::default(),
            implied_roles: Implications::default(),
        }
    }
}

/// Lower-case canonical GUID (8-4-4-4-12 hex), the form Entra uses for `tid`, `oid` and client ids.
pub fn is_guid(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `split_at_placeholder` is `split_once(TENANT_PLACEHOLDER)`.
    #[test]
    fn split_at_placeholder_equals_split_once() {
        for template in [
            "https://login.microsoftonline.com/{tenantid}/v2.0",
            "https://sts.windows.net/{tenantid}/",
            "{tenantid}",
            "{tenantid}{tenantid}",
            "{{tenantid}",
            "{tenant{tenantid}}",
            "{tenantid",
            "tenantid}",
            "{}{{}}{",
            "no placeholder",
            "",
            "é{tenantid}ü",
        ] {
            assert_eq!(split_at_placeholder(template), template.split_once(TENANT_PLACEHOLDER), "{template:?}");
        }
    }

    /// `find_text` is `str::find` with a `&str` needle.
    #[test]
    fn find_text_equals_str_find() {
        let texts = ["", "a", "aaa", "abcabd", "ababab", "é{tenantid}ü", "xxyxxyxxz", "72f988bf-86f1", "ééé"];
        let needles = ["", "a", "aa", "abd", "bab", "{tenantid}", "xxz", "xyxxz", "86f1", "é", "éé", "ü", "zz"];
        for text in texts {
            for needle in needles {
                assert_eq!(find_text(text, needle), text.find(needle), "{text:?} / {needle:?}");
            }
        }
    }
}
