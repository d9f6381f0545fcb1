//! Helpers for the adversarial and Wycheproof JOSE tests: forging material (HMAC, DER/PEM encodings of
//! an RSA public key, non-canonical base64url), the signature layer of the validator assembled from the
//! crate's public pieces, and the crate's ROCA fingerprint detector. Independent of the rest of `support`: it
//! uses only entra_guard and sha2.

use entra_guard::error::{Check, Error};
use entra_guard::header::{self, Header};
use entra_guard::jwks::{Jwk, KeySet};
use entra_guard::{base64url, jws};
use sha2::{Digest, Sha256};

/// HMAC (RFC 2104) over SHA-256: what an HS256 verifier fed the RSA public key as secret would compute.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let inner = Sha256::new().chain_update(k.map(|b| b ^ 0x36)).chain_update(data).finalize();
    Sha256::new().chain_update(k.map(|b| b ^ 0x5c)).chain_update(inner).finalize().to_vec()
}

// ---- DER / PEM of an RSA public key, written out by hand (X.690), checked against the rsa crate ----------

fn der_len(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let bytes: Vec<u8> = len.to_be_bytes().iter().copied().skip_while(|&b| b == 0).collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(der_len(content.len()));
    out.extend_from_slice(content);
    out
}

/// A positive INTEGER from unsigned big-endian bytes (a 00 octet in front when the top bit is set).
fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|&b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend(trimmed);
    der_tlv(0x02, &content)
}

/// PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (RFC 8017 A.1.1).
pub fn pkcs1_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    der_tlv(0x30, &[der_uint(n), der_uint(e)].concat())
}

/// X.509 `SubjectPublicKeyInfo` with rsaEncryption and NULL parameters (RFC 5280 §4.1, RFC 3279 §2.3.1).
pub fn spki_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    const RSA_ALG_ID: [u8; 15] =
        [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
    let mut bit_string = vec![0u8];
    bit_string.extend(pkcs1_der(n, e));
    der_tlv(0x30, &[RSA_ALG_ID.to_vec(), der_tlv(0x03, &bit_string)].concat())
}

/// RFC 7468 textual encoding: standard base64, 64-character lines, LF line ends and a final LF.
pub fn pem(label: &str, der: &[u8]) -> String {
    const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let v = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(STD[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Every byte string a careless HS256 verifier might take as "the key" when handed an RSA public key:
/// PEM (SPKI and PKCS#1, with and without the final newline, CRLF too), DER (both), the JWK JSON (as
/// given and in RFC 7638 thumbprint form), the raw modulus, the base64url modulus, and n || e.
pub fn public_key_as_hmac_secrets(n: &[u8], e: &[u8], jwk_json: &str) -> Vec<(&'static str, Vec<u8>)> {
    let spki_pem = pem("PUBLIC KEY", &spki_der(n, e));
    let pkcs1_pem = pem("RSA PUBLIC KEY", &pkcs1_der(n, e));
    let (n64, e64) = (base64url::encode(n), base64url::encode(e));
    let thumbprint_form = format!(r#"{{"e":"{e64}","kty":"RSA","n":"{n64}"}}"#);
    let rfc_order = format!(r#"{{"kty":"RSA","n":"{n64}","e":"{e64}"}}"#);
    let python_dumps = format!(r#"{{"kty": "RSA", "n": "{n64}", "e": "{e64}"}}"#);
    vec![
        ("PEM SPKI", spki_pem.clone().into_bytes()),
        ("PEM SPKI without final newline", spki_pem.trim_end().as_bytes().to_vec()),
        ("PEM SPKI with CRLF", spki_pem.replace('\n', "\r\n").into_bytes()),
        ("PEM PKCS#1", pkcs1_pem.clone().into_bytes()),
        ("PEM PKCS#1 without final newline", pkcs1_pem.trim_end().as_bytes().to_vec()),
        ("DER SPKI", spki_der(n, e)),
        ("DER PKCS#1", pkcs1_der(n, e)),
        ("JWK JSON as published", jwk_json.as_bytes().to_vec()),
        ("JWK JSON, RFC 7638 member order", thumbprint_form.into_bytes()),
        ("JWK JSON kty/n/e, compact", rfc_order.into_bytes()),
        ("JWK JSON kty/n/e, Python json.dumps spacing", python_dumps.into_bytes()),
        ("raw n bytes", n.to_vec()),
        ("base64url n", n64.into_bytes()),
        ("raw n || e", [n, e].concat()),
    ]
}

// ---- base64url leniency ---------------------------------------------------------------------------------

/// The same bytes with non-zero unused trailing bits (RFC 4648 §3.5 "canonical encoding" violated), so a
/// lenient decoder yields the identical octets. None when the segment has no unused bits (len % 4 == 0).
pub fn with_trailing_bits(segment: &str) -> Option<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    if segment.len() % 4 == 0 {
        return None;
    }
    let last = *segment.as_bytes().last()?;
    let value = ALPHABET.iter().position(|&c| c == last)?;
    let mut out = segment[..segment.len() - 1].to_owned();
    out.push(ALPHABET[value | 1] as char);
    Some(out)
}

/// `=` padding to a multiple of four (None when no padding would be written).
pub fn with_padding(segment: &str) -> Option<String> {
    match segment.len() % 4 {
        2 => Some(format!("{segment}==")),
        3 => Some(format!("{segment}=")),
        _ => None,
    }
}

/// The standard base64 alphabet (`+` `/`) in place of the URL-safe one; None if the text has neither.
pub fn with_standard_alphabet(segment: &str) -> Option<String> {
    (segment.contains('-') || segment.contains('_')).then(|| segment.replace('-', "+").replace('_', "/"))
}

/// Every lenient spelling of one segment that a strict decoder must refuse, each with its name.
pub fn lenient_spellings(segment: &str) -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("space inside", format!("{} {}", &segment[..4], &segment[4..])),
        ("tab inside", format!("{}\t{}", &segment[..4], &segment[4..])),
        ("LF line break", format!("{}\n{}", &segment[..4], &segment[4..])),
        ("CRLF line break", format!("{}\r\n{}", &segment[..4], &segment[4..])),
        ("trailing LF", format!("{segment}\n")),
        ("leading space", format!(" {segment}")),
    ];
    if let Some(p) = with_padding(segment) {
        out.push(("= padding", p));
    }
    out.push(("lone = at the end", format!("{segment}=")));
    if let Some(s) = with_standard_alphabet(segment) {
        out.push(("+ and / alphabet", s));
    }
    if let Some(t) = with_trailing_bits(segment) {
        out.push(("non-zero trailing bits", t));
    }
    out
}

// ---- the signature layer, from the crate's public pieces ------------------------------------------------

/// How [`signature_layer`] picks the key.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KeyChoice {
    /// `KeySet::select`, exactly as the validator does (kid, else x5t; no fallback).
    Select,
    /// As `Select`, but a header naming no key uses the set's only key (what a test vector's
    /// "verify with this JWK" means); the key's own `alg` must still equal the header's.
    OnlyKeyIfUnnamed,
}

fn only_key<'a>(keys: &'a KeySet, header: &Header) -> Result<&'a Jwk, Error> {
    match keys.keys() {
        [key] => match &key.alg {
            Some(alg) if *alg != header.alg => Err(Error::KeyNotFound {
                detail: format!("the only key is for alg {alg}, the token says {}", header.alg),
            }),
            _ => Ok(key),
        },
        _ => keys.select(header),
    }
}

