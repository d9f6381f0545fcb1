//! The order of the checks, and what a caller gets back. Everything about the token's bytes and its
//! signature is settled before any claim is read (RFC 8725 §3.3).

use crate::claims;
use crate::error::Error;
use crate::header;
use crate::json::{parse_object, Json, Object};
use crate::jwks::KeySet;
use crate::jws;
use crate::policy::{Policy, Requirements, TokenVersion};
use sha2::{Digest, Sha256};

/// A token that passed every check, with the identity an API authorises on.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedToken {
    /// Every claim of the token, as issued.
    pub claims: Object,
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
    /// The `kid` (or `x5t`) of the key that verified the signature.
    pub key_id: Option<String>,
}

impl ValidatedToken {
    /// The plain object the JS API returns (camelCase names).
    pub fn to_json(&self) -> Json {
        let text = |s: &str| Json::String(s.to_owned());
        let opt = |s: &Option<String>| s.as_deref().map(text).unwrap_or(Json::Null);
        let list = |v: &[String]| Json::Array(v.iter().map(|s| text(s)).collect());
        let mut out = Object::new();
        out.insert("claims".into(), Json::Object(self.claims.clone()));
        out.insert("tenantId".into(), opt(&self.tenant_id));
        out.insert("objectId".into(), opt(&self.object_id));
        out.insert("subject".into(), opt(&self.subject));
        out.insert("clientId".into(), text(&self.client_id));
        out.insert("scopes".into(), list(&self.scopes));
        out.insert("roles".into(), list(&self.roles));
        out.insert("isAppOnly".into(), Json::Bool(self.is_app_only));
        out.insert("version".into(), text(self.version.as_str()));
        out.insert("issuer".into(), text(&self.issuer));
        out.insert("audience".into(), text(&self.audience));
        out.insert(
            "expiresAt".into(),
            serde_json::Number::from_f64(self.expires_at).map(Json::Number).unwrap_or(Json::Null),
        );
        out.insert("keyId".into(), opt(&self.key_id));
        Json::Object(out)
    }
}

/// A policy and the keys it trusts. Holds no clock and does no I/O.
#[derive(Debug, Clone)]
pub struct Validator {
    policy: Policy,
    keys: Option<KeySet>,
}

impl Validator {
    pub fn new(policy: Policy) -> Validator {
        Validator { policy, keys: None }
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
    /// never leaves a running server without keys.
    pub fn set_jwks(&mut self, json: &[u8]) -> Result<&KeySet, Error> {
        let keys = KeySet::parse(json)?;
        Ok(self.keys.insert(keys))
    }

    /// Validates `token` at time `now` (seconds since the epoch) against the policy plus `call`'s
    /// extra requirements. The caller supplies the time; this crate never reads a clock.
    pub fn validate(&self, token: &str, now: f64, call: &Requirements) -> Result<ValidatedToken, Error> {
        if !now.is_finite() || now < 0.0 {
            return Err(Error::config("now", "must be a finite, non-negative number of seconds since the epoch"));
        }
        let segments = jws::split(token)?;
        let header = header::parse(&jws::decode_segment(segments.header, "header")?)?;
        header::algorithm_allowed(&header, &self.policy.algorithms)?;
        header::graph_nonce(&header)?;
        let keys = self.keys.as_ref().ok_or_else(|| Error::KeyNotFound {
            detail: "no JWKS has been loaded (pass options.jwks or call setJwks)".to_owned(),
        })?;
        let key = keys.select(&header)?;
        let signature = jws::decode_segment(segments.signature, "signature")?;
        let digest: [u8; 32] = Sha256::digest(segments.signing_input.as_bytes()).into();
        if !key.rsa.verify_pkcs1v15_sha256(&digest, &signature) {
            return Err(Error::SignatureInvalid { kid: header.kid.clone().or(header.x5t.clone()).unwrap_or_default() });
        }
        let payload = jws::decode_segment(segments.payload, "payload")?;
        let claims = parse_object(&payload)
            .map_err(|e| Error::malformed(format!("payload is not a JSON object (RFC 7519 §7.2): {e}")))?;
        self.check_claims(claims, now, call, key.issuer.as_deref(), header.kid.or(header.x5t))
    }

    fn check_claims(
        &self,
        claims: Object,
        now: f64,
        call: &Requirements,
        key_issuer: Option<&str>,
        key_id: Option<String>,
    ) -> Result<ValidatedToken, Error> {
        let policy = &self.policy;
        let leeway = policy.clock_tolerance_seconds;
        let version = claims::version(&claims, &policy.accepted_versions)?;
        let tid = claims::tenant_id(&claims)?;
        let templates = claims::issuer_templates(policy, version);
        let (issuer, tenant) = claims::issuer(&claims, &templates, tid, version)?;
        claims::signing_key_issuer(key_issuer, issuer, tid, policy.cloud)?;
        claims::tenant(tenant.as_deref(), &policy.tenants)?;
        let audience = claims::audience(&claims, &policy.audiences)?;
        let expires_at = claims::expiration(&claims, now, leeway)?;
        claims::not_before(&claims, now, leeway)?;
        claims::issued_at(&claims)?;
        claims::not_id_token(&claims)?;
        let client_id = claims::client_id(&claims)?;
        claims::client_allowed(client_id, policy.allowed_client_ids.as_deref())?;
        let is_app_only = claims::is_app_only(&claims)?;
        claims::token_type_allowed(is_app_only, policy.token_types)?;
        let scopes = claims::scopes(&claims)?;
        let roles = claims::roles(&claims)?;
        for requirements in [&policy.requirements, call] {
            claims::required_scopes(&scopes, requirements)?;
            claims::required_roles(&roles, requirements)?;
        }
        let text = |name: &str| claims.get(name).and_then(Json::as_str).map(str::to_owned);
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
            audience,
            expires_at,
            key_id,
            claims,
        })
    }
}
