// The demo page (www/) in a real headless Chromium, served by scripts/serve.mjs with the built package at
// /pkg/: the demo tenant mints tokens with WebCrypto and the page validates them with the wasm core.
// Screenshots of each state go to test-output/demo-page/. No request may leave 127.0.0.1.
//
// Without /usr/bin/chromium or a built pkg/ the browser tests say SKIPPED, except under CI (CI set, and not
// "false" or "0"), where they fail: CI installs Chromium and builds the package, so a skip there would hide
// a broken setup. The static server's own tests need neither (they serve a temporary directory).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../../scripts/serve.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-output/demo-page/', import.meta.url));
/** The token's checks the page shows, in the order a token meets them: the package's CHECKS from 'size' to 'role'. */
const STEP_IDS = [
  'size', 'jws', 'header', 'graph', 'key', 'signature', 'payload', 'replicated_claims', 'ver', 'tid', 'iss', 'key_issuer',
  'tenant', 'aud', 'iat', 'id_token', 'client', 'token_type', 'scp', 'roles', 'lifetime', 'scope', 'role',
];
const ON_CI = !['', 'false', '0'].includes((process.env.CI ?? '').trim().toLowerCase());
const missing = !existsSync(CHROMIUM)
  ? `SKIPPED: ${CHROMIUM} is missing (apt-get install chromium; CI installs it)`
  : !existsSync(new URL('../../pkg/browser.js', import.meta.url))
    ? 'SKIPPED: pkg/ is not built (bash scripts/build.sh)'
    : null;

let server;
let browser;
let context;
let page;
const requests = [];
const pageErrors = [];

/** Whether the browser tests can run; skips the test when not (fails it under CI). */
function canRun(t) {
  if (!missing) return true;
  if (ON_CI) assert.fail(`${missing.replace(/^SKIPPED: /, '')}; under CI (CI=${process.env.CI}) the demo page must be tested, not skipped`);
  t.skip(missing);
  return false;
}

before(async () => {
  if (missing) return;
  const { chromium } = await import('playwright-core');
  mkdirSync(SHOTS, { recursive: true });
  server = await startStaticServer({ port: 0, host: '127.0.0.1', root: ROOT });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // CSP violations (a blocked import map, say) are not page errors: collect them from the page itself.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__cspViolations.push(`${event.effectiveDirective} ${event.blockedURI || 'inline'}`);
    });
  });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the page, makes a demo tenant and waits for its first token to validate. */
async function freshDemo() {
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]');
  await page.getByTestId('demo-tenant').click();
  await waitForVerdict('ok');
}

async function waitForVerdict(code) {
  await page.waitForSelector(`[data-testid="verdict"][data-code="${code}"]`);
}

async function checkStates() {
  return page.$$eval('[data-testid^="check-"]', (rows) =>
    Object.fromEntries(rows.map((row) => [row.dataset.testid.slice('check-'.length), row.dataset.state])));
}

/** Every step before `failed` passed, `failed` failed, every later one was not reached. */
function assertStoppedAt(states, failed) {
  assert.deepEqual(Object.keys(states), STEP_IDS);
  const at = STEP_IDS.indexOf(failed);
  assert.notEqual(at, -1, `${failed} is a step`);
  STEP_IDS.forEach((id, i) => {
    assert.equal(states[id], i < at ? 'pass' : i === at ? 'fail' : 'skipped', `check-${id} when ${failed} failed`);
  });
}

const text = (testId) => page.getByTestId(testId).innerText();
const shot = (name) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });

