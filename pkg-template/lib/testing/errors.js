// entra-guard/testing: Microsoft Entra's error responses, as the loopback stand-in gives them.
//
// The JSON shape is the one Entra documents (https://learn.microsoft.com/entra/identity-platform/reference-error-codes
// "Handling error codes in your application"): `error` (the RFC 6749 §5.2 code), `error_description` starting
// with `AADSTSnnnn: `, `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`, plus `suberror` /
// `claims` on interaction errors. The docs' sample separates the Trace ID / Correlation ID / Timestamp lines with
// "\r\n"; the service has answered with single spaces since about 2023 (seen in MSAL error reports), which is
// what this stand-in sends. The correlation id is the client's `client-request-id` when it sends one (MSAL does).
// Invalid client credentials are HTTP 401, everything else 400, as Entra's token endpoint answers.
import { randomUUID } from 'node:crypto';
import { deepFreeze } from '../freeze.js';

/** @typedef {import('../../types/testing.js').EntraErrorInfo} EntraErrorInfo */
/** @typedef {keyof typeof import('../../types/testing.js').ENTRA_ERRORS} EntraErrorName */

/**
 * @param {number} code
 * @param {string} error
 * @param {number} [status]
 * @param {string} [suberror]
 * @returns {EntraErrorInfo}
 */
const info = (code, error, status = 400, suberror) => (suberror === undefined ? { code, error, status } : { code, error, status, suberror });

/**
 * Every AADSTS code the stand-in answers with, by name. Codes, `error` values and messages follow Entra's
 * reference (link above) and the flows' pages; where the docs are silent they follow responses recorded from
 * the service (noted on the entry).
 * @type {typeof import('../../types/testing.js').ENTRA_ERRORS}
 */
export const ENTRA_ERRORS = deepFreeze({
  // Requests
  MISSING_PARAMETER: info(900144, 'invalid_request'),
  UNSUPPORTED_GRANT_TYPE: info(70003, 'unsupported_grant_type'),
  POST_REQUIRED: info(900561, 'invalid_request'),
  TENANT_NOT_FOUND: info(90002, 'invalid_tenant'),
  GRANT_NOT_SUPPORTED_ON_COMMON: info(9001023, 'invalid_request'),
  MALFORMED_JWT: info(50027, 'invalid_request'),
  UNKNOWN_INSTANCE: info(50049, 'invalid_instance'),
  // Clients and their credentials
  APPLICATION_NOT_FOUND: info(700016, 'unauthorized_client'),
  INVALID_CLIENT_SECRET: info(7000215, 'invalid_client', 401),
  CREDENTIAL_REQUIRED: info(7000218, 'invalid_client', 401),
  PUBLIC_CLIENT_WITH_CREDENTIAL: info(700025, 'invalid_client', 401),
  INVALID_CLIENT_ASSERTION: info(700027, 'invalid_client', 401),
  // Recorded responses: "Client assertion audience claim does not match Realm issuer." (AADSTS700023) and
  // "Client assertion is not within its valid time range." (AADSTS700024); the reference lists 700023 under
  // another name.
  CLIENT_ASSERTION_AUDIENCE_MISMATCH: info(700023, 'invalid_client', 401),
  CLIENT_ASSERTION_EXPIRED: info(700024, 'invalid_client', 401),
  CLIENT_ASSERTION_SUBJECT_MISMATCH: info(50048, 'invalid_client', 401),
  // Recorded: "Client assertion application identifier doesn't match 'client_id' parameter."
  CLIENT_ASSERTION_CLIENT_MISMATCH: info(700021, 'invalid_client', 401),
  // Scopes and resources
  INVALID_SCOPE: info(70011, 'invalid_scope'),
  // At /authorize (a redirect); recorded: "The application '{name}' asked for scope '{scope}' that doesn't exist on the resource '{appId}'."
  UNKNOWN_SCOPE_ON_RESOURCE: info(650053, 'invalid_client'),
  CLIENT_CREDENTIALS_DEFAULT_SCOPE_REQUIRED: info(1002012, 'invalid_scope'),
  MULTIPLE_RESOURCES: info(28000, 'invalid_scope'),
  RESOURCE_SCOPE_MISMATCH: info(9010010, 'invalid_target'),
  RESOURCE_NOT_FOUND: info(500011, 'invalid_resource'),
  CONSENT_REQUIRED: info(65001, 'invalid_grant', 400, 'consent_required'),
  // Authorization codes, PKCE, refresh tokens
  INVALID_GRANT: info(70000, 'invalid_grant'),
  CODE_ALREADY_REDEEMED: info(54005, 'invalid_grant'),
  PKCE_MISMATCH: info(50148, 'invalid_grant'),
  // Entra requires PKCE for SPA redirect URIs; the stand-in also for public clients (see the app's requirePkce).
  PKCE_REQUIRED: info(9002325, 'invalid_request'),
  // From the docs' PR adding it (MicrosoftDocs/entra-docs#1538): "Invalid Code_Challenge_method parameter."
  INVALID_CODE_CHALLENGE_METHOD: info(50149, 'invalid_request'),
  REPLY_ADDRESS_MISMATCH: info(500112, 'invalid_grant'),
  REDIRECT_URI_MISMATCH: info(50011, 'invalid_request'),
  NO_REPLY_ADDRESS: info(900971, 'invalid_request'),
  UNSUPPORTED_RESPONSE_TYPE: info(70005, 'unsupported_response_type'),
  USER_NOT_FOUND: info(50034, 'invalid_request'),
  // On-behalf-of user assertions
  INVALID_ASSERTION: info(50013, 'invalid_grant'),
  ASSERTION_AUDIENCE_MISMATCH: info(500131, 'invalid_grant'),
  ASSERTION_EXPIRED: info(500133, 'invalid_grant'),
  APP_ONLY_OBO_NOT_ALLOWED: info(7000114, 'unauthorized_client'),
  // Device code (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code "Expected errors")
  AUTHORIZATION_PENDING: info(70016, 'authorization_pending'),
  BAD_VERIFICATION_CODE: info(70018, 'bad_verification_code'),
  DEVICE_CODE_EXPIRED: info(70019, 'expired_token'),
  // Outages (fault injection)
  SERVICE_ERROR: info(50000, 'server_error', 500),
  TEMPORARILY_UNAVAILABLE: info(90006, 'temporarily_unavailable', 503),
  THROTTLED: info(90055, 'temporarily_unavailable', 429),
});

