// The page's wiring: reads the token, keys and policy, validates with the package, and connects the buttons
// and fields to the demo tenant (demo-tenant.js), the result panel (result.js) and the checks (checks.js).
// The only network request the page can make is fetchTenantKeys() (the public cloud's login host).
import { ENTRA, EntraTokenError, EntraValidator, bearerToken, isGuid } from 'entra-guard';
import { renderChecks } from './checks.js';
import {
  DEFAULT_SCOPES, DEMO_ROLE, OTHER_AUDIENCE, acceptedAudiences, canMakeKeys, defaultAudience, mintToken, newDemoTenant,
  tamperSignature,
} from './demo-tenant.js';
import { $, $as, setValue, valueOf, words } from './dom.js';
import { FAULT_FIELDS, relative, renderDecoded, showFailure, showIdle, showSuccess } from './result.js';

/** @typedef {import('entra-guard').EntraValidatorOptions} EntraValidatorOptions */
/** @typedef {import('entra-guard').ValidateOptions} ValidateOptions */
/** @typedef {import('./demo-tenant.js').DemoTenant} DemoTenant */
/** @typedef {import('./demo-tenant.js').TokenVersion} TokenVersion */
/** @typedef {import('./demo-tenant.js').CallerKind} CallerKind */

const LOGIN_HOST = ENTRA.clouds.public.host;
/** @param {string} tenant */
const keysUrl = (tenant) => `https://${LOGIN_HOST}/${tenant}/discovery/v2.0/keys`;
/**
 * The aliases that stand for many tenants, and so need an allow-list (the page allows every tenant).
 * `consumers` is one tenant, the personal-Microsoft-account one (ENTRA.consumerTenantId).
 */
const MULTI_TENANT_ALIASES = ENTRA.tenantAliases.filter((alias) => alias !== 'consumers');

// ------------------------------------------------------------------------------------------------
// Validation

/**
 * One validator per (policy, JWKS), kept while they stay the same so that a repeat is a cache hit.
 * @type {{ key: string, validator: EntraValidator, verified: Set<string> } | null}
 */
let current = null;
/** Validations run in this tab (the first one also pays for WebAssembly warm-up). */
let validations = 0;

/**
 * @param {EntraValidatorOptions} options
 * @param {string} jwksText
 */
function validatorFor(options, jwksText) {
  const key = `${JSON.stringify(options)}\u0000${jwksText}`;
  if (current?.key === key) return current;
  current?.validator.free();
  current = null;
  const validator = new EntraValidator(options);
  try {
    if (jwksText.trim()) validator.setJwks(jwksText);
  } catch (error) {
    validator.free();
    throw error;
  }
  current = { key, validator, verified: new Set() };
  return current;
}

/** @returns {EntraValidatorOptions} */
function readPolicy() {
  const tenant = valueOf('policy-tenant').trim();
  /** @type {EntraValidatorOptions} */
  const options = { audience: words(valueOf('policy-audience')) };
  if (tenant) options.tenantId = tenant;
  if (MULTI_TENANT_ALIASES.includes(tenant.toLowerCase())) options.allowedTenants = ['*'];
  const tolerance = valueOf('policy-tolerance').trim();
  if (tolerance !== '') options.clockToleranceSeconds = Number(tolerance);
  return options;
}

/** @returns {ValidateOptions & { now?: Date }} */
function readCall() {
  /** @type {ValidateOptions & { now?: Date }} */
  const call = {};
  const scopes = words(valueOf('policy-scopes'));
  const roles = words(valueOf('policy-roles'));
  if (scopes.length) call.requiredScopes = scopes;
  if (roles.length) call.requiredRoles = roles;
  const at = valueOf('policy-now');
  if (at) {
    const date = new Date(at);
    if (Number.isNaN(date.getTime())) {
      throw new EntraTokenError({ code: 'config_invalid', status: 500, check: 'config', claim: 'now', message: `option now is invalid: "${at}" is not a date and time` });
    }
    call.now = date;
  }
  return call;
}

