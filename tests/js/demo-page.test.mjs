// The demo page (www/) in a real headless Chromium, served by scripts/serve.mjs with the built package at
// /pkg/: the demo tenant mints tokens with WebCrypto and the page validates them with the wasm core.
// Screenshots of each state go to test-output/demo-page/. No request may leave 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../../scripts/serve.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-output/demo-page/', import.meta.url));
const STEP_IDS = [
  'size', 'format', 'header', 'graph', 'key', 'signature', 'payload', 'ver', 'tid', 'iss', 'key-issuer', 'tenant',
  'aud', 'iat', 'id-token', 'client', 'token-type', 'time', 'scopes', 'roles',
];
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
  STEP_IDS.forEach((id, i) => {
    assert.equal(states[id], i < at ? 'pass' : i === at ? 'fail' : 'skipped', `check-${id}`);
  });
}

const text = (testId) => page.getByTestId(testId).innerText();
const shot = (name) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });

test('the demo tenant mints a valid token and every check passes', async (t) => {
  if (missing) return t.skip(missing);
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
  if (missing) return t.skip(missing);
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
  if (missing) return t.skip(missing);
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
  if (missing) return t.skip(missing);
  await freshDemo();
  await page.getByTestId('make-expired').click();
  await waitForVerdict('token_expired');
  assertStoppedAt(await checkStates(), 'time');
  assert.match(await text('verdict'), /token_expired/);
  assert.match(await text('http-status'), /^401 Unauthorized/);
  const header = await text('www-authenticate');
  assert.match(header, /^Bearer /);
  assert.ok(header.includes('error="invalid_token"'), header);
  assert.ok(header.includes('resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"'), header);
  await shot('token-expired');
});

test('a wrong audience is audience_invalid', async (t) => {
  if (missing) return t.skip(missing);
  await freshDemo();
  await page.getByTestId('wrong-audience').click();
  await waitForVerdict('audience_invalid');
  assertStoppedAt(await checkStates(), 'aud');
  assert.match(await text('verdict'), /audience_invalid/);
  assert.match(await page.getByTestId('check-aud').innerText(), /api:\/\/another-api/);
  await shot('audience-invalid');
});

test('a token without a required scope is insufficient_scope, HTTP 403', async (t) => {
  if (missing) return t.skip(missing);
  await freshDemo();
  await page.fill('#policy-scopes', 'mcp.admin');
  await page.getByTestId('validate').click();
  await waitForVerdict('insufficient_scope');
  assertStoppedAt(await checkStates(), 'scopes');
  assert.match(await text('verdict'), /insufficient_scope/);
  assert.match(await text('http-status'), /^403 Forbidden/);
  const header = await text('www-authenticate');
  assert.ok(header.includes('error="insufficient_scope"'), header);
  assert.ok(header.includes('scope="mcp.admin"'), header);
  await shot('insufficient-scope');
});

test('garbage is token_malformed', async (t) => {
  if (missing) return t.skip(missing);
  await freshDemo();
  await page.fill('#token', 'this is not a token');
  await page.getByTestId('validate').click();
  await waitForVerdict('token_malformed');
  assertStoppedAt(await checkStates(), 'format');
  assert.match(await text('verdict'), /token_malformed/);
  assert.match(await text('http-status'), /^401/);
  assert.match(await text('error-message'), /3 segments/);
  await shot('token-malformed');
});

test('without a policy nothing is checked: config_invalid, HTTP 500, no WWW-Authenticate', async (t) => {
  if (missing) return t.skip(missing);
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#token', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
  await page.getByTestId('validate').click();
  await waitForVerdict('config_invalid');
  const states = await checkStates();
  for (const id of STEP_IDS) assert.equal(states[id], 'skipped', `check-${id}`);
  assert.match(await text('http-status'), /^500/);
  assert.equal(await page.locator('#www-auth-row').isVisible(), false);
  assert.equal(await page.getAttribute('#policy-audience', 'aria-invalid'), 'true');
  await shot('config-invalid');
});

test('at a 375 px wide (phone) viewport: one column, no horizontal scrolling', async (t) => {
  if (missing) return t.skip(missing);
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

test('no request left 127.0.0.1, and the page raised no errors', async (t) => {
  if (missing) return t.skip(missing);
  assert.ok(requests.length > 0);
  const origin = new URL(server.url).origin;
  const outside = requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:'));
  assert.deepEqual(outside, []);
  assert.deepEqual(pageErrors, []);
});
