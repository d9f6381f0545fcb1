// The options of a remote JWKS (createRemoteJwks): where the keys come from, the timings, the fetch. Every
// option is checked here, once, and a misspelt one is refused: it must not silently fall back to a default.
import { ENTRA, isCloud, isGuid, isTenant } from './entra.js';
import { configError } from './errors.js';

/** @typedef {import('../types/remote-jwks.js').RemoteJwksOptions} RemoteJwksOptions */
/** @typedef {import('../types/api.js').EntraCloud} EntraCloud */

/**
 * The checked options, defaults filled in.
 * @typedef {object} RemoteJwksConfig
 * @property {string | null} discoveryUrl
 * @property {string | null} jwksUri
 * @property {(url: string, init: RequestInit) => Promise<Response>} fetch
 * @property {() => number} now
 * @property {number} cacheMaxAge
 * @property {number} cooldown
 * @property {number} timeout
 * @property {number} maxBytes
 */

const MINUTE = 60 * 1000;

/** Defaults, with the reason for each. */
export const DEFAULTS = Object.freeze({
  cloud: /** @type {EntraCloud} */ ('public'),
  // Microsoft's signing-key rollover guidance: cache the keys for 24 hours.
  cacheMaxAge: 24 * 60 * MINUTE,
  // An unknown kid refreshes at most once per 5 minutes, as Microsoft.IdentityModel's RequestRefresh:
  // tokens with made-up kids must not turn into requests to the identity provider.
  cooldown: 5 * MINUTE,
  // Per HTTP request, connect + headers + body: a hung IdP must not hang the API's requests for long.
  timeout: 5000,
  // The core's JWKS limit: a larger body could never be used anyway.
  maxBytes: ENTRA.limits.maxJwksBytes,
});

const OPTION_NAMES = new Set([
  'tenantId', 'issuer', 'jwksUri', 'cloud', 'appId', 'fetch', 'cacheMaxAge', 'cooldown', 'timeout', 'maxBytes', 'now',
]);
const SOURCES = /** @type {const} */ (['tenantId', 'issuer', 'jwksUri']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
// setTimeout's largest delay; a longer one fires at once in every runtime.
const MAX_TIMER = 2 ** 31 - 1;

/** @param {URL} url */
export function isLoopbackHttp(url) {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Parses a URL option. Key material travels over https only; plain http is allowed for loopback
 * addresses so that tests (and local development servers) can run without certificates.
 * @param {string} name
 * @param {unknown} value
 * @param {{ allowQuery: boolean }} rules
 */
function parseUrlOption(name, value, { allowQuery }) {
  if (typeof value !== 'string' || value === '') throw configError(name, 'must be a non-empty string');
  let url;
  try {
    url = new URL(value);
  } catch {
    throw configError(name, `${JSON.stringify(value)} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) {
    throw configError(name, `${JSON.stringify(value)} must use https (http only for 127.0.0.1, localhost or [::1])`);
  }
  // fetch refuses URLs with credentials in browsers; secrets in a URL would also end up in error messages.
  if (url.username !== '' || url.password !== '') throw configError(name, 'must not contain a user name or password');
  if (url.hash !== '') throw configError(name, 'must not contain a #fragment');
  if (!allowQuery && url.search !== '') throw configError(name, 'must not contain a ?query');
  return url;
}

/**
 * @param {RemoteJwksOptions} options
 * @param {'cacheMaxAge' | 'cooldown' | 'timeout' | 'maxBytes'} name
 * @param {{ min?: number, max?: number }} [range]
 * @returns {number}
 */
function nonNegativeNumber(options, name, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const value = options[name];
  if (value === undefined) return DEFAULTS[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw configError(name, `must be a number from ${min} to ${max}, got ${typeof value === 'number' ? value : typeof value}`);
  }
  return value;
}

/**
 * @param {string} url
 * @param {string | undefined} appId
 */
function withAppId(url, appId) {
  if (appId === undefined) return url;
  return `${url}${url.includes('?') ? '&' : '?'}appid=${encodeURIComponent(appId)}`;
}

/**
 * Which URL to start from: `{ discoveryUrl }` or `{ jwksUri }`, with `?appid=` when asked.
 * @param {RemoteJwksOptions} options
 * @param {EntraCloud} cloud
 * @param {string | undefined} appId
 * @returns {{ discoveryUrl: string, jwksUri: null } | { discoveryUrl: null, jwksUri: string }}
 */
function source(options, cloud, appId) {
  const given = SOURCES.filter((name) => options[name] !== undefined);
  if (given.length === 0) {
    throw configError('tenantId', 'one of tenantId, issuer or jwksUri is required (where the keys come from)');
  }
  if (given.length > 1) {
    throw configError(given[1], `give only one of tenantId, issuer or jwksUri, not ${given.join(' and ')}`);
  }
  const [name] = given;
  const value = options[name];
  if (name === 'tenantId') {
    if (!isTenant(value)) {
      throw configError('tenantId', 'must be a tenant GUID or "common", "organizations" or "consumers"');
    }
    const discovery = `https://${ENTRA.clouds[cloud].host}/${value}/v2.0/.well-known/openid-configuration`;
    return { discoveryUrl: withAppId(discovery, appId), jwksUri: null };
  }
  if (name === 'issuer') {
    const url = parseUrlOption('issuer', value, { allowQuery: false });
    const base = url.href.replace(/\/+$/, '');
    return { discoveryUrl: withAppId(`${base}/.well-known/openid-configuration`, appId), jwksUri: null };
  }
  const url = parseUrlOption('jwksUri', value, { allowQuery: true });
  return { discoveryUrl: null, jwksUri: withAppId(url.href, appId) };
}

/**
 * Checks every option and fills in the defaults.
 * @param {RemoteJwksOptions} options
 * @returns {RemoteJwksConfig}
 */
export function parseOptions(options) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw configError('options', 'must be an object');
  }
  // A misspelt option (jwksUrl, maxAge) must not silently fall back to a default.
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) throw configError(name, `unknown option; known: ${[...OPTION_NAMES].join(', ')}`);
  }
  const cloud = options.cloud ?? DEFAULTS.cloud;
  if (!isCloud(cloud)) throw configError('cloud', 'must be "public", "usgov" or "china"');
  const { appId } = options;
  if (appId !== undefined && !isGuid(appId)) {
    throw configError('appId', 'must be the application (client) id, a GUID');
  }
  let fetchFn = options.fetch;
  if (fetchFn === undefined) {
    if (typeof globalThis.fetch !== 'function') throw configError('fetch', 'no global fetch in this runtime; pass one');
    // Called through globalThis: browsers and workerd throw "Illegal invocation" for a detached fetch.
    fetchFn = (url, init) => globalThis.fetch(url, init);
  } else if (typeof fetchFn !== 'function') {
    throw configError('fetch', 'must be a function with the signature of fetch');
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw configError('now', 'must be a function returning milliseconds since the epoch');
  return {
    ...source(options, cloud, appId),
    fetch: fetchFn,
    now,
    cacheMaxAge: nonNegativeNumber(options, 'cacheMaxAge'),
    cooldown: nonNegativeNumber(options, 'cooldown'),
    timeout: nonNegativeNumber(options, 'timeout', { min: 1, max: MAX_TIMER }),
    maxBytes: nonNegativeNumber(options, 'maxBytes', { min: 1 }),
  };
}
