// Shared setup for the tests of entra-guard/testing's Entra stand-in (testing-entra-*.test.mjs): app
// registrations, request helpers, and the check of Entra's error JSON. It defines no tests itself (the
// .test.mjs name only keeps it with the files it serves); the test runner finds nothing to run here.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { EntraValidator, createRemoteJwks } from 'entra-guard';
import { ENTRA_ERRORS, createTestCertificate, createTestIssuer } from 'entra-guard/testing';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
// The MCP server's API (v2 tokens), a v1 API, a daemon (secret + certificate), a middle-tier API, a public
// client (MCP client / CLI), a web app with a secret.
export const API = '2a1b3c4d-0000-4000-8000-00000000a001';
export const API_URI = 'api://mcp.contoso.example';
export const V1_API = '2a1b3c4d-0000-4000-8000-00000000a002';
export const V1_API_URI = 'https://v1-api.contoso.example';
export const DAEMON = '2a1b3c4d-0000-4000-8000-00000000c001';
export const DAEMON_SECRET = 'daemon~secret.value';
export const MIDDLE = '2a1b3c4d-0000-4000-8000-00000000c002';
export const MIDDLE_SECRET = 'middle-tier-secret';
export const PUBLIC = '2a1b3c4d-0000-4000-8000-00000000c003';
export const WEB = '2a1b3c4d-0000-4000-8000-00000000c004';
export const WEB_SECRET = 'web-secret';
export const NOBODY = '2a1b3c4d-0000-4000-8000-0000000000ff';
export const ALICE = { objectId: 'a11ce000-0000-4000-8000-000000000001', displayName: 'Alice Example', userPrincipalName: 'alice@contoso.example', mail: 'alice@contoso.example', givenName: 'Alice', surname: 'Example' };
export const BOB = { objectId: 'b0b00000-0000-4000-8000-000000000002', displayName: 'Bob Example', userPrincipalName: 'bob@contoso.example' };
export const REDIRECT = 'http://127.0.0.1/callback';

export const certificate = createTestCertificate();

/** The registrations most tests share. */
export function apps() {
  return [
    { clientId: API, displayName: 'MCP server', identifierUris: [API_URI], scopes: ['mcp.tools', 'mcp.admin'], appRoles: ['Tools.Read.All', 'Tools.ReadWrite.All'] },
    { clientId: V1_API, displayName: 'Legacy API', identifierUris: [V1_API_URI], scopes: ['user_impersonation'], appRoles: ['Data.Read'], accessTokenAcceptedVersion: 1 },
    {
      clientId: DAEMON, displayName: 'Daemon', clientSecret: DAEMON_SECRET, publicKey: certificate.certificate,
      grants: [{ resource: API, roles: ['Tools.Read.All'] }, { resource: V1_API_URI, roles: ['Data.Read'] }, { resource: 'graph', roles: ['User.Read.All'] }],
    },
    {
      clientId: MIDDLE, displayName: 'Middle tier', clientSecret: MIDDLE_SECRET, identifierUris: [`api://${MIDDLE}`], scopes: ['access_as_user'],
      grants: [{ resource: 'graph', scopes: ['User.Read'] }, { resource: API, scopes: ['mcp.tools'] }],
    },
    { clientId: PUBLIC, displayName: 'MCP client', publicClient: true, redirectUris: [REDIRECT] },
    { clientId: WEB, displayName: 'Web app', clientSecret: WEB_SECRET, redirectUris: ['https://app.contoso.example/auth'] },
  ];
}

const started = [];
/** @param {Parameters<typeof createTestIssuer>[0]} [options] */
export async function start(options = {}) {
  const issuer = await createTestIssuer({ tenantId: TENANT, apps: apps(), users: [ALICE, BOB], ...options });
  started.push(issuer);
  return issuer;
}
export const closeAll = () => Promise.all(started.splice(0).map((i) => i.close()));

export const LOGIN = 'https://login.microsoftonline.com';
export const tokenUrl = (tenant = TENANT) => `${LOGIN}/${tenant}/oauth2/v2.0/token`;

/**
 * POSTs a form to the real token endpoint through the issuer's routing fetch.
 * @returns {Promise<{ res: Response, body: any }>}
 */
export async function post(issuer, params, { url = tokenUrl(), headers = {} } = {}) {
  const form = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined));
  const res = await issuer.fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form });
  return { res, body: await res.json() };
}

/** A production-configured validator for the MCP server's API, its keys discovered through the routing fetch. */
export async function validatorFor(issuer, audience = [API, API_URI]) {
  const validator = new EntraValidator({ tenantId: TENANT, audience });
  const remote = createRemoteJwks({ tenantId: TENANT, fetch: issuer.fetch }).attach(validator);
  await remote.ready();
  return { validator, remote };
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Asserts Entra's error response: HTTP status, headers, and the JSON members in Entra's order.
 * @param {{ res: Response, body: any }} r
 * @param {keyof typeof ENTRA_ERRORS} name
 * @param {RegExp | string} [message] the text after `AADSTSnnnn: `
 */
export function assertEntraError({ res, body }, name, message) {
  const e = ENTRA_ERRORS[name];
  assert.ok(e, `no ENTRA_ERRORS.${name}`);
  assert.equal(res.status, e.status, `HTTP status of ${name}: ${JSON.stringify(body)}`);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-store, no-cache');
  const keys = ['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id', 'error_uri'];
  assert.deepEqual(Object.keys(body).slice(0, keys.length), keys);
  assert.equal(body.error, e.error);
  assert.deepEqual(body.error_codes, [e.code]);
  assert.match(body.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  assert.match(body.trace_id, GUID);
  assert.match(body.correlation_id, GUID);
  assert.equal(body.error_uri, `https://login.microsoftonline.com/error?code=${e.code}`);
  assert.equal(res.headers.get('x-ms-request-id'), body.trace_id);
  const tail = ` Trace ID: ${body.trace_id} Correlation ID: ${body.correlation_id} Timestamp: ${body.timestamp}`;
  assert.ok(body.error_description.startsWith(`AADSTS${e.code}: `), body.error_description);
  assert.ok(body.error_description.endsWith(tail), body.error_description);
  const text = body.error_description.slice(`AADSTS${e.code}: `.length, -tail.length);
  if (typeof message === 'string') assert.equal(text, message);
  else if (message) assert.match(text, message);
  if (e.suberror) assert.equal(body.suberror, e.suberror);
  else assert.ok(!('suberror' in body), 'no suberror');
  return text;
}

export { escape };
