//! The wasm-bindgen boundary. It only converts: strings in, JSON text out; the JS layer in
//! `pkg-template/` parses that text into plain objects and turns errors into `EntraTokenError`.
//! No method throws for anything a token or a JWKS contains: every outcome is an envelope,
//! `{"ok":…}` or `{"error":{code,status,claim,message,…}}`, so a bad input can never trap the instance.

use crate::error::Error;
use crate::json::{Json, Object};
use crate::policy::Requirements;
use crate::validator::Validator;
use wasm_bindgen::prelude::*;

fn error_json(error: &Error) -> Json {
    let mut out = Object::new();
    out.insert("code".into(), Json::String(error.code().as_str().to_owned()));
    out.insert("status".into(), Json::Number(error.http_status().into()));
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

fn envelope(result: Result<Json, Error>) -> String {
    let mut out = Object::new();
    match result {
        Ok(value) => out.insert("ok".into(), value),
        Err(error) => out.insert("error".into(), error_json(&error)),
    };
    Json::Object(out).to_json_string()
}

/// One validator instance per options object; the JS class `EntraValidator` wraps it.
#[wasm_bindgen]
pub struct WasmValidator {
    inner: Validator,
}

#[wasm_bindgen]
impl WasmValidator {
    /// Builds from the options JSON. Errors come back as an envelope string in the thrown value.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<WasmValidator, JsValue> {
        Validator::from_options_json(options_json)
            .map(|inner| WasmValidator { inner })
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

    /// Validates a token at `now` (seconds since the epoch) with per-call requirements
    /// (`{"requiredScopes":[…],"requiredRoles":[…],"scopeMatch":"all"|"any"}` or an empty string).
    /// Returns `{"ok":result,"slot":[slot,generation]}` for a fresh success (`slot` when cached),
    /// `{"hit":[slot,generation]}` for a cache hit (the JS layer keeps the parsed result of each slot,
    /// so a hit crosses the boundary as a few bytes), or `{"error":…}`.
    pub fn validate(&self, token: &str, now: f64, requirements_json: &str) -> String {
        let answer =
            Requirements::from_json(requirements_json).and_then(|call| self.inner.answer(token, now, &call, false));
        let slot_json = |(slot, generation): (usize, u32)| {
            Json::Array(vec![Json::Number(slot.into()), Json::Number(generation.into())])
        };
        let mut out = Object::new();
        match answer {
            Ok(answer) if answer.from_cache => {
                out.insert("hit".into(), answer.cached_as.map(slot_json).unwrap_or(Json::Null));
            }
            Ok(answer) => {
                out.insert("ok".into(), answer.result.map(|r| r.to_json()).unwrap_or(Json::Null));
                if let Some(cached_as) = answer.cached_as {
                    out.insert("slot".into(), slot_json(cached_as));
                }
            }
            Err(error) => {
                out.insert("error".into(), error_json(&error));
            }
        }
        Json::Object(out).to_json_string()
    }

    /// The cached result in `slot` if it still has `generation` (for a JS layer that lost its copy).
    #[wasm_bindgen(js_name = cachedResult)]
    pub fn cached_result(&self, slot: usize, generation: u32) -> String {
        envelope(
            self.inner
                .cached_result(slot, generation)
                .map(|r| r.to_json())
                .ok_or_else(|| Error::malformed("the cached result was replaced; validate the token again")),
        )
    }
}
