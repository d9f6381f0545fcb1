// entra-guard/testing's Entra stand-in: the user flows over HTTP. Authorization code with PKCE (and its
// errors), refresh tokens, on-behalf-of (and its errors), the device code flow, consent, Graph's /v1.0/me,
// and the MCP SDK clients' (v1 and v2) own OAuth functions against it through the routing fetch.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { EntraTokenError } from 'entra-guard';
import { decodeToken } from 'entra-guard/testing';
import * as sdkV1 from '@modelcontextprotocol/sdk/client/auth.js';
import * as sdkV2 from '@modelcontextprotocol/client';
import {
  ALICE, API, API_URI, BOB, DAEMON, DAEMON_SECRET, LOGIN, MIDDLE, MIDDLE_SECRET, PUBLIC, REDIRECT, TENANT, V1_API_URI, WEB, WEB_SECRET,
  assertEntraError, closeAll, pkce, post, start, validatorFor,
} from './testing-entra-helpers.test.mjs';

after(closeAll);
const issuer = await start();
const AUTHORIZE = `${LOGIN}/${TENANT}/oauth2/v2.0/authorize`;

/** An authorization URL for the public client, with PKCE. */
function authorizeUrl(params = {}) {
  const { verifier, challenge } = pkce();
  const url = new URL(AUTHORIZE);
  const all = { client_id: PUBLIC, response_type: 'code', redirect_uri: REDIRECT, scope: `${API_URI}/mcp.tools openid profile offline_access`, state: 'st-1', code_challenge: challenge, code_challenge_method: 'S256', ...params };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v);
  return { url: url.href, verifier };
}
/** Signs in and returns the redirect's query. */
async function signIn(params, options) {
  const { url, verifier } = authorizeUrl(params);
  const location = new URL(await issuer.authorize(url, options));
  return { q: location.searchParams, location, verifier };
}
const redeem = (code, verifier, extra = {}) => post(issuer, { grant_type: 'authorization_code', client_id: PUBLIC, code, code_verifier: verifier, redirect_uri: REDIRECT, ...extra });

test('authorization code with PKCE: redirect, then Entra\'s token response with refresh, ID token and client_info', async () => {
  const { q, location, verifier } = await signIn({ client_info: '1' });
  assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
  assert.equal(q.get('state'), 'st-1');
  assert.match(q.get('code'), /^1\.A/);
  assert.match(q.get('session_state'), /^[0-9a-f-]{36}$/);
  assert.deepEqual(JSON.parse(Buffer.from(q.get('client_info'), 'base64url')), { uid: ALICE.objectId, utid: TENANT });

  const { res, body } = await redeem(q.get('code'), verifier, { client_info: '1' });
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.deepEqual(Object.keys(body), ['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token', 'refresh_token', 'id_token', 'client_info']);
  assert.equal(body.scope, `${API_URI}/mcp.tools`);
  const { claims } = decodeToken(body.access_token);
  assert.equal(claims.aud, API);
  assert.equal(claims.azp, PUBLIC);
  assert.equal(claims.azpacr, '0', 'public client');
  assert.equal(claims.scp, 'mcp.tools');
  assert.equal(claims.oid, ALICE.objectId);
  assert.equal(claims.preferred_username, ALICE.userPrincipalName);
  assert.ok(!('idtyp' in claims) && !('roles' in claims));
  const id = decodeToken(body.id_token).claims;
  assert.equal(id.aud, PUBLIC);
  assert.equal(id.iss, `${LOGIN}/${TENANT}/v2.0`);
  assert.equal(id.oid, ALICE.objectId);
  assert.equal(id.sub, claims.sub, 'pairwise sub for the same client');

  const { validator } = await validatorFor(issuer);
  const who = validator.validate(body.access_token, { requiredScopes: ['mcp.tools'] });
  assert.equal(who.isAppOnly, false);
  assert.equal(who.objectId, ALICE.objectId);
});

