//! The one error type. Codes are stable API: the JS layer, the HTTP mapping and users' logs rely on them.
//! Messages name the expected and the actual values so a person can act on them; they never contain the
//! token, and values taken from an unverified token are quoted and truncated.

use core::fmt;

/// Declares a stable, fieldless enum from one table: the variants, their wire names and [`Self::ALL`]
/// come from the same lines, so no list can miss a variant and no name can drift from its variant.
macro_rules! stable_names {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant,)* }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stable name: what crosses into JS and what users' logs and code match on.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }
    };
}

stable_names! {
    /// Stable machine-readable error codes, one per kind of failure, in the order the README's table lists them.
    pub enum ErrorCode {
        /// No `Authorization: Bearer` token at all (the JS layer's; the core is only ever given tokens).
        TokenMissing => "token_missing",
        TokenMalformed => "token_malformed",
        TokenTooLarge => "token_too_large",
        AlgorithmNotAllowed => "algorithm_not_allowed",
        KeyNotFound => "key_not_found",
        SignatureInvalid => "signature_invalid",
        GraphToken => "graph_token",
        TokenExpired => "token_expired",
        TokenNotYetValid => "token_not_yet_valid",
        IssuerInvalid => "issuer_invalid",
        AudienceInvalid => "audience_invalid",
        TenantNotAllowed => "tenant_not_allowed",
        ClientNotAllowed => "client_not_allowed",
        ClaimMissing => "claim_missing",
        ClaimInvalid => "claim_invalid",
        TokenTypeNotAllowed => "token_type_not_allowed",
        InsufficientScope => "insufficient_scope",
        InsufficientRole => "insufficient_role",
        JwksInvalid => "jwks_invalid",
        ConfigInvalid => "config_invalid",
        InternalError => "internal_error",
    }
}

impl ErrorCode {
    /// The HTTP status a resource server answers with (RFC 6750 §3.1): 403 when the token is good but
    /// lacks a permission, 500 for the server's own misconfiguration or a fault of this library, 401 for
    /// everything about the token.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InsufficientScope | ErrorCode::InsufficientRole => 403,
            ErrorCode::JwksInvalid | ErrorCode::ConfigInvalid | ErrorCode::InternalError => 500,
            _ => 401,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

stable_names! {
    /// The check that refused: a stage of validation, in the order [`crate::validator`] runs them (the
    /// order of [`Check::ALL`]), plus the stages around it. Stable API, like the codes: `token_malformed`
    /// alone covers a dozen failures, and `check` says which stage found each one.
    pub enum Check {
        /// The validator's options, `now`, or a call's requirements (before any token is read).
        Config => "config",
        /// The HTTP request's `Authorization` header (the JS layer's `bearerToken`).
        Request => "request",
        /// [`crate::jws::token_size`] and the header segment's size.
        Size => "size",
        /// [`crate::jws::split`] and the header's base64url and JSON: a compact JWS at all.
        Jws => "jws",
        /// [`crate::header::parse`] and [`crate::header::algorithm_allowed`].
        Header => "header",
        /// [`crate::header::graph_nonce`].
        Graph => "graph",
        /// [`crate::jwks::KeySet::select`].
        Key => "key",
        /// The signature segment and [`crate::rsa::RsaPublicKey::verify_pkcs1v15_sha256`].
        Signature => "signature",
        /// The payload's base64url and JSON.
        Payload => "payload",
        /// [`crate::header::replicated_claims`].
        ReplicatedClaims => "replicated_claims",
        /// [`crate::claims::version`].
        Ver => "ver",
        /// [`crate::claims::tenant_id`].
        Tid => "tid",
        /// [`crate::claims::issuer`].
        Iss => "iss",
        /// [`crate::claims::signing_key_issuer`].
        KeyIssuer => "key_issuer",
        /// [`crate::claims::tenant`].
        Tenant => "tenant",
        /// [`crate::claims::audience`].
        Aud => "aud",
        /// [`crate::claims::issued_at`].
        Iat => "iat",
        /// [`crate::claims::not_id_token`].
        IdToken => "id_token",
        /// [`crate::claims::client_id`] and [`crate::claims::client_allowed`].
        Client => "client",
        /// [`crate::claims::is_app_only`] and [`crate::claims::token_type_allowed`].
        TokenType => "token_type",
        /// [`crate::claims::scopes`]: the `scp` claim's form.
        Scp => "scp",
        /// [`crate::claims::roles`]: the `roles` claim's form.
        Roles => "roles",
        /// [`crate::claims::expiration`] and [`crate::claims::not_before`].
        Lifetime => "lifetime",
        /// [`crate::claims::required_scopes`].
        Scope => "scope",
        /// [`crate::claims::required_roles`].
        Role => "role",
        /// The caller's own `claimCheck` (the JS adapters), after every check of the core passed.
        ClaimCheck => "claim_check",
        /// Loading a JWKS ([`crate::jwks::KeySet::parse`]).
        Jwks => "jwks",
        /// A state this library should never reach (a bug, reported as [`ErrorCode::InternalError`]).
        Internal => "internal",
    }
}

impl fmt::Display for Check {
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
        check: Check,
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
        check: Check,
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
        check: Check,
        claim: &'static str,
        reason: &'static str,
    },
    ClaimInvalid {
        check: Check,
        claim: String,
        reason: String,
    },
    TokenTypeNotAllowed {
        check: Check,
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
    /// A state that should not occur: a bug in this library, never the client's fault.
    Internal {
        reason: &'static str,
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
            Error::Internal { .. } => ErrorCode::InternalError,
        }
    }

