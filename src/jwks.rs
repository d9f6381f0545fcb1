//! The JWKS (RFC 7517): the only source of keys. Parsed once, with every RSA key's arithmetic
//! constants precomputed, so validating a token does no per-key work beyond the signature itself.

use crate::base64url;
use crate::error::{quote, Error};
use crate::header::Header;
use crate::json::{self, parse_object, Json, Object};
use crate::limits::{MAX_JWKS_BYTES, MAX_JWKS_KEYS, MAX_RSA_BITS, MIN_RSA_BITS, RSA_PUBLIC_EXPONENT};
use crate::rsa::RsaPublicKey;

/// One usable RS256 verification key.
#[derive(Debug, Clone)]
pub struct Jwk {
    pub kid: Option<String>,
    pub x5t: Option<String>,
    /// The key's own `alg`, when it names one (RFC 7517 §4.4); must equal the token's.
    pub alg: Option<String>,
    /// Entra's per-key issuer, e.g. `https://login.microsoftonline.com/{tenantid}/v2.0`.
    pub issuer: Option<String>,
    pub rsa: RsaPublicKey,
    /// Identifies this exact key (kid, modulus, exponent, alg, issuer): cached tokens verified by a key
    /// whose fingerprint is absent from a new JWKS are dropped.
    pub fingerprint: u64,
}

/// A key the set contained but that can never verify a token here, and why. Kept for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredKey {
    pub kid: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: Vec<Jwk>,
    ignored: Vec<IgnoredKey>,
}

/// Members that only a private or symmetric key has. A "public" JWKS carrying them is a leak or a
/// mix-up (Wycheproof MixedKeySet); refusing the whole set makes someone notice.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

impl KeySet {
    /// Parses a JWKS document. Keys of other types or uses are ignored (RFC 7517 §5); the set is
    /// refused when it is not a JWKS, leaks private members, repeats a `kid`, or has no usable key.
    pub fn parse(json: &[u8]) -> Result<KeySet, Error> {
        if json.len() > MAX_JWKS_BYTES {
            return Err(Error::JwksInvalid {
                reason: format!("document is {} bytes; the limit is {MAX_JWKS_BYTES}", json.len()),
            });
        }
        let doc = parse_object(json).map_err(|e| Error::JwksInvalid { reason: format!("not a JSON object: {e}") })?;
        let entries = match doc.get("keys") {
            Some(Json::Array(entries)) => entries,
            _ => return Err(Error::JwksInvalid { reason: "no \"keys\" array (RFC 7517 §5)".to_owned() }),
        };
        if entries.len() > MAX_JWKS_KEYS {
            return Err(Error::JwksInvalid { reason: format!("{} keys; the limit is {MAX_JWKS_KEYS}", entries.len()) });
        }
        let mut set = KeySet::default();
        for (index, entry) in entries.iter().enumerate() {
            let Some(members) = entry.as_object() else {
                set.ignored.push(IgnoredKey { kid: None, reason: format!("keys[{index}] is not an object") });
                continue;
            };
            no_private_members(members, index)?;
            match usable_key(members) {
                Ok(jwk) => set.keys.push(jwk),
                Err(reason) => set.ignored.push(IgnoredKey { kid: string_member(members, "kid"), reason }),
            }
        }
        unique_kids(&set.keys)?;
        if set.keys.is_empty() {
            let reasons: Vec<String> = set.ignored.iter().map(describe_ignored).collect();
            return Err(Error::JwksInvalid {
                reason: format!("no usable RS256 key; ignored: [{}]", reasons.join("; ")),
            });
        }
        Ok(set)
    }

    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    pub fn ignored(&self) -> &[IgnoredKey] {
        &self.ignored
    }

    /// RFC 7515 §4.1.4 / RFC 8725 §3.10: the key named by `kid` (or, for v1 headers without one,
    /// by `x5t`), exact match, and only if it is meant for the token's `alg`. No fallback to
    /// trying every key: an unnamed key is no key.
    pub fn select(&self, header: &Header) -> Result<&Jwk, Error> {
        self.select_indexed(header).map(|(_, key)| key)
    }

