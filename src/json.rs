//! Strict JSON for headers, claims, JWKS and options (RFC 8259 via serde_json's parser), with the
//! rules a security parser needs and serde_json's `Value` does not give:
//! duplicate member names are rejected, not last-wins (RFC 7515 §4, RFC 8725 §3.7 parser differentials,
//! CVE-2022-39227), and nesting is bounded by [`MAX_JSON_DEPTH`]. serde_json already rejects invalid
//! UTF-8, lone surrogates, a byte-order mark and trailing bytes.

use crate::limits::MAX_JSON_DEPTH;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::collections::BTreeMap;
use std::fmt;

pub use serde_json::Number;

pub type Object = BTreeMap<String, Json>;

#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Json>),
    Object(Object),
}

impl Json {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }
    /// A JSON number as f64 (RFC 7519 NumericDate may be fractional).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => n.as_f64(),
            _ => None,
        }
    }
    /// The JSON type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "boolean",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("null"))
    }
}

/// The member `name` of `object` as a string: `Ok(None)` when absent, `Err` with the JSON type found when
/// it is not a string. Each caller turns that into its own error (a claim, a header parameter, a JWK member,
/// an option).
pub fn optional_str<'a>(object: &'a Object, name: &str) -> Result<Option<&'a str>, &'static str> {
    match object.get(name) {
        None => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(other) => Err(other.type_name()),
    }
}

/// Parses one JSON value; the whole input must be consumed.
pub fn parse(bytes: &[u8]) -> Result<Json, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Seed { depth: 0 }.deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// Parses a JSON document that must be an object (JWS header, JWT claims set, JWKS).
pub fn parse_object(bytes: &[u8]) -> Result<Object, String> {
    match parse(bytes)? {
        Json::Object(o) => Ok(o),
        other => Err(format!("expected a JSON object, found {}", other.type_name())),
    }
}

struct Seed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Seed {
    type Value = Json;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Seed {
    fn nested<E: de::Error>(&self) -> Result<Seed, E> {
        if self.depth >= MAX_JSON_DEPTH {
            return Err(E::custom(format!("JSON nested deeper than {MAX_JSON_DEPTH} levels")));
        }
        Ok(Seed { depth: self.depth + 1 })
    }
}

impl<'de> Visitor<'de> for Seed {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Number::from_f64(v).map(Json::Number).ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        loop {
            let seed = self.nested()?;
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Json::Array(items)),
            }
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Object::new();
        while let Some(name) = map.next_key::<String>()? {
            let value = map.next_value_seed(self.nested()?)?;
            match members.entry(name) {
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                std::collections::btree_map::Entry::Occupied(taken) => {
                    let message = format!("duplicate member name {}", crate::error::quote(taken.key()));
                    return Err(de::Error::custom(message));
                }
            }
        }
        Ok(Json::Object(members))
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Number(n) => n.serialize(serializer),
            Json::String(s) => serializer.serialize_str(s),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    both! {
        fn object_parses_ok() {
            let o = parse_object(br#"{"a":1,"b":[true,null,"x"],"c":{"d":1.5}}"#).unwrap();
            assert_eq!(o.get("a").and_then(Json::as_f64), Some(1.0));
            assert_eq!(o.get("c").and_then(Json::as_object).and_then(|c| c.get("d")).and_then(Json::as_f64), Some(1.5));
        }
        fn duplicate_member_fails() {
            let err = parse_object(br#"{"alg":"none","alg":"RS256"}"#).unwrap_err();
            assert!(err.contains("duplicate"), "{err}");
        }
        fn nested_duplicate_member_fails() {
            assert!(parse(br#"{"a":{"x":1,"x":2}}"#).is_err());
        }
        fn trailing_garbage_fails() {
            assert!(parse(br#"{"a":1}}garbage"#).is_err());
            assert!(parse(br#"{"a":1} "#).is_ok());
        }
        fn non_object_fails() {
            for doc in [&b"[]"[..], b"\"s\"", b"null", b"1", b"true"] {
                assert!(parse_object(doc).is_err());
            }
        }
        fn invalid_utf8_fails() {
            assert!(parse(b"{\"a\":\"\xc0\xaf\"}").is_err());
            assert!(parse(b"\xef\xbb\xbf{}").is_err());
        }
        fn lone_surrogate_fails() {
            assert!(parse(br#"{"a":"\ud800"}"#).is_err());
        }
        fn deep_nesting_fails() {
            let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
            assert!(parse(deep.as_bytes()).is_err());
            let ok = format!("{}{}", "[".repeat(MAX_JSON_DEPTH), "]".repeat(MAX_JSON_DEPTH));
            assert!(parse(ok.as_bytes()).is_ok());
        }
        fn huge_number_fails_without_panic() {
            assert!(parse(b"1e400").is_err());
            assert_eq!(parse(b"18446744073709551616").unwrap().as_f64(), Some(18446744073709551616.0));
        }
        fn integers_are_exact_ok() {
            // NumericDates are integers in Entra tokens; up to 2^53 they parse and serialise exactly.
            let v = parse(br#"{"exp":9007199254740993,"iat":1767225600,"n":-42}"#).unwrap();
            assert_eq!(v.to_json_string(), r#"{"exp":9007199254740993,"iat":1767225600,"n":-42}"#);
        }
        fn floats_are_within_an_ulp_ok() {
            // Found by fuzzing (fuzz/regressions/parse_token/): serde_json's fast float parser (no
            // `float_roundtrip`) reads some decimals of 16+ significant digits one unit in the last place
            // off. JS gets the claims as the payload's own text, so only the core's time checks see it.
            let ulp = |x: f64| f64::from_bits(x.to_bits() + 1) - x;
            for (text, want) in [(&b"9102444800.267225"[..], 9102444800.267225_f64), (b"1e-28", 1e-28)] {
                let got = parse(text).unwrap().as_f64().unwrap();
                assert!((got - want).abs() <= ulp(want), "{got} for {want}");
            }
            // Up to 15 significant digits and powers of ten up to 22 (NumericDates to the microsecond) the
            // fast path is exact.
            assert_eq!(parse(b"1796173714.123456").unwrap().as_f64(), Some(1796173714.123456_f64));
        }
        fn serialises_back_ok() {
            let v = parse(br#"{"b":[1,2.5,"x"],"a":null}"#).unwrap();
            assert_eq!(v.to_json_string(), r#"{"a":null,"b":[1,2.5,"x"]}"#);
        }
    }
}
