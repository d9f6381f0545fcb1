// Protected-resource metadata in the shape Entra needs by default (MCP authorization 2025-11-25 and
// 2026-07-28), the RFC 8414 mirror of the tenant's Entra endpoints, and the challenges' scopes in Entra's
// qualified form (every scope an operation needs in one challenge; a role names {resource}/.default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import express from 'express';
import {
  authorizationServerMetadataDocument, authorizationServerMetadataUrl, createGuard, protectedResourceMetadata,
  protectedResourceMetadataDocument, protectedResourceMetadataUrl,
} from 'entra-guard';
import { TENANT, adapterFixture, listen } from './adapters/support.mjs';

const RESOURCE = 'https://mcp.contoso.com/mcp';

test('the resource without a trailing slash, and bare scopes qualified with it (Entra: {identifierUri}/{scope})', () => {
  const document = protectedResourceMetadataDocument({ resource: `${RESOURCE}/`, tenantId: TENANT, scopesSupported: ['mcp.tools', 'api://other/x'] });
  assert.deepEqual(document, {
    resource: RESOURCE,
    authorization_servers: [`https://login.microsoftonline.com/${TENANT}/v2.0`],
    scopes_supported: [`${RESOURCE}/mcp.tools`, 'api://other/x'],
    bearer_methods_supported: ['header'],
  });
  assert.equal(protectedResourceMetadataDocument({ resource: 'https://mcp.contoso.com/', tenantId: TENANT }).resource, 'https://mcp.contoso.com');
  // scopePrefix for an API whose identifier URI is not the server's URL (then the clients' resource parameter fails: the doctor says so).
  assert.deepEqual(protectedResourceMetadataDocument({ resource: RESOURCE, tenantId: TENANT, scopesSupported: ['a'], scopePrefix: 'api://1234' }).scopes_supported, ['api://1234/a']);
});

test('offline_access is refused in scopes_supported (MCP 2026-07-28 "Refresh Tokens"), and so is a fragment', () => {
  assert.throws(() => protectedResourceMetadataDocument({ resource: RESOURCE, tenantId: TENANT, scopesSupported: ['mcp.tools', 'offline_access'] }),
    (e) => e.code === 'config_invalid' && e.claim === 'scopesSupported' && /Refresh Tokens/.test(e.message));
  assert.throws(() => protectedResourceMetadataDocument({ resource: `${RESOURCE}#x`, tenantId: TENANT }), (e) => e.claim === 'resource');
  assert.throws(() => protectedResourceMetadataDocument({ resource: RESOURCE, tenantId: TENANT, scopesSupported: ['a b'] }), (e) => e.claim === 'scopesSupported');
});

test('the RFC 8414 mirror: Entra\'s endpoints for the tenant, S256, and the resource as issuer', () => {
  const prm = protectedResourceMetadataDocument({ resource: RESOURCE, tenantId: TENANT, scopesSupported: ['mcp.tools'], authorizationServerMetadata: true });
  assert.deepEqual(prm.authorization_servers, [RESOURCE], 'the resource is the authorization server its metadata names');
  const mirror = authorizationServerMetadataDocument({ resource: RESOURCE, tenantId: TENANT, scopesSupported: ['mcp.tools'] });
  assert.equal(mirror.issuer, RESOURCE, 'RFC 8414 §3.3: the issuer is the URL the metadata URL was derived from');
  assert.equal(mirror.authorization_endpoint, `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`);
  assert.equal(mirror.token_endpoint, `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`);
  assert.equal(mirror.jwks_uri, `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`);
  assert.deepEqual(mirror.code_challenge_methods_supported, ['S256']);
  assert.ok(mirror.scopes_supported.includes(`${RESOURCE}/mcp.tools`) && mirror.scopes_supported.includes('offline_access'));
  assert.equal(authorizationServerMetadataUrl(RESOURCE), 'https://mcp.contoso.com/.well-known/oauth-authorization-server/mcp');
  assert.equal(authorizationServerMetadataDocument({ resource: RESOURCE, tenantId: TENANT, authorityHost: 'http://127.0.0.1:9' }).token_endpoint,
    `http://127.0.0.1:9/${TENANT}/oauth2/v2.0/token`);
  assert.throws(() => protectedResourceMetadataDocument({ resource: RESOURCE, tenantId: TENANT, authorizationServers: ['x'], authorizationServerMetadata: true }),
    (e) => e.claim === 'authorizationServers');
});