test('the page shows the package\'s checks from size to role, in the package\'s order', async (t) => {
  if (!canRun(t)) return;
  const { CHECKS, ENTRA } = await import('entra-guard');
  assert.deepEqual(STEP_IDS, CHECKS.slice(CHECKS.indexOf('size'), CHECKS.indexOf('role') + 1));
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]');
  assert.deepEqual(Object.keys(await checkStates()), STEP_IDS);
  for (const id of STEP_IDS) assert.equal(await page.getByTestId(`check-${id}`).getAttribute('data-state'), 'idle');
  // The import map (allowed by its hash in the CSP) is how the modules find the package.
  assert.equal(await page.evaluate(() => JSON.parse(document.querySelector('script[type="importmap"]').textContent).imports['entra-guard']), '/pkg/browser.js');
  // Entra's hosts on the page are the package's.
  assert.equal(await page.locator('[data-entra="keys-url"]').innerText(), `https://${ENTRA.clouds.public.host}/{tenant}/discovery/v2.0/keys`);
  assert.equal(await page.locator('[data-entra="v2"]').innerText(), ENTRA.clouds.public.v2.replace(ENTRA.tenantPlaceholder, '{tid}').replace('https://', ''));
});

test('the demo tenant mints a valid token and every check passes', async (t) => {
  if (!canRun(t)) return;
  await freshDemo();
  const states = await checkStates();
  assert.deepEqual(Object.keys(states), STEP_IDS);
  for (const id of STEP_IDS) assert.equal(states[id], 'pass', `check-${id}`);
  assert.match(await text('verdict'), /Valid/);
  assert.match(await text('http-status'), /^200/);
  const identity = await text('identity');
  const tenant = await page.inputValue('#policy-tenant');
  assert.ok(identity.includes(tenant), 'identity shows the tenant');
  assert.match(identity, /isAppOnly\s+false/);
  assert.match(identity, /version\s+2\.0/);
  // In the browser the core's own RSA verifies (no synchronous native RSA to hand the work to).
  assert.match(identity, /signatureVerifiedBy\s+wasm/);
  assert.match(await text('decoded-warning'), /Decoded without verification/);
  assert.match(await text('decoded-claims'), /"scp": "mcp\.tools\.read mcp\.tools\.write"/);
  assert.match(await text('privacy'), /never leaves this page/);
  assert.equal(await page.getByTestId('timing').getAttribute('data-cache'), 'miss');
  await shot('valid');

  // The same token again: a cache hit.
  await page.getByTestId('validate').click();
  await page.waitForSelector('[data-testid="timing"][data-cache="hit"]');
  assert.match(await text('timing'), /cache hit/);
});

test('an app-only v1 token validates, with isAppOnly and its roles', async (t) => {
  if (!canRun(t)) return;
  await freshDemo();
  await page.check('#mint-ver-1');
  await page.check('#mint-kind-app');
  assert.equal(await page.inputValue('#mint-aud'), `api://${await page.locator('#demo-api-id').innerText()}`);
  await page.getByTestId('mint').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="identity"]')?.innerText.includes('1.0'));
  await waitForVerdict('ok');
  const identity = await text('identity');
  assert.match(identity, /isAppOnly\s+true/);
  assert.match(identity, /roles\s+MCP\.Tools\.All/);
  const claims = JSON.parse(await text('decoded-claims'));
  assert.equal(claims.idtyp, 'app');
  assert.equal(claims.scp, undefined);
  assert.match(claims.iss, /^https:\/\/sts\.windows\.net\//);
});

test('a tampered signature is signature_invalid; the checks after it are not reached', async (t) => {
  if (!canRun(t)) return;
  await freshDemo();
  await page.getByTestId('tamper-signature').click();
  await waitForVerdict('signature_invalid');
  assertStoppedAt(await checkStates(), 'signature');
  assert.match(await text('verdict'), /signature_invalid/);
  assert.match(await text('http-status'), /^401/);
  assert.match(await page.getByTestId('check-ver').innerText(), /not reached/i);
  await shot('signature-invalid');
});

test('an expired token is token_expired: HTTP 401 and WWW-Authenticate error="invalid_token"', async (t) => {
  if (!canRun(t)) return;
  await freshDemo();
  await page.getByTestId('make-expired').click();
  await waitForVerdict('token_expired');
  assertStoppedAt(await checkStates(), 'lifetime');
  assert.match(await text('verdict'), /token_expired/);
  assert.match(await text('http-status'), /^401 Unauthorized/);
  const header = await text('www-authenticate');
  assert.match(header, /^Bearer /);
  assert.ok(header.includes('error="invalid_token"'), header);
  assert.ok(header.includes('resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"'), header);
  await shot('token-expired');
});

