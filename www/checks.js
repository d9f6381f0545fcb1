// The checks, in order, and their states. The steps are the package's own CHECKS, from 'size' to 'role'
// (the stages a token meets, in that order); each failure names its stage in `error.check`, so the state of
// every step follows from where that check stands in CHECKS: the steps before it passed, it failed, the
// later ones were not reached. Nothing here reads an error's code or message to decide.
import { CHECKS, ENTRA } from 'entra-guard';
import { $, el } from './dom.js';

/** @typedef {import('entra-guard').EntraCheck} EntraCheck */
/** @typedef {'pass' | 'fail' | 'skipped' | 'idle'} StepState */
/** @typedef {{ name: string, rule: string }} StepText */

const FIRST_STEP = CHECKS.indexOf('size');
const LAST_STEP = CHECKS.indexOf('role');
/**
 * The caller's own check (the JS adapters' `claimCheck`): after every check of the core, so not a step of
 * this page, but a token refused there passed every step. From 'size' to here is the token's path; the other
 * checks ('config', 'request' before it, 'jwks', 'internal') are not stages of a token, and a failure there
 * means no step was reached.
 */
const LAST_TOKEN_CHECK = CHECKS.indexOf('claim_check');

/** The checks shown, in the order a token meets them. */
export const STEPS = CHECKS.slice(FIRST_STEP, LAST_STEP + 1);

/** @param {number} bytes */
const kib = (bytes) => (bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`);
const { v1, v2 } = ENTRA.clouds.public;
/** @param {string} template */
const withTid = (template) => template.replace(ENTRA.tenantPlaceholder, '{tid}');

/**
 * What each step checks, with the public rule behind it. Keyed by check: the order is CHECKS's, not this
 * table's. A check the package adds later is still shown (by its name) until it is described here.
 * @type {Partial<Record<EntraCheck, StepText>>}
 */
const STEP_TEXT = {
  size: {
    name: 'Size',
    rule: `Token at most ${kib(ENTRA.limits.maxTokenBytes)} and header segment at most ${kib(ENTRA.limits.maxHeaderSegmentBytes)}, counted before anything is parsed (the CVE-2025-27144 class: unbounded input to a JOSE parser).`,
  },
  jws: {
    name: 'Compact JWS, strict base64url',
    rule: 'Exactly three segments: five would be a JWE (RFC 7516 §9), and the JSON serialisation is refused; strict base64url: no padding, whitespace, + or / (RFC 7515 §2, §7.1); the header a JSON object without duplicate members (RFC 7515 §4).',
  },
  header: {
    name: 'Header: alg, crit, b64, cty',
    rule: 'alg on the allow-list, case-sensitive: RS256 only (RFC 8725 §3.1); crit refused, no extension is understood (RFC 7515 §4.1.11); b64 refused (RFC 7797 §3); nested cty JWT refused (RFC 7519 §5.2, RFC 8725 §3.3); kid and x5t strings.',
  },
  graph: {
    name: 'Not a Microsoft Graph token',
    rule: 'A nonce in the header marks a token for Microsoft Graph or another first-party API: not for this API, and not meant to be verified by third parties (Microsoft identity platform, "Access tokens": validate only tokens for your own API).',
  },
  key: {
    name: 'Key selection',
    rule: 'Exact kid (or x5t) in the supplied JWKS only; the key must be RSA, use sig, key_ops verify, 2048-4096 bits, e = 65537 (RFC 7515 §4.1.4, RFC 7517 §4.2-4.3, RFC 8725 §3.10).',
  },
  signature: {
    name: 'RS256 signature',
    rule: 'RSASSA-PKCS1-v1_5 with SHA-256, encode-and-compare, signature exactly the modulus length (RFC 8017 §8.2.2, RFC 7518 §3.3).',
  },
  payload: {
    name: 'Payload decoded',
    rule: 'Only now is the payload read: strict base64url of a JSON object (RFC 7519 §7.2, RFC 8725 §3.3).',
  },
  replicated_claims: {
    name: 'Header copies of claims',
    rule: 'iss, sub and aud replicated in the header, if any, equal the payload\'s claims (RFC 7519 §5.3): no reader of the header may see another identity than the payload\'s.',
  },
  ver: {
    name: 'Version (ver)',
    rule: 'ver is "1.0" or "2.0" and one the API accepts (Microsoft identity platform, "Access token claims reference": ver; the app manifest\'s accessTokenAcceptedVersion).',
  },
  tid: {
    name: 'Tenant id (tid)',
    rule: 'tid, when present, is a tenant GUID (Microsoft identity platform, "Access token claims reference": tid).',
  },
  iss: {
    name: 'Issuer (iss)',
    rule: `v1 ${withTid(v1)} or v2 ${withTid(v2)}, with {tid} equal to the token's tid (RFC 7519 §4.1.1; Microsoft identity platform, "Access tokens": validate the issuer; Microsoft.IdentityModel AadIssuerValidator).`,
  },
  key_issuer: {
    name: 'Signing key\'s issuer',
    rule: 'The JWK\'s own issuer, with tid filled in, must give iss or the tenant\'s v2 issuer (Microsoft identity platform, "Access tokens": validate the signing key issuer).',
  },
  tenant: {
    name: 'Tenant allowed',
    rule: 'The token\'s tenant is tenantId or on allowedTenants (Microsoft identity platform, "Convert single-tenant app to multitenant": a multi-tenant API decides which tenants it serves).',
  },
  aud: {
    name: 'Audience (aud)',
    rule: 'aud contains a configured audience, exact match, one trailing / ignored (RFC 7519 §4.1.3, RFC 8725 §3.9).',
  },
  iat: {
    name: 'Issued at (iat)',
    rule: 'iat, when present, is a NumericDate: a JSON number (RFC 7519 §2, §4.1.6).',
  },
  id_token: {
    name: 'Not an ID token',
    rule: 'No nonce claim: an ID token proves a sign-in, not access to this API (RFC 8725 §3.12, OpenID Connect Core 1.0 §2).',
  },
  client: {
    name: 'Client app (azp / appid)',
    rule: 'azp (v2) or appid (v1) names the calling application, and is on allowedClientIds when set (Microsoft identity platform, "Access token claims reference": azp, appid).',
  },
  token_type: {
    name: 'Token type (user / app-only)',
    rule: 'App-only when idtyp is app (or there is no scp), else delegated; checked against tokenTypes (Microsoft identity platform, "Optional claims": idtyp).',
  },
  scp: {
    name: 'Scopes claim (scp)',
    rule: 'scp, when present, is one string of space-separated delegated permissions (RFC 6749 §3.3 scope syntax; Microsoft identity platform, "Access token claims reference": scp).',
  },
  roles: {
    name: 'App roles claim (roles)',
    rule: 'roles, when present, is an array of strings: app roles or application permissions (Microsoft identity platform, "Access token claims reference": roles).',
  },
  lifetime: {
    name: 'Lifetime (exp, nbf)',
    rule: 'exp required and now < exp + leeway; nbf, when present, at most now + leeway (RFC 7519 §4.1.4, §4.1.5). A cache hit checks this again.',
  },
  scope: {
    name: 'Required scopes',
    rule: 'scp holds the required delegated scopes (all of them, or any with scopeMatch "any"); a valid token without them is a 403 (RFC 6750 §3.1). A cache hit checks this again.',
  },
  role: {
    name: 'Required app roles',
    rule: 'roles holds the required app roles; a valid token without them is a 403 (RFC 6750 §3.1). A cache hit checks this again.',
  },
};

