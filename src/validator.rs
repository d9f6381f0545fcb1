//! The order of the checks, and what a caller gets back. Everything about the token's bytes and its
//! signature is settled before any claim is read (RFC 8725 §3.3).

use crate::cache::TokenCache;
use crate::claims::{self, Claims};
use crate::error::{Check, Error};
use crate::header;
use crate::host::{self, SignatureHost, VerifiedBy};
use crate::json::{parse_borrowed_object, parse_object, utf8, BorrowedJson, Json, Object};
use crate::jwks::KeySet;
use crate::jws;
use crate::policy::{Policy, Requirements, TokenVersion};
use std::sync::{Arc, Mutex, MutexGuard};

/// A token that passed every check, with the identity an API authorises on.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedToken {
    /// The claims set exactly as signed: the decoded payload, a JSON object. The wasm boundary hands it
    /// to JS as `claims`, so JS reads the issuer's own text (member order, number spelling) with
    /// `JSON.parse`; [`ValidatedToken::claims`] gives it as a tree. Shared (`Arc`) with the cache's copy.
    pub claims_json: Arc<str>,
    /// `tid` (or, for exact issuers without it, the tenant GUID in the issuer's path).
    pub tenant_id: Option<String>,
    /// `oid`: stable id of the user or service principal in the tenant. Authorise on (tid, oid).
    pub object_id: Option<String>,
    /// `sub`: pairwise per application.
    pub subject: Option<String>,
    /// `azp` (v2) or `appid` (v1).
    pub client_id: String,
    pub scopes: Vec<String>,
    pub roles: Vec<String>,
    pub is_app_only: bool,
    pub version: TokenVersion,
    pub issuer: String,
    /// The `aud` value that matched the policy.
    pub audience: String,
    /// `exp`, seconds since the epoch.
    pub expires_at: f64,
    /// `nbf`, if the token has one: with `expires_at`, what a cache hit re-checks the time against.
    pub not_before: Option<f64>,
    /// The `kid` (or `x5t`) of the key that verified the signature.
    pub key_id: Option<String>,
    /// Whose RSA did the exponentiation: the host's or the core's (see [`crate::host`]).
    pub signature_verified_by: VerifiedBy,
}

impl ValidatedToken {
    /// Every claim of the token, as issued: [`ValidatedToken::claims_json`] as a tree, built on each call
    /// (a validation reads the claims from a tree that borrows the payload, and keeps only the text).
    pub fn claims(&self) -> Object {
        // The text is the payload the validation parsed as an object; an empty object were it not.
        parse_object(self.claims_json.as_bytes()).unwrap_or_default()
    }

    /// The plain object the JS API returns (camelCase names).
    pub fn to_json(&self) -> Json {
        let mut out: Object = self.members().map(|(name, member)| (name.to_owned(), member.to_json())).collect();
        out.insert("claims".into(), Json::Object(self.claims()));
        Json::Object(out)
    }

    /// [`ValidatedToken::to_json`] as JSON text, with `claims` as [`ValidatedToken::claims_json`] (the
    /// payload's own text) rather than re-serialised, written directly (a `Json` tree built only to be printed
    /// cost a sixth of a validation), in `to_json`'s member order. The wasm boundary sends the members and the
    /// claims text apart instead ([`ValidatedToken::write_member_values`]).
    pub fn to_json_text(&self) -> String {
        let mut out = Vec::with_capacity(self.claims_json.len() + 512);
        let mut text = JsonText(&mut out);
        text.raw("{\"claims\":");
        text.raw(&self.claims_json);
        for (name, member) in self.members() {
            text.name(name).member(&member);
        }
        text.raw("}");
        // Only UTF-8 went in: the payload's own text (checked when it was parsed) and serde_json's output.
        String::from_utf8(out).unwrap_or_else(|_| String::from("null"))
    }

