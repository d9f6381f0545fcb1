// The guard every adapter stands on (createGuard), through requireEntraAuth on real Express: the `jwks`
// setting (remote, a plain JWKS object or its JSON text, anything else config_invalid), the caller's
// claimCheck, the OpenTelemetry span (attributes, never the token), the audit hooks.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import express from 'express';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createGuard, createRemoteJwks, requireEntraAuth } from 'entra-guard';
import { createTestIssuer } from 'entra-guard/testing';
import { RESOURCE, RESOURCE_METADATA_URL, TENANT, adapterFixture, listen } from './adapters/support.mjs';

let fixture;
before(async () => {
  fixture = await adapterFixture();
});

/** An Express app behind requireEntraAuth(settings) that echoes req.auth; resolves to `send(token)`. */
async function express401(settings) {
  const app = express();
  app.get('/mcp', requireEntraAuth(settings), (req, res) => res.json({ tenantId: req.auth.extra.tenantId, resource: String(req.auth.resource) }));
  const server = await listen(createServer(app));
  const send = async (token) => {
    const response = await fetch(`${server.base}/mcp`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, www: response.headers.get('www-authenticate'), body: await response.json() };
  };
  return { send, close: server.close };
}

test('jwks as a plain JWKS object, or its JSON text, means static keys (no TypeError, no fetch)', async () => {
  for (const jwks of [fixture.issuer.jwks, JSON.stringify(fixture.issuer.jwks)]) {
    const { send, close } = await express401({ options: fixture.settings.options, jwks, resource: RESOURCE });
    try {
      const ok = await send(fixture.tokens.valid);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(ok.body, { tenantId: TENANT, resource: RESOURCE });
    } finally {
      await close();
    }
  }
});

test('jwks of any other kind is config_invalid naming jwks, when the middleware is made', () => {
  for (const jwks of [42, true, [], { keys: 'x' }, { attach: 1 }, null]) {
    assert.throws(() => requireEntraAuth({ options: fixture.settings.options, jwks }), (e) => e.code === 'config_invalid' && e.claim === 'jwks' && e.status === 500, String(JSON.stringify(jwks)));
  }
  // An unusable key set is jwks_invalid at once, not on the first request.
  assert.throws(() => requireEntraAuth({ options: fixture.settings.options, jwks: { keys: [] } }), (e) => e.code === 'jwks_invalid');
});

test('jwks as a remote JWKS: the validator gets its keys from it', async () => {
  const served = await createTestIssuer({ tenantId: TENANT, audience: fixture.issuer.audience });
  const remote = createRemoteJwks({ jwksUri: served.jwksUri });
  const { send, close } = await express401({ options: fixture.settings.options, jwks: remote, resource: RESOURCE });
  try {
    assert.equal((await send(served.mint())).status, 200);
    assert.equal(remote.fetchCount, 1);
  } finally {
    await close();
    await served.close();
  }
});

test('the challenge names the metadata URL derived from resource', async () => {
  const { send, close } = await express401({ ...fixture.settings });
  try {
    const none = await send(undefined);
    assert.equal(none.status, 401);
    assert.equal(none.www, `Bearer scope="${RESOURCE}/mcp.tools", resource_metadata="${RESOURCE_METADATA_URL}"`);
    assert.equal(none.body.code, 'token_missing');
  } finally {
    await close();
  }
});

test('claimCheck: true accepts; a string refuses with claim_invalid and that message; anything else refuses', async () => {
  const byGroup = (claims) => (claims.tid === TENANT ? true : 'only the home tenant');
  assert.equal((await createGuard({ ...fixture.settings, claimCheck: byGroup }).check({ authorization: `Bearer ${fixture.tokens.valid}` })).ok, true);

  const refuse = createGuard({ ...fixture.settings, claimCheck: () => 'the caller must be in group Contoso-MCP' });
  const refused = await refuse.check({ authorization: `Bearer ${fixture.tokens.valid}` });
  assert.equal(refused.ok, false);
  assert.equal(refused.error.code, 'claim_invalid');
  assert.equal(refused.error.check, 'claim_check');
  assert.equal(refused.refusal.status, 401);
  assert.match(refused.error.message, /the caller must be in group Contoso-MCP/);
  assert.match(refused.refusal.headers['www-authenticate'], /error="invalid_token"/);

  // Fail closed: false, undefined, a non-empty object... all refuse.
  for (const verdict of [false, undefined, 0, {}, '']) {
    const outcome = await createGuard({ ...fixture.settings, claimCheck: () => verdict }).check({ authorization: `Bearer ${fixture.tokens.valid}` });
    assert.equal(outcome.ok, false, `verdict ${JSON.stringify(verdict)}`);
    assert.equal(outcome.error.code, 'claim_invalid');
  }
  // An async check works; a check that throws is the server's fault (500), with the error as cause.
  assert.equal((await createGuard({ ...fixture.settings, claimCheck: async () => true }).check({ authorization: `Bearer ${fixture.tokens.valid}` })).ok, true);
  const boom = new Error('directory lookup failed');
  const thrown = await createGuard({ ...fixture.settings, claimCheck: () => { throw boom; } }).check({ authorization: `Bearer ${fixture.tokens.valid}` });
  assert.equal(thrown.error.code, 'config_invalid');
  assert.equal(thrown.error.status, 500);
  assert.equal(thrown.error.cause, boom);
  // The check receives the claims and the result, after the core accepted the token (never before).
  let calls = 0;
  const counted = createGuard({ ...fixture.settings, claimCheck: (claims, result) => { calls += 1; assert.equal(result.tenantId, claims.tid); return true; } });
  await counted.check({ authorization: `Bearer ${fixture.tokens.expired}` });
  assert.equal(calls, 0, 'an expired token never reaches claimCheck');
  await counted.check({ authorization: `Bearer ${fixture.tokens.valid}` });
  assert.equal(calls, 1);
  assert.throws(() => createGuard({ ...fixture.settings, claimCheck: 'yes' }), (e) => e.code === 'config_invalid' && e.claim === 'claimCheck');
});