/** @param {EntraCheck} check @returns {StepText} */
const textFor = (check) => STEP_TEXT[check] ?? { name: check, rule: '(This page does not describe this check yet.)' };

/**
 * Whether a failure at `check` happened on the token's path (from 'size' to the caller's 'claim_check'), so
 * that the steps before it ran. 'config', 'request', 'jwks' and 'internal' are not: no step was reached.
 * @param {EntraCheck} check
 */
export function onTokenPath(check) {
  const at = CHECKS.indexOf(check);
  return at >= FIRST_STEP && at <= LAST_TOKEN_CHECK;
}

/**
 * The state of every step: all passed (`failed` null), or stopped at the check that refused.
 * @param {EntraCheck | null} failed
 * @returns {Map<EntraCheck, StepState>}
 */
export function statesFor(failed) {
  const at = failed === null ? Infinity : onTokenPath(failed) ? CHECKS.indexOf(failed) : -Infinity;
  return new Map(STEPS.map((check) => {
    const position = CHECKS.indexOf(check);
    return [check, position < at ? 'pass' : position === at ? 'fail' : 'skipped'];
  }));
}

const STATE_LABELS = /** @type {const} */ ({ pass: 'pass', fail: 'fail', skipped: 'not reached', idle: 'waiting' });
const STATE_MARKS = /** @type {const} */ ({ pass: '✓', fail: '✗', skipped: '–', idle: '·' });

/**
 * Shows every step with its state (default: waiting) and, on the failed one, the error's message.
 * @param {Map<EntraCheck, StepState>} [states]
 * @param {string} [failMessage]
 */
export function renderChecks(states = new Map(), failMessage = '') {
  $('checks').replaceChildren(
    ...STEPS.map((check) => {
      const state = states.get(check) ?? 'idle';
      const { name, rule } = textFor(check);
      return el(
        'li',
        { class: `check state-${state}`, 'data-testid': `check-${check}`, 'data-check': check, 'data-state': state },
        el('span', { class: 'mark', 'aria-hidden': 'true' }, STATE_MARKS[state]),
        el(
          'div',
          { class: 'check-body' },
          el('div', { class: 'check-title' },
            el('span', { class: 'check-name' }, name),
            el('code', { class: 'check-id', title: 'error.check when this step refuses' }, check),
            el('span', { class: 'state-label' }, STATE_LABELS[state])),
          el('p', { class: 'rule' }, rule),
          state === 'fail' && failMessage ? el('p', { class: 'check-error' }, failMessage) : null,
        ),
      );
    }),
  );
}
