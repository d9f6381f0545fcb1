// entra-guard/obo: the on-behalf-of exchange (Microsoft identity platform, "On-behalf-of flow",
// https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow) for an MCP server that
// calls a downstream API (Microsoft Graph, say) as the signed-in user. It wraps @azure/msal-node (an optional
// peer dependency, the caller's installed copy): the incoming token, already validated by the guard, is the
// assertion. Results are cached per incoming token and scopes until shortly before they expire; app-only
// tokens are refused before anything is sent (there is no user to act for); every failure is an
// OnBehalfOfError naming the AADSTS code. The incoming token never reaches a message, a log or an error.
import { createHash } from 'node:crypto';
import { ENTRA, isCloud, isGuid } from '../entra.js';

/** @typedef {import('../../types/adapters/obo.js').OnBehalfOfOptions} OnBehalfOfOptions */
/** @typedef {import('../../types/adapters/obo.js').OnBehalfOfResult} OnBehalfOfResult */
/** @typedef {import('../../types/adapters/obo.js').OnBehalfOfErrorCode} OnBehalfOfErrorCode */
/** @typedef {import('../../types/adapters/obo.js').OboCache} OboCache */
/** @typedef {import('../../types/http.js').EntraAuthInfo} EntraAuthInfo */

/** A result is served from the cache until this many seconds before it expires, then exchanged again. */
const DEFAULT_REFRESH_BEFORE_SECONDS = 300;
/** Cached results per cache (one per incoming token and scopes): a bound, not a tuning knob. */
const DEFAULT_MAX_ENTRIES = 1000;
/** What MSAL adds to every request's scopes (OpenID Connect 1.0 §5.4, and offline_access for refresh tokens). */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

// AADSTS codes by what they mean for the caller (Microsoft's "Microsoft Entra authentication and
// authorization error codes", https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
/** The user (or an administrator) has not consented to the downstream scopes for this app. */
const CONSENT = new Set([65001, 65004, 50076, 50079, 50158, 53003]);
/** The assertion (the incoming token) was refused: bad signature, malformed, expired, for another app, app-only, revoked session. */
const ASSERTION = new Set([50013, 50027, 70000, 500131, 500133, 7000114, 50132]);
/** The API's own credentials are wrong: its secret or certificate, or its client id. */
const CLIENT = new Set([7000215, 7000222, 700016, 700023, 700024, 700027, 7000112, 7000218]);
/** Entra is failing or throttling (server_error, temporarily_unavailable): try again later. */
const TRANSIENT = new Set([50000, 90006, 90055]);

export class OnBehalfOfError extends Error {
  /** @override @type {'OnBehalfOfError'} */
  name = 'OnBehalfOfError';

  /**
   * @param {OnBehalfOfErrorCode} code
   * @param {string} message
   * @param {{ aadsts?: number | null, status?: number, claims?: string | null, cause?: unknown }} [details]
   */
  constructor(code, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    /** @type {OnBehalfOfErrorCode} */
    this.code = code;
    /** @type {number | null} The AADSTS error number Entra answered with, when it answered one. */
    this.aadsts = details.aadsts ?? null;
    /** @type {number} The HTTP status a server would pass on: 403 consent, 401 assertion, 502 Entra, 500 configuration. */
    this.status = details.status ?? 502;
    /** @type {string | null} A claims challenge (conditional access) for the client to satisfy, when Entra sent one. */
    this.claims = details.claims ?? null;
  }
}

/**
 * A bounded cache of results, oldest evicted first (Map keeps insertion order).
 * @param {{ maxEntries?: number }} [options]
 * @returns {OboCache & { readonly size: number }}
 */
export function createOboCache({ maxEntries = DEFAULT_MAX_ENTRIES } = {}) {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('createOboCache: maxEntries must be a positive integer');
  /** @type {Map<string, OnBehalfOfResult>} */
  const entries = new Map();
  return {
    get: (key) => entries.get(key),
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      while (entries.size > maxEntries) entries.delete(/** @type {string} */ (entries.keys().next().value));
    },
    delete: (key) => entries.delete(key),
    get size() {
      return entries.size;
    },
  };
}

const defaultCache = createOboCache();

/** @type {Map<string, Promise<any>>} One MSAL ConfidentialClientApplication per authority, client, credential and MSAL configuration. */
const applications = new Map();
/** @type {WeakMap<object, number>} An id per MSAL configuration object the caller passes. */
const configurationIds = new WeakMap();
let lastConfigurationId = 0;
/** @param {object} msal */
function idOf(msal) {
  let id = configurationIds.get(msal);
  if (id === undefined) {
    lastConfigurationId += 1;
    id = lastConfigurationId;
    configurationIds.set(msal, id);
  }
  return id;
}