/** A tracer recording into memory. */
function recordingTracer() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider, tracer: provider.getTracer('test') };
}

/** Every attribute value of every span, and the span's attributes, checked never to carry the token. */
function assertNoToken(spans, tokens) {
  for (const span of spans) {
    for (const value of Object.values(span.attributes)) {
      for (const token of tokens) {
        for (const part of token.split('.')) assert.ok(!String(value).includes(part.slice(0, 20)), `span attribute carries part of a token: ${value}`);
      }
    }
  }
}

test('OpenTelemetry: one span per validation, with outcome, code, check, status and tenant, never the token', async () => {
  const { exporter, tracer } = recordingTracer();
  const guard = createGuard({ ...fixture.settings, tracer });
  await guard.check({ authorization: `Bearer ${fixture.tokens.valid}` });
  await guard.check({ authorization: `Bearer ${fixture.tokens.expired}` });
  await guard.check({ authorization: `Bearer ${fixture.tokens.missingScope}` });
  const spans = exporter.getFinishedSpans();
  assert.equal(spans.length, 3);
  assert.ok(spans.every((s) => s.name === 'entra-guard.validate'));
  assert.deepEqual(spans[0].attributes, { 'entra_guard.tenant_id': TENANT, 'entra_guard.outcome': 'accepted' });
  assert.deepEqual(spans[1].attributes, {
    'entra_guard.outcome': 'refused', 'entra_guard.code': 'token_expired', 'entra_guard.check': 'lifetime', 'entra_guard.status': 401,
  });
  assert.equal(spans[1].status.code, 2);
  assert.equal(spans[2].attributes['entra_guard.check'], 'scope');
  assert.equal(spans[2].attributes['entra_guard.tenant_id'], undefined, 'refused before the tenant was read back');
  assertNoToken(spans, Object.values(fixture.tokens));
});

test('OpenTelemetry: without a tracer in the settings, the global one from @opentelemetry/api is used', async () => {
  const { exporter, provider } = recordingTracer();
  assert.ok(trace.setGlobalTracerProvider(provider));
  try {
    const { send, close } = await express401({ ...fixture.settings });
    try {
      await send(fixture.tokens.wrongAudience);
    } finally {
      await close();
    }
    const [span] = exporter.getFinishedSpans();
    assert.equal(span?.attributes['entra_guard.code'], 'audience_invalid');
    assert.equal(span.attributes['entra_guard.check'], 'aud');
  } finally {
    trace.disable();
  }
});

test('audit hooks get the code and identity, never the token; a throwing hook does not change the answer', async () => {
  const events = [];
  const { send, close } = await express401({
    ...fixture.settings,
    onSuccess: (e) => { events.push(e); throw new Error('hook bug'); },
    onFailure: async (e) => { events.push(e); throw new Error('async hook bug'); },
  });
  try {
    assert.equal((await send(fixture.tokens.valid)).status, 200);
    assert.equal((await send(fixture.tokens.expired)).status, 401);
    assert.equal((await send(undefined)).status, 401);
  } finally {
    await close();
  }
  assert.deepEqual(events.map((e) => e.code), ['ok', 'token_expired', 'token_missing']);
  assert.equal(events[0].tenantId, TENANT);
  for (const e of events) for (const token of Object.values(fixture.tokens)) assert.ok(!JSON.stringify(e).includes(token.slice(-30)));
});