    /// The check that refused (see [`Check`]).
    pub fn check(&self) -> Check {
        match self {
            Error::TokenMalformed { check, .. }
            | Error::IssuerInvalid { check, .. }
            | Error::ClaimMissing { check, .. }
            | Error::ClaimInvalid { check, .. }
            | Error::TokenTypeNotAllowed { check, .. } => *check,
            Error::TokenTooLarge { .. } => Check::Size,
            Error::AlgorithmNotAllowed { .. } => Check::Header,
            Error::GraphToken => Check::Graph,
            Error::KeyNotFound { .. } => Check::Key,
            Error::SignatureInvalid { .. } => Check::Signature,
            Error::TokenExpired { .. } | Error::TokenNotYetValid { .. } => Check::Lifetime,
            Error::AudienceInvalid { .. } => Check::Aud,
            Error::TenantNotAllowed { .. } => Check::Tenant,
            Error::ClientNotAllowed { .. } => Check::Client,
            Error::InsufficientScope { .. } => Check::Scope,
            Error::InsufficientRole { .. } => Check::Role,
            Error::JwksInvalid { .. } => Check::Jwks,
            Error::ConfigInvalid { .. } => Check::Config,
            Error::Internal { .. } => Check::Internal,
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

    pub(crate) fn malformed(check: Check, reason: impl Into<String>) -> Error {
        Error::TokenMalformed { check, reason: reason.into() }
    }

    pub(crate) fn claim_invalid(check: Check, claim: &str, reason: impl Into<String>) -> Error {
        Error::ClaimInvalid { check, claim: claim.to_owned(), reason: reason.into() }
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
        plain_decimal(value)
    }
}

/// The text `format!("{value}")` gives for a finite f64 (the shortest digits that read back as the value,
/// positional, no exponent), built from serde_json's rendering (the same digits, in exponent form past
/// some magnitudes: `1.5e-7` becomes `0.00000015`, `1e22` `10000000000000000000000`). core's own float
/// formatting (Grisu with a Dragon4 fallback) would add about 8 KB to the gzipped wasm for this one use.
fn plain_decimal(value: f64) -> String {
    let text = serde_json::to_string(&value).unwrap_or_default();
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().unwrap_or(0)),
        None => (unsigned, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // The significant digits, and where the decimal point goes among them.
    let all: String = int.chars().chain(frac.chars()).collect();
    let trimmed = all.trim_start_matches('0');
    let mut point = int.len() as i64 + exponent - (all.len() - trimmed.len()) as i64;
    let mut digits: Vec<u8> = trimmed.trim_end_matches('0').bytes().collect();
    if rounds_tie_up(value.abs(), &digits) {
        // The last digit up one, carrying; "99" becomes "1" one place further left.
        let mut i = digits.len();
        while let Some(d) = i.checked_sub(1).and_then(|j| digits.get_mut(j)) {
            i -= 1;
            if *d == b'9' {
                *d = b'0';
            } else {
                *d += 1;
                break;
            }
        }
        if digits.first() == Some(&b'0') {
            digits.insert(0, b'1');
            point += 1;
        }
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
    }
    let digits = String::from_utf8(digits).unwrap_or_default();
    if digits.is_empty() {
        return format!("{sign}0");
    }
    let len = digits.len() as i64;
    let zeros = |n: i64| "0".repeat(n.max(0) as usize);
    if point <= 0 {
        format!("{sign}0.{}{digits}", zeros(-point))
    } else if point >= len {
        format!("{sign}{digits}{}", zeros(point - len))
    } else {
        let (whole, fraction) = digits.split_at(point as usize);
        format!("{sign}{whole}.{fraction}")
    }
}

/// Whether `x` (positive, finite) lies exactly halfway between the shortest digits `digits` and the next
/// candidate up, with `digits` ending in an even digit: serde_json then keeps `digits` (ties to even),
/// core's `{}` takes the one above. A tie needs an exact decimal expansion one digit longer than the
/// shortest form (so at most 18 digits): `x = m / 2^k`, m odd, has k fraction digits and m 5^k as its
/// digits past the integer part, which then fits in a u64 (a longer expansion overflows and is no tie).
fn rounds_tie_up(x: f64, digits: &[u8]) -> bool {
    let bits = x.to_bits();
    let (biased, fraction) = ((bits >> 52) as i64, bits & ((1u64 << 52) - 1));
    if biased == 0 || digits.last().is_none_or(|d| (d - b'0') % 2 == 1) {
        return false;
    }
    let mut m = fraction | (1u64 << 52);
    let mut k = 1075 - biased;
    if k <= 0 {
        return false; // an integer: its exact expansion is its digits
    }
    while m % 2 == 0 && k > 0 {
        m /= 2;
        k -= 1;
    }
    let Some(frac) = 5u64.checked_pow(k as u32).and_then(|p| (m & ((1u64 << k.min(63)) - 1)).checked_mul(p)) else {
        return false;
    };
    if k == 0 {
        return false;
    }
    let exact = format!("{}{frac:0width$}", m >> k, width = k as usize);
    let exact = exact.trim_start_matches('0').as_bytes();
    exact.len() == digits.len() + 1 && exact.ends_with(b"5") && exact.starts_with(digits)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TokenMalformed { reason, .. } => write!(f, "token is malformed: {reason}"),
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
            Error::IssuerInvalid { expected, actual, reason, .. } => write!(
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
            Error::ClaimMissing { claim, reason, .. } => {
                write!(f, "required claim {claim} is missing: {reason}")
            }
            Error::ClaimInvalid { claim, reason, .. } => write!(f, "claim {claim} is invalid: {reason}"),
            Error::TokenTypeNotAllowed { actual, allowed, reason, .. } => write!(
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
            Error::Internal { reason } => write!(f, "internal error in entra-guard (please report it): {reason}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    #[test]
    #[allow(clippy::excessive_precision, clippy::unreadable_literal)] // exact binary values, written out
    fn plain_decimal_matches_core_float_display() {
        const STRESS: usize = 100_000;
        // Deterministic xorshift over raw bit patterns (every magnitude) and over seconds-like values.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        // Exact ties between two shortest forms (serde_json rounds them to even, core away from zero), one
        // that carries through nines, and the usual magnitudes.
        let mut values = vec![
            -1149636667324797.25,
            165793407361858.125,
            -29062569898208.0625,
            99999999999999.9921875,
            0.5,
            1.5e-7,
            1e22,
            1e15,
            1e21,
            9102444800.267225,
            1796173714.5,
            -0.25,
            123456789012345680.0,
            f64::MIN_POSITIVE,
            5e-324,
        ];
        for _ in 0..STRESS {
            let bits = next();
            values.push(f64::from_bits(bits));
            values.push((bits % 10_000_000_000) as f64 / 1000.0 + (bits >> 40) as f64 * 1e-6);
            // Few fraction bits: where exact ties live.
            values.push((bits >> 11) as f64 / (1u64 << (bits % 27)) as f64);
        }
        for v in values.into_iter().filter(|v| v.is_finite()) {
            assert_eq!(plain_decimal(v), format!("{v}"), "{v:e}");
        }
    }

    use super::*;

    fn unique_snake_case(names: impl Iterator<Item = &'static str>) {
        let mut seen = std::collections::HashSet::new();
        for name in names {
            assert!(seen.insert(name), "duplicate {name}");
            assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{name}");
        }
    }

    both! {
        fn codes_are_unique_snake_case_ok() {
            unique_snake_case(ErrorCode::ALL.iter().map(|c| c.as_str()));
        }
        fn checks_are_unique_snake_case_ok() {
            unique_snake_case(Check::ALL.iter().map(|c| c.as_str()));
        }
        fn permission_errors_are_403_server_faults_500_others_401_ok() {
            for code in ErrorCode::ALL {
                let expected = match code {
                    ErrorCode::InsufficientScope | ErrorCode::InsufficientRole => 403,
                    ErrorCode::JwksInvalid | ErrorCode::ConfigInvalid | ErrorCode::InternalError => 500,
                    _ => 401,
                };
                assert_eq!(code.http_status(), expected, "{code}");
            }
        }
        fn internal_error_is_a_server_fault_not_the_clients_ok() {
            let error = Error::Internal { reason: "x" };
            assert_eq!((error.code(), error.http_status(), error.check()), (ErrorCode::InternalError, 500, Check::Internal));
        }
        fn quote_truncates_long_values_ok() {
            let long = "x".repeat(10_000);
            assert!(quote(&long).len() < 120);
            assert_eq!(quote("a\u{0}b"), "\"a\\0b\"");
        }
    }
}
