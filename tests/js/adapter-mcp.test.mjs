// entra-guard/mcp (SDK v2 OAuthTokenVerifier) and the root entraTokenVerifier (SDK v1), each under its SDK's
// own requireBearerAuth on Express, with the real transport and the real SDK v2 client; the quick start
// (examples/quickstarts/express-sdk-v2.mjs) is the server under test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import express from 'express';
import { entraTokenVerifier as v1Verifier } from 'entra-guard';
import { entraTokenVerifier } from 'entra-guard/mcp';
import { expressApp } from '../../examples/quickstarts/express-sdk-v2.mjs';
import {
  RESOURCE, adapterFixture, assertAuthInfo, assertRefusals, assertWhoami, callWhoami, listen, mcpServerV2, sender,
} from './adapters/support.mjs';

let fixture;
let v2;
before(async () => {
  fixture = await adapterFixture();
  v2 = await listen(createServer(expressApp(fixture.settings, mcpServerV2)));
});
after(() => v2?.close());

test('SDK v2: a valid token reaches the tool as ctx.http.authInfo, through the real transport and client', async () => {
  assertWhoami(await callWhoami(`${v2.base}/mcp`, fixture.tokens.valid));
  // The 2026-07-28 handshake too (the client falls back to 2025-11-25 where the transport serves only that).
  assertWhoami(await callWhoami(`${v2.base}/mcp`, fixture.tokens.valid, { versionNegotiation: { mode: 'auto' } }));
});

test('SDK v2: the verifier returns the AuthInfo requireBearerAuth needs (resource, expiresAt)', async () => {
  const authInfo = await entraTokenVerifier(fixture.settings).verifyAccessToken(fixture.tokens.valid);
  assertAuthInfo(authInfo);
  assert.ok(authInfo.resource instanceof URL);
});

test("SDK v2: refusals are the installed SDK's own OAuthError, answered 401 / 403 by its middleware", async () => {
  const { OAuthError } = await import('@modelcontextprotocol/server');
  const verifier = entraTokenVerifier(fixture.settings);
  const refused = await verifier.verifyAccessToken(fixture.tokens.expired).catch((error) => error);
  assert.ok(refused instanceof OAuthError, `${refused}`);
  assert.equal(refused.code, 'invalid_token');
  assert.equal(refused.cause.code, 'token_expired');
  assert.equal(refused.cause.check, 'lifetime');
  const scope = await verifier.verifyAccessToken(fixture.tokens.missingScope).catch((error) => error);
  assert.equal(scope.code, 'insufficient_scope');

  const adminApp = expressApp({ ...fixture.adminSettings, requiredScopes: undefined }, mcpServerV2);
  const admin = await listen(createServer(adminApp));
  try {
    await assertRefusals(fixture, sender(`${v2.base}/mcp`), { sendAdmin: sender(`${admin.base}/mcp`), exact: false });
  } finally {
    await admin.close();
  }
});

test('SDK v2: a misconfigured verifier (unusable keys) is a 500 server_error, never a 401', async () => {
  const { OAuthError } = await import('@modelcontextprotocol/server');
  const broken = { options: fixture.settings.options, resource: RESOURCE, jwks: { keys: [{ kty: 'RSA', kid: 'x' }] } };
  assert.throws(() => entraTokenVerifier(broken), (error) => error.code === 'jwks_invalid');
  assert.throws(() => entraTokenVerifier({ ...fixture.settings, jwks: 42 }), (error) => error.code === 'config_invalid' && error.claim === 'jwks');
  void OAuthError;
});

test('SDK v1 (root entraTokenVerifier): AuthInfo.resource is set, and refusals keep their cause', async () => {
  const verifier = v1Verifier(fixture.settings);
  const authInfo = await verifier.verifyAccessToken(fixture.tokens.valid);
  assertAuthInfo(authInfo);
  const { InvalidTokenError } = await import('@modelcontextprotocol/sdk/server/auth/errors.js');
  const refused = await verifier.verifyAccessToken(fixture.tokens.wrongAudience).catch((error) => error);
  assert.ok(refused instanceof InvalidTokenError);
  assert.equal(refused.cause.code, 'audience_invalid');

  // Through the SDK v1's requireBearerAuth with expectedResource.
  const { requireBearerAuth } = await import('@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js');
  const app = express();
  app.get('/mcp', requireBearerAuth({ verifier, expectedResource: new URL(RESOURCE) }), (req, res) => res.json({ resource: String(req.auth.resource) }));
  const server = await listen(createServer(app));
  try {
    const ok = await fetch(`${server.base}/mcp`, { headers: { authorization: `Bearer ${fixture.tokens.valid}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { resource: RESOURCE });
  } finally {
    await server.close();
  }
});
