//! Where a first-seen validation spends its time inside the core, natively: N distinct Entra-shaped v2
//! tokens (2048-bit, about 1.5 KB), each validated once on a validator with the cache off, with a host that
//! answers "valid" without doing RSA (so what is left is everything else: split and base64url-decode, the
//! header and payload JSON, key selection, the claims, the result's text), or with `--rsa` the core's own
//! RSA too. Prints ns per validation. For the split by function, count instructions:
//!
//!   cargo build --release --example first_seen_profile
//!   valgrind --tool=callgrind --callgrind-out-file=cg.out target/release/examples/first_seen_profile
//!   callgrind_annotate --inclusive=yes cg.out | grep entra_guard
//!
//! (`CARGO_PROFILE_RELEASE_DEBUG=1` for function names; `--rounds 0` gives the minting alone, to subtract.)
//!
//! Instruction counts repeat exactly whatever else the machine does (benches/README.md has the figures).
use entra_guard::host::{HostVerdict, SignatureHost};
use entra_guard::{base64url, Requirements, Validator};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest, Sha256};
use std::hint::black_box;
use std::time::Instant;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const AUDIENCE: &str = "6e74172b-be56-4843-9ff4-e66a39bb12e3";
const NOW: f64 = 1_767_225_600.0;
const TOKENS: usize = 50;
/// Rounds over the tokens (`--rounds N`): two runs with different counts, under callgrind, give the
/// instructions of the validations alone (the difference), without the minting.
const ROUNDS: usize = 200;

/// The host of the measurement: says "valid" without any arithmetic.
struct AnswersValid;

impl SignatureHost for AnswersValid {
    fn verify_rs256(&self, _key: usize, _input: &[u8], _signature: &[u8]) -> HostVerdict {
        HostVerdict::Valid
    }
}

fn b64(bytes: &[u8]) -> String {
    base64url::encode(bytes)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let with_rsa = args.iter().any(|a| a == "--rsa");
    let rounds =
        args.iter().position(|a| a == "--rounds").and_then(|i| args.get(i + 1)).map_or(Ok(ROUNDS), |n| n.parse())?;
    let key = RsaPrivateKey::from_pkcs8_pem(include_str!("../tests/keys/rsa2048.pem"))?;
    let kid = "bW9kZWxlZCBvbiBFbnRyYSdzIGtpZHM";
    let jwks = serde_json::json!({"keys": [{
        "kty": "RSA", "use": "sig", "kid": kid, "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be()),
        "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
    }]});
    let options = serde_json::json!({
        "tenantId": TENANT, "audience": AUDIENCE, "jwks": jwks, "cacheSize": 0, "requiredScopes": ["mcp.tools.read"],
    });
    let validator = Validator::from_options_json(&options.to_string())?;
    let header = b64(serde_json::json!({"typ": "JWT", "alg": "RS256", "kid": kid, "x5t": kid}).to_string().as_bytes());
    let tokens: Vec<String> = (0..TOKENS)
        .map(|i| {
            let claims = serde_json::json!({
                "aud": AUDIENCE, "iss": format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
                "iat": NOW - 60.0, "nbf": NOW - 60.0, "exp": NOW + 3600.0,
                "aio": format!("{i:0>64}"), "azp": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "azpacr": "0",
                "name": "Test User", "oid": format!("a1b2c3d4-0000-4000-8000-{i:012}"),
                "preferred_username": "test.user@contoso.example", "rh": format!("0.{i:0>40}."),
                "scp": "mcp.tools.read mcp.tools.write", "sub": format!("pairwise-{i:0>36}"), "tid": TENANT,
                "uti": format!("{i:0>22}"), "ver": "2.0",
            });
            let input = format!("{header}.{}", b64(claims.to_string().as_bytes()));
            let signature = key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(input.as_bytes()))?;
            Ok(format!("{input}.{}", b64(&signature)))
        })
        .collect::<Result<_, rsa::Error>>()?;
    let host = (!with_rsa).then_some(&AnswersValid as &dyn SignatureHost);
    let call = Requirements::default();
    let started = Instant::now();
    for _ in 0..rounds {
        for token in &tokens {
            let answer = validator.answer_with_host(token, NOW, &call, false, host)?;
            // What the wasm boundary sends (src/wasm.rs `ok_result`: the member values, a newline, the claims
            // text); built here too, as it is part of a validation's cost.
            black_box(answer.result.map(|r| {
                let mut text = Vec::with_capacity(r.claims_json.len() + 512);
                r.write_member_values(&mut text);
                text.push(b'\n');
                text.extend_from_slice(r.claims_json.as_bytes());
                text
            }));
        }
    }
    let per = started.elapsed().as_nanos() / (rounds * TOKENS).max(1) as u128;
    println!(
        "{per} ns per first-seen validation ({}; {} tokens of {} bytes, {rounds} rounds)",
        if with_rsa { "the core's RSA" } else { "no RSA: a host answering valid" },
        TOKENS,
        tokens.first().map_or(0, String::len)
    );
    Ok(())
}
