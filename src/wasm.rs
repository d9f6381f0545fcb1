//! The wasm-bindgen boundary. It only converts: strings in, JSON text out; the JS layer in
//! `pkg-template/lib/api.js` parses that text into plain objects and turns errors into `EntraTokenError`.
//! No method throws for anything a token or a JWKS contains: every outcome is an envelope,
//! `{"ok":…}` or `{"error":{code,status,claim,message,…}}`, so a bad input can never trap the instance.
//!
//! Two things keep a cache hit cheap: per-call requirements are compiled once into a numbered set
//! ([`WasmValidator::requirements`]), and a token the JS layer already matched to a cache slot is
//! re-checked by number ([`WasmValidator::recheck`]) without crossing the boundary again.

use crate::error::{Check, Error};
use crate::json::{Json, Object};
use crate::policy::Requirements;
use crate::validator::Validator;
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

/// `{"ok":<text>}` for a value already serialised.
fn ok_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 7);
    out.push_str("{\"ok\":");
    out.push_str(text);
    out.push('}');
    out
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

/// One validator instance per options object; the JS class `EntraValidator` wraps it.
#[wasm_bindgen]
pub struct WasmValidator {
    inner: Validator,
    /// Id 0 is "no extra requirements".
    requirement_sets: Vec<Requirements>,
}

#[wasm_bindgen]
impl WasmValidator {
    /// Builds from the options JSON. Errors come back as an envelope string in the thrown value.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<WasmValidator, JsValue> {
        Validator::from_options_json(options_json)
            .map(|inner| WasmValidator { inner, requirement_sets: vec![Requirements::default()] })
            .map_err(|e| JsValue::from_str(&envelope(Err(e))))
    }

    /// Replaces the keys; returns `{"ok":{"keys":[kid…],"ignored":[{kid,reason}…]}}` or an error envelope.
    #[wasm_bindgen(js_name = setJwks)]
    pub fn set_jwks(&mut self, jwks_json: &str) -> String {
        envelope(self.inner.set_jwks(jwks_json.as_bytes()).map(|set| {
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
    /// Returns `{"ok":result,"slot":[slot,generation]}` for a fresh success (`slot` when cached),
    /// `{"hit":[slot,generation]}` for a cache hit, or `{"error":…}`.
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
        match self.inner.answer(token, now, call, false) {
            Ok(answer) if answer.from_cache => {
                out.insert("hit".into(), answer.cached_as.map(slot_json).unwrap_or(Json::Null));
            }
            Ok(answer) => {
                // The result is spliced in as text (its claims are the payload's own text, see
                // `ValidatedToken::to_json_text`); the slot, if any, is built as before.
                let result = answer.result.map(|r| r.to_json_text()).unwrap_or_else(|| "null".to_owned());
                let mut text = String::with_capacity(result.len() + 40);
                text.push_str("{\"ok\":");
                text.push_str(&result);
                if let Some(cached_as) = answer.cached_as {
                    text.push_str(",\"slot\":");
                    text.push_str(&slot_json(cached_as).to_json_string());
                }
                text.push('}');
                return text;
            }
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

    /// The cached result in `slot` if it still has `generation` (for a JS layer that lost its copy).
    #[wasm_bindgen(js_name = cachedResult)]
    pub fn cached_result(&self, slot: usize, generation: u32) -> String {
        match self.inner.cached_result(slot, generation) {
            Some(result) => ok_text(&result.to_json_text()),
            None => {
                envelope(Err(Error::Internal { reason: "the cached result was replaced; validate the token again" }))
            }
        }
    }
}