    /// [`KeySet::select`], with the key's position in [`KeySet::keys`] (how a host's RSA names its copy).
    pub fn select_indexed(&self, header: &Header) -> Result<(usize, &Jwk), Error> {
        let found = match (&header.kid, &header.x5t) {
            (Some(kid), _) => self.keys.iter().enumerate().find(|(_, k)| k.kid.as_deref() == Some(kid.as_str())),
            (None, Some(x5t)) => self.keys.iter().enumerate().find(|(_, k)| {
                k.x5t.as_deref() == Some(x5t.as_str()) || (k.x5t.is_none() && k.kid.as_deref() == Some(x5t.as_str()))
            }),
            (None, None) => {
                return Err(Error::KeyNotFound {
                    detail: "the token header names no key (neither kid nor x5t)".to_owned(),
                })
            }
        };
        // How the header names the key, for messages only (built on the error paths alone).
        let name = || match (&header.kid, &header.x5t) {
            (Some(kid), _) => format!("kid {}", quote(kid)),
            (None, x5t) => format!("x5t {}", quote(x5t.as_deref().unwrap_or_default())),
        };
        let Some((index, key)) = found else {
            return Err(Error::KeyNotFound { detail: self.not_found_detail(&name(), header) });
        };
        if let Some(key_alg) = &key.alg {
            if *key_alg != header.alg {
                return Err(Error::KeyNotFound {
                    detail: format!(
                        "key {} is for alg {}, the token says {} (RFC 8725 §3.1)",
                        name(),
                        quote(key_alg),
                        quote(&header.alg)
                    ),
                });
            }
        }
        Ok((index, key))
    }

    fn not_found_detail(&self, name: &str, header: &Header) -> String {
        let wanted = header.kid.as_deref().or(header.x5t.as_deref());
        if let Some(ignored) = self.ignored.iter().find(|k| k.kid.is_some() && k.kid.as_deref() == wanted) {
            return format!("key {name} is in the JWKS but cannot be used: {}", ignored.reason);
        }
        let kids: Vec<String> = self.keys.iter().map(|k| quote(k.kid.as_deref().unwrap_or("(no kid)"))).collect();
        format!(
            "no key with {name} in the JWKS (it has {}: [{}]); Entra rotates keys, so refresh the JWKS, and apps with their own signing keys must fetch it with ?appid=<client-id>",
            self.keys.len(),
            kids.join(", ")
        )
    }
}

fn describe_ignored(k: &IgnoredKey) -> String {
    match &k.kid {
        Some(kid) => format!("kid {}: {}", quote(kid), k.reason),
        None => k.reason.clone(),
    }
}

/// Wycheproof MixedKeySet, RFC 7517 §9.2: a published key set holds public keys only.
fn no_private_members(members: &Object, index: usize) -> Result<(), Error> {
    match PRIVATE_MEMBERS.iter().find(|m| members.contains_key(**m)) {
        Some(member) => Err(Error::JwksInvalid {
            reason: format!(
                "keys[{index}] has private member {member:?}: a JWKS for verification must hold public keys only"
            ),
        }),
        None => Ok(()),
    }
}

/// RFC 7517 §4.5: kids should be distinct; two usable keys with one name make selection ambiguous.
fn unique_kids(keys: &[Jwk]) -> Result<(), Error> {
    for (i, key) in keys.iter().enumerate() {
        if let Some(kid) = &key.kid {
            if keys.iter().skip(i + 1).any(|other| other.kid.as_ref() == Some(kid)) {
                return Err(Error::JwksInvalid { reason: format!("kid {} appears more than once", quote(kid)) });
            }
        }
    }
    Ok(())
}

fn string_member(members: &Object, name: &str) -> Option<String> {
    members.get(name).and_then(Json::as_str).map(str::to_owned)
}

/// One key's checks, in the order of RFC 7517 §4 and RFC 7518 §6.3; the `Err` is the reason it is ignored.
fn usable_key(members: &Object) -> Result<Jwk, String> {
    key_type(members)?;
    key_use(members)?;
    key_ops(members)?;
    let kid = optional_string(members, "kid")?;
    let x5t = optional_string(members, "x5t")?;
    let alg = optional_string(members, "alg")?;
    let issuer = optional_string(members, "issuer")?;
    let n = base64url_uint(members, "n")?;
    let e = base64url_uint(members, "e")?;
    let rsa = rsa_key(&n, &e)?;
    let text = |s: &Option<String>| s.as_deref().unwrap_or_default().as_bytes().to_vec();
    let fingerprint = crate::fingerprint::fingerprint(&[&text(&kid), &n, &e, &text(&alg), &text(&issuer)]);
    Ok(Jwk { kid, x5t, alg, issuer, rsa, fingerprint })
}