    /// Everything but the claims, in [`RESULT_MEMBERS`]'s order: the one list every rendering is made from.
    fn members(&self) -> impl Iterator<Item = (&'static str, Member<'_>)> {
        RESULT_MEMBERS.into_iter().zip(self.member_values())
    }

    /// The values of [`RESULT_MEMBERS`], in its order.
    fn member_values(&self) -> [Member<'_>; 13] {
        [
            Member::Text(&self.audience),
            Member::Text(&self.client_id),
            Member::Number(self.expires_at),
            Member::Bool(self.is_app_only),
            Member::Text(&self.issuer),
            Member::Optional(self.key_id.as_deref()),
            Member::Optional(self.object_id.as_deref()),
            Member::List(&self.roles),
            Member::List(&self.scopes),
            Member::Text(self.signature_verified_by.as_str()),
            Member::Optional(self.subject.as_deref()),
            Member::Optional(self.tenant_id.as_deref()),
            Member::Text(self.version.as_str()),
        ]
    }

    /// Everything but the claims as a JSON array in [`RESULT_MEMBERS`]'s order, appended to `out`: what the
    /// wasm boundary sends, the JS layer naming each position from the catalog's copy of that list
    /// (`resultMembers`) and keeping [`ValidatedToken::claims_json`] as text until `claims` is read.
    pub fn write_member_values(&self, out: &mut Vec<u8>) {
        let mut text = JsonText(out);
        text.raw("[");
        for (i, member) in self.member_values().iter().enumerate() {
            if i > 0 {
                text.raw(",");
            }
            text.member(member);
        }
        text.raw("]");
    }
}

/// The names of a result's members other than `claims`, in alphabetical order (the order of
/// [`ValidatedToken::to_json`]'s `BTreeMap`), which is also the order of the wasm boundary's array
/// ([`ValidatedToken::write_member_values`]). The catalog gives it to the JS layer (`resultMembers`).
pub const RESULT_MEMBERS: [&str; 13] = [
    "audience",
    "clientId",
    "expiresAt",
    "isAppOnly",
    "issuer",
    "keyId",
    "objectId",
    "roles",
    "scopes",
    "signatureVerifiedBy",
    "subject",
    "tenantId",
    "version",
];

/// One member of a result other than its claims (see [`ValidatedToken::members`]).
enum Member<'a> {
    Text(&'a str),
    Optional(Option<&'a str>),
    List(&'a [String]),
    Bool(bool),
    Number(f64),
}

impl Member<'_> {
    fn to_json(&self) -> Json {
        let text = |s: &str| Json::String(s.to_owned());
        match self {
            Member::Text(s) => text(s),
            Member::Optional(s) => s.map(text).unwrap_or(Json::Null),
            Member::List(values) => Json::Array(values.iter().map(|s| text(s)).collect()),
            Member::Bool(b) => Json::Bool(*b),
            // JSON has no non-finite numbers; null rather than a panic were one to get here.
            Member::Number(n) => json_number(*n),
        }
    }
}

/// `n` as a JSON number: an integer when it is one (NumericDates nearly always are, and an integer is
/// written without float formatting), else the float; null rather than a panic for a non-finite value,
/// which JSON cannot hold.
fn json_number(n: f64) -> Json {
    // Below 2^53 every integer is exact in an f64, so the conversion loses nothing.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if n.fract() == 0.0 && n.abs() < EXACT {
        return Json::Number((n as i64).into());
    }
    serde_json::Number::from_f64(n).map(Json::Number).unwrap_or(Json::Null)
}

