//! Strict JSON for headers, claims, JWKS and options (RFC 8259 via serde_json's parser), with the
//! rules a security parser needs and serde_json's `Value` does not give:
//! duplicate member names are rejected, not last-wins (RFC 7515 §4, RFC 8725 §3.7 parser differentials,
//! CVE-2022-39227), and nesting is bounded by [`MAX_JSON_DEPTH`]. The text is checked to be UTF-8 before
//! parsing (RFC 8259 §8.1); serde_json rejects lone surrogates, a byte-order mark and trailing bytes.
//!
//! Two trees, one parser: [`parse_borrowed_object`] builds a [`BorrowedObject`], whose strings point into
//! the text (only a string with escapes is copied) and whose members are a sorted vector. That is what a
//! token's header and claims are read from, once per validation, and then dropped. [`parse`] and
//! [`parse_object`] turn the same tree into the owned [`Json`] that options and JWKS are kept as.

use crate::limits::MAX_JSON_DEPTH;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::borrow::Cow;
use std::cmp::Ordering;
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

/// `bytes` as the text a JSON document must be (RFC 8259 §8.1: UTF-8), checked before it is parsed.
pub fn utf8(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 (RFC 8259 §8.1): {e}"))
}

/// Parses one JSON value; the whole input must be consumed.
pub fn parse(bytes: &[u8]) -> Result<Json, String> {
    parse_borrowed(utf8(bytes)?).map(BorrowedJson::into_owned)
}

/// Parses a JSON document that must be an object (JWKS, options).
pub fn parse_object(bytes: &[u8]) -> Result<Object, String> {
    match parse(bytes)? {
        Json::Object(o) => Ok(o),
        other => Err(format!("expected a JSON object, found {}", other.type_name())),
    }
}

/// A JSON value whose strings borrow from the text it was parsed from (see the module comment).
#[derive(Debug, Clone, PartialEq)]
pub enum BorrowedJson<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<BorrowedJson<'a>>),
    Object(BorrowedObject<'a>),
}

/// An object's members in [`name_order`]; the parser has refused duplicate names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BorrowedObject<'a>(Vec<(Cow<'a, str>, BorrowedJson<'a>)>);

impl<'a> BorrowedObject<'a> {
    pub fn get(&self, name: &str) -> Option<&BorrowedJson<'a>> {
        let at = self.0.binary_search_by(|(member, _)| name_order(member, name)).ok()?;
        self.0.get(at).map(|(_, value)| value)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// [`optional_str`] for this tree.
    pub fn optional_str(&self, name: &str) -> Result<Option<&str>, &'static str> {
        match self.get(name) {
            None => Ok(None),
            Some(BorrowedJson::String(s)) => Ok(Some(s)),
            Some(other) => Err(other.type_name()),
        }
    }

    pub fn into_owned(self) -> Object {
        // One insert at a time, not `collect()`: BTreeMap's FromIterator brings a stable sort of its own
        // into the wasm, for members that are sorted already.
        let mut object = Object::new();
        for (name, value) in self.0 {
            object.insert(name.into_owned(), value.into_owned());
        }
        object
    }
}

impl<'a> BorrowedJson<'a> {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            BorrowedJson::String(s) => Some(s),
            _ => None,
        }
    }
    /// A JSON number as f64 (RFC 7519 NumericDate may be fractional).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            BorrowedJson::Number(n) => n.as_f64(),
            _ => None,
        }
    }
    /// The JSON type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            BorrowedJson::Null => "null",
            BorrowedJson::Bool(_) => "boolean",
            BorrowedJson::Number(_) => "number",
            BorrowedJson::String(_) => "string",
            BorrowedJson::Array(_) => "array",
            BorrowedJson::Object(_) => "object",
        }
    }
    pub fn into_owned(self) -> Json {
        match self {
            BorrowedJson::Null => Json::Null,
            BorrowedJson::Bool(b) => Json::Bool(b),
            BorrowedJson::Number(n) => Json::Number(n),
            BorrowedJson::String(s) => Json::String(s.into_owned()),
            BorrowedJson::Array(items) => Json::Array(items.into_iter().map(BorrowedJson::into_owned).collect()),
            BorrowedJson::Object(members) => Json::Object(members.into_owned()),
        }
    }
}

/// The order an object's members are kept in: shorter names first, names of one length byte by byte. Any
/// total order serves a binary search; this one settles most comparisons on the lengths alone, and names of
/// one length (a claims set has a dozen of three letters) in an inlined loop rather than a call to
/// `memcmp`, which costs more than the comparison for names this short: -0.3 µs a validation in wasm.
fn name_order(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.bytes().cmp(b.bytes()))
}

