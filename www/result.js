// The result panel: the verdict, the validated identity, the HTTP answer a server would send, the timing,
// and the token decoded for display. Which steps passed is the checks module's business (checks.js); this
// one only hands it `error.check`.
import { protectedResourceMetadataUrl, refusal, wwwAuthenticate } from 'entra-guard';
import { onTokenPath, renderChecks, statesFor } from './checks.js';
import { $, code, el } from './dom.js';

/** @typedef {import('entra-guard').EntraTokenError} EntraTokenError */
/** @typedef {import('entra-guard').EntraCheck} EntraCheck */
/** @typedef {import('entra-guard').ValidatedToken} ValidatedToken */

/** Sample protected resource, for the WWW-Authenticate header a server would send (RFC 9728 §5.1). */
export const SAMPLE_RESOURCE = 'https://mcp.example.com/mcp';
const RESOURCE_METADATA_URL = protectedResourceMetadataUrl(SAMPLE_RESOURCE);
const TIMER_RESOLUTION_MS = globalThis.crossOriginIsolated ? 0.005 : 0.1;

/** @type {Partial<Record<number, string>>} */
const STATUS_TEXT = { 200: 'OK', 401: 'Unauthorized', 403: 'Forbidden', 500: 'Internal Server Error' };

/**
 * Option (the `claim` of a 'config' failure) → the input that sets it, marked aria-invalid when at fault.
 * @type {Record<string, string>}
 */
const POLICY_FIELDS = {
  tenantId: 'policy-tenant', allowedTenants: 'policy-tenant', audience: 'policy-audience', clockToleranceSeconds: 'policy-tolerance',
  requiredScopes: 'policy-scopes', requiredRoles: 'policy-roles', now: 'policy-now',
};

/** Every input a failure can mark as at fault (the wiring clears them before each validation). */
export const FAULT_FIELDS = [...new Set([...Object.values(POLICY_FIELDS), 'jwks', 'token'])];

/**
 * Failures before (or beside) the token's checks: why no step ran, and the input at fault.
 * @type {Partial<Record<EntraCheck, (error: EntraTokenError) => { why: string, field: string | undefined }>>}
 */
const NOTHING_RAN = {
  config: (error) => ({
    why: `the policy (section 3) is unusable: ${['audience', 'tenantId'].includes(error.claim ?? '') ? 'fill in at least the tenant id and the audience' : 'fix the highlighted field'}.`,
    field: POLICY_FIELDS[error.claim ?? ''],
  }),
  jwks: () => ({
    why: 'the JWKS (section 2) is unusable: paste the tenant\'s keys document, fetch it, or press Demo tenant.',
    field: 'jwks',
  }),
  request: () => ({
    why: 'the text is not a bearer token: after "Bearer " comes exactly one token (RFC 6750 §2.1).',
    field: 'token',
  }),
  internal: () => ({
    why: 'the validator reached a state it never should (a bug in entra-guard, worth reporting).',
    field: undefined,
  }),
};

// ------------------------------------------------------------------------------------------------
// Time

/** @param {number} seconds since the epoch */
export const formatTime = (seconds) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/**
 * "in 5 min", "2.0 h ago"...
 * @param {number} seconds since the epoch
 * @param {number} now seconds since the epoch
 */
