// The network side of key management, kept out of the core: a cache that finds a JWKS (by OpenID discovery
// or a given URL), fetches it (lib/fetch-json.js: a deadline, a byte limit, no redirects), keeps the last
// good set, and hands each new set to the attached validators. The core stays network-free and clock-free.
// It runs wherever fetch, AbortController, setTimeout and TextDecoder exist (Node 18+, browsers, workerd),
// so it imports nothing from the platform. The options are in lib/remote-jwks-options.js.
import { EntraTokenError, configError, jwksError } from './errors.js';
import { describeFailure, fetchJson, isNotFound } from './fetch-json.js';
import { deepFreeze } from './freeze.js';
import { isLoopbackHttp, parseOptions } from './remote-jwks-options.js';

/** @typedef {import('../types/remote-jwks.js').RemoteJwksOptions} RemoteJwksOptions */
/** @typedef {import('../types/api.js').Jwks} Jwks */
/** @typedef {{ setJwks(jwks: Jwks): unknown }} KeyUser what attach() feeds: an EntraValidator, or anything with setJwks */

/** After a failed first load, how long new loads wait (see #firstLoadBackingOff). */
const FIRST_LOAD_BACKOFF_MS = 10_000;

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export class RemoteJwks {
  #config;
  /** @type {string | null} */
  #discoveryUrl;
  /** @type {string | null} */
  #jwksUri;
  /** @type {number | null} */
  #discoveredAt = null;
  /** @type {Set<KeyUser>} */
  #validators = new Set();
  // The last good key set (accepted by every attached validator), its JSON text to detect changes,
  // and when it was last fetched (an unchanged refetch renews it).
  /** @type {Jwks | null} */
  #keys = null;
  /** @type {string | null} */
  #keysText = null;
  /** @type {number | null} */
  #fetchedAt = null;
  // When the latest fetch started and whether it failed: the cooldown counts from the start, and a
  // failed refresh of stale keys is not retried on every request while the IdP is down.
  /** @type {number | null} */
  #attemptedAt = null;
  #attemptFailed = false;
  /** @type {EntraTokenError | null} */
  #lastError = null;
  #fetchCount = 0;
  // The one refresh in progress; every caller shares it (resolves to "the key set changed").
  /** @type {Promise<boolean> | null} */
  #inflight = null;

  /** @param {RemoteJwksOptions} options */
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
   * @returns {Promise<Jwks>}
   */
  get() {
    if (this.#keys !== null && !this.#needsRefresh()) return Promise.resolve(this.#keys);
    if (this.#keys === null && this.#inflight === null && this.#firstLoadBackingOff()) return Promise.reject(this.#lastError);
    return this.#refresh().then(() => {
      if (this.#keys === null) throw this.#lastError;
      return this.#keys;
    });
  }

  /**
   * `get()`, then the remote itself: `const remote = await createRemoteJwks(...).attach(v).ready()`.
   * @returns {Promise<this>}
   */
  async ready() {
    await this.get();
    return this;
  }

  /**
   * For a token whose kid is not in the current keys (Entra may have rotated): refetches unless a fetch
   * started less than `cooldown` ago, or joins the fetch in progress. Resolves true when the key set
   * changed. Never rejects for fetch failures (they are in `lastError`); the caller reports key_not_found.
   * @returns {Promise<boolean>}
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
   * @param {KeyUser} validator
   * @returns {this}
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

  /**
   * Stops giving key sets to `validator` (for example before `validator.free()`).
   * @param {KeyUser} validator
   * @returns {this}
   */
  detach(validator) {
    this.#validators.delete(validator);
    return this;
  }

  #needsRefresh() {
    const now = this.#config.now();
    // Called with keys loaded, so #fetchedAt is set; #attemptedAt is set once an attempt failed.
    if (now - (this.#fetchedAt ?? 0) < this.#config.cacheMaxAge) return false;
    return !(this.#attemptFailed && now - (this.#attemptedAt ?? 0) < this.#config.cooldown);
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
   * @param {boolean} [retry]
   * @returns {Promise<boolean>}
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

  /**
   * One refresh: fetch, check, adopt. Never rejects; failures are recorded.
   * @returns {Promise<boolean>}
   */
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
      if (this.#discoveryUrl === null || rediscovered || !isNotFound(error)) throw error;
      await this.#discover({ required: true });
      return this.#fetchJwks();
    }
  }

  #discoveryDue() {
    return this.#jwksUri === null || this.#config.now() - (this.#discoveredAt ?? 0) >= this.#config.cacheMaxAge;
  }

  /**
   * Reads the discovery document and remembers its jwks_uri. When an old jwks_uri is known, a failed
   * periodic rediscovery keeps using it (the keys matter, not the document) unless `required`.
   * Returns whether the jwks_uri was (re)discovered.
   * @param {{ required?: boolean }} [options]
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

  /** @returns {Promise<string>} the jwks_uri */
  async #fetchDiscovery() {
    const url = /** @type {string} */ (this.#discoveryUrl);
    const doc = await fetchJson(this.#config, url, 'OpenID discovery document');
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

  /** @returns {Promise<Jwks>} */
  async #fetchJwks() {
    this.#fetchCount += 1;
    const url = /** @type {string} */ (this.#jwksUri);
    const jwks = await fetchJson(this.#config, url, 'JWKS');
    // The core checks every key; this only refuses what is not a key set at all, for callers of get()
    // that have no validator attached.
    if (!isPlainObject(jwks) || !Array.isArray(jwks.keys)) throw jwksError(`JWKS ${url}: expected a JSON object with a "keys" array`);
    if (jwks.keys.length === 0) throw jwksError(`JWKS ${url}: the "keys" array is empty`);
    return /** @type {Jwks} */ (/** @type {unknown} */ (jwks));
  }

  /**
   * Makes `jwks` the current set if it differs from the current one: every validator must accept it,
   * otherwise those that already took it get the previous set back and the error propagates.
   * Returns whether the set changed.
   * @param {Jwks} jwks
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

  /** @param {KeyUser[]} validators */
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

/**
 * Anything a validator or fetch throws, as the jwks_invalid EntraTokenError this module promises.
 * @param {unknown} error
 */
function asJwksError(error) {
  if (error instanceof EntraTokenError) return error;
  return jwksError(`JWKS cannot be used: ${describeFailure(error)}`, error);
}

/**
 * `promise`, or a rejection when it has not settled within `ms` (the timer belongs to the caller's request).
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @returns {Promise<T>}
 */
function settleWithin(promise, ms) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Promise<never>} */
  const deadline = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Creates the cache; nothing is fetched until `get()`, `ready()` or `refreshForUnknownKey()`.
 * @param {RemoteJwksOptions} options
 */
export function createRemoteJwks(options) {
  return new RemoteJwks(options);
}
