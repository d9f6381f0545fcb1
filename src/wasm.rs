//! The wasm-bindgen boundary. It only converts: strings in, JSON text out; the JS layer in
//! `pkg-template/lib/api.js` parses that text into plain objects and turns errors into `EntraTokenError`.
//! No method throws for anything a token or a JWKS contains: every outcome is an envelope,
//! `{"ok":…}` or `{"error":{code,status,claim,message,…}}`, so a bad input can never trap the instance.
//!
//! Two things keep a cache hit cheap: per-call requirements are compiled once into a numbered set
//! ([`WasmValidator::requirements`]), and a token the JS layer already matched to a cache slot is
//! re-checked by number ([`WasmValidator::recheck`]) without crossing the boundary again.

use crate::error::{Check, Error};
use crate::host::{self, HostVerdict, SignatureHost};
use crate::json::{Json, Object};
use crate::policy::Requirements;
use crate::validator::{ValidatedToken, Validator};
use wasm_bindgen::prelude::*;

/// Compiled requirement sets kept per validator. The JS layer reuses ids for equal sets and starts
/// over (`clearRequirements`) long before this bound; the bound only stops a runaway caller.
const MAX_REQUIREMENT_SETS: usize = 4096;

fn error_json(error: &Error) -> Json {
    let mut out = Object::new();
    out.insert("code".into(), Json::String(error.code().as_str().to_owned()));
    out.insert("status".into(), Json::Number(error.http_status().into()));
    out.insert("check".into(), Json::String(error.check().as_str().to_owned()));
    out.insert("claim".into(), error.claim().map(|c| Json::String(c.to_owned())).unwrap_or(Json::Null));
    out.insert("message".into(), Json::String(error.to_string()));
    if let Some(required) = error.required_permissions() {
        out.insert(
            "requiredPermissions".into(),
            Json::Array(required.iter().map(|s| Json::String(s.clone())).collect()),
        );
    }
    Json::Object(out)
}

/// A success: `{"ok":[members…]}` (plus `"slot":[slot,generation]` when cached), a newline, then the claims
/// as the payload's own text. The members are [`crate::validator::RESULT_MEMBERS`]'s values in its order
/// ([`ValidatedToken::write_member_values`]); the JS layer parses only that envelope, and the claims text when
/// `claims` is first read. The envelope is serde_json's compact output, which escapes every control
/// character, so the first newline in the answer is the separator; error and hit envelopes have none.
fn ok_result(result: Option<&ValidatedToken>, cached_as: Option<(usize, u32)>) -> String {
    let claims_length = result.map_or(0, |r| r.claims_json.len());
    let mut text = Vec::with_capacity(claims_length + 512);
    text.extend_from_slice(b"{\"ok\":");
    match result {
        Some(result) => result.write_member_values(&mut text),
        None => text.extend_from_slice(b"null"),
    }
    if let Some(cached_as) = cached_as {
        text.extend_from_slice(b",\"slot\":");
        text.extend_from_slice(slot_json(cached_as).to_json_string().as_bytes());
    }
    text.extend_from_slice(b"}\n");
    if let Some(result) = result {
        text.extend_from_slice(result.claims_json.as_bytes());
    }
    // Only UTF-8 went in: serde_json's output and the payload's own text (checked when it was parsed).
    String::from_utf8(text).unwrap_or_else(|_| envelope(Err(Error::Internal { reason: "a result was not UTF-8" })))
}

fn envelope(result: Result<Json, Error>) -> String {
    let mut out = Object::new();
    match result {
        Ok(value) => out.insert("ok".into(), value),
        Err(error) => out.insert("error".into(), error_json(&error)),
    };
    Json::Object(out).to_json_string()
}

fn slot_json((slot, generation): (usize, u32)) -> Json {
    Json::Array(vec![Json::Number(slot.into()), Json::Number(generation.into())])
}

#[wasm_bindgen]
extern "C" {
    /// The JS side's RSA (`pkg-template/lib/host-crypto.js`): `verify(generation, key, input, signature)`
    /// answers 1 (verifies), 0 (does not) or 2 (cannot say) for key `key` of the key set numbered
    /// `generation`. The slices are views of wasm memory, valid for the call only.
    pub type HostCrypto;
    #[wasm_bindgen(method, catch)]
    fn verify(this: &HostCrypto, generation: u32, key: u32, input: &[u8], signature: &[u8])
        -> Result<JsValue, JsValue>;
}

/// A [`HostCrypto`] bound to the key set it was told about.
struct BoundHost<'a> {
    crypto: &'a HostCrypto,
    generation: u32,
}

