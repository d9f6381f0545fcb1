// The demo page: validates a pasted (or demo-minted) Entra access token with the entra-guard package,
// in WebAssembly in this tab, and shows every check in order. No framework and no build step.
//
// The validator reports only its first failure (error.code + error.claim). The page turns that into the
// state of every check: those before the failing one passed, the failing one failed, the later ones were
// not reached. STEPS lists the checks in the order src/validator.rs runs them; stepFor() maps an error to
// its step. The only network request this file can make is fetchTenantKeys() (login.microsoftonline.com).

const $ = (id) => document.getElementById(id);

/** Sample protected resource, for the WWW-Authenticate header a server would send (RFC 9728 §5.1). */
const SAMPLE_RESOURCE = 'https://mcp.example.com/mcp';

/** The checks, in the order the core runs them (src/validator.rs verify + check_claims), one rule each. */
const STEPS = [
  { id: 'size', name: 'Size', rule: 'Token at most 16 KiB and header segment at most 2 KiB, counted before anything is parsed (CVE-2025-27144 class).' },
  { id: 'format', name: 'Compact JWS, strict base64url', rule: 'Exactly three segments (JWE and JSON serialisation refused); strict base64url: no padding, whitespace, + or / (RFC 7515 §2, §7.1); the header a JSON object without duplicate members.' },
  { id: 'header', name: 'Header: alg, crit, b64, cty', rule: 'alg on the allow-list, case-sensitive: RS256 only (RFC 8725 §3.1); crit refused (RFC 7515 §4.1.11); b64 refused (RFC 7797 §7); nested cty JWT refused (RFC 8725 §3.3).' },
  { id: 'graph', name: 'Not a Microsoft Graph token', rule: 'A nonce in the header marks a Graph (first-party) token: not for this API, and not verifiable by third parties (Entra rule).' },
  { id: 'key', name: 'Key selection', rule: 'Exact kid (or x5t) in the supplied JWKS only; the key must be RSA, use sig, key_ops verify, 2048-4096 bits, e = 65537 (RFC 7515 §4.1.4, RFC 8725 §3.10).' },
  { id: 'signature', name: 'RS256 signature', rule: 'RSASSA-PKCS1-v1_5 with SHA-256, encode-and-compare, signature exactly the modulus length (RFC 8017 §8.2.2).' },
  { id: 'payload', name: 'Payload decoded', rule: 'Only now is the payload read: strict base64url of a JSON object (RFC 7519 §7.2, RFC 8725 §3.3).' },
  { id: 'ver', name: 'Version (ver)', rule: 'ver is "1.0" or "2.0" and one the API accepts (Entra accessTokenAcceptedVersion).' },
  { id: 'tid', name: 'Tenant id (tid)', rule: 'tid, when present, is a tenant GUID (Entra rule).' },
  { id: 'iss', name: 'Issuer (iss)', rule: 'v1 https://sts.windows.net/{tid}/ or v2 https://login.microsoftonline.com/{tid}/v2.0, with {tid} equal to the token\'s tid (RFC 7519 §4.1.1, AadIssuerValidator).' },
  { id: 'key-issuer', name: 'Signing key\'s issuer', rule: 'The JWK\'s own issuer, with tid filled in, must give iss or the tenant\'s v2 issuer (Entra signing-key issuer validation).' },
  { id: 'tenant', name: 'Tenant allowed', rule: 'The token\'s tenant is tenantId or on allowedTenants (Entra rule).' },
  { id: 'aud', name: 'Audience (aud)', rule: 'aud contains a configured audience, exact match, one trailing / ignored (RFC 7519 §4.1.3, RFC 8725 §3.9).' },
  { id: 'iat', name: 'Issued at (iat)', rule: 'iat, when present, is a NumericDate: a JSON number (RFC 7519 §4.1.6).' },
  { id: 'id-token', name: 'Not an ID token', rule: 'No nonce claim: an ID token proves a sign-in, not access to this API (RFC 8725 §3.12, OIDC Core §2).' },
  { id: 'client', name: 'Client app (azp / appid)', rule: 'azp (v2) or appid (v1) names the calling application, and is on allowedClientIds when set (Entra rule).' },
  { id: 'token-type', name: 'Token type (user / app-only)', rule: 'App-only when idtyp is app (or there is no scp), else delegated; checked against tokenTypes (Entra rule).' },
  { id: 'time', name: 'Lifetime (exp, nbf)', rule: 'exp required and now < exp + leeway; nbf, when present, at most now + leeway (RFC 7519 §4.1.4, §4.1.5).' },
  { id: 'scopes', name: 'Required scopes (scp)', rule: 'scp (space-separated) holds the required delegated scopes; a valid token without them is a 403 (RFC 6750 §3.1).' },
  { id: 'roles', name: 'Required app roles (roles)', rule: 'roles holds the required app roles; a valid token without them is a 403 (RFC 6750 §3.1).' },
];

