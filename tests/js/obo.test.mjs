// entra-guard/obo against the loopback Entra, through the real @azure/msal-node (its network client routed to
// loopback, its authority the real https://login.microsoftonline.com/{tenant}): the exchange, the cache per
// incoming token, one exchange in flight per key, app-only tokens refused before anything is sent, Entra's
// failures as OnBehalfOfError with the AADSTS code, configuration mistakes, and the incoming token in no
// message, cause or MSAL log line.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { EntraValidator, authenticate, createRemoteJwks, toAuthInfo } from 'entra-guard';
import { OnBehalfOfError, createOboCache, onBehalfOf } from 'entra-guard/obo';
import { MICROSOFT_GRAPH, createTestCertificate, createTestIssuer, decodeToken } from 'entra-guard/testing';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const API = '2a1b3c4d-0000-4000-8000-00000000b001';
const API_URI = 'https://mcp.contoso.example/mcp';
const API_SECRET = 'api~secret';
const LONELY = '2a1b3c4d-0000-4000-8000-00000000b002'; // an API without consent to Graph
const LONELY_SECRET = 'lonely~secret';
const V1_API = '2a1b3c4d-0000-4000-8000-00000000b003';
const V1_URI = 'https://legacy.contoso.example';
const V1_SECRET = 'legacy~secret';
const DAEMON = '2a1b3c4d-0000-4000-8000-00000000c001';
const ALICE = { objectId: 'a11ce000-0000-4000-8000-000000000001', displayName: 'Alice Example', userPrincipalName: 'alice@contoso.example', mail: 'alice@contoso.example' };
const BOB = { objectId: 'b0b00000-0000-4000-8000-000000000002', displayName: 'Bob Example', userPrincipalName: 'bob@contoso.example' };
const USER_READ = 'https://graph.microsoft.com/User.Read';
const TOKEN_PATH = `/${TENANT}/oauth2/v2.0/token`;

const certificate = createTestCertificate();
const entra = await createTestIssuer({
  tenantId: TENANT,
  users: [ALICE, BOB],
  tokenLifetime: 3600,
  apps: [
    {
      clientId: API, displayName: 'MCP server', identifierUris: [API_URI], scopes: ['mcp.tools'], appRoles: ['Tools.All'],
      clientSecret: API_SECRET, publicKey: certificate.certificate, grants: [{ resource: 'graph', scopes: ['User.Read'] }],
    },
    { clientId: LONELY, displayName: 'Lonely API', identifierUris: [`api://${LONELY}`], scopes: ['mcp.tools'], clientSecret: LONELY_SECRET },
    {
      clientId: V1_API, displayName: 'Legacy API', identifierUris: [V1_URI], scopes: ['user_impersonation'], accessTokenAcceptedVersion: 1,
      clientSecret: V1_SECRET, grants: [{ resource: 'graph', scopes: ['User.Read'] }],
    },
    { clientId: DAEMON, displayName: 'Daemon', clientSecret: 'daemon~secret', grants: [{ resource: API, roles: ['Tools.All'] }] },
  ],
});
after(() => entra.close());

const validator = new EntraValidator({ tenantId: TENANT, audience: [API, API_URI, LONELY, V1_URI] });
const jwks = createRemoteJwks({ tenantId: TENANT, fetch: entra.fetch }).attach(validator);
await jwks.ready();

/** What MSAL logs (verbose, PII off): checked for the incoming token. */
const msalLog = [];
/**
 * MSAL configuration: its network client routed to loopback, its log kept. Each object gets its own MSAL
 * application (and so its own throttling state: after a 429 or 5xx MSAL refuses the same request locally
 * for Retry-After, 60 s by default), so tests that break Entra use their own.
 */
const freshMsal = () => ({
  system: {
    networkClient: entra.msalNetworkClient,
    loggerOptions: { logLevel: 4, piiLoggingEnabled: false, loggerCallback: (_level, message) => msalLog.push(message) },
  },
});
const msal = freshMsal();

/** The AuthInfo the guard would hand a tool, for a user token minted for `audience`. */
async function userAuthInfo({ audience = API, version = '2.0', user = ALICE, ...claims } = {}) {
  const token = entra.mint({ audience, version, objectId: user.objectId, scopes: ['mcp.tools'], claims: { preferred_username: user.userPrincipalName, ...claims } });
  return toAuthInfo(token, await authenticate(validator, token, undefined, jwks));
}

const tokenRequests = () => entra.requestCount(TOKEN_PATH);
const options = (extra = {}) => ({ scopes: [USER_READ], clientSecret: API_SECRET, cache: createOboCache(), msal, ...extra });

/** Asserts an OnBehalfOfError, and that neither it nor its cause chain carries the incoming token. */
function assertOboError(error, authInfo, { code, aadsts = null, status }) {
  assert.ok(error instanceof OnBehalfOfError, `an OnBehalfOfError, got ${error?.stack ?? error}`);
  assert.equal(error.code, code, error.message);
  assert.equal(error.aadsts, aadsts, error.message);
  if (status !== undefined) assert.equal(error.status, status);
  if (aadsts !== null) assert.match(error.message, new RegExp(`AADSTS${aadsts}\\b`));
  const signature = authInfo.token.split('.')[2];
  for (let e = error; e; e = e.cause) {
    for (const text of [e.message, e.stack, e.errorMessage, JSON.stringify(e)]) {
      assert.ok(!String(text ?? '').includes(signature), `the incoming token appears in ${e.name}`);
    }
  }
  return true;
}

