// entra-guard/testing as a loopback stand-in for Microsoft Entra ID: discovery (Entra's members and
// omissions), the routing fetch, client credentials with each client authentication, Entra's error JSON for
// client and scope errors, and the issued tokens' claims through a production-configured EntraValidator.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { EntraTokenError } from 'entra-guard';
import { ENTRA_ERRORS, MICROSOFT_GRAPH, createTestCertificate, createTestIssuer, decodeToken } from 'entra-guard/testing';
import {
  API, API_URI, DAEMON, DAEMON_SECRET, LOGIN, MIDDLE, NOBODY, PUBLIC, TENANT, V1_API, V1_API_URI,
  assertEntraError, certificate, closeAll, post, start, tokenUrl, validatorFor,
} from './testing-entra-helpers.test.mjs';

after(closeAll);
const issuer = await start();
const cc = (extra = {}) => ({ grant_type: 'client_credentials', client_id: DAEMON, client_secret: DAEMON_SECRET, scope: `${API_URI}/.default`, ...extra });
const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

test('discovery through the routing fetch names the real hosts, with Entra\'s members and omissions', async () => {
  const res = await issuer.fetch(`${LOGIN}/${TENANT}/v2.0/.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'max-age=86400, private');
  const doc = await res.json();
  assert.deepEqual(Object.keys(doc), [
    'token_endpoint', 'token_endpoint_auth_methods_supported', 'jwks_uri', 'response_modes_supported', 'subject_types_supported',
    'id_token_signing_alg_values_supported', 'response_types_supported', 'scopes_supported', 'issuer', 'request_uri_parameter_supported',
    'userinfo_endpoint', 'authorization_endpoint', 'device_authorization_endpoint', 'http_logout_supported', 'frontchannel_logout_supported',
    'end_session_endpoint', 'claims_supported', 'kerberos_endpoint', 'tenant_region_scope', 'cloud_instance_name', 'cloud_graph_host_name',
    'msgraph_host', 'rbac_url',
  ]);
  assert.equal(doc.issuer, `${LOGIN}/${TENANT}/v2.0`);
  assert.equal(doc.token_endpoint, tokenUrl());
  assert.equal(doc.authorization_endpoint, `${LOGIN}/${TENANT}/oauth2/v2.0/authorize`);
  assert.equal(doc.device_authorization_endpoint, `${LOGIN}/${TENANT}/oauth2/v2.0/devicecode`);
  assert.equal(doc.jwks_uri, `${LOGIN}/${TENANT}/discovery/v2.0/keys`);
  assert.equal(doc.userinfo_endpoint, 'https://graph.microsoft.com/oidc/userinfo');
  assert.deepEqual(doc.token_endpoint_auth_methods_supported, ['client_secret_post', 'private_key_jwt', 'client_secret_basic']);
  assert.deepEqual(doc.scopes_supported, ['openid', 'profile', 'email', 'offline_access']);
  // Entra advertises neither PKCE methods nor dynamic registration (the MCP spec's MUSTs it does not meet).
  assert.ok(!('code_challenge_methods_supported' in doc));
  assert.ok(!('registration_endpoint' in doc));
  // The keys behind the real jwks_uri are the issuer's.
  assert.deepEqual(await (await issuer.fetch(doc.jwks_uri)).json(), issuer.jwks);
  // Directly on loopback the document keeps today's loopback URLs.
  const direct = await (await fetch(issuer.discoveryUrl)).json();
  assert.equal(direct.token_endpoint, `${issuer.baseUrl}/${TENANT}/oauth2/v2.0/token`);
  assert.equal(direct.issuer, doc.issuer);
});

test('the RFC 8414 and OIDC path-insertion URLs are 404, as on Entra; /common keeps the {tenantid} issuer', async () => {
  for (const path of [`/.well-known/oauth-authorization-server/${TENANT}/v2.0`, `/.well-known/openid-configuration/${TENANT}/v2.0`, '/.well-known/oauth-authorization-server']) {
    assert.equal((await issuer.fetch(`${LOGIN}${path}`)).status, 404, path);
  }
  const common = await (await issuer.fetch(`${LOGIN}/common/v2.0/.well-known/openid-configuration`)).json();
  assert.equal(common.issuer, `${LOGIN}/{tenantid}/v2.0`);
  assert.equal(common.tenant_region_scope, null);
  assert.equal((await issuer.fetch(`${LOGIN}/not-a-tenant/v2.0/.well-known/openid-configuration`)).status, 400);
});

test('MSAL\'s instance discovery answers for the public cloud and refuses unknown hosts', async () => {
  const q = (endpoint) => `${LOGIN}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(endpoint)}`;
  const ok = await (await issuer.fetch(q(`${LOGIN}/${TENANT}/oauth2/v2.0/authorize`))).json();
  assert.equal(ok.tenant_discovery_endpoint, `${LOGIN}/${TENANT}/v2.0/.well-known/openid-configuration`);
  assert.equal(ok['api-version'], '1.1');
  assert.ok(ok.metadata[0].aliases.includes('login.microsoftonline.com'));
  const res = await issuer.fetch(q('https://login.example.test/x/oauth2/v2.0/authorize'));
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error, 'invalid_instance');
});

test('the routing fetch leaves other hosts alone and takes Request objects', async () => {
  const res = await issuer.fetch(new Request(tokenUrl(), { method: 'POST', body: new URLSearchParams(cc()) }));
  assert.equal(res.status, 200);
  // Loopback URLs go straight to globalThis.fetch.
  assert.equal((await issuer.fetch(issuer.jwksUri)).status, 200);
  await assert.rejects(issuer.fetch('http://127.0.0.1:1/nothing-listens-here'));
  const offline = await createTestIssuer({ serve: false });
  await assert.rejects(offline.fetch(tokenUrl()), /needs the server/);
});

test('client_credentials with client_secret_post and client_secret_basic: Entra\'s response and an app-only v2 token', async () => {
  for (const [params, headers] of [[cc(), {}], [{ grant_type: 'client_credentials', scope: `${API_URI}/.default` }, { authorization: basic(DAEMON, DAEMON_SECRET) }]]) {
    const { res, body } = await post(issuer, params, { headers });
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(res.headers.get('cache-control'), 'no-store, no-cache');
    assert.deepEqual(Object.keys(body), ['token_type', 'expires_in', 'ext_expires_in', 'access_token']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3599);
    const { header, claims } = decodeToken(body.access_token);
    assert.deepEqual(Object.keys(header), ['typ', 'alg', 'kid']);
    assert.equal(claims.aud, API);
    assert.equal(claims.iss, `${LOGIN}/${TENANT}/v2.0`);
    assert.equal(claims.azp, DAEMON);
    assert.equal(claims.azpacr, '1');
    assert.equal(claims.idtyp, 'app');
    assert.deepEqual(claims.roles, ['Tools.Read.All']);
    assert.ok(!('scp' in claims));
    assert.equal(claims.sub, claims.oid, 'app-only: sub is the service principal');
    assert.deepEqual(Object.keys(claims).slice(0, 5), ['aud', 'iss', 'iat', 'nbf', 'exp']);
    assert.equal(claims.exp - claims.iat, 3900, 'iat backdated five minutes, as Entra');
  }
});

test('client_credentials with private_key_jwt (x5t#S256 / PS256 and x5t / RS256): azpacr 2', async () => {
  for (const thumbprint of [certificate.thumbprintSha256, certificate.thumbprint]) {
    const assertion = issuer.clientAssertion({ clientId: DAEMON, privateKey: certificate.privateKey, thumbprint });
    const { header, claims } = decodeToken(assertion);
    assert.equal(header.alg, thumbprint.length === 64 ? 'PS256' : 'RS256');
    assert.equal(claims.aud, tokenUrl());
    const { res, body } = await post(issuer, {
      grant_type: 'client_credentials', client_id: DAEMON, scope: `${API_URI}/.default`,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    });
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(decodeToken(body.access_token).claims.azpacr, '2');
  }
});

test('private_key_jwt without client_id: the assertion\'s sub names the client (stand-in leniency)', async () => {
  const { res, body } = await post(issuer, {
    grant_type: 'client_credentials', scope: `${API_URI}/.default`,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: issuer.clientAssertion({ clientId: DAEMON, certificate }),
  });
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(decodeToken(body.access_token).claims.azp, DAEMON);
});

test('client assertion errors: unknown certificate, bad signature, audience, time, iss/sub', async () => {
  const send = (assertion) => post(issuer, {
    grant_type: 'client_credentials', client_id: DAEMON, scope: `${API_URI}/.default`,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
  });
  const other = createTestCertificate();
  assertEntraError(await send(issuer.clientAssertion({ clientId: DAEMON, certificate: other })), 'INVALID_CLIENT_ASSERTION',
    new RegExp(`^Client assertion contains an invalid signature\\. \\[Reason - The key was not found\\., Thumbprint of key used by client: '${other.thumbprintSha256}'`));
  // The registered certificate's thumbprint, another key's signature.
  assertEntraError(await send(issuer.clientAssertion({ clientId: DAEMON, privateKey: other.privateKey, thumbprint: certificate.thumbprintSha256 })), 'INVALID_CLIENT_ASSERTION',
    /The provided signature value did not match the expected signature value/);
  // The MCP SDKs' PrivateKeyJwtProvider uses the issuer as audience: Entra wants the token endpoint.
  assertEntraError(await send(issuer.clientAssertion({ clientId: DAEMON, certificate, audience: `${LOGIN}/${TENANT}/v2.0` })), 'CLIENT_ASSERTION_AUDIENCE_MISMATCH',
    /^Client assertion audience claim does not match Realm issuer\./);
  assertEntraError(await send(issuer.clientAssertion({ clientId: DAEMON, certificate, now: Math.floor(Date.now() / 1000) - 3600 })), 'CLIENT_ASSERTION_EXPIRED',
    /^Client assertion is not within its valid time range\. Current time: /);
  assertEntraError(await send(issuer.clientAssertion({ clientId: DAEMON, certificate, claims: { sub: MIDDLE } })), 'CLIENT_ASSERTION_SUBJECT_MISMATCH',
    'Subject mismatches Issuer claim in the client assertion.');
  assertEntraError(await send(issuer.clientAssertion({ clientId: MIDDLE, certificate })), 'CLIENT_ASSERTION_CLIENT_MISMATCH', /^Client assertion application identifier doesn't match 'client_id' parameter\./);
  assertEntraError(await send('not-a-jwt'), 'MALFORMED_JWT', 'JWT token is invalid or malformed.');
  // The v1.0 token endpoint as audience (ADAL's) is accepted.
  assert.equal((await send(issuer.clientAssertion({ clientId: DAEMON, certificate, audience: `${LOGIN}/${TENANT}/oauth2/token` }))).res.status, 200);
});

test('client errors: wrong secret (401, AADSTS7000215), unknown client (AADSTS700016), missing client_id and credentials', async () => {
  assertEntraError(await post(issuer, cc({ client_secret: 'the-secret-id-not-its-value' })), 'INVALID_CLIENT_SECRET',
    `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${DAEMON}'.`);
  assertEntraError(await post(issuer, cc({ client_id: NOBODY })), 'APPLICATION_NOT_FOUND',
    `Application with identifier '${NOBODY}' was not found in the directory '${TENANT}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
  assertEntraError(await post(issuer, cc({ client_id: undefined, client_secret: undefined })), 'MISSING_PARAMETER', "The request body must contain the following parameter: 'client_id'.");
  assertEntraError(await post(issuer, { grant_type: 'client_credentials', client_id: DAEMON, scope: `${API_URI}/.default` }), 'CREDENTIAL_REQUIRED',
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  assertEntraError(await post(issuer, cc({ client_id: PUBLIC })), 'PUBLIC_CLIENT_WITH_CREDENTIAL');
  assertEntraError(await post(issuer, { grant_type: 'client_credentials', client_id: PUBLIC, scope: `${API_URI}/.default` }), 'CREDENTIAL_REQUIRED');
  assertEntraError(await post(issuer, cc({ grant_type: undefined })), 'MISSING_PARAMETER', "The request body must contain the following parameter: 'grant_type'.");
  assertEntraError(await post(issuer, cc({ grant_type: 'password' })), 'UNSUPPORTED_GRANT_TYPE');
});

test('scope errors: no scope (900144), not /.default (1002012), unknown scope (70011), unknown resource, two resources', async () => {
  assertEntraError(await post(issuer, cc({ scope: undefined })), 'MISSING_PARAMETER', "The request body must contain the following parameter: 'scope'.");
  assertEntraError(await post(issuer, cc({ scope: `${API_URI}/mcp.tools` })), 'CLIENT_CREDENTIALS_DEFAULT_SCOPE_REQUIRED',
    `The provided value for scope ${API_URI}/mcp.tools is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
  assertEntraError(await post(issuer, cc({ scope: 'api://nowhere.example/.default' })), 'RESOURCE_NOT_FOUND', /^The resource principal named api:\/\/nowhere\.example was not found in the tenant named /);
  assertEntraError(await post(issuer, cc({ scope: `${API_URI}/.default ${V1_API_URI}/.default` })), 'MULTIPLE_RESOURCES');
  // A delegated scope the API does not expose (through refresh-less OBO-free path: the devicecode endpoint).
  const r = await post(issuer, { client_id: PUBLIC, scope: `${API_URI}/mcp.nothing` }, { url: `${LOGIN}/${TENANT}/oauth2/v2.0/devicecode` });
  assertEntraError(r, 'INVALID_SCOPE', `The provided value for the input parameter 'scope' is not valid. The scope ${API_URI}/mcp.nothing is not valid.`);
});

test('the resource parameter must name the app that owns the scopes (AADSTS9010010), as MCP clients send it', async () => {
  // The MCP SDK sends the MCP server's URL (RFC 8707) next to the App ID URI's scope: Entra's real-world failure.
  assertEntraError(await post(issuer, cc({ resource: 'https://mcp.contoso.example/mcp' })), 'RESOURCE_SCOPE_MISMATCH',
    "The resource parameter provided in the request doesn't match with the requested scopes.");
  // It works when the App ID URI is the server URL the client sends.
  const server = await start({
    apps: [
      { clientId: API, identifierUris: ['https://mcp.contoso.example/mcp'], appRoles: ['Tools.Read.All'] },
      { clientId: DAEMON, clientSecret: DAEMON_SECRET, grants: [{ resource: API, roles: ['Tools.Read.All'] }] },
    ],
  });
  const ok = await post(server, cc({ scope: 'https://mcp.contoso.example/mcp/.default', resource: 'https://mcp.contoso.example/mcp' }));
  assert.equal(ok.res.status, 200, JSON.stringify(ok.body));
  assert.equal(decodeToken(ok.body.access_token).claims.aud, API);
  // The client id as resource, with the client id's scope, is fine too.
  assert.equal((await post(issuer, cc({ scope: `${API}/.default`, resource: API }))).res.status, 200);
});

test('tenants: another tenant is AADSTS90002; client credentials over /common AADSTS9001023; GET on the token endpoint AADSTS900561', async () => {
  assertEntraError(await post(issuer, cc(), { url: tokenUrl('f8cdef31-a31e-4b4a-93e4-5f571e91255a') }), 'TENANT_NOT_FOUND');
  assertEntraError(await post(issuer, cc(), { url: tokenUrl('common') }), 'GRANT_NOT_SUPPORTED_ON_COMMON');
  assert.equal((await post(issuer, cc(), { url: tokenUrl('organizations') })).res.status, 200);
  const res = await issuer.fetch(tokenUrl());
  assertEntraError({ res, body: await res.json() }, 'POST_REQUIRED');
});

test('the correlation id is the client\'s client-request-id, as Entra echoes MSAL\'s', async () => {
  const id = '0a49cdbc-2e94-4089-bc6f-1162b123592c';
  const r = await post(issuer, cc({ client_secret: 'wrong' }), { headers: { 'client-request-id': id } });
  assert.equal(r.body.correlation_id, id);
  const q = await post(issuer, cc({ client_secret: 'wrong' }), { url: `${tokenUrl()}?client-request-id=${id}` });
  assert.equal(q.body.correlation_id, id);
});

test('issued v2 and v1 tokens pass a production-configured EntraValidator (keys discovered through the routing fetch)', async () => {
  const { validator, remote } = await validatorFor(issuer, [API, API_URI, V1_API, V1_API_URI]);
  assert.equal(remote.jwksUri, `${LOGIN}/${TENANT}/discovery/v2.0/keys`);
  const v2 = (await post(issuer, cc())).body.access_token;
  const who = validator.validate(v2, { requiredRoles: ['Tools.Read.All'] });
  assert.equal(who.version, '2.0');
  assert.equal(who.isAppOnly, true);
  assert.equal(who.clientId, DAEMON);
  assert.equal(who.audience, API);

  // accessTokenAcceptedVersion 1: sts.windows.net issuer, the identifier URI asked with as aud, x5t in the header.
  const v1 = (await post(issuer, cc({ scope: `${V1_API_URI}/.default` }))).body.access_token;
  const { header, claims } = decodeToken(v1);
  assert.deepEqual(Object.keys(header), ['typ', 'alg', 'x5t', 'kid']);
  assert.equal(header.x5t, header.kid);
  assert.equal(claims.iss, `https://sts.windows.net/${TENANT}/`);
  assert.equal(claims.aud, V1_API_URI);
  assert.equal(claims.appid, DAEMON);
  assert.equal(claims.appidacr, '1');
  assert.equal(claims.idp, claims.iss);
  assert.deepEqual(claims.roles, ['Data.Read']);
  const who1 = validator.validate(v1, { requiredRoles: ['Data.Read'] });
  assert.equal(who1.version, '1.0');
  assert.equal(who1.isAppOnly, true);
  // Asked by client id, a v1 token's aud is the client id.
  assert.equal(decodeToken((await post(issuer, cc({ scope: `${V1_API}/.default` }))).body.access_token).claims.aud, V1_API);

  // The validator of the MCP server alone refuses the v1 API's token.
  const { validator: mcpOnly } = await validatorFor(issuer);
  assert.throws(() => mcpOnly.validate(v1), (e) => e instanceof EntraTokenError && e.code === 'audience_invalid');
});

test('Graph tokens are v1.0 with a header nonce (and the validator refuses them as Graph tokens)', async () => {
  const { body } = await post(issuer, cc({ scope: 'https://graph.microsoft.com/.default' }));
  const { header, claims } = decodeToken(body.access_token);
  assert.deepEqual(Object.keys(header), ['typ', 'nonce', 'alg', 'x5t', 'kid']);
  assert.equal(claims.aud, MICROSOFT_GRAPH.identifierUri);
  assert.equal(claims.ver, '1.0');
  assert.equal(claims.app_displayname, 'Daemon');
  assert.deepEqual(claims.roles, ['User.Read.All']);
  const { validator } = await validatorFor(issuer, [API, 'https://graph.microsoft.com']);
  assert.throws(() => validator.validate(body.access_token), (e) => e instanceof EntraTokenError && e.code === 'graph_token');
});

test('no grant on a resource: Entra still issues the app-only token, without roles', async () => {
  const { body } = await post(issuer, { grant_type: 'client_credentials', client_id: MIDDLE, client_secret: 'middle-tier-secret', scope: `${API_URI}/.default` });
  const { claims } = decodeToken(body.access_token);
  assert.equal(claims.azp, MIDDLE);
  assert.ok(!('roles' in claims));
});

test('createTestCertificate makes a real X.509 certificate whose thumbprints Entra would compute', async () => {
  const { X509Certificate, createHash } = await import('node:crypto');
  const cert = new X509Certificate(certificate.certificate);
  assert.ok(cert.verify(cert.publicKey), 'self-signed');
  assert.equal(certificate.thumbprint, createHash('sha1').update(cert.raw).digest('hex').toUpperCase());
  assert.equal(certificate.thumbprintSha256, cert.fingerprint256.replace(/:/g, ''));
  assert.equal(certificate.x5tS256, Buffer.from(certificate.thumbprintSha256, 'hex').toString('base64url'));
  assert.equal(cert.raw.toString('base64'), certificate.x5c);
  // A bare public key needs its thumbprint.
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await assert.rejects(createTestIssuer({ serve: false, apps: [{ clientId: DAEMON, publicKey }] }), /thumbprint/);
});

test('app registrations are checked: GUID client ids, known grant resources and scopes', async () => {
  await assert.rejects(createTestIssuer({ serve: false, apps: [{ clientId: 'my-client' }] }), /GUID/);
  await assert.rejects(createTestIssuer({ serve: false, apps: [{ clientId: DAEMON, grants: [{ resource: 'api://nowhere' }] }] }), /not a registered app/);
  await assert.rejects(createTestIssuer({ serve: false, apps: [{ clientId: DAEMON, grants: [{ resource: 'graph', scopes: ['Nope.Read'] }] }] }), /not a delegated scope/);
  await assert.rejects(createTestIssuer({ serve: false, apps: [{ clientId: PUBLIC, publicClient: true, clientSecret: 'x' }] }), /public client/);
  assert.equal(ENTRA_ERRORS.RESOURCE_SCOPE_MISMATCH.code, 9010010);
  assert.ok(Object.isFrozen(ENTRA_ERRORS.RESOURCE_SCOPE_MISMATCH));
});
