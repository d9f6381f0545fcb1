// entra-guard/testing's Entra stand-in with the REAL @azure/msal-node, configured as in production (authority
// https://login.microsoftonline.com/{tenant}) with only `system.networkClient: issuer.msalNetworkClient` added:
// client credentials (secret and certificate), on-behalf-of, device code, MSAL's view of Entra's errors, and
// fault injection (Entra down, connection resets, a failing JWKS).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ConfidentialClientApplication, InteractionRequiredAuthError, PublicClientApplication } from '@azure/msal-node';
import { createRemoteJwks, EntraValidator } from 'entra-guard';
import { ENTRA_ERRORS, decodeToken } from 'entra-guard/testing';
import {
  ALICE, API, API_URI, DAEMON, DAEMON_SECRET, LOGIN, MIDDLE, MIDDLE_SECRET, PUBLIC, TENANT, V1_API_URI,
  assertEntraError, certificate, closeAll, post, start, validatorFor,
} from './testing-entra-helpers.test.mjs';

after(closeAll);
const issuer = await start({ deviceCode: { interval: 0.05 } });
const msal = (auth, i = issuer) => ({ auth: { authority: i.authority, ...auth }, system: { networkClient: i.msalNetworkClient } });

test('the MSAL network client routes MSAL\'s real URLs and answers as MSAL\'s HttpClient', async () => {
  assert.equal(issuer.authority, `${LOGIN}/${TENANT}`);
  const get = await issuer.msalNetworkClient.sendGetRequestAsync(`${LOGIN}/${TENANT}/v2.0/.well-known/openid-configuration`, { headers: {} });
  assert.equal(get.status, 200);
  assert.equal(get.body.issuer, `${LOGIN}/${TENANT}/v2.0`);
  assert.equal(get.headers['content-type'], 'application/json; charset=utf-8');
  const postBody = new URLSearchParams({ grant_type: 'client_credentials', client_id: DAEMON, client_secret: 'wrong', scope: `${API_URI}/.default` }).toString();
  const res = await issuer.msalNetworkClient.sendPostRequestAsync(`${LOGIN}/${TENANT}/oauth2/v2.0/token`, { headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: postBody });
  assert.equal(res.status, 401);
  assert.equal(res.body.error_codes[0], ENTRA_ERRORS.INVALID_CLIENT_SECRET.code);
});

test('ConfidentialClientApplication.acquireTokenByClientCredential with a secret: one request, then the cache', async () => {
  const before = issuer.requestCount();
  const cca = new ConfidentialClientApplication(msal({ clientId: DAEMON, clientSecret: DAEMON_SECRET }));
  const r = await cca.acquireTokenByClientCredential({ scopes: [`${API_URI}/.default`] });
  assert.equal(issuer.requestCount() - before, 1, 'MSAL knows the public cloud: no discovery, just the token POST');
  assert.equal(r.tokenType, 'Bearer');
  assert.equal(r.fromCache, false);
  const { validator } = await validatorFor(issuer);
  const who = validator.validate(r.accessToken, { requiredRoles: ['Tools.Read.All'] });
  assert.equal(who.clientId, DAEMON);
  assert.equal(who.claims.azpacr, '1');
  assert.equal((await cca.acquireTokenByClientCredential({ scopes: [`${API_URI}/.default`] })).fromCache, true);
});

test('acquireTokenByClientCredential with a certificate (SHA-256 thumbprint, PS256; SHA-1, RS256): azpacr 2', async () => {
  for (const clientCertificate of [
    { thumbprintSha256: certificate.thumbprintSha256, privateKey: certificate.privateKey },
    { thumbprint: certificate.thumbprint, privateKey: certificate.privateKey },
  ]) {
    const cca = new ConfidentialClientApplication(msal({ clientId: DAEMON, clientCertificate }));
    const r = await cca.acquireTokenByClientCredential({ scopes: [`${V1_API_URI}/.default`] });
    const { claims } = decodeToken(r.accessToken);
    assert.equal(claims.ver, '1.0');
    assert.equal(claims.appidacr, '2');
    assert.equal(claims.aud, V1_API_URI);
  }
});