test('a wrong audience is audience_invalid', async (t) => {
  if (!canRun(t)) return;
  await freshDemo();
  await page.getByTestId('wrong-audience').click();
  await waitForVerdict('audience_invalid');
  assertStoppedAt(await checkStates(), 'aud');
  assert.match(await text('verdict'), /audience_invalid/);
  assert.match(await page.getByTestId('check-aud').innerText(), /api:\/\/another-api/);
  await shot('audience-invalid');
});

test('a token without a required scope is insufficient_scope, HTTP 403', async (t) => {
  if (!canRun(t)) return;
  await freshDemo();
  await page.fill('#policy-scopes', 'mcp.admin');
  await page.getByTestId('validate').click();
  await waitForVerdict('insufficient_scope');
  assertStoppedAt(await checkStates(), 'scope');
  assert.match(await text('verdict'), /insufficient_scope/);
  assert.match(await text('http-status'), /^403 Forbidden/);
  const header = await text('www-authenticate');
  assert.ok(header.includes('error="insufficient_scope"'), header);
  assert.ok(header.includes('scope="mcp.admin"'), header);
  await shot('insufficient-scope');
});

test('garbage is token_malformed', async (t) => {
  if (!canRun(t)) return;
  await freshDemo();
  await page.fill('#token', 'this is not a token');
  await page.getByTestId('validate').click();
  await waitForVerdict('token_malformed');
  assertStoppedAt(await checkStates(), 'jws');
  assert.match(await text('verdict'), /token_malformed/);
  assert.match(await text('http-status'), /^401/);
  assert.match(await text('error-message'), /3 segments/);
  await shot('token-malformed');
});

test('without a policy nothing is checked: config_invalid, HTTP 500, no WWW-Authenticate', async (t) => {
  if (!canRun(t)) return;
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#token', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
  await page.getByTestId('validate').click();
  await waitForVerdict('config_invalid');
  assert.equal(await page.getByTestId('verdict').getAttribute('data-check'), 'config');
  const states = await checkStates();
  for (const id of STEP_IDS) assert.equal(states[id], 'skipped', `check-${id}`);
  assert.match(await text('http-status'), /^500/);
  assert.equal(await page.locator('#www-auth-row').isVisible(), false);
  assert.equal(await page.getAttribute('#policy-audience', 'aria-invalid'), 'true');
  await shot('config-invalid');
});

test('an Authorization value that is not "Bearer <token>" fails at check request: no step reached', async (t) => {
  if (!canRun(t)) return;
  await freshDemo();
  await page.fill('#token', 'Bearer two tokens');
  await page.getByTestId('validate').click();
  await waitForVerdict('token_malformed');
  assert.equal(await page.getByTestId('verdict').getAttribute('data-check'), 'request');
  const states = await checkStates();
  for (const id of STEP_IDS) assert.equal(states[id], 'skipped', `check-${id}`);
  assert.match(await text('timing'), /No check of the token ran/);
  assert.equal(await page.getAttribute('#token', 'aria-invalid'), 'true');
});

