//! The one error type. Codes are stable API: the JS layer, the HTTP mapping and users' logs rely on them.
//! Messages name the expected and the actual values so a person can act on them; they never contain the
//! token, and values taken from an unverified token are quoted and truncated.

use core::fmt;

/// Stable machine-readable error codes, one per kind of failure.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    TokenMalformed,
    TokenTooLarge,
    AlgorithmNotAllowed,
    KeyNotFound,
    SignatureInvalid,
    GraphToken,
    TokenExpired,
    TokenNotYetValid,
    IssuerInvalid,
    AudienceInvalid,
    TenantNotAllowed,
    ClientNotAllowed,
    ClaimMissing,
    ClaimInvalid,
    TokenTypeNotAllowed,
    InsufficientScope,
    InsufficientRole,
    JwksInvalid,
    ConfigInvalid,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 19] = [
        ErrorCode::TokenMalformed,
        ErrorCode::TokenTooLarge,
        ErrorCode::AlgorithmNotAllowed,
        ErrorCode::KeyNotFound,
        ErrorCode::SignatureInvalid,
        ErrorCode::GraphToken,
        ErrorCode::TokenExpired,
        ErrorCode::TokenNotYetValid,
        ErrorCode::IssuerInvalid,
        ErrorCode::AudienceInvalid,
        ErrorCode::TenantNotAllowed,
        ErrorCode::ClientNotAllowed,
        ErrorCode::ClaimMissing,
        ErrorCode::ClaimInvalid,
        ErrorCode::TokenTypeNotAllowed,
        ErrorCode::InsufficientScope,
        ErrorCode::InsufficientRole,
        ErrorCode::JwksInvalid,
        ErrorCode::ConfigInvalid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::TokenMalformed => "token_malformed",
            ErrorCode::TokenTooLarge => "token_too_large",
            ErrorCode::AlgorithmNotAllowed => "algorithm_not_allowed",
            ErrorCode::KeyNotFound => "key_not_found",
            ErrorCode::SignatureInvalid => "signature_invalid",
            ErrorCode::GraphToken => "graph_token",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::TokenNotYetValid => "token_not_yet_valid",
            ErrorCode::IssuerInvalid => "issuer_invalid",
            ErrorCode::AudienceInvalid => "audience_invalid",
            ErrorCode::TenantNotAllowed => "tenant_not_allowed",
            ErrorCode::ClientNotAllowed => "client_not_allowed",
            ErrorCode::ClaimMissing => "claim_missing",
            ErrorCode::ClaimInvalid => "claim_invalid",
            ErrorCode::TokenTypeNotAllowed => "token_type_not_allowed",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::InsufficientRole => "insufficient_role",
            ErrorCode::JwksInvalid => "jwks_invalid",
            ErrorCode::ConfigInvalid => "config_invalid",
        }
    }

    /// The HTTP status a resource server answers with (RFC 6750 §3.1): 403 when the token is good but
    /// lacks a permission, 500 for the server's own misconfiguration, 401 for everything about the token.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InsufficientScope | ErrorCode::InsufficientRole => 403,
            ErrorCode::JwksInvalid | ErrorCode::ConfigInvalid => 500,
            _ => 401,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every way validation or configuration can fail, with the context a person needs to act on it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// Not a compact JWS, bad base64url, bad JSON, or a header this validator refuses to interpret.
    TokenMalformed {
        reason: String,
    },
    /// A bound in [`crate::limits`] was exceeded.
    TokenTooLarge {
        part: &'static str,
        size: usize,
        max: usize,
    },
    AlgorithmNotAllowed {
        alg: String,
        allowed: Vec<String>,
    },
    /// No usable key in the JWKS matches the header; `detail` says what was looked for and what exists.
    KeyNotFound {
        detail: String,
    },
    SignatureInvalid {
        kid: String,
    },
    /// A header `nonce`: a Microsoft Graph (or other first-party API) token, not meant for this API.
    GraphToken,
    TokenExpired {
        exp: f64,
        now: f64,
        leeway: u64,
    },
    TokenNotYetValid {
        nbf: f64,
        now: f64,
        leeway: u64,
    },
    IssuerInvalid {
        expected: Vec<String>,
        actual: String,
        reason: &'static str,
    },
    AudienceInvalid {
        expected: Vec<String>,
        actual: Vec<String>,
    },
    TenantNotAllowed {
        tenant: String,
        allowed: Vec<String>,
    },
    ClientNotAllowed {
        client: String,
        allowed: Vec<String>,
    },
    ClaimMissing {
        claim: &'static str,
        reason: &'static str,
    },
    ClaimInvalid {
        claim: String,
        reason: String,
    },
    TokenTypeNotAllowed {
        actual: &'static str,
        allowed: &'static str,
        reason: &'static str,
    },
    InsufficientScope {
        required: Vec<String>,
        present: Vec<String>,
        any_of: bool,
    },
    InsufficientRole {
        required: Vec<String>,
        present: Vec<String>,
        any_of: bool,
    },
    JwksInvalid {
        reason: String,
    },
    ConfigInvalid {
        option: &'static str,
        reason: String,
    },
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::TokenMalformed { .. } => ErrorCode::TokenMalformed,
            Error::TokenTooLarge { .. } => ErrorCode::TokenTooLarge,
            Error::AlgorithmNotAllowed { .. } => ErrorCode::AlgorithmNotAllowed,
            Error::KeyNotFound { .. } => ErrorCode::KeyNotFound,
            Error::SignatureInvalid { .. } => ErrorCode::SignatureInvalid,
            Error::GraphToken => ErrorCode::GraphToken,
            Error::TokenExpired { .. } => ErrorCode::TokenExpired,
            Error::TokenNotYetValid { .. } => ErrorCode::TokenNotYetValid,
            Error::IssuerInvalid { .. } => ErrorCode::IssuerInvalid,
            Error::AudienceInvalid { .. } => ErrorCode::AudienceInvalid,
            Error::TenantNotAllowed { .. } => ErrorCode::TenantNotAllowed,
            Error::ClientNotAllowed { .. } => ErrorCode::ClientNotAllowed,
            Error::ClaimMissing { .. } => ErrorCode::ClaimMissing,
            Error::ClaimInvalid { .. } => ErrorCode::ClaimInvalid,
            Error::TokenTypeNotAllowed { .. } => ErrorCode::TokenTypeNotAllowed,
            Error::InsufficientScope { .. } => ErrorCode::InsufficientScope,
            Error::InsufficientRole { .. } => ErrorCode::InsufficientRole,
            Error::JwksInvalid { .. } => ErrorCode::JwksInvalid,
            Error::ConfigInvalid { .. } => ErrorCode::ConfigInvalid,
        }
    }

    pub fn http_status(&self) -> u16 {
        self.code().http_status()
    }

    /// The claim (or header parameter, or option) the error is about, where there is one.
    pub fn claim(&self) -> Option<&str> {
        match self {
            Error::TokenExpired { .. } => Some("exp"),
            Error::TokenNotYetValid { .. } => Some("nbf"),
            Error::IssuerInvalid { .. } => Some("iss"),
            Error::AudienceInvalid { .. } => Some("aud"),
            Error::TenantNotAllowed { .. } => Some("tid"),
            Error::ClientNotAllowed { .. } => Some("azp"),
            Error::ClaimMissing { claim, .. } => Some(claim),
            Error::ClaimInvalid { claim, .. } => Some(claim),
            Error::TokenTypeNotAllowed { .. } => Some("idtyp"),
            Error::InsufficientScope { .. } => Some("scp"),
            Error::InsufficientRole { .. } => Some("roles"),
            Error::AlgorithmNotAllowed { .. } => Some("alg"),
            Error::GraphToken => Some("nonce"),
            Error::ConfigInvalid { option, .. } => Some(option),
            _ => None,
        }
    }

    /// For `insufficient_scope` / `insufficient_role`: the values to put in `WWW-Authenticate: scope=`.
    pub fn required_permissions(&self) -> Option<&[String]> {
        match self {
            Error::InsufficientScope { required, .. } | Error::InsufficientRole { required, .. } => Some(required),
            _ => None,
        }
    }

    pub(crate) fn malformed(reason: impl Into<String>) -> Error {
        Error::TokenMalformed { reason: reason.into() }
    }

    pub(crate) fn claim_invalid(claim: &str, reason: impl Into<String>) -> Error {
        Error::ClaimInvalid { claim: claim.to_owned(), reason: reason.into() }
    }

    pub(crate) fn config(option: &'static str, reason: impl Into<String>) -> Error {
        Error::ConfigInvalid { option, reason: reason.into() }
    }
}

