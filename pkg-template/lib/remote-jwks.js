// The network side of key management, kept out of the core: it finds a JWKS (by OpenID discovery or a
// given URL), fetches it with a timeout and a size limit, caches it, and hands each new key set to the
// attached validators. The core stays network-free and clock-free; this file is the only one that talks
// HTTP. It runs wherever fetch, AbortController, setTimeout and TextDecoder exist (Node 18+, browsers,
// workerd), so it imports nothing from the platform.
import { EntraTokenError } from './api.js';
import { deepFreeze } from './freeze.js';

/** After a failed first load, how long new loads wait (see #firstLoadBackingOff). */
const FIRST_LOAD_BACKOFF_MS = 10_000;
const MINUTE = 60 * 1000;

/** Defaults, with the reason for each. */
const DEFAULTS = Object.freeze({
  cloud: 'public',
  // Microsoft's signing-key rollover guidance: cache the keys for 24 hours.
  cacheMaxAge: 24 * 60 * MINUTE,
  // An unknown kid refreshes at most once per 5 minutes, as Microsoft.IdentityModel's RequestRefresh:
  // tokens with made-up kids must not turn into requests to the identity provider.
  cooldown: 5 * MINUTE,
  // Per HTTP request, connect + headers + body: a hung IdP must not hang the API's requests for long.
  timeout: 5000,
  // The Rust core's JWKS limit (src/limits.rs MAX_JWKS_BYTES); a larger body could never be used anyway.
  maxBytes: 512 * 1024,
});

/** Login hosts per national cloud (the same clouds as the validator's `cloud` option). */
const CLOUD_HOSTS = Object.freeze({
  public: 'login.microsoftonline.com',
  usgov: 'login.microsoftonline.us',
  china: 'login.partner.microsoftonline.cn',
});

const OPTION_NAMES = new Set([
  'tenantId', 'issuer', 'jwksUri', 'cloud', 'appId', 'fetch', 'cacheMaxAge', 'cooldown', 'timeout', 'maxBytes', 'now',
]);
const SOURCES = ['tenantId', 'issuer', 'jwksUri'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_ALIASES = new Set(['common', 'organizations', 'consumers']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
// setTimeout's largest delay; a longer one fires at once in every runtime.
const MAX_TIMER = 2 ** 31 - 1;

function configError(claim, message) {
  return new EntraTokenError({ code: 'config_invalid', status: 500, claim, message: `option ${claim} is invalid: ${message}` });
}

function jwksError(message) {
  return new EntraTokenError({ code: 'jwks_invalid', status: 500, claim: null, message });
}

// Errors for an HTTP 404 on the JWKS: the discovered jwks_uri may have moved, so discovery runs again.
// Kept aside (not a property) so that every error that leaves this module is a plain EntraTokenError.
const notFoundErrors = new WeakSet();

// ---------------------------------------------------------------------------------------------------
// Options

function isLoopbackHttp(url) {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Parses a URL option. Key material travels over https only; plain http is allowed for loopback
 * addresses so that tests (and local development servers) can run without certificates.
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

function nonNegativeNumber(options, name, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const value = options[name];
  if (value === undefined) return DEFAULTS[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw configError(name, `must be a number from ${min} to ${max}, got ${typeof value === 'number' ? value : typeof value}`);
  }
  return value;
}

function withAppId(url, appId) {
  if (appId === undefined) return url;
  return `${url}${url.includes('?') ? '&' : '?'}appid=${encodeURIComponent(appId)}`;
}

/** Which URL to start from: `{ discoveryUrl }` or `{ jwksUri }`, with `?appid=` when asked. */
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
    if (typeof value !== 'string' || !(GUID.test(value) || TENANT_ALIASES.has(value))) {
      throw configError('tenantId', 'must be a tenant GUID or "common", "organizations" or "consumers"');
    }
    const discovery = `https://${CLOUD_HOSTS[cloud]}/${value}/v2.0/.well-known/openid-configuration`;
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

function parseOptions(options) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw configError('options', 'must be an object');
  }
  // A misspelt option (jwksUrl, maxAge) must not silently fall back to a default.
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) throw configError(name, `unknown option; known: ${[...OPTION_NAMES].join(', ')}`);
  }
  const cloud = options.cloud ?? DEFAULTS.cloud;
  if (!Object.hasOwn(CLOUD_HOSTS, cloud)) throw configError('cloud', 'must be "public", "usgov" or "china"');
  const { appId } = options;
  if (appId !== undefined && (typeof appId !== 'string' || !GUID.test(appId))) {
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

// ---------------------------------------------------------------------------------------------------
// HTTP: one GET with a deadline and a byte limit, never following redirects

function describeFailure(error) {
  // Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND...) is the cause.
  const cause = error?.cause;
  const detail = cause ? ` (${cause.code ?? cause.message ?? cause})` : '';
  return `${error?.message ?? error}${detail}`;
}

function discardBody(response) {
  // An unread body holds the connection open until garbage collection.
  try {
    response.body?.cancel().catch(() => {});
  } catch {
    // Already locked or consumed: nothing to release.
  }
}

/** The body as text, refusing more than `maxBytes` (counted as received, not as announced). */
async function readText(response, maxBytes, what) {
  const tooLarge = (size) => jwksError(`${what}: body is larger than ${maxBytes} bytes (${size}); refused (maxBytes)`);
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    discardBody(response);
    throw tooLarge(`Content-Length ${declared}`);
  }
  let bytes;
  if (response.body && typeof response.body.getReader === 'function') {
    const reader = response.body.getReader();
    const chunks = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        reader.cancel().catch(() => {});
        throw tooLarge(`at least ${size} bytes received`);
      }
      chunks.push(value);
    }
    bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
  } else {
    // A fetch without streams (some polyfills): the limit can only be checked after the fact.
    bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength > maxBytes) throw tooLarge(`${bytes.byteLength} bytes received`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw jwksError(`${what}: body is not UTF-8`);
  }
}