/**
 * The AADSTS number in an MSAL error: its `errorNo`, else the first `AADSTSnnnn` of its message.
 * @param {any} error
 * @returns {number | null}
 */
function aadstsOf(error) {
  const number = Number(error?.errorNo);
  if (Number.isInteger(number) && number > 0) return number;
  const match = /AADSTS(\d+)/.exec(String(error?.errorMessage ?? error?.message ?? ''));
  return match ? Number(match[1]) : null;
}

/**
 * MSAL's error as an OnBehalfOfError: what it means for the caller, the AADSTS code, and the first line of
 * Entra's description (the trace and correlation ids stay in `cause`).
 * @param {any} error
 * @param {string} authority
 * @returns {OnBehalfOfError}
 */
function classify(error, authority) {
  const aadsts = aadstsOf(error);
  const description = String(error?.errorMessage ?? error?.message ?? error).split(/\r?\n| - Correlation ID| - Trace ID/)[0].trim();
  const named = aadsts === null ? description : `AADSTS${aadsts}: ${description.replace(/^.*?AADSTS\d+:\s*/, '')}`;
  const claims = typeof error?.claims === 'string' && error.claims !== '' ? error.claims : null;
  if ((aadsts !== null && CONSENT.has(aadsts)) || error?.name === 'InteractionRequiredAuthError') {
    return new OnBehalfOfError('obo_consent_required', `on-behalf-of needs the user's consent (or a conditional access step): ${named}`, { aadsts, status: 403, claims, cause: error });
  }
  if (aadsts !== null && ASSERTION.has(aadsts)) {
    return new OnBehalfOfError('obo_assertion_refused', `Entra refused the incoming token as an on-behalf-of assertion: ${named}`, { aadsts, status: 401, cause: error });
  }
  if (aadsts !== null && CLIENT.has(aadsts)) {
    return new OnBehalfOfError('obo_client_invalid', `Entra refused this API's own credentials (client id, secret or certificate): ${named}`, { aadsts, status: 500, cause: error });
  }
  if (aadsts !== null && TRANSIENT.has(aadsts)) {
    return new OnBehalfOfError('obo_unavailable', `Entra is failing or throttling on-behalf-of at ${authority}; try again later: ${named}`, { aadsts, status: 503, cause: error });
  }
  if (aadsts !== null) return new OnBehalfOfError('obo_failed', `on-behalf-of failed: ${named}`, { aadsts, status: 502, cause: error });
  return new OnBehalfOfError('obo_unavailable', `Entra could not be reached for on-behalf-of at ${authority}: ${description}`, { status: 503, cause: error });
}

/**
 * A fixed configuration mistake, raised before anything is sent.
 * @param {string} message
 */
const configuration = (message) => new OnBehalfOfError('obo_config_invalid', `onBehalfOf: ${message}`, { status: 500 });

/**
 * The ConfidentialClientApplication for these settings, built once.
 * @param {string} authority
 * @param {string} clientId
 * @param {OnBehalfOfOptions} options
 */
function application(authority, clientId, options) {
  const credential = options.clientSecret !== undefined
    ? `secret:${createHash('sha256').update(options.clientSecret).digest('base64url')}`
    : `certificate:${options.clientCertificate?.thumbprintSha256 ?? ''}`;
  const key = JSON.stringify([authority, clientId, credential, options.msal === undefined ? 0 : idOf(options.msal)]);
  let app = applications.get(key);
  if (!app) {
    app = import('@azure/msal-node').then(({ ConfidentialClientApplication }) => new ConfidentialClientApplication({
      ...options.msal,
      auth: {
        ...options.msal?.auth,
        clientId,
        authority,
        ...(options.clientSecret !== undefined ? { clientSecret: options.clientSecret } : { clientCertificate: options.clientCertificate }),
      },
    }));
    applications.set(key, app);
    // A failed load (MSAL not installed) is not remembered.
    app.catch(() => applications.delete(key));
  }
  return app;
}

/**
 * Exchanges the validated incoming token for a token for a downstream API, as the signed-in user.
 * @param {EntraAuthInfo} authInfo the guard's AuthInfo (req.auth, ctx.http.authInfo, extra.authInfo...)
 * @param {OnBehalfOfOptions} options
 * @returns {Promise<OnBehalfOfResult>}
 */