test('MSAL surfaces Entra\'s errors: wrong secret (7000215), AADSTS1002012, unknown client (700016)', async () => {
  const wrong = new ConfidentialClientApplication(msal({ clientId: DAEMON, clientSecret: 'not-it' }));
  await assert.rejects(wrong.acquireTokenByClientCredential({ scopes: [`${API_URI}/.default`] }),
    (e) => e.name === 'ServerError' && e.errorCode === 'invalid_client' && String(e.errorNo) === String(ENTRA_ERRORS.INVALID_CLIENT_SECRET.code) && /AADSTS7000215: Invalid client secret provided/.test(e.errorMessage));
  const cca = new ConfidentialClientApplication(msal({ clientId: DAEMON, clientSecret: DAEMON_SECRET }));
  await assert.rejects(cca.acquireTokenByClientCredential({ scopes: [`${API_URI}/mcp.tools`] }), (e) => e.errorCode === 'invalid_scope' && /AADSTS1002012/.test(e.errorMessage));
  const unknown = new ConfidentialClientApplication(msal({ clientId: '2a1b3c4d-0000-4000-8000-0000000000ff', clientSecret: 'x' }));
  await assert.rejects(unknown.acquireTokenByClientCredential({ scopes: [`${API_URI}/.default`] }),
    (e) => e.errorCode === 'unauthorized_client' && String(e.errorNo) === String(ENTRA_ERRORS.APPLICATION_NOT_FOUND.code));
});

test('PublicClientApplication.acquireTokenByDeviceCode: pending polls until approved; an account from client_info', async () => {
  const pca = new PublicClientApplication(msal({ clientId: PUBLIC }));
  let seen;
  const pending = pca.acquireTokenByDeviceCode({
    scopes: [`api://${MIDDLE}/access_as_user`],
    deviceCodeCallback: (response) => {
      seen = response;
      setTimeout(() => issuer.approveDeviceCode(response.userCode, { user: ALICE.userPrincipalName }), 200);
    },
  });
  const r = await pending;
  assert.match(seen.message, /https:\/\/microsoft\.com\/devicelogin/);
  assert.ok(issuer.requests[`/${TENANT}/oauth2/v2.0/token`] >= 2, 'polled while pending');
  assert.equal(r.account.username, ALICE.userPrincipalName);
  assert.equal(r.account.homeAccountId, `${ALICE.objectId}.${TENANT}`);
  assert.equal(r.account.tenantId, TENANT);
  assert.equal(r.idTokenClaims.aud, PUBLIC);
  const { claims } = decodeToken(r.accessToken);
  assert.equal(claims.aud, MIDDLE);
  assert.equal(claims.scp, 'access_as_user');
  assert.equal(claims.azpacr, '0');
  // The cached account refreshes silently (refresh_token grant).
  const silent = await pca.acquireTokenSilent({ account: r.account, scopes: [`api://${MIDDLE}/access_as_user`], forceRefresh: true });
  assert.equal(decodeToken(silent.accessToken).claims.oid, ALICE.objectId);
});

test('ConfidentialClientApplication.acquireTokenOnBehalfOf: Graph and the MCP API; 65001 as InteractionRequiredAuthError; app-only refused', async () => {
  const auto = await start({ deviceCode: { interval: 0, autoApproveAfter: 0 } });
  const user = await new PublicClientApplication(msal({ clientId: PUBLIC }, auto)).acquireTokenByDeviceCode({ scopes: [`api://${MIDDLE}/access_as_user`], deviceCodeCallback: () => {} });
  const middle = new ConfidentialClientApplication(msal({ clientId: MIDDLE, clientSecret: MIDDLE_SECRET }, auto));
  const graph = await middle.acquireTokenOnBehalfOf({ oboAssertion: user.accessToken, scopes: ['https://graph.microsoft.com/.default'] });
  const me = await auto.fetch('https://graph.microsoft.com/v1.0/me', { headers: { authorization: `Bearer ${graph.accessToken}` } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).userPrincipalName, user.account.username);
  const api = await middle.acquireTokenOnBehalfOf({ oboAssertion: user.accessToken, scopes: [`${API_URI}/.default`] });
  const { validator } = await validatorFor(auto);
  assert.equal(validator.validate(api.accessToken, { requiredScopes: ['mcp.tools'] }).clientId, MIDDLE);
  // Same assertion and scopes: MSAL's OBO cache.
  assert.equal((await middle.acquireTokenOnBehalfOf({ oboAssertion: user.accessToken, scopes: [`${API_URI}/.default`] })).fromCache, true);
  // No grant for the v1 API: Entra's 65001 + suberror consent_required, which MSAL turns into InteractionRequiredAuthError.
  await assert.rejects(middle.acquireTokenOnBehalfOf({ oboAssertion: user.accessToken, scopes: [`${V1_API_URI}/user_impersonation`] }),
    (e) => e instanceof InteractionRequiredAuthError && e.errorCode === 'invalid_grant' && String(e.errorNo) === '65001' && e.subError === 'consent_required');
  const appOnly = auto.mint({ type: 'app', audience: MIDDLE, tenantId: TENANT, clientId: DAEMON });
  await assert.rejects(middle.acquireTokenOnBehalfOf({ oboAssertion: appOnly, scopes: ['https://graph.microsoft.com/.default'] }),
    (e) => e.errorCode === 'unauthorized_client' && String(e.errorNo) === String(ENTRA_ERRORS.APP_ONLY_OBO_NOT_ALLOWED.code));
});