/// The validator's bytes-and-signature stages (validator.rs `verify` up to the claims) assembled from the
/// public API: `jws::split`, `header::parse`, `header::algorithm_allowed`, `header::graph_nonce`,
/// `KeySet::select`, RSASSA-PKCS1-v1_5/SHA-256, then strict decoding of the payload segment. Claims are
/// not looked at. `keys` is the JWKS parse result: a set that failed to parse refuses at key selection.
pub fn signature_layer(
    token: &str,
    keys: Result<&KeySet, &Error>,
    allowed: &[&str],
    choice: KeyChoice,
) -> Result<Vec<u8>, Error> {
    let segments = jws::split(token)?;
    let header = header::parse(&jws::decode_segment(segments.header, "header", Check::Jws)?)?;
    let allowed: Vec<String> = allowed.iter().map(|a| (*a).to_owned()).collect();
    header::algorithm_allowed(&header, &allowed)?;
    header::graph_nonce(&header)?;
    let keys = keys.map_err(Clone::clone)?;
    let key = match choice {
        KeyChoice::Select => keys.select(&header)?,
        KeyChoice::OnlyKeyIfUnnamed if header.kid.is_none() && header.x5t.is_none() => only_key(keys, &header)?,
        KeyChoice::OnlyKeyIfUnnamed => keys.select(&header)?,
    };
    let signature = jws::decode_segment(segments.signature, "signature", Check::Signature)?;
    let digest: [u8; 32] = Sha256::digest(segments.signing_input.as_bytes()).into();
    if !key.rsa.verify_pkcs1v15_sha256(&digest, &signature) {
        return Err(Error::SignatureInvalid { kid: header.kid.unwrap_or_default() });
    }
    jws::decode_segment(segments.payload, "payload", Check::Payload)
}

// ---- ROCA (CVE-2017-15361) fingerprint ------------------------------------------------------------------

/// The crate's own detector (`jwks::rsa_key` refuses such keys); the tests check it against real and
/// synthetic moduli.
pub use entra_guard::jwks::{roca_fingerprint, ROCA_PRIMES};

/// `[[[...]]]`, `depth` levels.
pub fn deep_array(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// `{"a":{"a":...{}}}`, `depth` levels.
pub fn deep_object(depth: usize) -> String {
    format!("{}{{}}{}", "{\"a\":".repeat(depth), "}".repeat(depth))
}