export function relative(seconds, now) {
  const delta = Math.round(seconds - now);
  const abs = Math.abs(delta);
  if (abs < 2) return 'now';
  const amount = abs < 120 ? `${abs} s` : abs < 7200 ? `${Math.round(abs / 60)} min` : `${(abs / 3600).toFixed(1)} h`;
  return delta >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** @param {number} ms */
function formatMs(ms) {
  if (ms <= 0) return `under ${TIMER_RESOLUTION_MS} ms (below this browser's timer resolution)`;
  return ms < 1 ? `${ms.toFixed(3)} ms` : `${ms.toFixed(2)} ms`;
}

/**
 * @typedef {object} Timing
 * @property {number} elapsed milliseconds spent in validate()
 * @property {number} now the time validated at, seconds since the epoch
 * @property {boolean} [hit] a repeat of a token this validator verified before
 * @property {boolean} [first] the tab's first validation (which includes WebAssembly warm-up)
 */

/** @param {Timing} timing @param {boolean} ok */
function showTiming({ elapsed, now, hit = false, first = false }, ok) {
  const timing = $('timing');
  timing.hidden = false;
  const at = ` Validated at ${formatTime(now)}.`;
  if (hit) {
    timing.textContent = `${formatMs(elapsed)}: cache hit. This validator verified this exact token before, so the signature was not checked again; only exp/nbf and the required permissions were.${at}`;
  } else if (ok) {
    const warmUp = first ? ' (The first validation in a tab also includes WebAssembly warm-up.)' : '';
    timing.textContent = `${formatMs(elapsed)} in WebAssembly: a first sighting, every check including the RSA signature. Validate again and the repeat is a cache hit.${warmUp}${at}`;
  } else {
    timing.textContent = `Refused in ${formatMs(elapsed)}. Failures are never cached.${at}`;
  }
  timing.dataset.cache = hit ? 'hit' : 'miss';
}

// ------------------------------------------------------------------------------------------------
// The decoded token (for display only; the validator decodes strictly on its own)

/**
 * Lenient decoding for display: whatever a person pasted, show what can be shown.
 * @param {string | undefined} segment
 * @returns {{ text: string, value?: unknown, bytes?: number }}
 */
function decodeSegmentForDisplay(segment) {
  if (segment === undefined || segment === '') return { text: '(empty)' };
  try {
    const standard = segment.trim().replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(standard + '='.repeat((4 - (standard.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const text = new TextDecoder().decode(bytes);
    try {
      /** @type {unknown} */
      const value = JSON.parse(text);
      return { text: JSON.stringify(value, null, 2), value, bytes: bytes.length };
    } catch {
      return { text: `(not JSON) ${text.slice(0, 300)}`, bytes: bytes.length };
    }
  } catch {
    return { text: '(not base64url: cannot be decoded)' };
  }
}

/**
 * Shows the token's header and claims, decoded without verification, and its times.
 * @param {string} token
 * @param {number} now seconds since the epoch
 */
export function renderDecoded(token, now) {
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
    const values = /** @type {Record<string, unknown>} */ (claims.value);
    for (const name of ['iat', 'nbf', 'exp']) {
      const value = values[name];
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

// ------------------------------------------------------------------------------------------------
// Verdicts

/** Nothing to validate yet. @param {string} message */
export function showIdle(message) {
  const verdict = $('verdict');
  verdict.dataset.state = 'idle';
  delete verdict.dataset.code;
  delete verdict.dataset.check;
  verdict.replaceChildren(message);
  $('error-message').hidden = true;
  $('timing').hidden = true;
  $('identity-block').hidden = true;
  $('http-block').hidden = true;
  renderChecks();
}

/**
 * @param {number} status
 * @param {{ header?: string | null, note: string, response?: string }} answer
 */
function showHttp(status, { header = null, note, response = '' }) {
  $('http-block').hidden = false;
  $('http-status').textContent = `${status} ${STATUS_TEXT[status] ?? ''}`.trim();
  $('www-auth-row').hidden = !header;
  $('www-authenticate').textContent = header ?? '';
  $('http-note').textContent = note;
  const whole = $('http-response');
  whole.textContent = response;
  const details = whole.closest('details');
  if (details) details.hidden = !response;
}

/**
 * Every check passed.
 * @param {ValidatedToken} result
 * @param {Timing} timing
 */
export function showSuccess(result, timing) {
  const verdict = $('verdict');
  verdict.dataset.state = 'valid';
  verdict.dataset.code = 'ok';
  delete verdict.dataset.check;
  verdict.replaceChildren(
    el('span', { class: 'badge badge-ok' }, '✓ Valid'),
    el('span', { class: 'verdict-text' }, ' Every check passed: the API accepts this token.'),
  );
  $('error-message').hidden = true;
  renderChecks(statesFor(null));
  showTiming(timing, true);

  /** @type {Array<[string, string | null]>} */
  const rows = [
    ['tenantId', result.tenantId], ['objectId', result.objectId], ['clientId', result.clientId],
    ['scopes', result.scopes.length ? result.scopes.join(' ') : '(none)'],
    ['roles', result.roles.length ? result.roles.join(' ') : '(none)'],
    ['isAppOnly', String(result.isAppOnly)], ['version', result.version], ['issuer', result.issuer],
    ['audience', result.audience], ['expiresAt', `${result.expiresAt} (${formatTime(result.expiresAt)})`],
    ['keyId', result.keyId], ['subject', result.subject],
    // 'wasm' in a browser: there is no synchronous native RSA here, so the core's own verifies (in Node, 'host').
    ['signatureVerifiedBy', result.signatureVerifiedBy],
  ];
  $('identity').replaceChildren(
    ...rows.map(([name, value]) => el('div', {}, el('dt', {}, code(name)), el('dd', {}, code(value ?? 'null')))),
  );
  $('identity-block').hidden = false;
  showHttp(200, {
    note: 'The middleware (requireEntraAuth) sets req.auth to the MCP SDK\'s AuthInfo and passes the request to your handler. Authorise on tenantId + objectId, never on names or e-mail addresses.',
  });
}

/** @type {Partial<Record<number, string>>} */
const HTTP_NOTES = {
  401: 'invalid_token: the client should obtain a new token (RFC 6750 §3.1). resource_metadata points an MCP client at the protected-resource metadata, which names the Entra tenant to get it from (RFC 9728 §5.1).',
  403: 'insufficient_scope: the token is valid but lacks a permission; scope= lists what this call needs (RFC 6750 §3.1). A new token with the same permissions would not help.',
  500: 'The server\'s own options or JWKS are unusable (or the validator failed): a server fault, so no WWW-Authenticate and no invalid_token (a client would retry with a new token to no effect).',
};

/**
 * A refusal. `error.check` alone decides which steps passed, which one failed and which were not reached.
 * @param {EntraTokenError} error
 * @param {Timing} timing
 */
export function showFailure(error, timing) {
  const verdict = $('verdict');
  verdict.dataset.state = 'invalid';
  verdict.dataset.code = error.code;
  verdict.dataset.check = error.check;
  verdict.replaceChildren(
    el('span', { class: 'badge badge-fail' }, '✗ Refused'),
    ' ',
    el('code', { class: 'error-code' }, error.code),
    el('span', { class: 'verdict-meta' },
      ' ', el('span', {}, `HTTP ${error.status}`),
      ' · ', el('span', {}, `check ${error.check}`),
      error.claim ? ' · ' : null, error.claim ? el('span', {}, `claim ${error.claim}`) : null),
  );
  const message = $('error-message');
  message.hidden = false;
  message.textContent = error.message;
  renderChecks(statesFor(error.check), error.message);
  $('identity-block').hidden = true;

  if (onTokenPath(error.check)) {
    showTiming(timing, false);
  } else {
    const { why, field } = NOTHING_RAN[error.check]?.(error) ?? { why: `the validator refused at check ${error.check}.`, field: undefined };
    const note = $('timing');
    note.hidden = false;
    note.textContent = `No check of the token ran: ${why}`;
    delete note.dataset.cache;
    if (field) $(field).setAttribute('aria-invalid', 'true');
  }

  const options = { resourceMetadataUrl: RESOURCE_METADATA_URL };
  const answer = refusal(error, options);
  const header = answer.status === 401 || answer.status === 403 ? wwwAuthenticate(error, options) : null;
  const lines = [`HTTP/1.1 ${answer.status} ${STATUS_TEXT[answer.status] ?? ''}`.trim()];
  for (const [name, value] of Object.entries({ ...answer.headers, 'content-type': 'application/json' })) lines.push(`${name}: ${value}`);
  lines.push('', JSON.stringify(answer.body, null, 2));
  showHttp(answer.status, {
    header,
    note: `${HTTP_NOTES[answer.status] ?? ''} Sample resource: ${SAMPLE_RESOURCE}.`,
    response: lines.join('\n'),
  });
}