/// RFC 7517 §4.1: only `kty` RSA can verify RS256.
fn key_type(members: &Object) -> Result<(), String> {
    match members.get("kty").and_then(Json::as_str) {
        Some("RSA") => Ok(()),
        Some(other) => Err(format!("kty {} is not RSA", quote(other))),
        None => Err("no kty".to_owned()),
    }
}

/// RFC 7517 §4.2: `use`, when present, must be `sig`.
fn key_use(members: &Object) -> Result<(), String> {
    match members.get("use") {
        None => Ok(()),
        Some(Json::String(u)) if u == "sig" => Ok(()),
        Some(Json::String(other)) => Err(format!("use {} is not \"sig\"", quote(other))),
        Some(other) => Err(format!("use is a {}, not the string \"sig\"", other.type_name())),
    }
}

/// RFC 7517 §4.3: `key_ops`, when present, must be an array of strings that includes `verify`.
fn key_ops(members: &Object) -> Result<(), String> {
    match members.get("key_ops") {
        None => Ok(()),
        Some(Json::Array(ops)) if ops.iter().all(|op| op.as_str().is_some()) => {
            if ops.iter().any(|op| op.as_str() == Some("verify")) {
                Ok(())
            } else {
                Err("key_ops does not include \"verify\"".to_owned())
            }
        }
        Some(_) => Err("key_ops is not an array of strings".to_owned()),
    }
}

fn optional_string(members: &Object, name: &str) -> Result<Option<String>, String> {
    json::optional_str(members, name)
        .map(|s| s.map(str::to_owned))
        .map_err(|found| format!("{name} is a {found}, not a string"))
}

/// RFC 7518 §2 Base64urlUInt: strict base64url, minimal octets (no leading zero octet).
fn base64url_uint(members: &Object, name: &str) -> Result<Vec<u8>, String> {
    let text = members.get(name).and_then(Json::as_str).ok_or_else(|| format!("no {name}"))?;
    let bytes = base64url::decode(text.as_bytes()).map_err(|e| format!("{name}: {e}"))?;
    match bytes.first() {
        None => Err(format!("{name} is empty")),
        Some(0) => Err(format!("{name} has a leading zero octet (RFC 7518 §2 requires the minimal encoding)")),
        Some(_) => Ok(bytes),
    }
}

/// RFC 7518 §3.3 (>= 2048 bits) and this crate's exponent policy ([`RSA_PUBLIC_EXPONENT`]).
fn rsa_key(n: &[u8], e: &[u8]) -> Result<RsaPublicKey, String> {
    let bits = modulus_bits(n);
    if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
        return Err(format!("RSA modulus is {bits} bits; accepted sizes are {MIN_RSA_BITS} to {MAX_RSA_BITS}"));
    }
    if e != RSA_PUBLIC_EXPONENT.to_be_bytes().get(1..).unwrap_or_default() {
        return Err(format!("RSA exponent is not {RSA_PUBLIC_EXPONENT} (e = 3 and e = 1 keys are refused)"));
    }
    if roca_fingerprint(n) {
        return Err("RSA modulus has the ROCA fingerprint (CVE-2017-15361): it was generated by a vulnerable \
                    Infineon library and can be factored; the key must be replaced"
            .to_owned());
    }
    RsaPublicKey::new(n, e).map_err(|err| format!("RSA key rejected: {err:?}"))
}

/// The primes of the ROCA detector (Nemec et al., CCS 2017): every one divides the primorial that
/// Infineon RSALib's primes are built on, so for all of them an RSALib modulus is a power of 65537 mod p.
pub const ROCA_PRIMES: [u32; 38] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109,
    113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

/// True when n mod p lies in the subgroup generated by 65537 for every detector prime p (a random
/// modulus passes with negligible probability; Wycheproof jws_rsa_roca_key passes).
pub fn roca_fingerprint(n: &[u8]) -> bool {
    ROCA_PRIMES.iter().all(|&p| {
        let residue = n.iter().fold(0u32, |r, &b| (r * 256 + u32::from(b)) % p);
        let generator = 65537 % p;
        let mut power = 1u32;
        loop {
            if power == residue {
                return true;
            }
            power = power * generator % p;
            if power == 1 {
                return false;
            }
        }
    })
}

fn modulus_bits(n: &[u8]) -> usize {
    match n.first() {
        Some(&top) => (n.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
        None => 0,
    }
}