test('login_hint (authorize({ user })) signs in another user; nonce reaches the ID token; fragment mode', async () => {
  const { q, verifier } = await signIn({ nonce: 'n-0S6_WzA2Mj' }, { user: BOB.userPrincipalName });
  const { body } = await redeem(q.get('code'), verifier);
  assert.equal(decodeToken(body.access_token).claims.oid, BOB.objectId);
  assert.equal(decodeToken(body.id_token).claims.nonce, 'n-0S6_WzA2Mj');
  const fragment = new URL(await issuer.authorize(authorizeUrl({ response_mode: 'fragment' }).url));
  assert.equal(fragment.search, '');
  assert.ok(new URLSearchParams(fragment.hash.slice(1)).get('code'));
  await assert.rejects(issuer.authorize(authorizeUrl().url, { user: 'nobody@contoso.example' }), (e) => e.status === 400 && e.body.error_codes[0] === 50034);
});

test('a loopback redirect URI matches with any port, as Entra allows native apps', async () => {
  const { q, verifier } = await signIn({ redirect_uri: 'http://127.0.0.1:53682/callback' });
  assert.equal((await redeem(q.get('code'), verifier, { redirect_uri: 'http://127.0.0.1:53682/callback' })).res.status, 200);
});

test('PKCE errors: wrong or missing verifier (AADSTS50148), no challenge for a public client (AADSTS9002325)', async () => {
  const a = await signIn();
  assertEntraError(await redeem(a.q.get('code'), 'x'.repeat(43)), 'PKCE_MISMATCH', 'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.');
  const b = await signIn();
  assertEntraError(await redeem(b.q.get('code'), undefined), 'PKCE_MISMATCH');
  const c = await signIn({ code_challenge: undefined, code_challenge_method: undefined });
  assertEntraError(await redeem(c.q.get('code'), undefined), 'PKCE_REQUIRED', 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.');
  const d = await signIn({ code_challenge_method: 'S512' });
  assert.equal(d.q.get('error'), 'invalid_request');
  assert.match(d.q.get('error_description'), /^AADSTS50149: /);
});

test('code errors: redeemed twice (AADSTS54005), unknown (AADSTS70000), other redirect_uri, other client', async () => {
  const { q, verifier } = await signIn();
  assert.equal((await redeem(q.get('code'), verifier)).res.status, 200);
  assertEntraError(await redeem(q.get('code'), verifier), 'CODE_ALREADY_REDEEMED');
  assertEntraError(await redeem('1.Anot-a-code', verifier), 'INVALID_GRANT');
  const b = await signIn();
  assertEntraError(await redeem(b.q.get('code'), b.verifier, { redirect_uri: 'http://127.0.0.1/other' }), 'REPLY_ADDRESS_MISMATCH',
    `The reply address 'http://127.0.0.1/other' does not match the reply address '${REDIRECT}' provided when requesting Authorization code.`);
  assertEntraError(await redeem(b.q.get('code'), b.verifier, { client_id: WEB, client_secret: WEB_SECRET }), 'INVALID_GRANT');
  assertEntraError(await redeem(b.q.get('code'), b.verifier, { redirect_uri: undefined }), 'MISSING_PARAMETER', "The request body must contain the following parameter: 'redirect_uri'.");
});

test('authorize errors: error pages for unknown clients and redirect URIs; redirects for scope, resource and response_type', async () => {
  await assert.rejects(issuer.authorize(authorizeUrl({ client_id: '2a1b3c4d-0000-4000-8000-0000000000ff' }).url), (e) => e.status === 400 && e.body.error_codes[0] === 700016);
  await assert.rejects(issuer.authorize(authorizeUrl({ redirect_uri: 'https://evil.example/cb' }).url),
    (e) => e.status === 400 && e.body.error === 'invalid_request' && /^AADSTS50011: The redirect URI 'https:\/\/evil\.example\/cb' specified in the request does not match/.test(e.body.error_description));
  await assert.rejects(issuer.authorize(authorizeUrl({ redirect_uri: undefined }).url), (e) => e.body.error_codes[0] === 900971);
  const bad = async (params, error, code) => {
    const { q } = await signIn(params);
    assert.equal(q.get('error'), error, JSON.stringify(Object.fromEntries(q)));
    assert.ok(q.get('error_description').startsWith(`AADSTS${code}: `), q.get('error_description'));
    assert.ok(!q.get('error_description').includes('Trace ID'));
    assert.equal(q.get('state'), 'st-1');
    assert.equal(q.get('code'), null);
  };
  await bad({ resource: 'http://127.0.0.1:3000/mcp' }, 'invalid_target', 9010010);
  await bad({ scope: `${API_URI}/mcp.nothing` }, 'invalid_client', 650053);
  await bad({ scope: 'api://nowhere.example/x' }, 'invalid_resource', 500011);
  await bad({ scope: undefined }, 'invalid_request', 900144);
  await bad({ response_type: 'token' }, 'unsupported_response_type', 70005);
  // The MCP SDK sends resource = the App ID URI when the PRM says so: fine.
  const ok = await signIn({ resource: API_URI });
  assert.ok(ok.q.get('code'));
});

test('refresh tokens: a new refresh token each time (the old one stays valid, as Entra), another consented resource, errors', async () => {
  const { q, verifier } = await signIn();
  const first = (await redeem(q.get('code'), verifier)).body;
  const refresh = (rt, extra = {}) => post(issuer, { grant_type: 'refresh_token', client_id: PUBLIC, refresh_token: rt, ...extra });
  const second = await refresh(first.refresh_token);
  assert.equal(second.res.status, 200, JSON.stringify(second.body));
  assert.notEqual(second.body.refresh_token, first.refresh_token);
  assert.equal(decodeToken(second.body.access_token).claims.scp, 'mcp.tools');
  assert.equal((await refresh(first.refresh_token)).res.status, 200, 'Entra does not revoke a used refresh token');
  // "Refresh tokens are valid for all permissions that your client has already received consent for."
  const graph = await refresh(second.body.refresh_token, { scope: 'User.Read' });
  assertEntraError(graph, 'CONSENT_REQUIRED');
  assertEntraError(await refresh('1.Agarbage'), 'INVALID_GRANT', "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.");
  assertEntraError(await refresh(first.refresh_token, { client_id: WEB, client_secret: WEB_SECRET }), 'INVALID_GRANT');
  assertEntraError(await refresh(first.refresh_token, { resource: 'http://127.0.0.1:3000/mcp' }), 'RESOURCE_SCOPE_MISMATCH');
  // A token request naming two resources: AADSTS28000, as Entra answers code redemptions asking for two.
  assertEntraError(await refresh(first.refresh_token, { scope: `${API_URI}/mcp.tools https://graph.microsoft.com/User.Read offline_access` }), 'MULTIPLE_RESOURCES',
    `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${API_URI}/mcp.tools https://graph.microsoft.com/User.Read offline_access is not valid.`);
  // No refresh token without offline_access.
  const noOffline = await signIn({ scope: `${API_URI}/mcp.tools` });
  const body = (await redeem(noOffline.q.get('code'), noOffline.verifier)).body;
  assert.deepEqual(Object.keys(body), ['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token']);
});

test('consent: with userConsent false the client\'s grants are needed (consent_required, AADSTS65001)', async () => {
  const strict = await start({ userConsent: false });
  const { url } = authorizeUrl();
  const q = new URL(await strict.authorize(url)).searchParams;
  assert.equal(q.get('error'), 'consent_required');
  assert.ok(q.get('error_description').startsWith(`AADSTS65001: The user or administrator has not consented to use the application with ID '${PUBLIC}' named 'MCP client'.`));
  // The middle tier has a grant for mcp.tools: a web sign-in works without the user consenting.
  const { verifier, challenge } = pkce();
  const web = await start({
    userConsent: false,
    apps: [
      { clientId: API, identifierUris: [API_URI], scopes: ['mcp.tools'] },
      { clientId: WEB, clientSecret: WEB_SECRET, redirectUris: ['https://app.contoso.example/auth'], grants: [{ resource: API, scopes: ['mcp.tools'] }] },
    ],
  });
  const u = new URL(AUTHORIZE);
  for (const [k, v] of Object.entries({ client_id: WEB, response_type: 'code', redirect_uri: 'https://app.contoso.example/auth', scope: `${API_URI}/.default`, code_challenge: challenge, code_challenge_method: 'S256' })) u.searchParams.set(k, v);
  const code = new URL(await web.authorize(u)).searchParams.get('code');
  const r = await post(web, { grant_type: 'authorization_code', client_id: WEB, client_secret: WEB_SECRET, code, code_verifier: verifier, redirect_uri: 'https://app.contoso.example/auth' });
  assert.equal(r.res.status, 200, JSON.stringify(r.body));
  assert.equal(decodeToken(r.body.access_token).claims.azpacr, '1');
  assert.equal(decodeToken(r.body.access_token).claims.scp, 'mcp.tools');
});

/** A user's token for the middle tier (its client: the public client, consenting). */
async function middleTierToken(user) {
  const { q, verifier } = await signIn({ scope: `api://${MIDDLE}/access_as_user` }, { user });
  return (await redeem(q.get('code'), verifier)).body.access_token;
}
const obo = (assertion, extra = {}) => post(issuer, {
  grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', client_id: MIDDLE, client_secret: MIDDLE_SECRET,
  assertion, scope: 'https://graph.microsoft.com/User.Read offline_access', requested_token_use: 'on_behalf_of', ...extra,
});

test('on-behalf-of: the middle tier exchanges the user\'s token for Graph and for the MCP API; Graph /v1.0/me answers', async () => {
  const assertion = await middleTierToken(ALICE.userPrincipalName);
  const { res, body } = await obo(assertion);
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.deepEqual(Object.keys(body), ['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token', 'refresh_token']);
  assert.equal(body.scope, 'https://graph.microsoft.com/User.Read');
  const { header, claims } = decodeToken(body.access_token);
  assert.ok(header.nonce, 'Graph tokens carry a header nonce');
  assert.equal(claims.aud, 'https://graph.microsoft.com');
  assert.equal(claims.appid, MIDDLE);
  assert.equal(claims.scp, 'User.Read');
  assert.equal(claims.upn, ALICE.userPrincipalName);
  assert.equal(claims.idtyp, 'user');

  const me = await issuer.fetch('https://graph.microsoft.com/v1.0/me', { headers: { authorization: `Bearer ${body.access_token}` } });
  assert.equal(me.status, 200);
  const profile = await me.json();
  assert.equal(profile.id, ALICE.objectId);
  assert.equal(profile.displayName, ALICE.displayName);
  assert.equal(profile.userPrincipalName, ALICE.userPrincipalName);
  assert.equal(profile.mail, ALICE.mail);
  assert.equal(profile['@odata.context'], 'https://graph.microsoft.com/v1.0/$metadata#users/$entity');

  // Downstream the MCP API, v2: aud the API's client id, azp the middle tier.
  const api = await obo(assertion, { scope: `${API_URI}/.default` });
  assert.equal(api.res.status, 200, JSON.stringify(api.body));
  const { validator } = await validatorFor(issuer);
  const who = validator.validate(api.body.access_token, { requiredScopes: ['mcp.tools'] });
  assert.equal(who.clientId, MIDDLE);
  assert.equal(who.objectId, ALICE.objectId);
  assert.equal(who.claims.azpacr, '1');
});

test('on-behalf-of errors: app-only assertion (AADSTS7000114), wrong audience (500131), foreign or expired assertion, no consent (65001)', async () => {
  const appOnly = issuer.mint({ type: 'app', audience: MIDDLE, clientId: DAEMON, tenantId: TENANT });
  assertEntraError(await obo(appOnly), 'APP_ONLY_OBO_NOT_ALLOWED', `Application '${MIDDLE}' is not allowed to make application on-behalf-of calls.`);
  const forApi = (await post(issuer, { grant_type: 'client_credentials', client_id: DAEMON, client_secret: DAEMON_SECRET, scope: `${API_URI}/.default` })).body.access_token;
  assertEntraError(await obo(forApi), 'ASSERTION_AUDIENCE_MISMATCH', new RegExp(`^Assertion audience does not match the Client app presenting the assertion\\. The audience in the assertion was '${API}' and the expected audience is '${MIDDLE}'`));
  const foreign = await start();
  assertEntraError(await obo(foreign.mint({ audience: MIDDLE, tenantId: TENANT })), 'INVALID_ASSERTION', /^Assertion failed signature validation\. \[Reason - The key was not found\./);
  assertEntraError(await obo(issuer.mint({ audience: MIDDLE, tenantId: TENANT, expiresIn: -3600 })), 'ASSERTION_EXPIRED', /^Assertion is not within its valid time range\./);
  assertEntraError(await obo(issuer.mint({ audience: MIDDLE, tenantId: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a' })), 'INVALID_ASSERTION');
  assertEntraError(await obo('garbage'), 'MALFORMED_JWT');
  // A user token minted by the issuer works as an assertion too (mint() for the middle tier).
  assert.equal((await obo(issuer.mint({ audience: MIDDLE, tenantId: TENANT, objectId: BOB.objectId }))).res.status, 200);
  // No grant from the middle tier to the v1 API: consent required, with Entra's suberror.
  const r = await obo(await middleTierToken(), { scope: `${V1_API_URI}/user_impersonation` });
  assertEntraError(r, 'CONSENT_REQUIRED', `The user or administrator has not consented to use the application with ID '${MIDDLE}' named 'Middle tier'. Send an interactive authorization request for this user and resource.`);
  assert.equal(r.body.suberror, 'consent_required');
  assertEntraError(await obo(await middleTierToken(), { requested_token_use: undefined }), 'MISSING_PARAMETER', "The request body must contain the following parameter: 'requested_token_use'.");
  assertEntraError(await obo(await middleTierToken(), { client_secret: undefined }), 'CREDENTIAL_REQUIRED');
});

test('Graph /v1.0/me refuses what Graph refuses, with Graph\'s error JSON', async () => {
  const me = (token) => issuer.fetch('https://graph.microsoft.com/v1.0/me', token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const check = async (res, status, code, message) => {
    assert.equal(res.status, status);
    const body = await res.json();
    assert.deepEqual(Object.keys(body), ['error']);
    assert.equal(body.error.code, code);
    if (message) assert.match(body.error.message, message);
    assert.ok(body.error.innerError['request-id']);
  };
  await check(await me(), 401, 'InvalidAuthenticationToken', /^Access token is empty\.$/);
  // A token for the MCP API, not Graph.
  await check(await me(issuer.mint({ tenantId: TENANT })), 401, 'InvalidAuthenticationToken', /Invalid audience/);
  const foreign = await start();
  await check(await me(foreign.mint({ audience: 'https://graph.microsoft.com', version: '1.0', tenantId: TENANT })), 401, 'InvalidAuthenticationToken', /Invalid signature/);
  await check(await me(issuer.mint({ audience: 'https://graph.microsoft.com', version: '1.0', tenantId: TENANT, scopes: ['User.Read'], expiresIn: -10 })), 401, 'InvalidAuthenticationToken', /expired/);
  await check(await me(issuer.mint({ audience: 'https://graph.microsoft.com', version: '1.0', tenantId: TENANT, scopes: ['Mail.Read'] })), 403, 'Authorization_RequestDenied');
  const appOnly = (await post(issuer, { grant_type: 'client_credentials', client_id: DAEMON, client_secret: DAEMON_SECRET, scope: 'https://graph.microsoft.com/.default' })).body.access_token;
  await check(await me(appOnly), 400, 'BadRequest', /only valid with delegated authentication flow/);
  // Graph's appId as aud (a bare `User.Read` scope) is Graph too.
  const ok = await me(issuer.mint({ audience: '00000003-0000-0000-c000-000000000000', version: '2.0', tenantId: TENANT, scopes: ['User.Read'], objectId: BOB.objectId }));
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).id, BOB.objectId);
});

test('device code over HTTP: authorization_pending (AADSTS70016) until approveDeviceCode, then tokens; errors', async () => {
  const { res, body } = await post(issuer, { client_id: PUBLIC, scope: `${API_URI}/mcp.tools openid offline_access` }, { url: `${LOGIN}/${TENANT}/oauth2/v2.0/devicecode` });
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.deepEqual(Object.keys(body), ['user_code', 'device_code', 'verification_uri', 'expires_in', 'interval', 'message']);
  assert.equal(body.verification_uri, 'https://microsoft.com/devicelogin');
  assert.equal(body.expires_in, 900);
  assert.equal(body.interval, 5);
  assert.match(body.user_code, /^[A-Z0-9]{9}$/);
  assert.equal(body.message, `To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ${body.user_code} to authenticate.`);
  const poll = (grantType = 'urn:ietf:params:oauth:grant-type:device_code', code = body.device_code) => post(issuer, { grant_type: grantType, client_id: PUBLIC, device_code: code });
  assertEntraError(await poll(), 'AUTHORIZATION_PENDING', 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
  assertEntraError(await poll('device_code'), 'AUTHORIZATION_PENDING'); // MSAL's grant_type
  assert.equal(issuer.approveDeviceCode('NOT-A-CODE'), false);
  assert.equal(issuer.approveDeviceCode(body.user_code, { user: BOB.objectId }), true);
  const done = await poll('device_code');
  assert.equal(done.res.status, 200, JSON.stringify(done.body));
  assert.equal(decodeToken(done.body.access_token).claims.oid, BOB.objectId);
  assert.ok(done.body.refresh_token && done.body.id_token);
  assertEntraError(await poll(), 'BAD_VERIFICATION_CODE');
  assertEntraError(await poll(undefined, 'DAQnope'), 'BAD_VERIFICATION_CODE');
  // Auto-approval after N pending answers; expiry.
  const auto = await start({ deviceCode: { autoApproveAfter: 1, expiresIn: 1, interval: 0 } });
  const dc = (await post(auto, { client_id: PUBLIC, scope: `${API_URI}/mcp.tools` }, { url: `${LOGIN}/${TENANT}/oauth2/v2.0/devicecode` })).body;
  assert.equal(dc.interval, 0);
  const autoPoll = () => post(auto, { grant_type: 'device_code', client_id: PUBLIC, device_code: dc.device_code });
  assertEntraError(await autoPoll(), 'AUTHORIZATION_PENDING');
  assert.equal((await autoPoll()).res.status, 200);
  const late = (await post(auto, { client_id: PUBLIC, scope: `${API_URI}/mcp.tools` }, { url: `${LOGIN}/${TENANT}/oauth2/v2.0/devicecode` })).body;
  await new Promise((r) => setTimeout(r, 2100));
  assertEntraError(await post(auto, { grant_type: 'device_code', client_id: PUBLIC, device_code: late.device_code }), 'DEVICE_CODE_EXPIRED');
});

test('the MCP SDK v1 and v2 OAuth functions run against the stand-in through the routing fetch', async () => {
  const asUrl = `${LOGIN}/${TENANT}/v2.0`;
  for (const [name, sdk] of [['v1', sdkV1], ['v2', sdkV2]]) {
    const before = issuer.requestCount(`/.well-known/`);
    const metadata = await sdk.discoverAuthorizationServerMetadata(asUrl, { fetchFn: issuer.fetch });
    assert.equal(metadata.issuer, asUrl, name);
    assert.equal(metadata.token_endpoint, `${LOGIN}/${TENANT}/oauth2/v2.0/token`);
    assert.equal(issuer.requestCount('/.well-known/') - before, 2, `${name}: RFC 8414 and OIDC path insertion tried first, both 404`);
    const clientInformation = { client_id: PUBLIC };
    const { authorizationUrl, codeVerifier } = await sdk.startAuthorization(asUrl, {
      metadata, clientInformation, redirectUrl: REDIRECT, scope: `${API_URI}/mcp.tools offline_access`, state: 's', resource: new URL(API_URI),
    });
    assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
    const code = new URL(await issuer.authorize(authorizationUrl)).searchParams.get('code');
    assert.ok(code, name);
    const tokens = await sdk.exchangeAuthorization(asUrl, { metadata, clientInformation, authorizationCode: code, codeVerifier, redirectUri: REDIRECT, resource: new URL(API_URI), fetchFn: issuer.fetch });
    assert.equal(decodeToken(tokens.access_token).claims.scp, 'mcp.tools', name);
    const refreshed = await sdk.refreshAuthorization(asUrl, { metadata, clientInformation, refreshToken: tokens.refresh_token, resource: new URL(API_URI), fetchFn: issuer.fetch });
    assert.ok(refreshed.access_token, name);
    // The MCP server URL as resource, as MCP clients send it by default: Entra's AADSTS9010010, surfacing as invalid_target.
    await assert.rejects(
      sdk.refreshAuthorization(asUrl, { metadata, clientInformation, refreshToken: tokens.refresh_token, resource: new URL('https://mcp.contoso.example/mcp'), fetchFn: issuer.fetch }),
      (e) => /AADSTS9010010/.test(e.message), name,
    );
  }
});

test('an expired token from the stand-in fails validation as expired (tokenLifetime)', async () => {
  const short = await start({ tokenLifetime: 2 });
  const { body } = await post(short, { grant_type: 'client_credentials', client_id: DAEMON, client_secret: DAEMON_SECRET, scope: `${API_URI}/.default` });
  assert.equal(body.expires_in, 1);
  const { validator } = await validatorFor(short);
  const { claims } = decodeToken(body.access_token);
  assert.equal(validator.validate(body.access_token).clientId, DAEMON);
  assert.throws(() => validator.validate(body.access_token, { now: claims.exp + 301 }), (e) => e instanceof EntraTokenError && e.code === 'token_expired');
});