/** Entra's timestamp format in error bodies: `2016-01-09 02:02:12Z`. */
const timestamp = () => new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An Entra error response: status, JSON body, headers.
 * @param {EntraErrorName} name
 * @param {string} message the text after `AADSTSnnnn: `
 * @param {{ correlationId?: string | null, extra?: Record<string, unknown> }} [context]
 * @returns {{ status: number, body: Record<string, unknown>, headers: Record<string, string> }}
 */
export function entraError(name, message, context = {}) {
  const { code, error, status, suberror } = ENTRA_ERRORS[name];
  const traceId = randomUUID();
  const correlationId = context.correlationId && GUID.test(context.correlationId) ? context.correlationId.toLowerCase() : randomUUID();
  const time = timestamp();
  /** @type {Record<string, unknown>} */
  const body = {
    error,
    error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${time}`,
    error_codes: [code],
    timestamp: time,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
  if (suberror !== undefined) body.suberror = suberror;
  Object.assign(body, context.extra);
  return { status, body, headers: { 'x-ms-request-id': traceId } };
}

/**
 * The error description without the Trace ID / Correlation ID / Timestamp tail (for redirects and pages).
 * @param {Record<string, unknown>} body
 */
export function shortDescription(body) {
  return String(body.error_description).replace(/ Trace ID: .*$/, '');
}

/**
 * Microsoft Graph's error body (https://learn.microsoft.com/graph/errors).
 * @param {string} code
 * @param {string} message
 * @param {string | null} [clientRequestId]
 */
export function graphError(code, message, clientRequestId) {
  const requestId = randomUUID();
  return {
    body: { error: { code, message, innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': requestId, 'client-request-id': clientRequestId ?? requestId } } },
    requestId,
  };
}