async function exchange(fetchFn, url, signal, maxBytes, what) {
  let response;
  try {
    // redirect 'manual' rather than 'error': workerd supports only 'follow' and 'manual'.
    response = await fetchFn(url, { method: 'GET', redirect: 'manual', signal, headers: { accept: 'application/json' } });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw jwksError(`${what}: request failed: ${describeFailure(error)}`);
  }
  // Browsers hide a manual redirect as an opaque response with status 0.
  if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
    discardBody(response);
    const location = response.headers.get('location');
    // Browsers report an opaque redirect as status 0 with no Location.
    const status = response.status ? `HTTP ${response.status}` : 'opaque to this page';
    throw jwksError(`${what}: answered a redirect (${status}${location ? ` to ${location}` : ''}); ` +
      'redirects are not followed for key material: configure the final URL');
  }
  if (!response.ok) {
    discardBody(response);
    const error = jwksError(`${what}: answered HTTP ${response.status}, expected 200`);
    if (response.status === 404) notFoundErrors.add(error);
    throw error;
  }
  let text;
  try {
    text = await readText(response, maxBytes, what);
  } catch (error) {
    // A reset or an early close while the body streams in rejects the reader with fetch's own error.
    if (error instanceof EntraTokenError) throw error;
    if (signal.aborted) throw signal.reason;
    throw jwksError(`${what}: reading the body failed: ${describeFailure(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw jwksError(`${what}: body is not JSON (${error.message})`);
  }
}

/**
 * GETs `url` and parses its JSON body. One deadline covers connect, headers and body: the abort signal
 * stops the transfer, and the race makes the deadline hold even for a fetch that ignores its signal.
 */
async function getJson({ fetch: fetchFn, timeout, maxBytes }, url, label) {
  const what = `${label} ${url}`;
  const controller = new AbortController();
  let timer;
  const deadline = new Promise((resolve, reject) => {
    timer = setTimeout(() => {
      const error = jwksError(`${what}: no complete answer within ${timeout} ms (timeout)`);
      controller.abort(error);
      reject(error);
    }, timeout);
  });
  try {
    return await Promise.race([exchange(fetchFn, url, controller.signal, maxBytes, what), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------
// The cache

export class RemoteJwks {
  #config;
  #discoveryUrl;
  #jwksUri;
  #discoveredAt = null;
  #validators = new Set();
  // The last good key set (accepted by every attached validator), its JSON text to detect changes,
  // and when it was last fetched (an unchanged refetch renews it).
  #keys = null;
  #keysText = null;
  #fetchedAt = null;
  // When the latest fetch started and whether it failed: the cooldown counts from the start, and a
  // failed refresh of stale keys is not retried on every request while the IdP is down.
  #attemptedAt = null;
  #attemptFailed = false;
  #lastError = null;
  #fetchCount = 0;
  // The one refresh in progress; every caller shares it (resolves to "the key set changed").
  #inflight = null;

  /** @param {import('../index.js').RemoteJwksOptions} options */
  constructor(options) {
    this.#config = parseOptions(options);
    this.#discoveryUrl = this.#config.discoveryUrl;
    this.#jwksUri = this.#config.jwksUri;
  }

  /** When the current keys were fetched (ms, by the `now` clock), or null before the first success. */
  get fetchedAt() {
    return this.#fetchedAt;
  }

  /** Why the latest fetch failed, or null when it succeeded (or none ran yet). */
  get lastError() {
    return this.#lastError;
  }

  /** The JWKS URL: as given, or as discovered (null until discovery has run). */
  get jwksUri() {
    return this.#jwksUri;
  }

  /** How many JWKS HTTP requests were made (discovery requests not counted). */
  get fetchCount() {
    return this.#fetchCount;
  }

  /**
   * The current key set. Fresh keys come back at once, without touching the network, since the
   * middleware calls this on every request. Stale keys are refetched; if that fails, the last good keys
   * are returned (keys are never dropped because a refresh failed) and the failure is not retried until
   * the cooldown has passed, so that a down IdP does not add a timeout to every request.
   */
  get() {
    if (this.#keys !== null && !this.#needsRefresh()) return Promise.resolve(this.#keys);
    if (this.#keys === null && this.#inflight === null && this.#firstLoadBackingOff()) return Promise.reject(this.#lastError);
    return this.#refresh().then(() => {
      if (this.#keys === null) throw this.#lastError;
      return this.#keys;
    });
  }

  /** `get()`, then the remote itself: `const remote = await createRemoteJwks(...).attach(v).ready()`. */
  async ready() {
    await this.get();
    return this;
  }

  /**
   * For a token whose kid is not in the current keys (Entra may have rotated): refetches unless a fetch
   * started less than `cooldown` ago, or joins the fetch in progress. Resolves true when the key set
   * changed. Never rejects for fetch failures (they are in `lastError`); the caller reports key_not_found.
   */
  refreshForUnknownKey() {
    if (this.#inflight !== null) return this.#refresh();
    if (this.#attemptedAt !== null && this.#config.now() - this.#attemptedAt < this.#config.cooldown) {
      return Promise.resolve(false);
    }
    return this.#refresh();
  }

  /**
   * Gives every key set from now on to `validator.setJwks`, and the current one at once. A set a
   * validator refuses is recorded in `lastError` and is not adopted: the validators keep their keys.
   */
  attach(validator) {
    if (validator === null || typeof validator !== 'object' || typeof validator.setJwks !== 'function') {
      throw configError('validator', 'attach() needs an object with a setJwks method (an EntraValidator)');
    }
    this.#validators.add(validator);
    if (this.#keys !== null) {
      try {
        validator.setJwks(this.#keys);
      } catch (error) {
        this.#lastError = asJwksError(error);
      }
    }
    return this;
  }

  /** Stops giving key sets to `validator` (for example before `validator.free()`). */
  detach(validator) {
    this.#validators.delete(validator);
    return this;
  }

  #needsRefresh() {
    const now = this.#config.now();
    if (now - this.#fetchedAt < this.#config.cacheMaxAge) return false;
    return !(this.#attemptFailed && now - this.#attemptedAt < this.#config.cooldown);
  }

  /**
   * With no keys yet and a failed first load, new loads wait a little (FIRST_LOAD_BACKOFF_MS, at most the
   * cooldown): with the IdP down at cold start, each request would otherwise wait for its own timeout.
   */
  #firstLoadBackingOff() {
    const backoff = Math.min(FIRST_LOAD_BACKOFF_MS, this.#config.cooldown);
    return this.#attemptFailed && this.#attemptedAt !== null && this.#config.now() - this.#attemptedAt < backoff;
  }

  /**
   * Starts a refresh unless one is running; either way returns the running one, as seen by this caller.
   * workerd ties a promise to the request that created it: if that request ends first, the shared refresh
   * is dead for everyone (awaiting it rejects, or never settles on older runtimes) and its `finally` never
   * runs. `#load` never rejects, and a live refresh settles within its fetch deadlines, so a rejection or
   * an overrun means a dead refresh: drop it and run one in this request, once (panva/jose #355, #509).
   */
  #refresh(retry = true) {
    if (this.#inflight === null) {
      this.#attemptedAt = this.#config.now();
      const started = this.#load().finally(() => {
        if (this.#inflight === started) this.#inflight = null;
      });
      this.#inflight = started;
    }
    const shared = this.#inflight;
    return settleWithin(shared, 3 * this.#config.timeout + 1000).catch(() => {
      if (this.#inflight === shared) this.#inflight = null;
      return retry ? this.#refresh(false) : false;
    });
  }

  /** One refresh: fetch, check, adopt. Never rejects; failures are recorded. */
  async #load() {
    try {
      const changed = this.#adopt(await this.#fetchKeySet());
      this.#attemptFailed = false;
      this.#lastError = null;
      return changed;
    } catch (error) {
      this.#attemptFailed = true;
      this.#lastError = asJwksError(error);
      return false;
    }
  }

  async #fetchKeySet() {
    let rediscovered = false;
    if (this.#discoveryUrl !== null && this.#discoveryDue()) rediscovered = await this.#discover();
    try {
      return await this.#fetchJwks();
    } catch (error) {
      // A 404 may mean the jwks_uri moved; discovery says where it is now (once per refresh).
      if (this.#discoveryUrl === null || rediscovered || !notFoundErrors.has(error)) throw error;
      await this.#discover({ required: true });
      return this.#fetchJwks();
    }
  }

  #discoveryDue() {
    return this.#jwksUri === null || this.#config.now() - this.#discoveredAt >= this.#config.cacheMaxAge;
  }

  /**
   * Reads the discovery document and remembers its jwks_uri. When an old jwks_uri is known, a failed
   * periodic rediscovery keeps using it (the keys matter, not the document) unless `required`.
   * Returns whether the jwks_uri was (re)discovered.
   */
  async #discover({ required = false } = {}) {
    try {
      this.#jwksUri = await this.#fetchDiscovery();
      this.#discoveredAt = this.#config.now();
      return true;
    } catch (error) {
      if (this.#jwksUri === null || required) throw error;
      return false;
    }
  }

  async #fetchDiscovery() {
    const url = this.#discoveryUrl;
    const doc = await getJson(this.#config, url, 'OpenID discovery document');
    const what = `OpenID discovery document ${url}`;
    if (!isPlainObject(doc)) throw jwksError(`${what}: expected a JSON object`);
    if (typeof doc.jwks_uri !== 'string') throw jwksError(`${what}: no string "jwks_uri"`);
    let jwksUri;
    try {
      jwksUri = new URL(doc.jwks_uri);
    } catch {
      throw jwksError(`${what}: jwks_uri ${JSON.stringify(doc.jwks_uri)} is not an absolute URL`);
    }
    // https only; http when both the discovery URL and the jwks_uri are loopback (local tests).
    const local = isLoopbackHttp(new URL(url)) && isLoopbackHttp(jwksUri);
    if (jwksUri.protocol !== 'https:' && !local) {
      throw jwksError(`${what}: jwks_uri ${JSON.stringify(doc.jwks_uri)} must use https`);
    }
    if (jwksUri.username !== '' || jwksUri.password !== '') throw jwksError(`${what}: jwks_uri must not contain credentials`);
    return jwksUri.href;
  }

  async #fetchJwks() {
    this.#fetchCount += 1;
    const url = this.#jwksUri;
    const jwks = await getJson(this.#config, url, 'JWKS');
    // The core checks every key; this only refuses what is not a key set at all, for callers of get()
    // that have no validator attached.
    if (!isPlainObject(jwks) || !Array.isArray(jwks.keys)) throw jwksError(`JWKS ${url}: expected a JSON object with a "keys" array`);
    if (jwks.keys.length === 0) throw jwksError(`JWKS ${url}: the "keys" array is empty`);
    return jwks;
  }

  /**
   * Makes `jwks` the current set if it differs from the current one: every validator must accept it,
   * otherwise those that already took it get the previous set back and the error propagates.
   * Returns whether the set changed.
   */
  #adopt(jwks) {
    const text = JSON.stringify(jwks);
    if (text === this.#keysText) {
      this.#fetchedAt = this.#config.now();
      return false;
    }
    const frozen = deepFreeze(jwks);
    const updated = [];
    for (const validator of this.#validators) {
      try {
        validator.setJwks(frozen);
        updated.push(validator);
      } catch (error) {
        this.#restore(updated);
        throw asJwksError(error);
      }
    }
    this.#keys = frozen;
    this.#keysText = text;
    this.#fetchedAt = this.#config.now();
    return true;
  }

  #restore(validators) {
    if (this.#keys === null) return;
    for (const validator of validators) {
      try {
        validator.setJwks(this.#keys);
      } catch {
        // It accepted these keys before; nothing better can be done for it here.
      }
    }
  }
}

/** Anything a validator or fetch throws, as the jwks_invalid EntraTokenError this module promises. */
function asJwksError(error) {
  if (error instanceof EntraTokenError) return error;
  return jwksError(`JWKS cannot be used: ${describeFailure(error)}`);
}

/** `promise`, or a rejection when it has not settled within `ms` (the timer belongs to the caller's request). */
function settleWithin(promise, ms) {
  let timer;
  const deadline = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Creates the cache; nothing is fetched until `get()`, `ready()` or `refreshForUnknownKey()`. */
export function createRemoteJwks(options) {
  return new RemoteJwks(options);
}