test('fault injection: Entra down (503), connection resets, failNext on one path, a delayed answer', async () => {
  const faulty = await start();
  const body = { grant_type: 'client_credentials', client_id: DAEMON, client_secret: DAEMON_SECRET, scope: `${API_URI}/.default` };
  faulty.down = true;
  const down = await post(faulty, body);
  assertEntraError(down, 'TEMPORARILY_UNAVAILABLE', 'The service is temporarily unavailable.');
  assert.equal(down.res.status, 503);
  assert.equal((await faulty.fetch(`${LOGIN}/${TENANT}/discovery/v2.0/keys`)).status, 503);
  faulty.down = 'reset';
  await assert.rejects(post(faulty, body), /fetch failed/);
  const cca = new ConfidentialClientApplication(msal({ clientId: DAEMON, clientSecret: DAEMON_SECRET }, faulty));
  await assert.rejects(cca.acquireTokenByClientCredential({ scopes: [`${API_URI}/.default`] }), (e) => e.errorCode === 'network_error');
  faulty.down = false;
  assert.equal((await post(faulty, body)).res.status, 200);

  faulty.failNext({ path: '/oauth2/v2.0/token', status: 500, times: 2 });
  assertEntraError(await post(faulty, body), 'SERVICE_ERROR');
  assert.equal((await faulty.fetch(`${LOGIN}/${TENANT}/discovery/v2.0/keys`)).status, 200, 'other paths unaffected');
  assertEntraError(await post(faulty, body), 'SERVICE_ERROR');
  assert.equal((await post(faulty, body)).res.status, 200, 'times: 2, then healthy');
  faulty.failNext({ path: '/oauth2/v2.0/token', status: 429 });
  assertEntraError(await post(faulty, body), 'THROTTLED');
  faulty.failNext({ path: '/oauth2/v2.0/token', status: 503, body: { custom: true } });
  assert.deepEqual((await post(faulty, body)).body, { custom: true });
  faulty.failNext({ path: '/v1.0/me', status: 503 });
  const me = await faulty.fetch('https://graph.microsoft.com/v1.0/me');
  assert.equal(me.status, 503);
  assert.equal((await me.json()).error.code, 'ServiceUnavailable');
  faulty.failNext({ path: '/oauth2/v2.0/token', delay: 300 });
  const t0 = Date.now();
  assert.equal((await post(faulty, body)).res.status, 200);
  assert.ok(Date.now() - t0 >= 280, 'delayed');
  // A GET's timeout, as MSAL passes it, aborts a slow answer.
  faulty.failNext({ path: '/v2.0/.well-known/', delay: 500 });
  await assert.rejects(faulty.msalNetworkClient.sendGetRequestAsync(`${LOGIN}/${TENANT}/v2.0/.well-known/openid-configuration`, {}, 50), /Request timeout/);
  faulty.failNext({ path: '/token', status: 503, times: 5 });
  faulty.clearFaults();
  assert.equal((await post(faulty, body)).res.status, 200, 'clearFaults drops queued faults');
  assert.throws(() => { faulty.down = 'maybe'; }, TypeError);
  assert.throws(() => faulty.failNext({ path: '/token' }), TypeError);
});

test('a JWKS outage: the remote JWKS keeps its keys and reports the failure', async () => {
  const faulty = await start();
  const validator = new EntraValidator({ tenantId: TENANT, audience: [API, API_URI] });
  const remote = createRemoteJwks({ tenantId: TENANT, fetch: faulty.fetch, cooldown: 0 }).attach(validator);
  await remote.ready();
  const token = (await post(faulty, { grant_type: 'client_credentials', client_id: DAEMON, client_secret: DAEMON_SECRET, scope: `${API_URI}/.default` })).body.access_token;
  faulty.failNext({ path: '/discovery/v2.0/keys', status: 'reset' });
  faulty.rotate();
  assert.equal(await remote.refreshForUnknownKey(), false);
  assert.match(String(remote.lastError?.message), /fetch|network|reset|socket/i);
  assert.equal(validator.validate(token).clientId, DAEMON, 'old keys still work');
  assert.equal(await remote.refreshForUnknownKey(), true, 'the rotated key set arrives once Entra answers again');
  const fresh = (await post(faulty, { grant_type: 'client_credentials', client_id: DAEMON, client_secret: DAEMON_SECRET, scope: `${API_URI}/.default` })).body.access_token;
  assert.equal(decodeToken(fresh).header.kid, faulty.signingKid);
  assert.equal(validator.validate(fresh).clientId, DAEMON);
});