test('a user\'s v2 token is exchanged for Graph: the token is Graph\'s, for the same user, and Graph /me answers', async () => {
  const authInfo = await userAuthInfo();
  const result = await onBehalfOf(authInfo, options());
  assert.equal(result.fromCache, false);
  assert.equal(result.tenantId, TENANT);
  assert.deepEqual(result.scopes, [USER_READ]);
  assert.ok(result.expiresOn.getTime() > Date.now() + 3000 * 1000);
  const { claims } = decodeToken(result.accessToken);
  assert.equal(claims.aud, MICROSOFT_GRAPH.identifierUri);
  assert.equal(claims.appid, API, 'the API exchanged, as itself');
  assert.equal(claims.oid, ALICE.objectId, 'for the signed-in user');
  assert.ok(claims.scp.split(' ').includes('User.Read'), claims.scp);
  const me = await entra.fetch('https://graph.microsoft.com/v1.0/me', { headers: { authorization: `Bearer ${result.accessToken}` } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).displayName, ALICE.displayName);
});

test('results are cached per incoming token and scopes until refreshBeforeSeconds before expiry', async () => {
  const cache = createOboCache();
  const alice = await userAuthInfo();
  const before = tokenRequests();
  const first = await onBehalfOf(alice, options({ cache }));
  const second = await onBehalfOf(alice, options({ cache }));
  assert.equal(tokenRequests() - before, 1, 'the second call is served from the cache');
  assert.equal(second.fromCache, true);
  assert.equal(second.accessToken, first.accessToken);
  // Another user's token, other scopes: another exchange each.
  const bob = await onBehalfOf(await userAuthInfo({ user: BOB }), options({ cache }));
  assert.equal(decodeToken(bob.accessToken).claims.oid, BOB.objectId);
  await assert.rejects(onBehalfOf(alice, options({ cache, scopes: [USER_READ, 'https://graph.microsoft.com/Mail.Read'] })), (e) => assertOboError(e, alice, { code: 'obo_consent_required', aadsts: 65001 }));
  assert.equal(tokenRequests() - before, 3);
  // A result within refreshBeforeSeconds of its expiry (an hour here) is exchanged again.
  const refreshed = await onBehalfOf(alice, options({ cache, refreshBeforeSeconds: 3700 }));
  assert.equal(refreshed.fromCache, false);
  assert.equal(tokenRequests() - before, 4);
  // Alice's and Bob's results; the refusal is not kept.
  assert.equal(cache.size, 2);
  // cache: false exchanges every time.
  await onBehalfOf(alice, options({ cache: false }));
  await onBehalfOf(alice, options({ cache: false }));
  assert.equal(tokenRequests() - before, 6);
});

test('concurrent calls with the same token share one exchange', async () => {
  const cache = createOboCache();
  const authInfo = await userAuthInfo();
  const before = tokenRequests();
  entra.failNext({ path: TOKEN_PATH, delay: 150 });
  const results = await Promise.all(Array.from({ length: 8 }, () => onBehalfOf(authInfo, options({ cache }))));
  assert.equal(tokenRequests() - before, 1);
  assert.equal(new Set(results.map((r) => r.accessToken)).size, 1);
  // A failure is shared too, and not remembered.
  const broken = freshMsal();
  entra.failNext({ path: TOKEN_PATH, status: 400, times: 1, body: { error: 'invalid_request', error_description: 'AADSTS50000: There was an error issuing a token.', error_codes: [50000] } });
  const beforeFailure = tokenRequests();
  const failures = await Promise.allSettled([onBehalfOf(authInfo, options({ msal: broken })), onBehalfOf(authInfo, options({ msal: broken }))]);
  assert.deepEqual(failures.map((f) => f.status), ['rejected', 'rejected']);
  assert.equal(tokenRequests() - beforeFailure, 1);
  const fine = await onBehalfOf(authInfo, options({ msal: broken }));
  assert.equal(fine.fromCache, false);
});

test('a client certificate (SHA-256 thumbprint) works as the API\'s credential', async () => {
  const result = await onBehalfOf(await userAuthInfo(), options({
    clientSecret: undefined, clientCertificate: { thumbprintSha256: certificate.thumbprintSha256, privateKey: certificate.privateKey },
  }));
  assert.equal(decodeToken(result.accessToken).claims.appid, API);
});

test('a v1 token (aud the identifier URI) needs clientId; with it the exchange works', async () => {
  const authInfo = await userAuthInfo({ audience: V1_URI, version: '1.0' });
  const before = tokenRequests();
  await assert.rejects(onBehalfOf(authInfo, options({ clientSecret: V1_SECRET })), (e) => assertOboError(e, authInfo, { code: 'obo_config_invalid', status: 500 })
    && /clientId/.test(e.message));
  assert.equal(tokenRequests(), before, 'nothing sent');
  const result = await onBehalfOf(authInfo, options({ clientId: V1_API, clientSecret: V1_SECRET }));
  assert.equal(decodeToken(result.accessToken).claims.appid, V1_API);
});