/// Quotes a value for a message: bounded length, control characters escaped. Used for values that may
/// come from an unverified token, so a message can never carry more than a short excerpt of it.
pub fn quote(value: &str) -> String {
    const MAX_CHARS: usize = 100;
    let mut shown: String = value.chars().take(MAX_CHARS).collect();
    if shown.len() < value.len() {
        shown.push('…');
    }
    format!("{shown:?}")
}

fn quote_list(values: &[String]) -> String {
    let inner: Vec<String> = values.iter().map(|v| quote(v)).collect();
    format!("[{}]", inner.join(", "))
}

/// Seconds for a message: whole numbers print without a fraction.
fn secs(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TokenMalformed { reason } => write!(f, "token is malformed: {reason}"),
            Error::TokenTooLarge { part, size, max } => {
                write!(f, "{part} is {size} bytes; the limit is {max} bytes")
            }
            Error::AlgorithmNotAllowed { alg, allowed } => write!(
                f,
                "header alg {} is not allowed; expected one of {}",
                quote(alg),
                quote_list(allowed)
            ),
            Error::KeyNotFound { detail } => write!(f, "no usable signing key: {detail}"),
            Error::SignatureInvalid { kid } => {
                write!(f, "signature does not verify with key kid {}", quote(kid))
            }
            Error::GraphToken => f.write_str(
                "token header carries a nonce: this is a Microsoft Graph (or other Microsoft first-party API) \
                 token, which third parties cannot validate and which is not meant for this API; \
                 the client must request a token for this API's own scope (for example api://<client-id>/.default)",
            ),
            Error::TokenExpired { exp, now, leeway } => write!(
                f,
                "token expired: exp {} is not after now {} minus leeway {leeway}s ({}s ago)",
                secs(*exp),
                secs(*now),
                secs((now - exp).floor())
            ),
            Error::TokenNotYetValid { nbf, now, leeway } => write!(
                f,
                "token not yet valid: nbf {} is after now {} plus leeway {leeway}s",
                secs(*nbf),
                secs(*now)
            ),
            Error::IssuerInvalid { expected, actual, reason } => write!(
                f,
                "issuer {} {reason}; expected {}",
                quote(actual),
                quote_list(expected)
            ),
            Error::AudienceInvalid { expected, actual } => write!(
                f,
                "audience {} matches none of the configured audiences {} (an App ID URI such as api://<client-id> and the bare client id are different audiences: list each one the API accepts)",
                quote_list(actual),
                quote_list(expected)
            ),
            Error::TenantNotAllowed { tenant, allowed } => write!(
                f,
                "tenant {} is not allowed; allowed tenants are {}",
                quote(tenant),
                quote_list(allowed)
            ),
            Error::ClientNotAllowed { client, allowed } => write!(
                f,
                "client application {} is not allowed; allowed client ids are {}",
                quote(client),
                quote_list(allowed)
            ),
            Error::ClaimMissing { claim, reason } => {
                write!(f, "required claim {claim} is missing: {reason}")
            }
            Error::ClaimInvalid { claim, reason } => write!(f, "claim {claim} is invalid: {reason}"),
            Error::TokenTypeNotAllowed { actual, allowed, reason } => write!(
                f,
                "{actual} tokens are not accepted (accepted: {allowed}): {reason}"
            ),
            Error::InsufficientScope { required, present, any_of } => write!(
                f,
                "token lacks required scope: needs {} of {}, has {}",
                if *any_of { "any" } else { "all" },
                quote_list(required),
                quote_list(present)
            ),
            Error::InsufficientRole { required, present, any_of } => write!(
                f,
                "token lacks required app role: needs {} of {}, has {}",
                if *any_of { "any" } else { "all" },
                quote_list(required),
                quote_list(present)
            ),
            Error::JwksInvalid { reason } => write!(f, "JWKS cannot be used: {reason}"),
            Error::ConfigInvalid { option, reason } => write!(f, "option {option} is invalid: {reason}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert!(code.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
        assert_eq!(seen.len(), 19);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn permission_errors_are_403_others_401() {
        assert_eq!(ErrorCode::InsufficientScope.http_status(), 403);
        assert_eq!(ErrorCode::InsufficientRole.http_status(), 403);
        assert_eq!(ErrorCode::TokenExpired.http_status(), 401);
        assert_eq!(ErrorCode::GraphToken.http_status(), 401);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn quote_truncates_long_values() {
        let long = "x".repeat(10_000);
        assert!(quote(&long).len() < 120);
        assert_eq!(quote("a\u{0}b"), "\"a\\0b\"");
    }
}