impl SignatureHost for BoundHost<'_> {
    fn verify_rs256(&self, key_index: usize, signing_input: &[u8], signature: &[u8]) -> HostVerdict {
        let Ok(key) = u32::try_from(key_index) else {
            return HostVerdict::Unavailable;
        };
        // A throw is caught (`catch`): it must not unwind through this call and leave the validator borrowed.
        // The answer is read as given, not coerced: only the numbers 1 and 0 are verdicts.
        match self.crypto.verify(self.generation, key, signing_input, signature).map(|answer| answer.as_f64()) {
            Ok(Some(1.0)) => HostVerdict::Valid,
            Ok(Some(0.0)) => HostVerdict::Invalid,
            _ => HostVerdict::Unavailable,
        }
    }
}

/// One validator instance per options object; the JS class `EntraValidator` wraps it.
#[wasm_bindgen]
pub struct WasmValidator {
    inner: Validator,
    /// Id 0 is "no extra requirements".
    requirement_sets: Vec<Requirements>,
    /// The JS side's RSA, if the runtime has one and the options did not say `crypto: 'wasm'`.
    host: Option<HostCrypto>,
    /// Counts successful `setJwks` calls, so the host's copies of the keys are known to be current.
    key_generation: u32,
}

#[wasm_bindgen]
impl WasmValidator {
    /// Builds from the options JSON. Errors come back as an envelope string in the thrown value.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<WasmValidator, JsValue> {
        Validator::from_options_json(options_json)
            .map(|inner| WasmValidator {
                inner,
                requirement_sets: vec![Requirements::default()],
                host: None,
                key_generation: 0,
            })
            .map_err(|e| JsValue::from_str(&envelope(Err(e))))
    }

    /// Replaces the keys; returns `{"ok":{"keys":[kid…],"ignored":[{kid,reason}…]}}` or an error envelope.
    #[wasm_bindgen(js_name = setJwks)]
    pub fn set_jwks(&mut self, jwks_json: &str) -> String {
        let loaded = self.inner.set_jwks(jwks_json.as_bytes());
        if loaded.is_ok() {
            self.key_generation = self.key_generation.wrapping_add(1);
        }
        envelope(loaded.map(|set| {
            let kids = set.keys().iter().map(|k| k.kid.clone().map(Json::String).unwrap_or(Json::Null)).collect();
            let ignored = set
                .ignored()
                .iter()
                .map(|k| {
                    let mut o = Object::new();
                    o.insert("kid".into(), k.kid.clone().map(Json::String).unwrap_or(Json::Null));
                    o.insert("reason".into(), Json::String(k.reason.clone()));
                    Json::Object(o)
                })
                .collect();
            let mut out = Object::new();
            out.insert("keys".into(), Json::Array(kids));
            out.insert("ignored".into(), Json::Array(ignored));
            Json::Object(out)
        }))
    }

    /// Lets `host` verify signatures from now on (`None`: the core's own RSA only).
    #[wasm_bindgen(js_name = setHostCrypto)]
    pub fn set_host_crypto(&mut self, host: Option<HostCrypto>) {
        self.host = host;
    }

    /// Numbers the key set in force; it changes with every successful `setJwks`.
    #[wasm_bindgen(js_name = keyGeneration)]
    pub fn key_generation(&self) -> u32 {
        self.key_generation
    }

    /// How many keys the set in force has (0 before any JWKS); they are numbered 0.. in set order.
    #[wasm_bindgen(js_name = keyCount)]
    pub fn key_count(&self) -> u32 {
        self.inner.key_set().map_or(0, |set| u32::try_from(set.keys().len()).unwrap_or(0))
    }

    /// Key `index`'s modulus n as k big-endian octets (empty if there is no such key): with
    /// [`WasmValidator::key_exponent`], what a host's RSA builds its copy of the key from.
    #[wasm_bindgen(js_name = keyModulus)]
    pub fn key_modulus(&self, index: u32) -> Vec<u8> {
        self.key(index).map(|key| key.rsa.modulus_bytes()).unwrap_or_default()
    }

    /// Key `index`'s public exponent e (0 if there is no such key).
    #[wasm_bindgen(js_name = keyExponent)]
    pub fn key_exponent(&self, index: u32) -> u32 {
        self.key(index).map_or(0, |key| key.rsa.exponent())
    }

    /// Compiles per-call requirements (`{"requiredScopes":[…],"requiredRoles":[…],"scopeMatch":…}`) into
    /// an id for `validate` and `recheck`: `{"ok":id}` or a `config_invalid` envelope.
    pub fn requirements(&mut self, requirements_json: &str) -> String {
        envelope(Requirements::from_json(requirements_json).and_then(|set| {
            if self.requirement_sets.len() >= MAX_REQUIREMENT_SETS {
                return Err(Error::config(
                    "requirements",
                    "too many distinct requirement sets; call clearRequirements",
                ));
            }
            self.requirement_sets.push(set);
            Ok(Json::Number((self.requirement_sets.len() - 1).into()))
        }))
    }

    /// Forgets every compiled requirement set but the empty one (id 0).
    #[wasm_bindgen(js_name = clearRequirements)]
    pub fn clear_requirements(&mut self) {
        self.requirement_sets.truncate(1);
    }

    /// Validates a token at `now` (seconds since the epoch) with the requirement set `requirements_id`.
    /// Returns a success as [`ok_result`] writes it (with `slot` when cached), `{"hit":[slot,generation]}`
    /// for a cache hit, or `{"error":…}`.
    ///
    /// The token comes as its UTF-8 bytes (the JS layer's `TextEncoder`): wasm-bindgen copies a `&str`
    /// in one UTF-16 unit at a time, which cost about 3 µs of a 1.5 KB token, against one copy here.
    pub fn validate(&self, token: &[u8], now: f64, requirements_id: u32) -> String {
        let Some(call) = self.requirement_sets.get(requirements_id as usize) else {
            return envelope(Err(Error::config("requirements", "unknown requirement set")));
        };
        let Ok(token) = std::str::from_utf8(token) else {
            return envelope(Err(Error::malformed(Check::Jws, "the token is not UTF-8")));
        };
        let mut out = Object::new();
        let host = self.host.as_ref().map(|crypto| BoundHost { crypto, generation: self.key_generation });
        match self.inner.answer_with_host(token, now, call, false, host.as_ref().map(|h| h as &dyn SignatureHost)) {
            Ok(answer) if answer.from_cache => {
                out.insert("hit".into(), answer.cached_as.map(slot_json).unwrap_or(Json::Null));
            }
            Ok(answer) => return ok_result(answer.result.as_ref(), answer.cached_as),
            Err(error) => {
                out.insert("error".into(), error_json(&error));
            }
        }
        Json::Object(out).to_json_string()
    }

    /// For a token the JS layer matched exactly to (slot, generation): 0 when the cached entry still
    /// holds for this call; 1 otherwise (gone, expired, lacking a permission), and the caller then
    /// calls `validate`, which gives the full answer or error.
    pub fn recheck(&self, slot: u32, generation: u32, now: f64, requirements_id: u32) -> u32 {
        let Some(call) = self.requirement_sets.get(requirements_id as usize) else {
            return 1;
        };
        match self.inner.recheck_cached(slot as usize, generation, now, call) {
            Some(Ok(())) => 0,
            _ => 1,
        }
    }

    fn key(&self, index: u32) -> Option<&crate::jwks::Jwk> {
        self.inner.key_set()?.keys().get(usize::try_from(index).ok()?)
    }

    /// The cached result in `slot` if it still has `generation` (for a JS layer that lost its copy).
    #[wasm_bindgen(js_name = cachedResult)]
    pub fn cached_result(&self, slot: usize, generation: u32) -> String {
        match self.inner.cached_result(slot, generation) {
            Some(result) => ok_result(Some(&result), None),
            None => {
                envelope(Err(Error::Internal { reason: "the cached result was replaced; validate the token again" }))
            }
        }
    }
}

/// For the tests that hold the two RSA paths to the same verdicts (tests/js/rsa-paths.test.mjs), not part
/// of the package's API: the signature step exactly as a validation runs it ([`host::rs256_signature`]),
/// for a bare (n, e) outside any JWKS (so Wycheproof's e = 3 and short-key vectors reach the arithmetic).
/// With `host`, it is asked as key 0 of generation 0. Returns 0 (refused), 1 (verified by the core's RSA),
/// 2 (verified by the host's) or 3 (n, e is no RSA key for the arithmetic).
#[wasm_bindgen(js_name = rsaVerifyForTests)]
pub fn rsa_verify_for_tests(n: &[u8], e: &[u8], message: &[u8], signature: &[u8], host: Option<HostCrypto>) -> u32 {
    let Ok(key) = crate::rsa::RsaPublicKey::new(n, e) else {
        return 3;
    };
    let bound = host.as_ref().map(|crypto| BoundHost { crypto, generation: 0 });
    match host::rs256_signature(&key, 0, message, signature, bound.as_ref().map(|h| h as &dyn SignatureHost)) {
        None => 0,
        Some(host::VerifiedBy::Core) => 1,
        Some(host::VerifiedBy::Host) => 2,
    }
}