test('tokens failing at different checks: exactly that step fails, earlier ones pass, later ones are not reached', async (t) => {
  if (!canRun(t)) return;
  // Through the page's own buttons and policy fields.
  const throughTheForm = [
    { check: 'signature', code: 'signature_invalid', act: () => page.getByTestId('tamper-signature').click() },
    { check: 'aud', code: 'audience_invalid', act: () => page.getByTestId('wrong-audience').click() },
    { check: 'lifetime', code: 'token_expired', act: () => page.getByTestId('make-expired').click() },
    { check: 'scope', code: 'insufficient_scope', act: async () => { await page.fill('#policy-scopes', 'mcp.admin'); await page.getByTestId('validate').click(); } },
    { check: 'role', code: 'insufficient_role', act: async () => { await page.fill('#policy-roles', 'MCP.Admin'); await page.getByTestId('validate').click(); } },
  ];
  for (const { check, code, act } of throughTheForm) {
    await freshDemo();
    await act();
    await waitForVerdict(code);
    assert.equal(await page.getByTestId('verdict').getAttribute('data-check'), check);
    assertStoppedAt(await checkStates(), check);
    assert.match(await page.getByTestId(`check-${check}`).innerText(), /fail/i);
  }

  // Tokens the form cannot make, signed by a demo tenant's key through the page's own module, then pasted.
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]');
  const policy = await page.evaluate(async () => {
    const demo = await import('/demo-tenant.js');
    window.__tenant = await demo.newDemoTenant();
    return { jwks: JSON.stringify(window.__tenant.jwks), tenantId: window.__tenant.tenantId, audience: demo.acceptedAudiences(window.__tenant).join(' ') };
  });
  await page.fill('#jwks', policy.jwks);
  await page.fill('#policy-tenant', policy.tenantId);
  await page.fill('#policy-audience', policy.audience);
  /** header / claims changes of a valid v2 user token (null deletes), and the check that must refuse it. */
  const crafted = [
    { check: null, header: {}, claims: {} },
    { check: 'key', header: { kid: 'not-a-kid-of-this-tenant' }, claims: {} },
    { check: 'replicated_claims', header: { iss: 'https://evil.example/' }, claims: {} },
    { check: 'ver', header: {}, claims: { ver: '3.0' } },
    { check: 'iss', header: {}, claims: { iss: 'https://evil.example/v2.0' } },
    { check: 'iat', header: {}, claims: { iat: 'yesterday' } },
    { check: 'id_token', header: {}, claims: { nonce: 'abc' } },
    { check: 'client', header: {}, claims: { azp: null } },
    { check: 'scp', header: {}, claims: { scp: 42 } },
    { check: 'roles', header: {}, claims: { roles: 'MCP.Tools.All' } },
    { check: 'lifetime', header: {}, claims: { exp: null } },
  ];
  for (const { check, header, claims } of crafted) {
    const token = await page.evaluate(async ({ header, claims }) => {
      const demo = await import('/demo-tenant.js');
      const tenant = window.__tenant;
      const params = { version: '2.0', kind: 'user', audience: tenant.apiClientId, scopes: ['mcp.tools.read'], roles: [], expiresInMinutes: 60 };
      const merge = (base, changes) => {
        const out = { ...base };
        for (const [name, value] of Object.entries(changes)) if (value === null) delete out[name]; else out[name] = value;
        return out;
      };
      return demo.signToken(tenant, merge(demo.demoHeader(tenant, '2.0'), header), merge(demo.demoClaims(tenant, params), claims));
    }, { header, claims });
    await page.fill('#token', token);
    await page.getByTestId('validate').click();
    if (check === null) {
      await waitForVerdict('ok');
      for (const [id, state] of Object.entries(await checkStates())) assert.equal(state, 'pass', `check-${id}`);
      continue;
    }
    await page.waitForSelector(`[data-testid="verdict"][data-check="${check}"]`);
    assertStoppedAt(await checkStates(), check);
    if (check === 'replicated_claims') await shot('replicated-claims');
  }
});