/** Error code → step, where the code alone decides it. */
const STEP_BY_CODE = {
  token_too_large: 'size',
  algorithm_not_allowed: 'header',
  graph_token: 'graph',
  key_not_found: 'key',
  signature_invalid: 'signature',
  tenant_not_allowed: 'tenant',
  audience_invalid: 'aud',
  client_not_allowed: 'client',
  token_expired: 'time',
  token_not_yet_valid: 'time',
  insufficient_scope: 'scopes',
  insufficient_role: 'roles',
};

/** claim_missing / claim_invalid: the claim names the step. */
const STEP_BY_CLAIM = {
  ver: 'ver', tid: 'tid', iss: 'iss', aud: 'aud', iat: 'iat', exp: 'time', nbf: 'time',
  azp: 'client', appid: 'client', idtyp: 'token-type', scp: 'scopes', roles: 'roles',
};

/**
 * The step an error belongs to. A few codes come from more than one check; the message, written by
 * the core, tells them apart (src/header.rs, src/jws.rs, src/claims.rs).
 */
function stepFor(error) {
  const { code, claim } = error;
  const message = String(error.message ?? '');
  if (code === 'token_malformed') {
    if (/^token is malformed: (header (alg|kid|x5t|typ|crit|b64)|header has no alg|nested JWT)/.test(message)) return 'header';
    if (message.includes('signature segment')) return 'signature';
    if (message.includes('payload')) return 'payload';
    return 'format';
  }
  if (code === 'issuer_invalid') return message.includes('signing key') ? 'key-issuer' : 'iss';
  if (code === 'token_type_not_allowed') return message.startsWith('ID tokens') ? 'id-token' : 'token-type';
  if (code === 'claim_missing' && claim === 'tid') {
    if (message.includes('issuer template')) return 'iss';
    if (message.includes('signing key')) return 'key-issuer';
    if (message.includes('tenant restriction')) return 'tenant';
  }
  if (code === 'claim_missing' || code === 'claim_invalid') return STEP_BY_CLAIM[claim] ?? null;
  return STEP_BY_CODE[code] ?? null;
}

/**
 * Checks before the failing one that the core had not run yet: the claim types scp and roles are read
 * before exp/nbf, which are checked before the required scopes and roles.
 */
function alsoNotReached(error, step) {
  if (error.code === 'claim_invalid' && step === 'scopes') return ['time'];
  if (error.code === 'claim_invalid' && step === 'roles') return ['time', 'scopes'];
  return [];
}

/** Option (error.claim of config_invalid) → the input that sets it, marked aria-invalid when at fault. */
const POLICY_FIELDS = {
  tenantId: 'policy-tenant', allowedTenants: 'policy-tenant', audience: 'policy-audience', clockToleranceSeconds: 'policy-tolerance',
  requiredScopes: 'policy-scopes', requiredRoles: 'policy-roles', now: 'policy-now', jwks: 'jwks',
};

const STATE_LABELS = { pass: 'pass', fail: 'fail', skipped: 'not reached', idle: 'waiting' };
const STATE_MARKS = { pass: '✓', fail: '✗', skipped: '–', idle: '·' };
const STATUS_TEXT = { 200: 'OK', 401: 'Unauthorized', 403: 'Forbidden', 500: 'Internal Server Error' };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ------------------------------------------------------------------------------------------------
// Small DOM helpers (text only: nothing from a token is ever parsed as HTML)

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const code = (text) => el('code', {}, text);
const words = (text) => text.split(/[\s,]+/).filter(Boolean);

// ------------------------------------------------------------------------------------------------
// base64url and decoding (for display only; the validator decodes strictly on its own)