test('an app-only token is refused before anything is sent (obo_app_only, 403)', async () => {
  const token = entra.mint({ type: 'app', audience: API, clientId: DAEMON, roles: ['Tools.All'] });
  const authInfo = toAuthInfo(token, await authenticate(validator, token, undefined, jwks));
  const before = tokenRequests();
  await assert.rejects(onBehalfOf(authInfo, options()), (e) => assertOboError(e, authInfo, { code: 'obo_app_only', status: 403 }) && /app-only/.test(e.message));
  assert.equal(tokenRequests(), before);
});

test('Entra\'s refusals name the AADSTS code: consent (65001), the API\'s secret (7000215), the assertion\'s audience (500131)', async () => {
  const forLonely = await userAuthInfo({ audience: LONELY });
  await assert.rejects(onBehalfOf(forLonely, options({ clientSecret: LONELY_SECRET })),
    (e) => assertOboError(e, forLonely, { code: 'obo_consent_required', aadsts: 65001, status: 403 }) && /has not consented/.test(e.message));
  const alice = await userAuthInfo();
  await assert.rejects(onBehalfOf(alice, options({ clientSecret: 'wrong' })),
    (e) => assertOboError(e, alice, { code: 'obo_client_invalid', aadsts: 7000215, status: 500 }));
  // The API presents a token that was issued to another app: Entra refuses the assertion.
  await assert.rejects(onBehalfOf(alice, options({ clientId: LONELY, clientSecret: LONELY_SECRET })),
    (e) => assertOboError(e, alice, { code: 'obo_assertion_refused', aadsts: 500131, status: 401 }));
});

test('Entra down: 503 (AADSTS90006), throttling and a reset connection are obo_unavailable (503); nothing is cached', async () => {
  const authInfo = await userAuthInfo();
  const cache = createOboCache();
  const down = freshMsal();
  entra.failNext({ path: TOKEN_PATH, status: 503, times: 5 });
  await assert.rejects(onBehalfOf(authInfo, options({ cache, msal: down })), (e) => assertOboError(e, authInfo, { code: 'obo_unavailable', aadsts: 90006, status: 503 }));
  entra.clearFaults();
  // MSAL then refuses the same request itself for Retry-After (60 s without one), without sending it.
  const before = tokenRequests();
  await assert.rejects(onBehalfOf(authInfo, options({ cache, msal: down })), (e) => assertOboError(e, authInfo, { code: 'obo_unavailable', aadsts: 90006, status: 503 }));
  assert.equal(tokenRequests(), before, 'throttled by MSAL');
  entra.failNext({ path: TOKEN_PATH, status: 429 });
  await assert.rejects(onBehalfOf(authInfo, options({ cache, msal: freshMsal() })), (e) => assertOboError(e, authInfo, { code: 'obo_unavailable', aadsts: 90055, status: 503 }));
  entra.failNext({ path: TOKEN_PATH, status: 'reset', times: 5 });
  await assert.rejects(onBehalfOf(authInfo, options({ cache, msal: freshMsal() })), (e) => assertOboError(e, authInfo, { code: 'obo_unavailable', status: 503 }));
  entra.clearFaults();
  assert.equal(cache.size, 0);
  assert.equal((await onBehalfOf(authInfo, options({ cache, msal: freshMsal() }))).fromCache, false);
});

test('configuration mistakes are obo_config_invalid, before anything is sent', async () => {
  const authInfo = await userAuthInfo();
  const before = tokenRequests();
  const cases = [
    [{ scopes: [] }, /scopes/],
    [{ scopes: ['a b'] }, /scopes/],
    [{ clientCertificate: { thumbprintSha256: 'ab', privateKey: 'x' } }, /exactly one/],
    [{ clientSecret: undefined }, /exactly one/],
    [{ tenantId: 'contoso' }, /tenant/],
    [{ cloud: 'mars' }, /cloud/],
    [{ refreshBeforeSeconds: -1 }, /refreshBeforeSeconds/],
  ];
  for (const [extra, message] of cases) {
    await assert.rejects(onBehalfOf(authInfo, options(extra)), (e) => assertOboError(e, authInfo, { code: 'obo_config_invalid', status: 500 }) && message.test(e.message), JSON.stringify(extra));
  }
  for (const junk of [null, undefined, 'token', {}, { token: 'x' }]) {
    await assert.rejects(onBehalfOf(/** @type {any} */ (junk), options()), (e) => e instanceof OnBehalfOfError && e.code === 'obo_config_invalid');
  }
  assert.equal(tokenRequests(), before);
});

test('no MSAL log line (verbose) carries an incoming token', () => {
  assert.ok(msalLog.length > 20, `MSAL logged (${msalLog.length} lines)`);
  const logged = msalLog.join('\n');
  for (const path of ['eyJ']) assert.ok(!logged.includes(path), 'no JWT in MSAL\'s log');
});