/** The token from the text area: trimmed, and without a `Bearer ` prefix (parsed as a server would). */
function readToken() {
  const raw = valueOf('token').trim();
  return /^bearer\s/i.test(raw) ? bearerToken(raw) ?? '' : raw;
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let pending;
function validateSoon() {
  clearTimeout(pending);
  pending = setTimeout(validateNow, 250);
}

/** Validates what the page holds now, and shows the result. */
function validateNow() {
  clearTimeout(pending);
  for (const id of FAULT_FIELDS) $(id).removeAttribute('aria-invalid');
  const raw = valueOf('token').trim();
  const first = validations === 0;
  let call;
  let token;
  try {
    call = readCall();
    token = readToken();
  } catch (error) {
    if (!(error instanceof EntraTokenError)) throw error;
    const now = Date.now() / 1000;
    renderDecoded(raw, now);
    showFailure(error, { elapsed: 0, now });
    return;
  }
  const now = call.now ? call.now.getTime() / 1000 : Date.now() / 1000;
  renderDecoded(token, now);
  if (!token) {
    showIdle('Paste a token, or press Demo tenant.');
    return;
  }
  let entry;
  try {
    entry = validatorFor(readPolicy(), valueOf('jwks'));
  } catch (error) {
    if (!(error instanceof EntraTokenError)) throw error;
    showFailure(error, { elapsed: 0, now });
    return;
  }
  const hit = entry.verified.has(token);
  /** @type {ValidateOptions} */
  const fixedCall = { ...call, now };
  let result;
  validations += 1;
  const started = performance.now();
  try {
    result = entry.validator.validate(token, fixedCall);
  } catch (error) {
    const elapsed = performance.now() - started;
    if (!(error instanceof EntraTokenError)) throw error;
    showFailure(error, { elapsed, now, first });
    return;
  }
  const elapsed = performance.now() - started;
  entry.verified.add(token);
  showSuccess(result, { elapsed, now, hit, first });
}

// ------------------------------------------------------------------------------------------------
// Demo tenant: the form, and what it mints

/** @type {DemoTenant | null} */
let demo = null;

/** @param {string} text @param {boolean} [isError] */
function demoStatus(text, isError = false) {
  const status = $('demo-status');
  status.textContent = text;
  status.classList.toggle('status-error', isError);
}

/** The value of the checked radio button of a group. @param {string} name */
function checkedValue(name) {
  const checked = document.querySelector(`input[name="${name}"]:checked`);
  return checked instanceof HTMLInputElement ? checked.value : '';
}
/** @returns {TokenVersion} */
const mintVersion = () => (checkedValue('mint-version') === '1.0' ? '1.0' : '2.0');
/** @returns {CallerKind} */
const mintKind = () => (checkedValue('mint-kind') === 'app' ? 'app' : 'user');

function syncKind() {
  const app = mintKind() === 'app';
  $as('mint-scopes', HTMLInputElement).disabled = app;
  $('mint-scopes-hint').hidden = !app;
  const roles = valueOf('mint-roles').trim();
  if (app && !roles) setValue('mint-roles', DEMO_ROLE);
  if (!app && roles === DEMO_ROLE) setValue('mint-roles', '');
}

/** @param {DemoTenant} tenant */
function resetMintForm(tenant) {
  $as('mint-ver-2', HTMLInputElement).checked = true;
  $as('mint-kind-user', HTMLInputElement).checked = true;
  setValue('mint-aud', defaultAudience(tenant, '2.0'));
  setValue('mint-scopes', DEFAULT_SCOPES);
  setValue('mint-roles', '');
  setValue('mint-expiry', '60');
  syncKind();
}

async function createDemoTenant() {
  if (!canMakeKeys()) {
    demoStatus('WebCrypto is unavailable: open this page over https or from localhost / 127.0.0.1.', true);
    return;
  }
  const start = $as('demo-start', HTMLButtonElement);
  start.disabled = true;
  demoStatus('Generating an RSA-2048 key…');
  try {
    demo = await newDemoTenant();
  } catch (error) {
    demoStatus(`Could not make a key: ${error instanceof Error ? error.message : String(error)}`, true);
    start.disabled = false;
    return;
  }
  const jwksText = JSON.stringify(demo.jwks, null, 2);
  $('demo-tenant-id').textContent = demo.tenantId;
  $('demo-api-id').textContent = demo.apiClientId;
  $('demo-caller-id').textContent = demo.callerClientId;
  $('demo-kid').textContent = demo.kid;
  $('demo-jwks').textContent = jwksText;
  $('demo-panel').hidden = false;
  start.textContent = 'New demo tenant';
  start.disabled = false;
  // The policy that matches this tenant and API.
  setValue('jwks', jwksText);
  setValue('policy-tenant', demo.tenantId);
  setValue('policy-audience', acceptedAudiences(demo).join('\n'));
  setValue('policy-scopes', '');
  setValue('policy-roles', '');
  setValue('policy-tolerance', '300');
  setValue('policy-now', '');
  resetMintForm(demo);
  demoStatus('Demo tenant ready; policy filled in to match.');
  await mintFromForm();
}

async function mintFromForm() {
  if (!demo) return;
  const expiry = valueOf('mint-expiry');
  const expiresInMinutes = Number(expiry);
  if (expiry.trim() === '' || !Number.isFinite(expiresInMinutes)) {
    demoStatus('Expiry: give a number of minutes (negative for an expired token).', true);
    $('mint-expiry').focus();
    return;
  }
  const version = mintVersion();
  const kind = mintKind();
  const { token, claims } = await mintToken(demo, {
    version, kind, audience: valueOf('mint-aud').trim(), scopes: words(valueOf('mint-scopes')),
    roles: words(valueOf('mint-roles')), expiresInMinutes,
  });
  setValue('token', token);
  demoStatus(`Minted a v${version === '1.0' ? '1' : '2'} ${kind === 'app' ? 'app-only' : 'user'} token, expiring ${relative(claims.exp, Date.now() / 1000)}.`);
  validateNow();
}

function tamper() {
  const changed = tamperSignature(valueOf('token'));
  if (!changed) {
    demoStatus('Mint a token first: there is no signature to tamper with.', true);
    return;
  }
  setValue('token', changed.token);
  demoStatus(`Changed signature character ${changed.position} from "${changed.was}" to "${changed.now}".`);
  validateNow();
}

// ------------------------------------------------------------------------------------------------
// Fetching a tenant's keys: the page's only network request

async function fetchTenantKeys() {
  const status = $('fetch-status');
  const tenant = valueOf('fetch-tenant').trim() || valueOf('policy-tenant').trim();
  status.classList.remove('status-error');
  // A tenant GUID, or a domain name (RFC 1035 §2.3.1 letters, digits, hyphens and dots; at most 253).
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(tenant)) {
    status.textContent = 'Type a tenant id (GUID) or a verified domain such as contoso.onmicrosoft.com.';
    status.classList.add('status-error');
    $('fetch-tenant').focus();
    return;
  }
  const url = keysUrl(tenant);
  const limit = ENTRA.limits.maxJwksBytes;
  status.textContent = `Fetching ${url} …`;
  const button = $as('fetch-keys', HTMLButtonElement);
  button.disabled = true;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  try {
    const response = await fetch(url, { signal: abort.signal, credentials: 'omit', cache: 'no-store', redirect: 'error', referrerPolicy: 'no-referrer' });
    if (!response.ok) throw new Error(`HTTP ${response.status}${response.status === 400 ? ': unknown tenant?' : ''}`);
    const text = await response.text();
    if (new TextEncoder().encode(text).length > limit) throw new Error(`the document is over ${limit / 1024} KiB`);
    /** @type {unknown} */
    const doc = JSON.parse(text);
    const keys = doc !== null && typeof doc === 'object' && 'keys' in doc ? doc.keys : undefined;
    if (!Array.isArray(keys)) throw new Error('no "keys" array in the answer');
    setValue('jwks', JSON.stringify(doc, null, 2));
    if (isGuid(tenant) && !valueOf('policy-tenant').trim()) setValue('policy-tenant', tenant);
    status.textContent = `Loaded ${keys.length} key${keys.length === 1 ? '' : 's'} from ${url}.`;
    validateNow();
  } catch (error) {
    const reason = error instanceof Error ? (error.name === 'AbortError' ? 'no answer within 10 s' : error.message) : String(error);
    status.textContent = `Could not fetch the keys (${reason}). Offline, or not a tenant? You can paste the JWKS instead.`;
    status.classList.add('status-error');
  } finally {
    clearTimeout(timer);
    button.disabled = false;
  }
}