function bytesToBase64url(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const jsonSegment = (value) => bytesToBase64url(new TextEncoder().encode(JSON.stringify(value)));

/** Lenient decoding for display: whatever a person pasted, show what can be shown. */
function decodeSegmentForDisplay(segment) {
  if (segment === undefined || segment === '') return { text: '(empty)' };
  try {
    const standard = segment.trim().replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(standard + '='.repeat((4 - (standard.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const text = new TextDecoder().decode(bytes);
    try {
      const value = JSON.parse(text);
      return { text: JSON.stringify(value, null, 2), value, bytes: bytes.length };
    } catch {
      return { text: `(not JSON) ${text.slice(0, 300)}`, bytes: bytes.length };
    }
  } catch {
    return { text: '(not base64url: cannot be decoded)' };
  }
}

// ------------------------------------------------------------------------------------------------
// Loading the package

const loadStatus = $('load-status');
let eg;
try {
  eg = await import('/pkg/browser.js');
} catch (error) {
  loadStatus.textContent = `Could not load the validator from /pkg/browser.js (${error.message}). Build the package with "bash scripts/build.sh" and serve it with "node scripts/serve.mjs".`;
  loadStatus.classList.add('load-error');
  document.body.dataset.ready = 'error';
  for (const button of document.querySelectorAll('button')) button.disabled = true;
  throw error;
}
const { EntraValidator, EntraTokenError, wwwAuthenticate, refusal, bearerToken, protectedResourceMetadataUrl } = eg;
const RESOURCE_METADATA_URL = protectedResourceMetadataUrl(SAMPLE_RESOURCE);
const TIMER_RESOLUTION_MS = globalThis.crossOriginIsolated ? 0.005 : 0.1;

loadStatus.textContent = 'Validator loaded: WebAssembly, running in this tab.';
loadStatus.classList.add('load-ok');

// ------------------------------------------------------------------------------------------------
// Rendering

function renderChecks(states = {}, failMessage = '') {
  const list = $('checks');
  list.replaceChildren(
    ...STEPS.map((step) => {
      const state = states[step.id] ?? 'idle';
      return el(
        'li',
        { class: `check state-${state}`, 'data-testid': `check-${step.id}`, 'data-state': state },
        el('span', { class: 'mark', 'aria-hidden': 'true' }, STATE_MARKS[state]),
        el(
          'div',
          { class: 'check-body' },
          el('div', { class: 'check-title' },
            el('span', { class: 'check-name' }, step.name),
            el('span', { class: 'state-label' }, STATE_LABELS[state])),
          el('p', { class: 'rule' }, step.rule),
          state === 'fail' && failMessage ? el('p', { class: 'check-error' }, failMessage) : null,
        ),
      );
    }),
  );
}

/** States for every step: all pass (failed null), stopped at `failed`, or none run (failed '*'). */
function statesFor(failed, extra = []) {
  const states = {};
  const at = STEPS.findIndex((s) => s.id === failed);
  STEPS.forEach((step, i) => {
    if (failed === null) states[step.id] = 'pass';
    else if (failed === '*' || at === -1) states[step.id] = 'skipped';
    else states[step.id] = i < at ? (extra.includes(step.id) ? 'skipped' : 'pass') : i === at ? 'fail' : 'skipped';
  });
  return states;
}

function formatTime(seconds) {
  return `${new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')}`;
}

function relative(seconds, now) {
  const delta = Math.round(seconds - now);
  const abs = Math.abs(delta);
  if (abs < 2) return 'now';
  const amount = abs < 120 ? `${abs} s` : abs < 7200 ? `${Math.round(abs / 60)} min` : `${(abs / 3600).toFixed(1)} h`;
  return delta >= 0 ? `in ${amount}` : `${amount} ago`;
}

function renderDecoded(token, now) {
  const times = $('decoded-times');
  times.replaceChildren();
  $('decoded-signature').textContent = '';
  if (!token) {
    $('decoded-header').textContent = '—';
    $('decoded-claims').textContent = '—';
    return;
  }
  const [header, payload, signature, ...rest] = token.split('.');
  $('decoded-header').textContent = decodeSegmentForDisplay(header).text;
  const claims = decodeSegmentForDisplay(payload);
  $('decoded-claims').textContent = payload === undefined ? '(no payload segment)' : claims.text;
  if (claims.value && typeof claims.value === 'object') {
    for (const name of ['iat', 'nbf', 'exp']) {
      const value = claims.value[name];
      if (typeof value === 'number' && Number.isFinite(value)) {
        times.append(el('li', {}, code(name), ` ${formatTime(value)} (${relative(value, now)})`));
      }
    }
  }
  const segments = rest.length + 3 - (signature === undefined ? 1 : 0) - (payload === undefined ? 1 : 0);
  if (signature !== undefined) {
    const sig = decodeSegmentForDisplay(signature);
    $('decoded-signature').textContent = `${segments} segments; signature ${signature.length} characters${sig.bytes ? ` = ${sig.bytes} bytes` : ''}.`;
  } else {
    $('decoded-signature').textContent = `${segments} segment${segments === 1 ? '' : 's'}: a compact JWS has 3.`;
  }
}

function showIdle(message) {
  const verdict = $('verdict');
  verdict.dataset.state = 'idle';
  delete verdict.dataset.code;
  verdict.replaceChildren(message);
  $('error-message').hidden = true;
  $('timing').hidden = true;
  $('identity-block').hidden = true;
  $('http-block').hidden = true;
  renderChecks();
}

function showHttp(status, { header, note, response }) {
  $('http-block').hidden = false;
  $('http-status').textContent = `${status} ${STATUS_TEXT[status] ?? ''}`.trim();
  $('www-auth-row').hidden = !header;
  $('www-authenticate').textContent = header ?? '';
  $('http-note').textContent = note;
  $('http-response').textContent = response;
  $('http-response').closest('details').hidden = !response;
}

function showSuccess(result, { elapsed, hit, now }) {
  const verdict = $('verdict');
  verdict.dataset.state = 'valid';
  verdict.dataset.code = 'ok';
  verdict.replaceChildren(
    el('span', { class: 'badge badge-ok' }, '✓ Valid'),
    el('span', { class: 'verdict-text' }, ' Every check passed: the API accepts this token.'),
  );
  $('error-message').hidden = true;
  renderChecks(statesFor(null));
  showTiming(elapsed, hit, now, true);

  const rows = [
    ['tenantId', result.tenantId], ['objectId', result.objectId], ['clientId', result.clientId],
    ['scopes', result.scopes.length ? result.scopes.join(' ') : '(none)'],
    ['roles', result.roles.length ? result.roles.join(' ') : '(none)'],
    ['isAppOnly', String(result.isAppOnly)], ['version', result.version], ['issuer', result.issuer],
    ['audience', result.audience], ['expiresAt', `${result.expiresAt} (${formatTime(result.expiresAt)})`],
    ['keyId', result.keyId], ['subject', result.subject],
  ];
  $('identity').replaceChildren(
    ...rows.map(([name, value]) => el('div', {}, el('dt', {}, code(name)), el('dd', {}, code(value ?? 'null')))),
  );
  $('identity-block').hidden = false;
  showHttp(200, {
    note: 'The middleware (requireEntraAuth) sets req.auth to the MCP SDK\'s AuthInfo and passes the request to your handler. Authorise on tenantId + objectId, never on names or e-mail addresses.',
  });
}

function showFailure(error, { elapsed, now, beforeValidation = false }) {
  const step = beforeValidation ? '*' : stepFor(error);
  const verdict = $('verdict');
  verdict.dataset.state = 'invalid';
  verdict.dataset.code = error.code;
  verdict.replaceChildren(
    el('span', { class: 'badge badge-fail' }, '✗ Refused'),
    ' ',
    el('code', { class: 'error-code' }, error.code),
    el('span', { class: 'verdict-meta' }, ` HTTP ${error.status}${error.claim ? ` · claim ${error.claim}` : ''}`),
  );
  const message = $('error-message');
  message.hidden = false;
  message.textContent = error.message;
  renderChecks(statesFor(step, alsoNotReached(error, step)), error.message);
  $('identity-block').hidden = true;
  if (beforeValidation) {
    const fix = error.code === 'jwks_invalid'
      ? 'the JWKS (section 2) is unusable: paste the tenant\'s keys document, fetch it, or press Demo tenant.'
      : `the policy (section 3) is unusable: ${['audience', 'tenantId'].includes(error.claim) ? 'fill in at least the tenant id and the audience' : 'fix the highlighted field'}.`;
    $('timing').hidden = false;
    $('timing').textContent = `No check of the token ran: ${fix}`;
    const field = POLICY_FIELDS[error.code === 'jwks_invalid' ? 'jwks' : error.claim];
    if (field) $(field).setAttribute('aria-invalid', 'true');
  } else {
    showTiming(elapsed, false, now, false);
  }

  const answer = refusal(error, { resourceMetadataUrl: RESOURCE_METADATA_URL });
  const header = answer.status === 401 || answer.status === 403 ? wwwAuthenticate(error, { resourceMetadataUrl: RESOURCE_METADATA_URL }) : null;
  const notes = {
    401: 'invalid_token: the client should obtain a new token (RFC 6750 §3.1). resource_metadata points an MCP client at the protected-resource metadata, which names the Entra tenant to get it from (RFC 9728 §5.1).',
    403: 'insufficient_scope: the token is valid but lacks a permission; scope= lists what this call needs (RFC 6750 §3.1). A new token with the same permissions would not help.',
    500: 'The server\'s own options or JWKS are unusable: a server fault, so no WWW-Authenticate and no invalid_token (a client would retry with a new token to no effect).',
  };
  const lines = [`HTTP/1.1 ${answer.status} ${STATUS_TEXT[answer.status] ?? ''}`.trim()];
  for (const [name, value] of Object.entries({ ...answer.headers, 'content-type': 'application/json' })) lines.push(`${name}: ${value}`);
  lines.push('', JSON.stringify(answer.body, null, 2));
  showHttp(answer.status, {
    header,
    note: `${notes[answer.status] ?? ''} Sample resource: ${SAMPLE_RESOURCE}.`,
    response: lines.join('\n'),
  });
}

function formatMs(ms) {
  if (ms <= 0) return `under ${TIMER_RESOLUTION_MS} ms (below this browser's timer resolution)`;
  return ms < 1 ? `${ms.toFixed(3)} ms` : `${ms.toFixed(2)} ms`;
}

function showTiming(elapsed, hit, now, ok) {
  const timing = $('timing');
  timing.hidden = false;
  const at = ` Validated at ${formatTime(now)}.`;
  if (hit) {
    timing.textContent = `${formatMs(elapsed)}: cache hit. This validator verified this exact token before, so the signature was not checked again; only exp/nbf and the required permissions were.${at}`;
  } else if (ok) {
    const warmUp = validations === 1 ? ' (The first validation in a tab also includes WebAssembly warm-up.)' : '';
    timing.textContent = `${formatMs(elapsed)} in WebAssembly: a first sighting, every check including the RSA signature. Validate again and the repeat is a cache hit.${warmUp}${at}`;
  } else {
    timing.textContent = `Refused in ${formatMs(elapsed)}. Failures are never cached.${at}`;
  }
  timing.dataset.cache = hit ? 'hit' : 'miss';
}

// ------------------------------------------------------------------------------------------------
// Validation

/** One validator per (policy, JWKS), kept while they stay the same so that a repeat is a cache hit. */
let current = null;
/** Validations run in this tab (the first one also pays for WebAssembly warm-up). */
let validations = 0;

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

function readPolicy() {
  const tenant = $('policy-tenant').value.trim();
  const options = { audience: words($('policy-audience').value) };
  if (tenant) options.tenantId = tenant;
  if (['common', 'organizations'].includes(tenant.toLowerCase())) options.allowedTenants = ['*'];
  const tolerance = $('policy-tolerance').value.trim();
  if (tolerance !== '') options.clockToleranceSeconds = Number(tolerance);
  return options;
}

function readCall() {
  const call = {};
  const scopes = words($('policy-scopes').value);
  const roles = words($('policy-roles').value);
  if (scopes.length) call.requiredScopes = scopes;
  if (roles.length) call.requiredRoles = roles;
  const at = $('policy-now').value;
  if (at) {
    const date = new Date(at);
    if (Number.isNaN(date.getTime())) {
      throw new EntraTokenError({ code: 'config_invalid', status: 500, claim: 'now', message: `option now is invalid: "${at}" is not a date and time` });
    }
    call.now = date;
  }
  return call;
}

/** The token from the text area: trimmed, and without a `Bearer ` prefix (parsed as a server would). */
function readToken() {
  const raw = $('token').value.trim();
  return /^bearer\s/i.test(raw) ? bearerToken(raw) : raw;
}

let pending = 0;
function validateSoon() {
  clearTimeout(pending);
  pending = setTimeout(validateNow, 250);
}

function validateNow() {
  clearTimeout(pending);
  for (const id of Object.values(POLICY_FIELDS)) $(id).removeAttribute('aria-invalid');
  const raw = $('token').value.trim();
  let call;
  let token = raw;
  try {
    call = readCall();
    token = readToken();
  } catch (error) {
    if (!(error instanceof EntraTokenError)) throw error;
    renderDecoded(raw, Date.now() / 1000);
    showFailure(error, { elapsed: 0, now: Date.now() / 1000, beforeValidation: error.code !== 'token_malformed' });
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
    entry = validatorFor(readPolicy(), $('jwks').value);
  } catch (error) {
    if (!(error instanceof EntraTokenError)) throw error;
    showFailure(error, { elapsed: 0, now, beforeValidation: true });
    return;
  }
  const seenBefore = entry.verified.has(token);
  const fixedCall = { ...call, now };
  let result;
  validations += 1;
  const started = performance.now();
  try {
    result = entry.validator.validate(token, fixedCall);
  } catch (error) {
    const elapsed = performance.now() - started;
    if (!(error instanceof EntraTokenError)) throw error;
    showFailure(error, { elapsed, now });
    return;
  }
  const elapsed = performance.now() - started;
  entry.verified.add(token);
  showSuccess(result, { elapsed, hit: seenBefore, now });
}

// ------------------------------------------------------------------------------------------------
// Demo tenant: a key made with WebCrypto, tokens minted from the form

let demo = null;
const DEMO_ROLE = 'MCP.Tools.All';
const DEFAULT_SCOPES = 'mcp.tools.read mcp.tools.write';
const OTHER_AUDIENCE = 'api://another-api';

const demoStatus = (text, isError = false) => {
  $('demo-status').textContent = text;
  $('demo-status').classList.toggle('status-error', isError);
};

const defaultAudience = (version) => (version === '1.0' ? `api://${demo.apiClientId}` : demo.apiClientId);
const mintVersion = () => document.querySelector('input[name="mint-version"]:checked').value;
const mintKind = () => document.querySelector('input[name="mint-kind"]:checked').value;

function syncKind() {
  const app = mintKind() === 'app';
  $('mint-scopes').disabled = app;
  $('mint-scopes-hint').hidden = !app;
  if (app && !$('mint-roles').value.trim()) $('mint-roles').value = DEMO_ROLE;
  if (!app && $('mint-roles').value.trim() === DEMO_ROLE) $('mint-roles').value = '';
}

function resetMintForm() {
  $('mint-ver-2').checked = true;
  $('mint-kind-user').checked = true;
  $('mint-aud').value = defaultAudience('2.0');
  $('mint-scopes').value = DEFAULT_SCOPES;
  $('mint-roles').value = '';
  $('mint-expiry').value = '60';
  syncKind();
}

async function createDemoTenant() {
  if (!globalThis.crypto?.subtle) {
    demoStatus('WebCrypto is unavailable: open this page over https or from localhost / 127.0.0.1.', true);
    return;
  }
  $('demo-start').disabled = true;
  demoStatus('Generating an RSA-2048 key…');
  try {
    const { publicKey, privateKey } = await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      false, // the private key never leaves WebCrypto; public keys are always exportable
      ['sign', 'verify'],
    );
    const exported = await crypto.subtle.exportKey('jwk', publicKey);
    const kid = bytesToBase64url(crypto.getRandomValues(new Uint8Array(20)));
    const jwks = {
      keys: [{
        kty: 'RSA', use: 'sig', kid, n: exported.n, e: exported.e,
        // As in Entra's JWKS: the key is bound to the tenant's v2 issuer.
        issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      }],
    };
    demo = {
      tenantId: crypto.randomUUID(), apiClientId: crypto.randomUUID(), callerClientId: crypto.randomUUID(),
      userObjectId: crypto.randomUUID(), appObjectId: crypto.randomUUID(), kid, privateKey, jwks,
    };
  } catch (error) {
    demoStatus(`Could not make a key: ${error.message}`, true);
    $('demo-start').disabled = false;
    return;
  }
  const jwksText = JSON.stringify(demo.jwks, null, 2);
  $('demo-tenant-id').textContent = demo.tenantId;
  $('demo-api-id').textContent = demo.apiClientId;
  $('demo-caller-id').textContent = demo.callerClientId;
  $('demo-kid').textContent = demo.kid;
  $('demo-jwks').textContent = jwksText;
  $('demo-panel').hidden = false;
  $('demo-start').textContent = 'New demo tenant';
  $('demo-start').disabled = false;
  // The policy that matches this tenant and API.
  $('jwks').value = jwksText;
  $('policy-tenant').value = demo.tenantId;
  $('policy-audience').value = `${demo.apiClientId}\napi://${demo.apiClientId}`;
  $('policy-scopes').value = '';
  $('policy-roles').value = '';
  $('policy-tolerance').value = '300';
  $('policy-now').value = '';
  resetMintForm();
  demoStatus('Demo tenant ready; policy filled in to match.');
  await mintToken();
}

function demoClaims({ version, kind, audience, scopes, roles, expiresInMinutes }) {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + Math.round(expiresInMinutes * 60);
  const iat = Math.min(now, exp - 3600); // Entra tokens live 60-90 minutes
  const v1 = version === '1.0';
  const app = kind === 'app';
  const oid = app ? demo.appObjectId : demo.userObjectId;
  const claims = {
    aud: audience,
    iss: v1 ? `https://sts.windows.net/${demo.tenantId}/` : `https://login.microsoftonline.com/${demo.tenantId}/v2.0`,
    iat, nbf: iat, exp,
  };
  if (v1) Object.assign(claims, { appid: demo.callerClientId, appidacr: app ? '1' : '0' });
  else Object.assign(claims, { azp: demo.callerClientId, azpacr: app ? '1' : '0' });
  if (app) claims.idtyp = 'app';
  else if (v1) Object.assign(claims, { name: 'Demo User', unique_name: 'demo.user@demo-tenant.example', upn: 'demo.user@demo-tenant.example' });
  else Object.assign(claims, { name: 'Demo User', preferred_username: 'demo.user@demo-tenant.example' });
  claims.oid = oid;
  if (roles.length) claims.roles = roles;
  if (!app) claims.scp = scopes.join(' ');
  Object.assign(claims, {
    sub: app ? oid : bytesToBase64url(crypto.getRandomValues(new Uint8Array(32))),
    tid: demo.tenantId,
    uti: bytesToBase64url(crypto.getRandomValues(new Uint8Array(16))),
    ver: version,
  });
  return claims;
}

async function mintToken() {
  if (!demo) return;
  const expiresInMinutes = Number($('mint-expiry').value);
  if ($('mint-expiry').value.trim() === '' || !Number.isFinite(expiresInMinutes)) {
    demoStatus('Expiry: give a number of minutes (negative for an expired token).', true);
    $('mint-expiry').focus();
    return;
  }
  const version = mintVersion();
  const claims = demoClaims({
    version, kind: mintKind(), audience: $('mint-aud').value.trim(), scopes: words($('mint-scopes').value),
    roles: words($('mint-roles').value), expiresInMinutes,
  });
  const header = version === '1.0' ? { typ: 'JWT', alg: 'RS256', x5t: demo.kid, kid: demo.kid } : { typ: 'JWT', alg: 'RS256', kid: demo.kid };
  const input = `${jsonSegment(header)}.${jsonSegment(claims)}`;
  const signature = await crypto.subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, demo.privateKey, new TextEncoder().encode(input));
  $('token').value = `${input}.${bytesToBase64url(new Uint8Array(signature))}`;
  demoStatus(`Minted a v${version === '1.0' ? '1' : '2'} ${mintKind() === 'app' ? 'app-only' : 'user'} token, expiring ${relative(claims.exp, Date.now() / 1000)}.`);
  validateNow();
}

function tamperSignature() {
  const token = $('token').value.trim();
  const parts = token.split('.');
  if (parts.length !== 3 || parts[2].length < 8) {
    demoStatus('Mint a token first: there is no signature to tamper with.', true);
    return;
  }
  // A character in the middle: the length stays right (and the last character's unused bits zero), so
  // the token is still well-formed and only the signature check can catch it.
  const at = Math.floor(parts[2].length / 2);
  const was = parts[2][at];
  const replacement = was === 'A' ? 'B' : 'A';
  parts[2] = parts[2].slice(0, at) + replacement + parts[2].slice(at + 1);
  $('token').value = parts.join('.');
  demoStatus(`Changed signature character ${at + 1} from "${was}" to "${replacement}".`);
  validateNow();
}

// ------------------------------------------------------------------------------------------------
// Fetching a tenant's keys: the page's only network request

async function fetchTenantKeys() {
  const status = $('fetch-status');
  const tenant = $('fetch-tenant').value.trim() || $('policy-tenant').value.trim();
  status.classList.remove('status-error');
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(tenant)) {
    status.textContent = 'Type a tenant id (GUID) or a verified domain such as contoso.onmicrosoft.com.';
    status.classList.add('status-error');
    $('fetch-tenant').focus();
    return;
  }
  const url = `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`;
  status.textContent = `Fetching ${url} …`;
  $('fetch-keys').disabled = true;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  try {
    const response = await fetch(url, { signal: abort.signal, credentials: 'omit', cache: 'no-store', redirect: 'error', referrerPolicy: 'no-referrer' });
    if (!response.ok) throw new Error(`HTTP ${response.status}${response.status === 400 ? ': unknown tenant?' : ''}`);
    const text = await response.text();
    if (text.length > 512 * 1024) throw new Error('the document is over 512 KiB');
    const doc = JSON.parse(text);
    if (!Array.isArray(doc?.keys)) throw new Error('no "keys" array in the answer');
    $('jwks').value = JSON.stringify(doc, null, 2);
    if (GUID.test(tenant) && !$('policy-tenant').value.trim()) $('policy-tenant').value = tenant;
    status.textContent = `Loaded ${doc.keys.length} key${doc.keys.length === 1 ? '' : 's'} from ${url}.`;
    validateNow();
  } catch (error) {
    const reason = error.name === 'AbortError' ? 'no answer within 10 s' : error.message;
    status.textContent = `Could not fetch the keys (${reason}). Offline, or not a tenant? You can paste the JWKS instead.`;
    status.classList.add('status-error');
  } finally {
    clearTimeout(timer);
    $('fetch-keys').disabled = false;
  }
}

// ------------------------------------------------------------------------------------------------
// Wiring

const guard = (fn) => (...args) => Promise.resolve(fn(...args)).catch((error) => {
  demoStatus(`Unexpected error: ${error.message}`, true);
  console.error(error);
});

$('demo-start').addEventListener('click', guard(createDemoTenant));
$('mint-form').addEventListener('submit', (event) => { event.preventDefault(); guard(mintToken)(); });
$('mint-reset').addEventListener('click', guard(() => { resetMintForm(); return mintToken(); }));
$('tamper').addEventListener('click', guard(tamperSignature));
$('make-expired').addEventListener('click', guard(() => { $('mint-expiry').value = '-10'; return mintToken(); }));
$('wrong-audience').addEventListener('click', guard(() => { $('mint-aud').value = OTHER_AUDIENCE; return mintToken(); }));
for (const radio of document.querySelectorAll('input[name="mint-version"]')) {
  radio.addEventListener('change', () => {
    if (!demo) return;
    const other = mintVersion() === '1.0' ? '2.0' : '1.0';
    if ($('mint-aud').value.trim() === defaultAudience(other)) $('mint-aud').value = defaultAudience(mintVersion());
  });
}
for (const radio of document.querySelectorAll('input[name="mint-kind"]')) radio.addEventListener('change', syncKind);

$('policy-form').addEventListener('submit', (event) => { event.preventDefault(); validateNow(); });
$('policy-now-clear').addEventListener('click', () => { $('policy-now').value = ''; validateNow(); });
$('fetch-keys').addEventListener('click', guard(fetchTenantKeys));
$('fetch-tenant').addEventListener('keydown', (event) => {
  if (event.key === 'Enter') { event.preventDefault(); guard(fetchTenantKeys)(); }
});
for (const id of ['token', 'jwks', 'policy-tenant', 'policy-audience', 'policy-scopes', 'policy-roles', 'policy-tolerance']) {
  $(id).addEventListener('input', validateSoon);
}
$('policy-now').addEventListener('change', validateSoon);

renderChecks();
document.body.dataset.ready = 'true';