test('the middleware serves both documents at their well-known paths', async () => {
  const app = express();
  app.use(protectedResourceMetadata({ resource: RESOURCE, tenantId: TENANT, scopesSupported: ['mcp.tools'], authorizationServerMetadata: true }));
  const server = await listen(createServer(app));
  try {
    const prm = await (await fetch(`${server.base}${new URL(protectedResourceMetadataUrl(RESOURCE)).pathname}`)).json();
    assert.equal(prm.resource, RESOURCE);
    const mirror = await fetch(`${server.base}${new URL(authorizationServerMetadataUrl(RESOURCE)).pathname}`);
    assert.equal(mirror.status, 200);
    assert.deepEqual((await mirror.json()).code_challenge_methods_supported, ['S256']);
    // Without the option there is no RFC 8414 document (as with Entra itself).
    const plain = express();
    plain.use(protectedResourceMetadata({ resource: RESOURCE, tenantId: TENANT }));
    const other = await listen(createServer(plain));
    try {
      assert.equal((await fetch(`${other.base}/.well-known/oauth-authorization-server/mcp`)).status, 404);
    } finally {
      await other.close();
    }
  } finally {
    await server.close();
  }
});

test('challenges name the scopes as Entra does: every required scope in one 403, the request\'s scopes in a 401', async () => {
  const fixture = await adapterFixture();
  const resource = 'https://mcp.example.test/mcp';
  const guard = createGuard({ ...fixture.settings, requiredScopes: ['mcp.tools', 'mcp.write'] });
  const missing = await guard.check({ authorization: `Bearer ${fixture.tokens.valid}` }); // has mcp.tools, lacks mcp.write
  assert.equal(missing.refusal.status, 403);
  assert.match(missing.refusal.headers['www-authenticate'], new RegExp(`scope="${resource}/mcp.tools ${resource}/mcp.write"`),
    'all the scopes the operation needs, not only the missing one (MCP 2026-07-28 "Runtime Insufficient Scope Errors")');
  const none = await guard.check({ authorization: undefined });
  assert.match(none.refusal.headers['www-authenticate'], new RegExp(`^Bearer scope="${resource}/mcp.tools ${resource}/mcp.write", resource_metadata=`));
  // Per request (a function of the request): the scopes of that request.
  const perTool = createGuard({ ...fixture.settings, requiredScopes: (request) => (request === 'write' ? ['mcp.write'] : ['mcp.tools']) });
  assert.match((await perTool.check({ authorization: undefined, request: 'write' })).refusal.headers['www-authenticate'], new RegExp(`scope="${resource}/mcp.write"`));
  // A missing role: the scope an app-only client requests, {resource}/.default.
  const role = await createGuard(fixture.adminSettings).check({ authorization: `Bearer ${fixture.tokens.missingRole}` });
  assert.match(role.refusal.headers['www-authenticate'], new RegExp(`scope="${resource}/\\.default"`));
  // Without resource or scopePrefix: a 401 names no scope (a bare name would be a Graph scope to Entra), a 403 the bare names.
  const { resource: _unused, ...bare } = fixture.settings;
  void _unused;
  const bareGuard = createGuard(bare);
  assert.doesNotMatch((await bareGuard.check({ authorization: undefined })).refusal.headers['www-authenticate'], /scope=/);
  assert.match((await bareGuard.check({ authorization: `Bearer ${fixture.tokens.missingScope}` })).refusal.headers['www-authenticate'], /scope="mcp\.tools"/);
  assert.throws(() => createGuard({ ...fixture.settings, scopePrefix: 'not a uri' }), (e) => e.claim === 'scopePrefix');
});