/// Whether `text` has a byte JSON must escape in a string (RFC 8259 §7): a control character (below 0x20),
/// '"' or '\\'. Eight bytes at a time: a byte of a word is zero exactly when the "has a zero byte" test
/// (x - 0x01…) & !x & 0x80… flags it, and below 0x20 exactly when (x - 0x20…) & !x & 0x80… does; the
/// tests hold this to the byte-by-byte definition.
fn needs_escaping(text: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let flagged = |word: u64| {
        let below_space = word.wrapping_sub(ONES * 0x20) & !word;
        let quote = (word ^ (ONES * u64::from(b'"'))).wrapping_sub(ONES) & !(word ^ (ONES * u64::from(b'"')));
        let backslash = (word ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES) & !(word ^ (ONES * u64::from(b'\\')));
        (below_space | quote | backslash) & HIGH != 0
    };
    let mut words = text.chunks_exact(8);
    let any_word = words.any(|chunk| <[u8; 8]>::try_from(chunk).is_ok_and(|b| flagged(u64::from_le_bytes(b))));
    any_word || words.remainder().iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// JSON text written member by member (see [`ValidatedToken::to_json_text`]).
struct JsonText<'a>(&'a mut Vec<u8>);

impl JsonText<'_> {
    fn raw(&mut self, text: &str) -> &mut Self {
        self.0.extend_from_slice(text.as_bytes());
        self
    }

    /// `,"name":`: every member follows `claims`, so each is preceded by a comma.
    fn name(&mut self, name: &str) -> &mut Self {
        self.raw(",\"").raw(name).raw("\":")
    }

    /// `value` as a JSON string, with serde_json's escaping.
    fn string(&mut self, value: &str) -> &mut Self {
        // Nearly every value (GUIDs, URLs, scope names) has nothing to escape: it is then written as it is,
        // which is what serde_json writes for it (RFC 8259 §7: only '"', '\\' and controls need escaping).
        if !needs_escaping(value.as_bytes()) {
            return self.raw("\"").raw(value).raw("\"");
        }
        // Writing into a Vec cannot fail; were it to, the output would still be valid JSON.
        if serde_json::to_writer(&mut *self.0, value).is_err() {
            self.raw("null");
        }
        self
    }

    fn member(&mut self, member: &Member<'_>) -> &mut Self {
        match member {
            Member::Text(value) => self.string(value),
            Member::Optional(value) => self.optional(*value),
            Member::List(values) => self.list(values),
            Member::Bool(b) => self.raw(if *b { "true" } else { "false" }),
            Member::Number(_) => {
                // As `string`: writing into a Vec cannot fail, and null keeps the text JSON were it to.
                if serde_json::to_writer(&mut *self.0, &member.to_json()).is_err() {
                    self.raw("null");
                }
                self
            }
        }
    }

    fn optional(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.string(value),
            None => self.raw("null"),
        }
    }

    fn list(&mut self, values: &[String]) -> &mut Self {
        self.raw("[");
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.raw(",");
            }
            self.string(value);
        }
        self.raw("]")
    }
}

/// How a validation was answered, for bindings that mirror the cache (see `wasm`).
#[derive(Debug, Clone)]
pub struct Answer {
    /// The result: always for a fresh validation; for a cache hit only when asked for.
    pub result: Option<ValidatedToken>,
    /// Where the result is cached: (slot, generation).
    pub cached_as: Option<(usize, u32)>,
    /// True when the token was found in the cache (no signature work was done).
    pub from_cache: bool,
}

/// A policy, the keys it trusts and the tokens it has verified. Holds no clock and does no I/O.
#[derive(Debug)]
pub struct Validator {
    policy: Policy,
    keys: Option<KeySet>,
    // A Mutex keeps Validator Sync for native users; in single-threaded wasm it costs next to nothing.
    cache: Mutex<TokenCache<ValidatedToken>>,
}

impl Validator {
    pub fn new(policy: Policy) -> Validator {
        let cache = Mutex::new(TokenCache::new(policy.cache_size));
        Validator { policy, keys: None, cache }
    }

    fn cache(&self) -> MutexGuard<'_, TokenCache<ValidatedToken>> {
        // With panic=abort nothing can poison the lock; recover the data rather than panic if it were.
        self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Number of tokens currently cached.
    pub fn cached_tokens(&self) -> usize {
        self.cache().len()
    }