test('the steps follow error.check alone, whatever the code, claim and message say', async (t) => {
  if (!canRun(t)) return;
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]');
  // Codes and messages that name other checks than `check` (as the page's old message parsing would have read them).
  const decoys = [
    { code: 'token_malformed', status: 401, claim: null, message: 'token is malformed: header alg must be a string; the payload; signature segment' },
    { code: 'issuer_invalid', status: 401, claim: 'tid', message: 'the signing key issuer template needs tid (tenant restriction)' },
    { code: 'claim_invalid', status: 401, claim: 'exp', message: 'exp is invalid' },
  ];
  const seen = await page.evaluate(async (decoys) => {
    const { CHECKS, EntraTokenError } = await import('entra-guard');
    const { showFailure } = await import('/result.js');
    const states = () => Object.fromEntries([...document.querySelectorAll('[data-testid^="check-"]')].map((row) => [row.dataset.check, row.dataset.state]));
    const out = [];
    for (const check of CHECKS) {
      for (const decoy of decoys) {
        showFailure(new EntraTokenError({ ...decoy, check }), { elapsed: 0.1, now: Date.now() / 1000 });
        out.push({ check, code: decoy.code, shown: document.querySelector('[data-testid="verdict"]').dataset.check, states: states() });
      }
    }
    return out;
  }, decoys);
  assert.equal(seen.length, 28 * decoys.length);
  for (const { check, code, shown, states } of seen) {
    assert.equal(shown, check);
    if (STEP_IDS.includes(check)) {
      assertStoppedAt(states, check);
    } else if (check === 'claim_check') {
      // The caller's own check runs after every check of the core: all of them passed.
      for (const id of STEP_IDS) assert.equal(states[id], 'pass', `check-${id} when claim_check failed (${code})`);
    } else {
      // config, request, jwks, internal: no check of the token ran.
      assert.ok(['config', 'request', 'jwks', 'internal'].includes(check), check);
      for (const id of STEP_IDS) assert.equal(states[id], 'skipped', `check-${id} when ${check} failed (${code})`);
    }
  }
});

