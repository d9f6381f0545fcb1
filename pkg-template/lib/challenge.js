// The HTTP side of a refusal, for any framework and runtime: the bearer token from a request (RFC 6750 §2.1),
// and the answer to a refused one (RFC 6750 §3 WWW-Authenticate, with RFC 9728 §5.1's resource_metadata as the
// MCP authorization specification requires: 2025-06-18 and 2025-11-25 "Authorization Server Location" /
// "Protected Resource Metadata Discovery Requirements").
import { entraError } from './errors.js';

/** @typedef {import('../types/http.js').ChallengeOptions} ChallengeOptions */
/** @typedef {import('../types/http.js').Refusal} Refusal */
/** @typedef {import('../types/api.js').EntraTokenError} RefusalError an EntraTokenError, as the declarations describe it */

// RFC 7235 token68 (RFC 6750 §2.1 b64token): what may follow "Bearer ".
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_DESCRIPTION = 300;

/**
 * The token in `Authorization: Bearer <token>`, `null` when there is no Authorization header at all.
 * @param {string | string[] | undefined | null} authorization
 * @returns {string | null}
 */
export function bearerToken(authorization) {
  if (authorization === undefined || authorization === null || authorization === '') return null;
  const match = /^Bearer +(\S+) *$/i.exec(String(authorization));
  if (!match || !TOKEN68.test(match[1])) {
    throw entraError('token_malformed', 'request', null, "token is malformed: the Authorization header must be 'Bearer <token>'");
  }
  return match[1];
}

/**
 * RFC 6750 §3 quoted-string content: printable ASCII without `"` and `\` (§3: error_description uses
 * %x20-21 / %x23-5B / %x5D-7E). Node also refuses header values outside Latin-1, which would turn a
 * refusal into a 500.
 * @param {unknown} text
 */
export function quotedText(text) {
  const safe = String(text).replace(/"/g, "'").replace(/\\/g, '/').replace(/[^\x20-\x7e]/g, '?');
  return safe.length > MAX_DESCRIPTION ? `${safe.slice(0, MAX_DESCRIPTION - 3)}...` : safe;
}

/**
 * The OAuth error code (RFC 6750 §3.1) for a refusal.
 * @param {RefusalError} error
 */
export function oauthError(error) {
  if (error.status === 403) return 'insufficient_scope';
  if (error.status >= 500) return 'server_error';
  return 'invalid_token';
}

/** The error for a request without credentials (`token_missing`, 401). */
export function missingToken() {
  return entraError('token_missing', 'request', null, 'an Authorization: Bearer token is required');
}

/**
 * Whether `error` stands for "no credentials" (null, or `token_missing`).
 * @param {RefusalError | null} error
 * @returns {error is null}
 */
const noCredentials = (error) => error === null || error.code === 'token_missing';

/**
 * The `WWW-Authenticate` value for a refusal. `error` null (or `token_missing`) means the request carried no
 * credentials, which RFC 6750 §3.1 answers without an error code. `resourceMetadataUrl` points clients at the
 * protected-resource metadata (RFC 9728 §5.1).
 * @param {RefusalError | null} error
 * @param {ChallengeOptions} [options]
 * @returns {string}
 */
export function wwwAuthenticate(error, { resourceMetadataUrl, realm, scopes } = {}) {
  const params = [];
  if (realm) params.push(`realm="${quotedText(realm)}"`);
  if (!noCredentials(error)) params.push(`error="${oauthError(error)}"`, `error_description="${quotedText(error.message)}"`);
  // RFC 6750 §3 `scope`: what the client must ask for. For a 403 every scope the operation needs, in one
  // challenge (MCP authorization 2026-07-28, "Runtime Insufficient Scope Errors"); the caller may give them
  // in Entra's qualified form. Without `scopes`, a 403 names the core's required permissions as they are.
  const scope = scopes ?? (error?.status === 403 ? error.requiredPermissions : undefined);
  if (scope?.length) params.push(`scope="${quotedText(scope.join(' '))}"`);
  if (resourceMetadataUrl) params.push(`resource_metadata="${quotedText(resourceMetadataUrl)}"`);
  return params.length ? `Bearer ${params.join(', ')}` : 'Bearer';
}

/**
 * Everything an HTTP answer to a refusal needs: status, headers and a JSON body. Never contains the token.
 * @param {RefusalError | null} error
 * @param {ChallengeOptions} [options]
 * @returns {Refusal}
 */
export function refusal(error, { resourceMetadataUrl, realm, scopes } = {}) {
  const reason = error ?? missingToken();
  const status = reason.status;
  /** @type {Record<string, string>} */
  const headers = { 'cache-control': 'no-store' };
  if (status === 401 || status === 403) headers['www-authenticate'] = wwwAuthenticate(reason, { resourceMetadataUrl, realm, scopes });
  // RFC 6750 §3.1: a request without credentials is an invalid_request, and its challenge names no error.
  const oauth = noCredentials(reason) ? 'invalid_request' : oauthError(reason);
  const body = { error: oauth, error_description: reason.message, code: reason.code };
  return { status, headers, body };
}