    /// A copy of the cached result in `slot`, if it still holds the entry of that generation.
    pub fn cached_result(&self, slot: usize, generation: u32) -> Option<ValidatedToken> {
        self.cache().get(slot, generation).map(|entry| entry.value.clone())
    }

    /// Builds a validator from the JS options object (see [`Policy::from_options_json`]).
    pub fn from_options_json(json: &str) -> Result<Validator, Error> {
        let (policy, jwks) = Policy::from_options_json(json)?;
        let mut validator = Validator::new(policy);
        if let Some(jwks) = jwks {
            validator.set_jwks(jwks.as_bytes())?;
        }
        Ok(validator)
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn key_set(&self) -> Option<&KeySet> {
        self.keys.as_ref()
    }

    /// Replaces the trusted keys. On error the previous keys stay in force, so a bad refresh
    /// never leaves a running server without keys. Cached tokens whose key is gone are forgotten.
    pub fn set_jwks(&mut self, json: &[u8]) -> Result<&KeySet, Error> {
        let keys = KeySet::parse(json)?;
        let fingerprints: Vec<u64> = keys.keys().iter().map(|k| k.fingerprint).collect();
        self.cache().retain_keys(&fingerprints);
        Ok(self.keys.insert(keys))
    }

    /// Validates `token` at time `now` (seconds since the epoch) against the policy plus `call`'s
    /// extra requirements. The caller supplies the time; this crate never reads a clock.
    pub fn validate(&self, token: &str, now: f64, call: &Requirements) -> Result<ValidatedToken, Error> {
        let answer = self.answer(token, now, call, true)?;
        answer.result.ok_or(Error::Internal { reason: "a cache hit returned no result" })
    }

    /// [`Validator::validate`], telling whether and where the result is cached. With `copy_hits` false
    /// a hit returns no result (the caller keeps its own copy under the slot and generation).
    pub fn answer(&self, token: &str, now: f64, call: &Requirements, copy_hits: bool) -> Result<Answer, Error> {
        self.answer_with_host(token, now, call, copy_hits, None)
    }

    /// [`Validator::answer`], letting `host` do the RSA exponentiation when it can ([`crate::host`]).
    pub fn answer_with_host(
        &self,
        token: &str,
        now: f64,
        call: &Requirements,
        copy_hits: bool,
        host: Option<&dyn SignatureHost>,
    ) -> Result<Answer, Error> {
        if !now.is_finite() || now < 0.0 {
            return Err(Error::config("now", "must be a finite, non-negative number of seconds since the epoch"));
        }
        jws::token_size(token)?;
        if let Some(answer) = self.answer_from_cache(token, now, call, copy_hits) {
            return answer;
        }
        let (result, key_fingerprint) = self.verify(token, now, call, host)?;
        // The copy shares the claims (`Arc`); with the cache off (size 0) there is none to make.
        let cached_as = if self.policy.cache_size == 0 {
            None
        } else {
            self.cache().insert(token, result.clone(), key_fingerprint)
        };
        Ok(Answer { result: Some(result), cached_as, from_cache: false })
    }

    /// Re-checks the cached entry in `slot` for another call, if it still has `generation`: `None` when
    /// the entry is gone, else the outcome of the per-call checks. Lets a binding that already matched
    /// the exact token to a (slot, generation) skip passing the token again.
    pub fn recheck_cached(
        &self,
        slot: usize,
        generation: u32,
        now: f64,
        call: &Requirements,
    ) -> Option<Result<(), Error>> {
        if !now.is_finite() || now < 0.0 {
            return None;
        }
        let mut cache = self.cache();
        let entry = cache.touch(slot, generation)?;
        let cached = &entry.value;
        Some(self.per_call(cached.expires_at, cached.not_before, &cached.scopes, &cached.roles, now, call))
    }

    /// A hit skips everything that cannot change for the same bytes, and re-checks what can: the time
    /// and this call's permissions ([`Validator::per_call`], shared with a fresh validation).
    fn answer_from_cache(
        &self,
        token: &str,
        now: f64,
        call: &Requirements,
        copy_hits: bool,
    ) -> Option<Result<Answer, Error>> {
        let mut cache = self.cache();
        let (slot, entry) = cache.lookup(token)?;
        let cached = &entry.value;
        match self.per_call(cached.expires_at, cached.not_before, &cached.scopes, &cached.roles, now, call) {
            Ok(_) => Some(Ok(Answer {
                result: copy_hits.then(|| cached.clone()),
                cached_as: Some((slot, entry.generation)),
                from_cache: true,
            })),
            Err(expired @ Error::TokenExpired { .. }) => {
                cache.remove(slot);
                Some(Err(expired))
            }
            Err(other) => Some(Err(other)),
        }
    }

    /// The full validation: bytes, header, key, signature, then claims.
    fn verify(
        &self,
        token: &str,
        now: f64,
        call: &Requirements,
        host: Option<&dyn SignatureHost>,
    ) -> Result<(ValidatedToken, u64), Error> {
        let segments = jws::split(token)?;
        let header = header::parse(&jws::decode_segment(segments.header, "header", Check::Jws)?)?;
        header::algorithm_allowed(&header, &self.policy.algorithms)?;
        header::graph_nonce(&header)?;
        let keys = self.keys.as_ref().ok_or_else(|| Error::KeyNotFound {
            detail: "no JWKS has been loaded (pass options.jwks or call setJwks)".to_owned(),
        })?;
        let (key_index, key) = keys.select_indexed(&header)?;
        let signature = jws::decode_segment(segments.signature, "signature", Check::Signature)?;
        let Some(verified_by) =
            host::rs256_signature(&key.rsa, key_index, segments.signing_input.as_bytes(), &signature, host)
        else {
            return Err(Error::SignatureInvalid { kid: header.kid.clone().or(header.x5t.clone()).unwrap_or_default() });
        };
        let payload = jws::decode_segment(segments.payload, "payload", Check::Payload)?;
        let not_json =
            |e| Error::malformed(Check::Payload, format!("payload is not a JSON object (RFC 7519 §7.2): {e}"));
        let claims_text = utf8(&payload).map_err(not_json)?;
        let claims = parse_borrowed_object(claims_text).map_err(not_json)?;
        header::replicated_claims(&header, &claims)?;
        let key_id = header.kid.or(header.x5t);
        let mut result = self.check_claims(&claims, claims_text.into(), now, call, key.issuer.as_deref(), key_id)?;
        result.signature_verified_by = verified_by;
        Ok((result, key.fingerprint))
    }

    /// The checks that depend on the call rather than on the token's bytes: time (RFC 7519 §4.1.4-5)
    /// and required scopes and roles (the policy's, then the call's).
    fn per_call(
        &self,
        expires_at: f64,
        not_before: Option<f64>,
        scopes: &[String],
        roles: &[String],
        now: f64,
        call: &Requirements,
    ) -> Result<(), Error> {
        let leeway = self.policy.clock_tolerance_seconds;
        claims::not_expired(expires_at, now, leeway)?;
        claims::already_valid(not_before, now, leeway)?;
        for requirements in [&self.policy.requirements, call] {
            claims::required_scopes(scopes, requirements, &self.policy.implied_scopes)?;
            claims::required_roles(roles, requirements, &self.policy.implied_roles)?;
        }
        Ok(())
    }

    fn check_claims(
        &self,
        claims: &Claims<'_>,
        claims_json: Arc<str>,
        now: f64,
        call: &Requirements,
        key_issuer: Option<&str>,
        key_id: Option<String>,
    ) -> Result<ValidatedToken, Error> {
        let policy = &self.policy;
        let version = claims::version(claims, &policy.accepted_versions)?;
        let tid = claims::tenant_id(claims)?;
        let templates = claims::issuer_templates(policy, version);
        let (issuer, tenant) = claims::issuer(claims, &templates, tid, version)?;
        claims::signing_key_issuer(key_issuer, issuer, tid, policy.cloud)?;
        claims::tenant(tenant.as_deref(), &policy.tenants)?;
        let audience = claims::audience(claims, &policy.audiences)?;
        claims::issued_at(claims)?;
        claims::not_id_token(claims)?;
        let client_id = claims::client_id(claims)?;
        claims::client_allowed(client_id, policy.allowed_client_ids.as_deref())?;
        let is_app_only = claims::is_app_only(claims)?;
        claims::token_type_allowed(is_app_only, policy.token_types)?;
        let scopes = claims::scopes(claims)?;
        let roles = claims::roles(claims)?;
        // exp is read and checked before nbf is read, so an expired token reports that first.
        let expires_at = claims::expiration(claims)?;
        claims::not_expired(expires_at, now, policy.clock_tolerance_seconds)?;
        let not_before = claims::not_before(claims)?;
        self.per_call(expires_at, not_before, &scopes, &roles, now, call)?;
        let text = |name: &str| claims.get(name).and_then(BorrowedJson::as_str).map(str::to_owned);
        Ok(ValidatedToken {
            tenant_id: tenant,
            object_id: text("oid"),
            subject: text("sub"),
            client_id: client_id.to_owned(),
            issuer: issuer.to_owned(),
            scopes,
            roles,
            is_app_only,
            version,
            audience: audience.to_owned(),
            expires_at,
            not_before,
            key_id,
            claims_json,
            // Set by the caller, which verified the signature before any claim was read.
            signature_verified_by: VerifiedBy::Core,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A string is written as serde_json writes it, whether it takes the path for text with nothing to
    /// escape or serde_json's escaping.
    #[test]
    fn result_strings_are_written_as_serde_json_writes_them() {
        let cases = [
            "",
            "plain",
            "6e74172b-be56-4843-9ff4-e66a39bb12e3",
            "a\"b",
            "back\\slash",
            "tab\there",
            "\u{0}",
            "\u{1f}",
            "\u{7f}",
            "caf\u{e9}",
            "\u{2028}\u{2029}",
            "\u{1f600}",
            "end\"",
        ];
        for case in cases {
            let mut out = Vec::new();
            JsonText(&mut out).string(case);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(case).unwrap(), "{case:?}");
        }
    }

    /// The word-at-a-time test gives the byte-by-byte answer: every byte value in every position of a
    /// word and of the tail, on a background of each byte that needs no escaping, and random texts.
    #[test]
    fn needs_escaping_matches_bytewise_definition() {
        let bytewise = |text: &[u8]| text.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
        for background in [b'a', 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xc3, 0xff] {
            for len in 0..20 {
                for at in 0..len {
                    for b in 0..=255u8 {
                        let mut text = vec![background; len];
                        text[at] = b;
                        assert_eq!(needs_escaping(&text), bytewise(&text), "{background:#x} {len} {at} {b:#x}");
                    }
                }
            }
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let text: Vec<u8> = state
                .to_le_bytes()
                .iter()
                .chain(&(state.rotate_left(19)).to_le_bytes())
                .map(|&b| b | ((state as u8) & 0x40))
                .collect();
            assert_eq!(needs_escaping(&text), bytewise(&text), "{text:?}");
        }
    }

    /// Integral times are written as integers, others as serde_json writes the float; JSON.parse reads the
    /// same number from both.
    #[test]
    fn result_numbers_are_integers_when_integral() {
        let cases = [
            (1_767_225_600.0, "1767225600"),
            (0.0, "0"),
            (-0.0, "0"),
            (1_767_225_600.5, "1767225600.5"),
            (9_007_199_254_740_992.0, "9007199254740992.0"),
            (f64::NAN, "null"),
        ];
        for (n, text) in cases {
            assert_eq!(json_number(n).to_json_string(), text, "{n}");
        }
    }
}