test('at a 375 px wide (phone) viewport: one column, no horizontal scrolling', async (t) => {
  if (!canRun(t)) return;
  await page.setViewportSize({ width: 375, height: 812 });
  try {
    await freshDemo();
    await page.getByTestId('make-expired').click();
    await waitForVerdict('token_expired');
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inputs: document.querySelector('.inputs').getBoundingClientRect(),
      results: document.querySelector('.results').getBoundingClientRect(),
    }));
    assert.ok(widths.scroll <= 375, `scrollWidth ${widths.scroll} > 375`);
    assert.ok(widths.results.top >= widths.inputs.bottom, 'results are below the inputs (single column)');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}phone-375.png` });
    await page.evaluate(() => document.getElementById('result-heading').scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: `${SHOTS}phone-375-result.png` });
    await shot('phone-375-full');
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});

test('no request left 127.0.0.1, the page raised no errors and broke no CSP rule', async (t) => {
  if (!canRun(t)) return;
  assert.ok(requests.length > 0);
  const origin = new URL(server.url).origin;
  const outside = requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:'));
  assert.deepEqual(outside, []);
  assert.deepEqual(pageErrors, []);
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]');
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
});

// ------------------------------------------------------------------------------------------------
// The static server itself (no browser, no build: a temporary directory shaped like the repository)

/** One raw request (no URL normalisation on the way, unlike fetch): status, headers and body. */
function raw(base, method, target) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path: target }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the static server: headers, content types, the import map\'s hash in the CSP, and 4xx for bad paths', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'entra-guard-serve-'));
  const outside = mkdtempSync(path.join(tmpdir(), 'entra-guard-outside-'));
  let site;
  try {
    const html = readFileSync(new URL('../../www/index.html', import.meta.url), 'utf8');
    mkdirSync(path.join(root, 'www'));
    mkdirSync(path.join(root, 'pkg', 'wasm'), { recursive: true });
    writeFileSync(path.join(root, 'www', 'index.html'), html);
    writeFileSync(path.join(root, 'www', 'app.js'), 'export {};\n');
    writeFileSync(path.join(root, 'www', '.secret'), 'hidden\n');
    writeFileSync(path.join(root, 'www', 'notes.ts'), 'let x = 1;\n');
    writeFileSync(path.join(root, 'pkg', 'browser.js'), 'export {};\n');
    writeFileSync(path.join(root, 'pkg', 'wasm', 'core.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    writeFileSync(path.join(outside, 'private.txt'), 'outside the root\n');
    writeFileSync(path.join(root, 'package.json'), '{}\n');
    symlinkSync(path.join(outside, 'private.txt'), path.join(root, 'www', 'link.txt'));
    symlinkSync(outside, path.join(root, 'pkg', 'linked-dir'));
    site = await startStaticServer({ port: 0, host: '127.0.0.1', root });

    // The CSP allows the page's inline import map by its sha256, computed here independently.
    const maps = [...html.matchAll(/<script type="importmap">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    assert.equal(maps.length, 1, 'index.html has one import map');
    const hash = `'sha256-${createHash('sha256').update(maps[0]).digest('base64')}'`;

    const page = await raw(site.url, 'GET', '/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.body.toString('utf8'), html);
    const csp = page.headers['content-security-policy'];
    const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src '));
    assert.equal(scriptSrc, `script-src 'self' 'wasm-unsafe-eval' ${hash}`);
    assert.ok(csp.includes("default-src 'self'") && csp.includes("object-src 'none'") && csp.includes("frame-ancestors 'none'"), csp);
    assert.ok(csp.includes('connect-src \'self\' https://login.microsoftonline.com'), csp);

    const expected = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'no-store',
    };
    const types = {
      '/': 'text/html; charset=utf-8',
      '/app.js': 'text/javascript; charset=utf-8',
      '/notes.ts': 'text/plain; charset=utf-8',
      '/pkg/browser.js': 'text/javascript; charset=utf-8',
      '/pkg/wasm/core.wasm': 'application/wasm',
    };
    for (const [target, type] of Object.entries(types)) {
      const res = await raw(site.url, 'GET', target);
      assert.equal(res.status, 200, target);
      assert.equal(res.headers['content-type'], type, target);
      assert.equal(res.headers['content-security-policy'], csp, target);
      for (const [name, value] of Object.entries(expected)) assert.equal(res.headers[name], value, `${name} of ${target}`);
      assert.equal(res.headers['x-powered-by'], undefined, target);
      assert.equal(res.headers.etag, undefined, target);
      assert.equal(res.headers['content-length'], String(res.body.length), target);
    }
    const head = await raw(site.url, 'HEAD', '/pkg/wasm/core.wasm');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '8');
    assert.equal(head.body.length, 0);

    // Bad input is a 4xx with the same headers, never a 500; nothing outside www/ and pkg/ is served.
    const refused = {
      '/%ZZ': 400, '/pkg/%E0%A4%A': 400, '/%': 400,
      '/missing.js': 404, '/pkg/missing.js': 404, '/pkg': 404, '/pkg/': 404, '/pkg/wasm': 404, '/pkg/wasm/': 404,
      '/.secret': 404, '/%2esecret': 404, '/../package.json': 404, '/..%2fpackage.json': 404, '/pkg/..%2f..%2fpackage.json': 404,
      '/pkg/%2e%2e/package.json': 404, '/a%00b': 404, '/app.js%00': 404, '/a%5c..%5cpackage.json': 404,
      '/link.txt': 404, '/pkg/linked-dir/private.txt': 404, '/PKG/browser.js': 404, '/pkg/browser.js/': 404,
    };
    for (const [target, status] of Object.entries(refused)) {
      const res = await raw(site.url, 'GET', target);
      assert.equal(res.status, status, target);
      assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8', target);
      assert.equal(res.headers['content-security-policy'], csp, target);
      assert.equal(res.headers['cache-control'], 'no-store', target);
      assert.doesNotMatch(res.body.toString('utf8'), /outside the root|hidden|Error|at /, target);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const res = await raw(site.url, method, '/');
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.allow, 'GET, HEAD', method);
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', method);
    }
  } finally {
    await site?.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test('the static server without an import map in index.html: the CSP allows no inline script', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'entra-guard-serve-'));
  let site;
  try {
    mkdirSync(path.join(root, 'www'));
    writeFileSync(path.join(root, 'www', 'index.html'), '<!doctype html><script>alert(1)</script><script type="module" src="app.js"></script>\n');
    site = await startStaticServer({ port: 0, host: '127.0.0.1', root });
    const res = await raw(site.url, 'GET', '/');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval';/);
  } finally {
    await site?.close();
    rmSync(root, { recursive: true, force: true });
  }
});