/// Parses one JSON value from `text`, borrowing its strings; the whole input must be consumed.
pub fn parse_borrowed(text: &str) -> Result<BorrowedJson<'_>, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Seed { depth: 0 }.deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// Parses a JSON document that must be an object (a JWS header, a JWT claims set), borrowing its strings.
pub fn parse_borrowed_object(text: &str) -> Result<BorrowedObject<'_>, String> {
    match parse_borrowed(text)? {
        BorrowedJson::Object(o) => Ok(o),
        other => Err(format!("expected a JSON object, found {}", other.type_name())),
    }
}

struct Seed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Seed {
    type Value = BorrowedJson<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<BorrowedJson<'de>, D::Error> {
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

/// A member name, borrowed from the text unless it has escapes.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Cow<'de, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

impl<'de> Visitor<'de> for Seed {
    type Value = BorrowedJson<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<BorrowedJson<'de>, E> {
        Ok(BorrowedJson::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<BorrowedJson<'de>, E> {
        Ok(BorrowedJson::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<BorrowedJson<'de>, E> {
        Ok(BorrowedJson::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<BorrowedJson<'de>, E> {
        Ok(BorrowedJson::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<BorrowedJson<'de>, E> {
        Number::from_f64(v).map(BorrowedJson::Number).ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<BorrowedJson<'de>, E> {
        Ok(BorrowedJson::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<BorrowedJson<'de>, E> {
        Ok(BorrowedJson::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<BorrowedJson<'de>, E> {
        Ok(BorrowedJson::String(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<BorrowedJson<'de>, A::Error> {
        let mut items = Vec::new();
        loop {
            let seed = self.nested()?;
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(BorrowedJson::Array(items)),
            }
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BorrowedJson<'de>, A::Error> {
        // Room for an Entra header or a whole claims set (25 to 30 members): one allocation, not five.
        let mut members = Vec::with_capacity(32);
        while let Some(name) = map.next_key_seed(Name)? {
            let value = map.next_value_seed(self.nested()?)?;
            members.push((name, value));
        }
        // Sorted, equal names are neighbours: one pass finds a duplicate, and lookups are binary searches.
        members.sort_unstable_by(|(a, _), (b, _)| name_order(a, b));
        if let Some((name, _)) = members.windows(2).find_map(|pair| match pair {
            [first, second] if name_order(&first.0, &second.0) == Ordering::Equal => Some(first),
            _ => None,
        }) {
            return Err(de::Error::custom(format!("duplicate member name {}", crate::error::quote(name))));
        }
        Ok(BorrowedJson::Object(BorrowedObject(members)))
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
        fn borrowed_strings_point_into_the_text_ok() {
            let text = r#"{"plain":"abc","escaped":"a\u0062c","n\u0061me":1}"#;
            let o = parse_borrowed_object(text).unwrap();
            assert!(matches!(o.get("plain"), Some(BorrowedJson::String(Cow::Borrowed("abc")))));
            assert!(matches!(o.get("escaped"), Some(BorrowedJson::String(Cow::Owned(s))) if s == "abc"));
            assert_eq!(o.get("name").and_then(BorrowedJson::as_f64), Some(1.0));
            assert_eq!(o.get("absent"), None);
        }
        fn escaped_duplicate_member_fails() {
            // The same name spelled twice (once escaped) is still a duplicate: names compare decoded.
            let err = parse_borrowed_object(r#"{"alg":"RS256","\u0061lg":"none"}"#).unwrap_err();
            assert!(err.contains("duplicate"), "{err}");
        }
        fn borrowed_lookup_finds_every_member_ok() {
            // Members are found whatever their order in the text (they are sorted for a binary search).
            let names: Vec<String> = (0..40).rev().map(|i| format!("m{i}")).collect();
            let text = format!("{{{}}}", names.iter().enumerate().map(|(i, n)| format!("\"{n}\":{i}")).collect::<Vec<_>>().join(","));
            let o = parse_borrowed_object(&text).unwrap();
            for (i, n) in names.iter().enumerate() {
                assert_eq!(o.get(n).and_then(BorrowedJson::as_f64), Some(i as f64), "{n}");
            }
            assert_eq!(o.clone().into_owned().len(), 40);
        }
        fn serialises_back_ok() {
            let v = parse(br#"{"b":[1,2.5,"x"],"a":null}"#).unwrap();
            assert_eq!(v.to_json_string(), r#"{"a":null,"b":[1,2.5,"x"]}"#);
        }
    }
}