// ------------------------------------------------------------------------------------------------
// Wiring

/**
 * An event handler that reports what it throws on the page instead of losing it.
 * @param {() => unknown} fn
 * @returns {() => void}
 */
const guard = (fn) => () => {
  Promise.resolve().then(fn).catch((/** @type {unknown} */ error) => {
    demoStatus(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`, true);
    console.error(error);
  });
};

/** Where index.html names an Entra host or issuer, the package's value (the HTML has it only as a fallback). */
function showEntraConstants() {
  const { v1, v2 } = ENTRA.clouds.public;
  /** An issuer template as the page shows it: without the scheme, and with {tid} for the tenant. @param {string} template */
  const shown = (template) => template.replace(ENTRA.tenantPlaceholder, '{tid}').replace(/^https:\/\//, '');
  /** @type {Record<string, string>} */
  const texts = { host: LOGIN_HOST, 'keys-url': keysUrl('{tenant}'), v1: shown(v1), v2: shown(v2) };
  for (const node of document.querySelectorAll('[data-entra]')) {
    if (!(node instanceof HTMLElement)) continue;
    const text = texts[node.dataset.entra ?? ''];
    if (text !== undefined) node.textContent = text;
  }
}

$('demo-start').addEventListener('click', guard(createDemoTenant));
$('mint-form').addEventListener('submit', (event) => { event.preventDefault(); guard(mintFromForm)(); });
$('mint-reset').addEventListener('click', guard(() => {
  if (!demo) return undefined;
  resetMintForm(demo);
  return mintFromForm();
}));
$('tamper').addEventListener('click', guard(tamper));
$('make-expired').addEventListener('click', guard(() => { setValue('mint-expiry', '-10'); return mintFromForm(); }));
$('wrong-audience').addEventListener('click', guard(() => { setValue('mint-aud', OTHER_AUDIENCE); return mintFromForm(); }));
for (const radio of document.querySelectorAll('input[name="mint-version"]')) {
  radio.addEventListener('change', () => {
    if (!demo) return;
    const version = mintVersion();
    const other = version === '1.0' ? '2.0' : '1.0';
    if (valueOf('mint-aud').trim() === defaultAudience(demo, other)) setValue('mint-aud', defaultAudience(demo, version));
  });
}
for (const radio of document.querySelectorAll('input[name="mint-kind"]')) radio.addEventListener('change', syncKind);

$('policy-form').addEventListener('submit', (event) => { event.preventDefault(); validateNow(); });
$('policy-now-clear').addEventListener('click', () => { setValue('policy-now', ''); validateNow(); });
$('fetch-keys').addEventListener('click', guard(fetchTenantKeys));
$('fetch-tenant').addEventListener('keydown', (event) => {
  if (event.key === 'Enter') { event.preventDefault(); guard(fetchTenantKeys)(); }
});
for (const id of ['token', 'jwks', 'policy-tenant', 'policy-audience', 'policy-scopes', 'policy-roles', 'policy-tolerance']) {
  $(id).addEventListener('input', validateSoon);
}
$('policy-now').addEventListener('change', validateSoon);

showEntraConstants();
renderChecks();
document.body.dataset.ready = 'true';