export async function onBehalfOf(authInfo, options) {
  if (authInfo === null || typeof authInfo !== 'object' || typeof authInfo.token !== 'string' || !authInfo.extra) {
    throw configuration('authInfo must be the AuthInfo of a token entra-guard validated');
  }
  const { scopes } = options ?? {};
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === 'string' && s !== '' && !/\s/.test(s))) {
    throw configuration('scopes must list the downstream scopes, e.g. ["https://graph.microsoft.com/User.Read"]');
  }
  if ((options.clientSecret === undefined) === (options.clientCertificate === undefined)) {
    throw configuration('give exactly one of clientSecret and clientCertificate: the API app\'s own credential');
  }
  const { extra } = authInfo;
  if (extra.isAppOnly) {
    throw new OnBehalfOfError('obo_app_only',
      'on-behalf-of needs a user\'s token: this is an app-only token (client credentials), which acts for no user; call the downstream API with the app\'s own token instead', { status: 403 });
  }
  // The API's client id: given, or the incoming v2 token's audience (the API's client id as a GUID).
  const clientId = options.clientId ?? (isGuid(extra.audience) ? extra.audience : undefined);
  if (!isGuid(clientId)) throw configuration('clientId (the API app\'s client id) is required when the incoming token\'s audience is not a GUID (v1 tokens)');
  // The user's own tenant: for a multi-tenant API the exchange must happen there.
  const tenantId = options.tenantId ?? extra.tenantId;
  if (!isGuid(tenantId)) throw configuration('the tenant is unknown: give tenantId');
  const cloud = options.cloud ?? 'public';
  if (!isCloud(cloud)) throw configuration('cloud must be public, usgov or china');
  const authority = `https://${ENTRA.clouds[cloud].host}/${tenantId}`;

  const refreshBeforeSeconds = options.refreshBeforeSeconds ?? DEFAULT_REFRESH_BEFORE_SECONDS;
  if (typeof refreshBeforeSeconds !== 'number' || !(refreshBeforeSeconds >= 0)) throw configuration('refreshBeforeSeconds must be a number of seconds, 0 or more');
  const cache = options.cache === false ? null : options.cache ?? defaultCache;
  // Per incoming token (by its hash: the token itself is never a key), app, tenant and scopes.
  const key = [createHash('sha256').update(authInfo.token).digest('base64url'), authority, clientId, [...new Set(scopes)].sort().join(' ')].join(' ');
  const cached = cache?.get(key);
  if (cached && cached.expiresOn.getTime() - refreshBeforeSeconds * 1000 > Date.now()) return { ...cached, fromCache: true };
  // One exchange at a time per key: concurrent tool calls with the same token share it.
  let pending = inFlight.get(key);
  if (!pending) {
    pending = exchange(authInfo.token, scopes, { authority, clientId, tenantId, options });
    inFlight.set(key, pending);
    pending.then((result) => cache?.set(key, result), () => {}).finally(() => inFlight.delete(key));
  }
  return { ...(await pending) };
}

/** @type {Map<string, Promise<OnBehalfOfResult>>} Exchanges under way, by cache key. */
const inFlight = new Map();

/**
 * One on-behalf-of request through MSAL.
 * @param {string} assertion the incoming token
 * @param {string[]} scopes
 * @param {{ authority: string, clientId: string, tenantId: string, options: OnBehalfOfOptions }} context
 * @returns {Promise<OnBehalfOfResult>}
 */
async function exchange(assertion, scopes, { authority, clientId, tenantId, options }) {
  let app;
  try {
    app = await application(authority, clientId, options);
  } catch (cause) {
    throw new OnBehalfOfError('obo_config_invalid', `onBehalfOf needs @azure/msal-node (an optional peer dependency of entra-guard): ${/** @type {Error} */ (cause)?.message ?? cause}`, { status: 500, cause });
  }
  let response;
  try {
    // skipCache: this module's cache is the one that decides, per incoming token.
    response = await app.acquireTokenOnBehalfOf({ oboAssertion: assertion, scopes, skipCache: true });
  } catch (error) {
    throw classify(error, authority);
  }
  if (!response?.accessToken) throw new OnBehalfOfError('obo_failed', 'on-behalf-of returned no access token', { status: 502 });
  /** @type {OnBehalfOfResult} */
  const result = {
    accessToken: response.accessToken,
    // Without an expiry from Entra, the result is not reused.
    expiresOn: response.expiresOn instanceof Date ? response.expiresOn : new Date(),
    // The downstream scopes granted; MSAL adds the OpenID Connect ones to every request.
    scopes: Array.isArray(response.scopes) ? response.scopes.filter((/** @type {string} */ s) => !OIDC_SCOPES.has(s)) : [...scopes],
    tenantId,
    fromCache: false,
  };
  return result;
}
