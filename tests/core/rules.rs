//! One passing and one failing test per validation rule, named after the claim and the situation.
//! The same tests run natively and under wasm-bindgen-test in Node (see `both!`).

use crate::support::attacks;
use crate::support::*;
use entra_guard::{ErrorCode, Requirements, ScopeMatch, TokenTypes, Validator};
use serde_json::json;

both! {
    // ---- a good token, and what the caller gets back --------------------------------------------
    fn v2_user_token_ok() {
        let token = mint(&keys().main, &v2_user_claims());
        let t = check(&validator(), &token).unwrap();
        assert_eq!(t.tenant_id.as_deref(), Some(TENANT));
        assert_eq!(t.object_id.as_deref(), Some(USER_OID));
        assert_eq!(t.subject.as_deref(), Some("pairwise-subject"));
        assert_eq!(t.client_id, CALLER_CLIENT_ID);
        assert_eq!(t.scopes, vec!["mcp.tools.read", "mcp.tools.write"]);
        assert!(t.roles.is_empty());
        assert!(!t.is_app_only);
        assert_eq!(t.version.as_str(), "2.0");
        assert_eq!(t.issuer, format!("https://login.microsoftonline.com/{TENANT}/v2.0"));
        assert_eq!(t.audience, API_CLIENT_ID);
        assert_eq!(t.expires_at, NOW + 3600.0);
        assert_eq!(t.key_id.as_deref(), Some("main-2048"));
        assert_eq!(t.claims().get("name").and_then(|v| v.as_str()), Some("Test User"));
    }
    fn v1_app_only_token_ok() {
        let token = mint(&keys().main, &v1_app_claims());
        let t = check(&validator(), &token).unwrap();
        assert!(t.is_app_only);
        assert_eq!(t.roles, vec!["Tools.ReadWrite.All"]);
        assert_eq!(t.audience, API_APP_ID_URI);
        assert_eq!(t.version.as_str(), "1.0");
    }
    fn rsa_3072_and_4096_keys_ok() {
        for key in [&keys().k3072, &keys().k4096] {
            assert!(check(&validator(), &mint(key, &v2_user_claims())).is_ok(), "{}", key.kid);
        }
    }

    // ---- signature ------------------------------------------------------------------------------
    fn signature_over_other_payload_fails() {
        let good = mint(&keys().main, &v2_user_claims());
        let forged_payload = b64json(&with(&v2_user_claims(), json!({"scp": "admin"})));
        let parts: Vec<&str> = good.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        expect_code(check(&validator(), &forged), "signature_invalid");
    }
    fn signature_by_other_key_with_known_kid_fails() {
        let header = json!({"alg": "RS256", "kid": "main-2048"});
        let token = mint_with_header(&keys().other, &header, &v2_user_claims());
        expect_code(check(&validator(), &token), "signature_invalid");
    }
    fn signature_truncated_or_extended_fails() {
        let good = mint(&keys().main, &v2_user_claims());
        let (input, sig) = good.rsplit_once('.').unwrap();
        let mut bytes = entra_guard::base64url::decode(sig.as_bytes()).unwrap();
        let mut longer = vec![0u8];
        longer.extend_from_slice(&bytes);
        bytes.pop();
        for sig in [bytes, longer] {
            let token = format!("{input}.{}", entra_guard::base64url::encode(&sig));
            expect_code(check(&validator(), &token), "signature_invalid");
        }
    }
    fn signature_non_canonical_base64url_fails() {
        let good = mint(&keys().main, &v2_user_claims());
        for bad in [format!("{good}="), format!("{good} "), good.replacen('-', "+", 1)] {
            let e = check(&validator(), &bad).unwrap_err();
            assert!(matches!(e.code(), ErrorCode::TokenMalformed | ErrorCode::SignatureInvalid), "{e}");
        }
    }

    // ---- alg -----------------------------------------------------------------------------------
    fn alg_none_unsigned_fails() {
        for alg in ["none", "None", "NONE", "nOnE"] {
            let h = b64json(&json!({"alg": alg, "kid": "main-2048"}));
            let p = b64json(&v2_user_claims());
            let e = check(&validator(), &format!("{h}.{p}.")).unwrap_err();
            assert_eq!(e.code(), ErrorCode::TokenMalformed, "{alg}: {e}");
            let e = check(&validator(), &format!("{h}.{p}.c2ln")).unwrap_err();
            assert_eq!(e.code(), ErrorCode::AlgorithmNotAllowed, "{alg}: {e}");
        }
    }
    fn alg_hs256_with_public_key_as_secret_fails() {
        // CVE-2016-10555 / CVE-2022-29217: an HMAC "signature" keyed with the public key must never verify.
        let h = b64json(&json!({"alg": "HS256", "kid": "main-2048"}));
        let p = b64json(&v2_user_claims());
        let input = format!("{h}.{p}");
        let secret = keys().main.jwk().to_string();
        let mac = attacks::hmac_sha256(secret.as_bytes(), input.as_bytes());
        let token = format!("{input}.{}", entra_guard::base64url::encode(&mac));
        expect_code(check(&validator(), &token), "algorithm_not_allowed");
    }
    fn alg_rs256_ok() {
        assert!(check(&validator(), &mint(&keys().main, &v2_user_claims())).is_ok());
    }

    // ---- key selection ---------------------------------------------------------------------------
    fn kid_unknown_fails() {
        let header = json!({"alg": "RS256", "kid": "rotated-away"});
        let e = expect_code(check(&validator(), &mint_with_header(&keys().main, &header, &v2_user_claims())), "key_not_found");
        assert!(e.to_string().contains("rotated-away") && e.to_string().contains("appid"), "{e}");
    }
    fn kid_absent_x5t_selects_key_ok() {
        let header = json!({"alg": "RS256", "x5t": "main-2048"});
        assert!(check(&validator(), &mint_with_header(&keys().main, &header, &v2_user_claims())).is_ok());
    }
    fn kid_and_x5t_absent_fails() {
        let header = json!({"alg": "RS256"});
        expect_code(check(&validator(), &mint_with_header(&keys().main, &header, &v2_user_claims())), "key_not_found");
    }
    fn header_jwk_embedded_key_is_not_used_fails() {
        // CVE-2018-0114: a token carrying its own key in the header.
        let other = &keys().other;
        let header = json!({"alg": "RS256", "jwk": other.jwk(), "jku": "https://attacker.example/keys", "x5u": "https://attacker.example/cert"});
        expect_code(check(&validator(), &mint_with_header(other, &header, &v2_user_claims())), "key_not_found");
        let header = json!({"alg": "RS256", "kid": "other-2048", "jwk": other.jwk()});
        expect_code(check(&validator(), &mint_with_header(other, &header, &v2_user_claims())), "key_not_found");
    }
    fn kid_injection_strings_fail() {
        for kid in ["../../dev/null", "' UNION SELECT 'k'--", "\u{0}", "main-2048\u{0}", "MAIN-2048"] {
            let header = json!({"alg": "RS256", "kid": kid});
            expect_code(check(&validator(), &mint_with_header(&keys().main, &header, &v2_user_claims())), "key_not_found");
        }
    }
    fn jwk_use_enc_is_not_selectable_fails() {
        let mut jwk = keys().main.jwk();
        jwk["use"] = json!("enc");
        let mut v = Validator::new(policy());
        v.set_jwks(jwks(&[jwk, keys().other.jwk()]).as_bytes()).unwrap();
        let e = expect_code(check(&v, &mint(&keys().main, &v2_user_claims())), "key_not_found");
        assert!(e.to_string().contains("use"), "{e}");
    }
    fn jwk_key_ops_without_verify_fails() {
        let mut jwk = keys().main.jwk();
        jwk["key_ops"] = json!(["encrypt"]);
        let mut v = Validator::new(policy());
        v.set_jwks(jwks(&[jwk, keys().other.jwk()]).as_bytes()).unwrap();
        expect_code(check(&v, &mint(&keys().main, &v2_user_claims())), "key_not_found");
    }
    fn jwk_key_ops_verify_ok() {
        let mut jwk = keys().main.jwk();
        jwk["key_ops"] = json!(["verify"]);
        jwk["alg"] = json!("RS256");
        let mut v = Validator::new(policy());
        v.set_jwks(jwks(&[jwk]).as_bytes()).unwrap();
        assert!(check(&v, &mint(&keys().main, &v2_user_claims())).is_ok());
    }
    fn jwk_alg_other_than_token_alg_fails() {
        let mut jwk = keys().main.jwk();
        jwk["alg"] = json!("PS256");
        let mut v = Validator::new(policy());
        v.set_jwks(jwks(&[jwk]).as_bytes()).unwrap();
        let e = expect_code(check(&v, &mint(&keys().main, &v2_user_claims())), "key_not_found");
        assert!(e.to_string().contains("PS256"), "{e}");
    }
    fn jwk_rsa_1024_bit_key_fails() {
        let mut v = Validator::new(policy());
        v.set_jwks(jwks(&[keys().k1024.jwk(), keys().main.jwk()]).as_bytes()).unwrap();
        let e = expect_code(check(&v, &mint(&keys().k1024, &v2_user_claims())), "key_not_found");
        assert!(e.to_string().contains("1024 bits"), "{e}");
    }
    fn jwk_rsa_exponent_3_fails() {
        let mut v = Validator::new(policy());
        v.set_jwks(jwks(&[keys().e3.jwk(), keys().main.jwk()]).as_bytes()).unwrap();
        let e = expect_code(check(&v, &mint(&keys().e3, &v2_user_claims())), "key_not_found");
        assert!(e.to_string().contains("exponent"), "{e}");
    }
    fn jwk_rsa_exponent_1_fails() {
        let mut jwk = keys().main.jwk();
        jwk["e"] = json!("AQ");
        assert_eq!(Validator::new(policy()).set_jwks(jwks(&[jwk]).as_bytes()).unwrap_err().code(), ErrorCode::JwksInvalid);
    }
    fn jwk_modulus_with_leading_zero_fails() {
        let mut jwk = keys().main.jwk();
        let mut n = vec![0u8];
        n.extend(entra_guard::base64url::decode(keys().main.n().as_bytes()).unwrap());
        jwk["n"] = json!(entra_guard::base64url::encode(&n));
        let e = Validator::new(policy()).set_jwks(jwks(&[jwk]).as_bytes()).unwrap_err();
        assert!(e.to_string().contains("leading zero"), "{e}");
    }
    fn jwks_private_member_fails() {
        let mut jwk = keys().main.jwk();
        jwk["d"] = json!("AQAB");
        expect_jwks_invalid(&jwks(&[jwk]), "private member");
    }
    fn jwks_duplicate_kid_fails() {
        let mut second = keys().other.jwk();
        second["kid"] = json!("main-2048");
        expect_jwks_invalid(&jwks(&[keys().main.jwk(), second]), "more than once");
    }
    fn jwks_without_usable_key_fails() {
        expect_jwks_invalid(&jwks(&[json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"})]), "no usable");
        expect_jwks_invalid(r#"{"keys":{}}"#, "keys");
        expect_jwks_invalid(r#"[]"#, "object");
        expect_jwks_invalid(r#"{"keys":[],"keys":[]}"#, "duplicate");
    }
    fn jwks_other_key_types_are_ignored_ok() {
        let mut v = Validator::new(policy());
        let set = v.set_jwks(jwks(&[json!({"kty": "EC", "crv": "P-256", "kid": "ec"}), keys().main.jwk()]).as_bytes()).unwrap();
        assert_eq!(set.keys().len(), 1);
        assert_eq!(set.ignored().len(), 1);
        assert!(check(&v, &mint(&keys().main, &v2_user_claims())).is_ok());
    }
    fn jwks_too_many_keys_fails() {
        let many: Vec<_> = (0..101).map(|i| json!({"kty": "EC", "kid": format!("k{i}")})).collect();
        expect_jwks_invalid(&jwks(&many), "limit");
    }
    fn set_jwks_failure_keeps_previous_keys_ok() {
        let mut v = validator();
        assert!(v.set_jwks(b"not json").is_err());
        assert!(check(&v, &mint(&keys().main, &v2_user_claims())).is_ok());
    }
    fn set_jwks_rotation_drops_old_key_fails() {
        let mut v = validator();
        v.set_jwks(jwks(&[keys().other.jwk()]).as_bytes()).unwrap();
        expect_code(check(&v, &mint(&keys().main, &v2_user_claims())), "key_not_found");
        assert!(check(&v, &mint(&keys().other, &v2_user_claims())).is_ok());
    }
    fn no_jwks_loaded_fails() {
        expect_code(check(&Validator::new(policy()), &mint(&keys().main, &v2_user_claims())), "key_not_found");
    }

    // ---- Graph tokens ----------------------------------------------------------------------------
    fn header_nonce_graph_token_fails() {
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": "main-2048", "nonce": "9nd2Hx_wYVapAp7Wr8a2jWRWme_5HIL_OErDxJHetfA"});
        let claims = with(&v1_app_claims(), json!({"aud": "https://graph.microsoft.com"}));
        let e = expect_code(check(&validator(), &mint_with_header(&keys().main, &header, &claims)), "graph_token");
        assert!(e.to_string().contains("Graph"));
        assert_eq!(e.http_status(), 401);
    }

    // ---- ver -------------------------------------------------------------------------------------
    fn ver_missing_fails() {
        let claims = with(&v2_user_claims(), json!({"ver": null}));
        expect_code(check(&validator(), &mint(&keys().main, &claims)), "claim_missing");
    }
    fn ver_not_accepted_fails() {
        let mut p = policy();
        p.accepted_versions = vec![entra_guard::policy::TokenVersion::V2];
        let e = expect_code(check(&validator_with(p), &mint(&keys().main, &v1_app_claims())), "claim_invalid");
        assert_eq!(e.claim(), Some("ver"));
    }
    fn ver_unknown_value_fails() {
        let claims = with(&v2_user_claims(), json!({"ver": "3.0"}));
        expect_code(check(&validator(), &mint(&keys().main, &claims)), "claim_invalid");
    }

    // ---- iss ------------------------------------------------------------------------------------
    fn iss_v1_form_on_v2_token_fails() {
        let claims = with(&v2_user_claims(), json!({"iss": format!("https://sts.windows.net/{TENANT}/")}));
        let e = expect_code(check(&validator(), &mint(&keys().main, &claims)), "issuer_invalid");
        assert!(e.to_string().contains(&format!("https://login.microsoftonline.com/{TENANT}/v2.0")), "{e}");
    }
    fn iss_missing_fails() {
        let claims = with(&v2_user_claims(), json!({"iss": null}));
        let e = expect_code(check(&validator(), &mint(&keys().main, &claims)), "claim_missing");
        assert_eq!(e.claim(), Some("iss"));
    }
    fn iss_tenant_differs_from_tid_fails() {
        let claims = with(&v2_user_claims(), json!({"iss": format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0")}));
        expect_code(check(&validator(), &mint(&keys().main, &claims)), "issuer_invalid");
    }
    fn iss_case_differs_fails() {
        let claims = with(&v2_user_claims(), json!({"iss": format!("https://LOGIN.microsoftonline.com/{TENANT}/v2.0")}));
        expect_code(check(&validator(), &mint(&keys().main, &claims)), "issuer_invalid");
    }
    fn iss_national_cloud_china_v2_ok() {
        let mut p = policy();
        p.cloud = entra_guard::policy::Cloud::China;
        let claims = with(&v2_user_claims(), json!({"iss": format!("https://login.partner.microsoftonline.cn/{TENANT}/v2.0")}));
        let mut v = Validator::new(p);
        let mut jwk = keys().main.jwk();
        jwk["issuer"] = json!("https://login.partner.microsoftonline.cn/{tenantid}/v2.0");
        v.set_jwks(jwks(&[jwk]).as_bytes()).unwrap();
        assert!(check(&v, &mint(&keys().main, &claims)).is_ok());
        expect_code(check(&v, &mint(&keys().main, &v2_user_claims())), "issuer_invalid");
    }
    fn iss_national_cloud_usgov_v2_ok() {
        let v = options_validator(json!({"tenantId": TENANT, "audience": API_CLIENT_ID, "cloud": "usgov",
            "jwks": jwks(&[json!({"kty":"RSA","kid":"main-2048","n":keys().main.n(),"e":"AQAB"})])})).unwrap();
        let claims = with(&v2_user_claims(), json!({"iss": format!("https://login.microsoftonline.us/{TENANT}/v2.0")}));
        assert!(check(&v, &mint(&keys().main, &claims)).is_ok());
    }
    fn iss_custom_exact_issuer_without_tid_ok() {
        // B2C: `https://{name}.b2clogin.com/{tenant}/v2.0/` with a trailing slash and no tid.
        let iss = format!("https://contoso.b2clogin.com/{TENANT}/v2.0/");
        let v = options_validator(json!({"issuers": [iss], "allowedTenants": [TENANT], "audience": API_CLIENT_ID,
            "jwks": jwks(&[json!({"kty":"RSA","kid":"main-2048","n":keys().main.n(),"e":"AQAB"})])})).unwrap();
        let claims = with(&v2_user_claims(), json!({"iss": iss, "tid": null}));
        let t = check(&v, &mint(&keys().main, &claims)).unwrap();
        assert_eq!(t.tenant_id.as_deref(), Some(TENANT));
    }
    fn iss_custom_template_external_id_ok() {
        let v = options_validator(json!({"tenantId": TENANT, "issuers": ["https://{tenantId}.ciamlogin.com/{tenantid}/v2.0".replace("{tenantId}.", &format!("{TENANT}."))],
            "audience": API_CLIENT_ID, "jwks": jwks(&[json!({"kty":"RSA","kid":"main-2048","n":keys().main.n(),"e":"AQAB"})])})).unwrap();
        let claims = with(&v2_user_claims(), json!({"iss": format!("https://{TENANT}.ciamlogin.com/{TENANT}/v2.0")}));
        assert!(check(&v, &mint(&keys().main, &claims)).is_ok());
    }

    // ---- signing-key issuer (JWK "issuer") ------------------------------------------------------
    fn jwk_issuer_template_v1_token_ok() {
        // The Entra v2 keys endpoint binds keys to the v2 issuer template; v1 tokens pass via the v2 form.
        assert!(check(&validator(), &mint(&keys().main, &v1_app_claims())).is_ok());
    }
    fn jwk_issuer_for_other_tenant_fails() {
        let mut jwk = keys().main.jwk();
        jwk["issuer"] = json!(format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"));
        let mut v = Validator::new(policy());
        v.set_jwks(jwks(&[jwk]).as_bytes()).unwrap();
        let e = expect_code(check(&v, &mint(&keys().main, &v2_user_claims())), "issuer_invalid");
        assert!(e.to_string().contains("signing key"), "{e}");
    }

    // ---- tid / tenants --------------------------------------------------------------------------
    fn tid_other_tenant_fails() {
        let claims = with(&v2_user_claims(), json!({"tid": OTHER_TENANT, "iss": format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0")}));
        let e = expect_code(check(&validator(), &mint(&keys().main, &claims)), "tenant_not_allowed");
        assert!(e.to_string().contains(OTHER_TENANT) && e.to_string().contains(TENANT), "{e}");
    }
    fn tid_missing_fails() {
        let claims = with(&v2_user_claims(), json!({"tid": null}));
        let e = expect_code(check(&validator(), &mint(&keys().main, &claims)), "claim_missing");
        assert_eq!(e.claim(), Some("tid"));
    }
    fn tid_not_guid_fails() {
        let claims = with(&v2_user_claims(), json!({"tid": "common", "iss": "https://login.microsoftonline.com/common/v2.0"}));
        expect_code(check(&validator(), &mint(&keys().main, &claims)), "claim_invalid");
    }
    fn multi_tenant_listed_tenant_ok() {
        let v = multi_tenant("common", json!([TENANT, OTHER_TENANT]));
        let other = with(&v2_user_claims(), json!({"tid": OTHER_TENANT, "iss": format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0")}));
        assert!(check(&v, &mint(&keys().main, &other)).is_ok());
        assert!(check(&v, &mint(&keys().main, &v2_user_claims())).is_ok());
    }
    fn multi_tenant_unlisted_tenant_fails() {
        let v = multi_tenant("organizations", json!([TENANT]));
        let other = with(&v2_user_claims(), json!({"tid": OTHER_TENANT, "iss": format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0")}));
        expect_code(check(&v, &mint(&keys().main, &other)), "tenant_not_allowed");
    }
    fn multi_tenant_any_tenant_ok() {
        let v = multi_tenant("common", json!(["*"]));
        let other = with(&v2_user_claims(), json!({"tid": OTHER_TENANT, "iss": format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0")}));
        assert!(check(&v, &mint(&keys().main, &other)).is_ok());
    }
    fn multi_tenant_organizations_refuses_personal_accounts_fails() {
        let msa = "9188040d-6c67-4c5b-b112-36a304b66dad";
        let claims = with(&v2_user_claims(), json!({"tid": msa, "iss": format!("https://login.microsoftonline.com/{msa}/v2.0")}));
        expect_code(check(&multi_tenant("organizations", json!(["*"])), &mint(&keys().main, &claims)), "tenant_not_allowed");
        assert!(check(&multi_tenant("common", json!(["*"])), &mint(&keys().main, &claims)).is_ok());
    }
    fn multi_tenant_issuer_placeholder_must_equal_tid_fails() {
        let v = multi_tenant("common", json!(["*"]));
        let claims = with(&v2_user_claims(), json!({"iss": format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0")}));
        expect_code(check(&v, &mint(&keys().main, &claims)), "issuer_invalid");
    }

    // ---- aud ------------------------------------------------------------------------------------
    fn aud_missing_fails() {
        let claims = with(&v2_user_claims(), json!({"aud": null}));
        let e = expect_code(check(&validator(), &mint(&keys().main, &claims)), "claim_missing");
        assert_eq!(e.claim(), Some("aud"));
    }
    fn aud_other_api_fails() {
        let claims = with(&v2_user_claims(), json!({"aud": "00000003-0000-0000-c000-000000000000"}));
        let e = expect_code(check(&validator(), &mint(&keys().main, &claims)), "audience_invalid");
        let msg = e.to_string();
        assert!(msg.contains("00000003-0000-0000-c000-000000000000") && msg.contains(API_CLIENT_ID), "{msg}");
    }
    fn aud_app_id_uri_when_only_guid_configured_fails() {
        let p = entra_guard::Policy::single_tenant(TENANT, API_CLIENT_ID);
        let claims = with(&v2_user_claims(), json!({"aud": API_APP_ID_URI}));
        let e = expect_code(check(&validator_with(p), &mint(&keys().main, &claims)), "audience_invalid");
        assert!(e.to_string().contains("api://"), "{e}");
    }
    fn aud_app_id_uri_ok() {
        let claims = with(&v2_user_claims(), json!({"aud": API_APP_ID_URI}));
        assert_eq!(check(&validator(), &mint(&keys().main, &claims)).unwrap().audience, API_APP_ID_URI);
    }
    fn aud_array_with_match_ok() {
        let claims = with(&v2_user_claims(), json!({"aud": ["https://other", API_CLIENT_ID]}));
        assert_eq!(check(&validator(), &mint(&keys().main, &claims)).unwrap().audience, API_CLIENT_ID);
    }
    fn aud_trailing_slash_ok() {
        let claims = with(&v2_user_claims(), json!({"aud": format!("{API_APP_ID_URI}/")}));
        assert!(check(&validator(), &mint(&keys().main, &claims)).is_ok());
    }
    fn aud_not_string_fails() {
        for aud in [json!(1), json!([1]), json!({"a": 1})] {
            let claims = with(&v2_user_claims(), json!({ "aud": aud }));
            expect_code(check(&validator(), &mint(&keys().main, &claims)), "claim_invalid");
        }
    }
    fn aud_duplicate_member_fails() {
        let header = b64json(&json!({"alg": "RS256", "kid": "main-2048"}));
        let body = v2_user_claims().to_string().replacen('{', "{\"aud\":\"x\",", 1);
        let token = mint_raw(&keys().main, &header, &entra_guard::base64url::encode(body.as_bytes()));
        expect_code(check(&validator(), &token), "token_malformed");
    }

    // ---- exp / nbf / iat -----------------------------------------------------------------------
    fn exp_missing_fails() {
        let e = expect_code(check(&validator(), &mint(&keys().main, &with(&v2_user_claims(), json!({"exp": null})))), "claim_missing");
        assert_eq!(e.claim(), Some("exp"));
    }
    fn exp_in_past_fails() {
        let claims = with(&v2_user_claims(), json!({"exp": NOW - 301.0}));
        let e = expect_code(check(&validator(), &mint(&keys().main, &claims)), "token_expired");
        assert!(e.to_string().contains(&format!("{}", (NOW - 301.0) as i64)), "{e}");
    }
    fn exp_in_past_within_leeway_ok() {
        let claims = with(&v2_user_claims(), json!({"exp": NOW - 299.0}));
        assert!(check(&validator(), &mint(&keys().main, &claims)).is_ok());
    }
    fn exp_equal_to_now_without_leeway_fails() {
        let mut p = policy();
        p.clock_tolerance_seconds = 0;
        let v = validator_with(p);
        expect_code(check(&v, &mint(&keys().main, &with(&v2_user_claims(), json!({"exp": NOW})))), "token_expired");
        assert!(check(&v, &mint(&keys().main, &with(&v2_user_claims(), json!({"exp": NOW + 0.5})))).is_ok());
    }
    fn exp_not_a_number_fails() {
        for exp in [json!("9999999999"), json!(true), json!([1]), json!({"n": 1})] {
            let e = expect_code(check(&validator(), &mint(&keys().main, &with(&v2_user_claims(), json!({ "exp": exp })))), "claim_invalid");
            assert_eq!(e.claim(), Some("exp"));
        }
    }
    fn exp_extreme_numbers_do_not_panic_ok() {
        for (exp, ok) in [(json!(1.7e308), true), (json!(18446744073709551615u64), true), (json!(-1), false), (json!(-1.7e308), false), (json!(0), false)] {
            let r = check(&validator(), &mint(&keys().main, &with(&v2_user_claims(), json!({ "exp": exp.clone() }))));
            assert_eq!(r.is_ok(), ok, "{exp}");
        }
    }
    fn nbf_in_future_fails() {
        let claims = with(&v2_user_claims(), json!({"nbf": NOW + 301.0}));
        expect_code(check(&validator(), &mint(&keys().main, &claims)), "token_not_yet_valid");
    }
    fn nbf_in_future_within_leeway_ok() {
        let claims = with(&v2_user_claims(), json!({"nbf": NOW + 299.0}));
        assert!(check(&validator(), &mint(&keys().main, &claims)).is_ok());
    }
    fn nbf_absent_ok() {
        assert!(check(&validator(), &mint(&keys().main, &with(&v2_user_claims(), json!({"nbf": null})))).is_ok());
    }
    fn nbf_not_a_number_fails() {
        expect_code(check(&validator(), &mint(&keys().main, &with(&v2_user_claims(), json!({"nbf": "0"})))), "claim_invalid");
    }
    fn iat_not_a_number_fails() {
        expect_code(check(&validator(), &mint(&keys().main, &with(&v2_user_claims(), json!({"iat": "yesterday"})))), "claim_invalid");
    }
    fn clock_is_an_argument_ok() {
        let token = mint(&keys().main, &v2_user_claims());
        let v = validator();
        assert!(v.validate(&token, NOW, &Requirements::default()).is_ok());
        expect_code(v.validate(&token, NOW + 10_000.0, &Requirements::default()), "token_expired");
        expect_code(v.validate(&token, NOW - 10_000.0, &Requirements::default()), "token_not_yet_valid");
        expect_code(v.validate(&token, f64::NAN, &Requirements::default()), "config_invalid");
    }

    // ---- ID tokens, azp / appid -----------------------------------------------------------------
    fn id_token_with_nonce_claim_fails() {
        let claims = with(&v2_user_claims(), json!({"nonce": "abc", "aud": API_CLIENT_ID}));
        expect_code(check(&validator(), &mint(&keys().main, &claims)), "token_type_not_allowed");
    }
    fn azp_and_appid_missing_fails() {
        let claims = with(&v2_user_claims(), json!({"azp": null}));
        let e = expect_code(check(&validator(), &mint(&keys().main, &claims)), "claim_missing");
        assert_eq!(e.claim(), Some("azp"));
    }
    fn azp_allowed_client_ok() {
        let mut p = policy();
        p.allowed_client_ids = Some(vec![CALLER_CLIENT_ID.to_owned()]);
        assert!(check(&validator_with(p), &mint(&keys().main, &v2_user_claims())).is_ok());
    }
    fn azp_not_allowed_client_fails() {
        let mut p = policy();
        p.allowed_client_ids = Some(vec!["11111111-1111-1111-1111-111111111111".to_owned()]);
        let e = expect_code(check(&validator_with(p), &mint(&keys().main, &v2_user_claims())), "client_not_allowed");
        assert!(e.to_string().contains(CALLER_CLIENT_ID));
    }
    fn appid_not_allowed_client_fails() {
        let mut p = policy();
        p.allowed_client_ids = Some(vec!["11111111-1111-1111-1111-111111111111".to_owned()]);
        expect_code(check(&validator_with(p), &mint(&keys().main, &v1_app_claims())), "client_not_allowed");
    }

    // ---- app-only vs user tokens ----------------------------------------------------------------
    fn idtyp_app_refused_by_user_policy_fails() {
        let mut p = policy();
        p.token_types = TokenTypes::User;
        expect_code(check(&validator_with(p), &mint(&keys().main, &v1_app_claims())), "token_type_not_allowed");
    }
    fn user_token_refused_by_app_policy_fails() {
        let mut p = policy();
        p.token_types = TokenTypes::App;
        expect_code(check(&validator_with(p), &mint(&keys().main, &v2_user_claims())), "token_type_not_allowed");
    }
    fn idtyp_absent_without_scp_is_app_only_ok() {
        let claims = with(&v1_app_claims(), json!({"idtyp": null}));
        let mut p = policy();
        p.token_types = TokenTypes::App;
        assert!(check(&validator_with(p), &mint(&keys().main, &claims)).unwrap().is_app_only);
    }

    // ---- scp / roles ----------------------------------------------------------------------------
    fn scp_required_all_present_ok() {
        let call = Requirements { scopes: vec!["mcp.tools.read".into(), "mcp.tools.write".into()], ..Default::default() };
        assert!(validator().validate(&mint(&keys().main, &v2_user_claims()), NOW, &call).is_ok());
    }
    fn scp_required_one_missing_fails() {
        let call = Requirements { scopes: vec!["mcp.tools.read".into(), "mcp.admin".into()], ..Default::default() };
        let e = expect_code(validator().validate(&mint(&keys().main, &v2_user_claims()), NOW, &call), "insufficient_scope");
        assert_eq!(e.http_status(), 403);
        assert_eq!(e.required_permissions().unwrap(), &["mcp.tools.read".to_owned(), "mcp.admin".to_owned()]);
    }
    fn scp_required_any_of_ok() {
        let call = Requirements { scopes: vec!["mcp.admin".into(), "mcp.tools.read".into()], scope_match: ScopeMatch::Any, ..Default::default() };
        assert!(validator().validate(&mint(&keys().main, &v2_user_claims()), NOW, &call).is_ok());
    }
    fn scp_required_any_of_none_present_fails() {
        let call = Requirements { scopes: vec!["mcp.admin".into(), "mcp.root".into()], scope_match: ScopeMatch::Any, ..Default::default() };
        expect_code(validator().validate(&mint(&keys().main, &v2_user_claims()), NOW, &call), "insufficient_scope");
    }
    fn scp_policy_requirement_applies_to_every_call_fails() {
        let mut p = policy();
        p.requirements.scopes = vec!["mcp.admin".into()];
        expect_code(check(&validator_with(p), &mint(&keys().main, &v2_user_claims())), "insufficient_scope");
    }
    fn scp_on_app_only_token_fails() {
        let call = Requirements { scopes: vec!["mcp.tools.read".into()], ..Default::default() };
        expect_code(validator().validate(&mint(&keys().main, &v1_app_claims()), NOW, &call), "insufficient_scope");
    }
    fn scp_not_string_fails() {
        expect_code(check(&validator(), &mint(&keys().main, &with(&v2_user_claims(), json!({"scp": ["a"]})))), "claim_invalid");
    }
    fn scp_is_case_sensitive_fails() {
        let call = Requirements { scopes: vec!["MCP.TOOLS.READ".into()], ..Default::default() };
        expect_code(validator().validate(&mint(&keys().main, &v2_user_claims()), NOW, &call), "insufficient_scope");
    }
    fn roles_required_present_ok() {
        let call = Requirements { roles: vec!["Tools.ReadWrite.All".into()], ..Default::default() };
        assert!(validator().validate(&mint(&keys().main, &v1_app_claims()), NOW, &call).is_ok());
    }
    fn roles_required_missing_fails() {
        let call = Requirements { roles: vec!["Admin.All".into()], ..Default::default() };
        let e = expect_code(validator().validate(&mint(&keys().main, &v1_app_claims()), NOW, &call), "insufficient_role");
        assert_eq!(e.http_status(), 403);
    }
    fn roles_not_array_fails() {
        expect_code(check(&validator(), &mint(&keys().main, &with(&v1_app_claims(), json!({"roles": "Admin"})))), "claim_invalid");
    }

    // ---- malformed tokens -----------------------------------------------------------------------
    fn payload_not_object_fails() {
        let header = b64json(&json!({"alg": "RS256", "kid": "main-2048"}));
        for payload in ["[]", "\"s\"", "null", "1"] {
            let token = mint_raw(&keys().main, &header, &entra_guard::base64url::encode(payload.as_bytes()));
            expect_code(check(&validator(), &token), "token_malformed");
        }
    }
    fn payload_invalid_utf8_fails() {
        let header = b64json(&json!({"alg": "RS256", "kid": "main-2048"}));
        let token = mint_raw(&keys().main, &header, &entra_guard::base64url::encode(b"{\"aud\":\"\xc0\xaf\"}"));
        expect_code(check(&validator(), &token), "token_malformed");
    }
    fn token_too_large_fails() {
        let big = format!("a.{}.c", "b".repeat(20_000));
        expect_code(check(&validator(), &big), "token_too_large");
    }
    fn bearer_prefix_is_not_stripped_fails() {
        let token = format!("Bearer {}", mint(&keys().main, &v2_user_claims()));
        expect_code(check(&validator(), &token), "token_malformed");
    }

    // ---- messages -------------------------------------------------------------------------------
    fn error_messages_never_contain_the_token_ok() {
        let v = validator();
        let cases = [
            with(&v2_user_claims(), json!({"exp": NOW - 1000.0})),
            with(&v2_user_claims(), json!({"aud": "x"})),
            with(&v2_user_claims(), json!({"tid": OTHER_TENANT, "iss": format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0")})),
        ];
        for claims in cases {
            let token = mint(&keys().main, &claims);
            let msg = check(&v, &token).unwrap_err().to_string();
            for segment in token.split('.') {
                assert!(!msg.contains(segment), "{msg}");
            }
        }
    }

    // ---- no panic on any input: garbage, then a good token on the same instance -----------------
    fn garbage_then_good_token_same_instance_ok() {
        let v = validator();
        let good = mint(&keys().main, &v2_user_claims());
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; seed };
        for i in 0..2000 {
            let len = (next() % 600) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let mut garbage = String::from_utf8_lossy(&bytes).into_owned();
            if i % 3 == 0 {
                // Mutate a good token instead: each byte flipped at a random place.
                let mut t = good.clone().into_bytes();
                let at = (next() as usize) % t.len();
                t[at] = b"._-AZaz09=+/ {\"\0"[(next() % 16) as usize];
                garbage = String::from_utf8_lossy(&t).into_owned();
            }
            let _ = check(&v, &garbage);
        }
        assert!(check(&v, &good).is_ok());
    }
}

fn multi_tenant(tenant_id: &str, allowed: serde_json::Value) -> Validator {
    options_validator(json!({"tenantId": tenant_id, "allowedTenants": allowed, "audience": [API_CLIENT_ID, API_APP_ID_URI], "jwks": default_jwks()})).unwrap()
}

#[track_caller]
fn expect_jwks_invalid(doc: &str, needle: &str) {
    let e = Validator::new(policy()).set_jwks(doc.as_bytes()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::JwksInvalid, "{e}");
    assert!(e.to_string().contains(needle), "{e}");
}

both! {
    // ---- scope and role hierarchies (MCP 2026-07-28 "Step-Up Authorization Flow") -------------------
    fn scope_implied_by_broader_scope_ok() {
        let v = options_validator(json!({"tenantId": TENANT, "audience": API_CLIENT_ID, "jwks": serde_json::from_str::<serde_json::Value>(&default_jwks()).unwrap(),
            "impliedScopes": {"mcp.admin": ["mcp.tools.write"], "mcp.tools.write": ["mcp.tools.read"]}})).unwrap();
        let token = mint(&keys().main, &with(&v2_user_claims(), json!({"scp": "mcp.admin"})));
        for needed in ["mcp.admin", "mcp.tools.write", "mcp.tools.read"] {
            let call = Requirements { scopes: vec![needed.into()], ..Default::default() };
            assert!(v.validate(&token, NOW, &call).is_ok(), "{needed} (transitively implied)");
        }
    }
    fn scope_not_implied_by_narrower_scope_fails() {
        let v = options_validator(json!({"tenantId": TENANT, "audience": API_CLIENT_ID, "jwks": serde_json::from_str::<serde_json::Value>(&default_jwks()).unwrap(),
            "impliedScopes": {"mcp.admin": ["mcp.tools.read"]}})).unwrap();
        let token = mint(&keys().main, &with(&v2_user_claims(), json!({"scp": "mcp.tools.read"})));
        let call = Requirements { scopes: vec!["mcp.admin".into()], ..Default::default() };
        let e = expect_code(v.validate(&token, NOW, &call), "insufficient_scope");
        // The message lists the token's own scopes, not the expanded set.
        assert!(e.to_string().contains("has [\"mcp.tools.read\"]"), "{e}");
    }
    fn role_implied_by_broader_role_ok() {
        let v = options_validator(json!({"tenantId": TENANT, "audience": API_APP_ID_URI, "jwks": serde_json::from_str::<serde_json::Value>(&default_jwks()).unwrap(),
            "impliedRoles": {"Tools.ReadWrite.All": ["Tools.Read.All"]}})).unwrap();
        let token = mint(&keys().main, &v1_app_claims());
        let call = Requirements { roles: vec!["Tools.Read.All".into()], ..Default::default() };
        assert!(v.validate(&token, NOW, &call).is_ok());
        let other = Requirements { roles: vec!["Other.All".into()], ..Default::default() };
        expect_code(v.validate(&token, NOW, &other), "insufficient_role");
    }
    fn implied_scopes_option_must_be_an_object_of_name_lists_fails() {
        for bad in [json!([]), json!({"a": "b"}), json!({"a": ["b c"]}), json!({"a b": ["c"]}), json!({"a": [1]})] {
            let e = options_validator(json!({"tenantId": TENANT, "audience": API_CLIENT_ID, "impliedScopes": bad})).unwrap_err();
            assert_eq!((e.code().as_str(), e.claim()), ("config_invalid", Some("impliedScopes")), "{e}");
        }
    }
}

both! {
    /// What the wasm boundary sends (`to_json_text`) has the payload's own text as `claims` (here pretty
    /// printed, members in the issuer's order) and otherwise the same members and values as `to_json`.
    fn result_text_carries_the_payload_as_signed_ok() {
        let payload = serde_json::to_string_pretty(&v2_user_claims()).unwrap();
        let header = b64json(&json!({"typ": "JWT", "alg": "RS256", "kid": keys().main.kid}));
        let token = mint_raw(&keys().main, &header, &entra_guard::base64url::encode(payload.as_bytes()));
        let result = check(&validator(), &token).unwrap();
        assert_eq!(&*result.claims_json, payload);
        let text = result.to_json_text();
        assert!(text.starts_with(&format!("{{\"claims\":{payload},")), "{text}");
        let sent: serde_json::Value = serde_json::from_str(&text).unwrap();
        let tree: serde_json::Value = serde_json::from_str(&result.to_json().to_json_string()).unwrap();
        assert_eq!(sent, tree);
    }
}
