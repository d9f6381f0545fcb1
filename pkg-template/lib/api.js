// The JS face of the wasm core. It only converts: options and tokens go in as strings, results come
// back as JSON text and leave as plain objects, failures leave as EntraTokenError. Every environment
// entry (node.mjs, node.cjs, browser.js, workerd.js) initialises the wasm its own way, then re-exports this.
import { WasmValidator } from '../wasm/entra_guard.js';
import { EntraTokenError, configError, entraError, jwksError } from './errors.js';
import { HostKeys } from './host-crypto.js';
import { answerEnvelope, validatedToken } from './result.js';
import { tokenBytes } from './token-bytes.js';

export { CHECKS, ERROR_CODES, EntraTokenError } from './errors.js';
export { ENTRA, isGuid } from './entra.js';

/** @typedef {import('../types/api.js').EntraValidatorOptions} EntraValidatorOptions */
/** @typedef {import('../types/api.js').ValidateOptions} ValidateOptions */
/** @typedef {import('../types/api.js').ValidatedToken} ValidatedToken */
/** @typedef {import('../types/api.js').SetJwksResult} SetJwksResult */
/** @typedef {import('../types/api.js').Jwks} Jwks */

/**
 * Parses the core's envelope: `{"ok":…}` or `{"error":…}`.
 * @param {string} text
 */
function unwrap(text) {
  const envelope = answerEnvelope(text);
  if (envelope.error) throw new EntraTokenError(envelope.error);
  return envelope.ok;
}

/**
 * @param {ValidateOptions['now']} now
 * @returns {number}
 */
function seconds(now) {
  if (now === undefined) return Date.now() / 1000;
  if (now instanceof Date) return now.getTime() / 1000;
  if (typeof now === 'number' && Number.isFinite(now) && now >= 0) return now;
  throw configError('now', 'must be seconds since the epoch (a finite, non-negative number) or a Date');
}

const NUL = '\u0000';
/** @param {unknown} value */
const plain = (value) => typeof value === 'string' && !value.includes(NUL);

/**
 * One part of a requirements key: injective, and cheap for the usual array of plain strings.
 * @param {unknown} value
 */
function keyPart(value) {
  if (value === undefined) return 'U';
  if (plain(value)) return `S${value}`;
  if (Array.isArray(value) && value.every(plain)) return `L${value.length}${NUL}${value.join(NUL)}`;
  return `J${JSON.stringify(value)}`;
}

/**
 * A text key naming a call's requirements ('' when there are none); equal keys mean equal requirements.
 * @param {ValidateOptions} call
 */
function requirementsKey({ requiredScopes, requiredRoles, scopeMatch }) {
  if (requiredScopes === undefined && requiredRoles === undefined && scopeMatch === undefined) return '';
  return `${keyPart(requiredScopes)}${NUL}${NUL}${keyPart(requiredRoles)}${NUL}${NUL}${keyPart(scopeMatch)}`;
}

/** Characters of a token's end (its signature: 264 bits of it) that index the cache mirror. */
const TAIL_LENGTH = 44;

/** Distinct requirement sets remembered per validator before starting over (routes have a handful). */
const MAX_REQUIREMENT_SETS = 256;

/** @typedef {{ token: string, tail: string, slot: number, generation: number, result: ValidatedToken }} CachedResult */

export class EntraValidator {
  // A mirror of the core's verified-token cache. The core decides every hit: it stores only verified
  // tokens, and on each use re-checks the time and the call's permissions (`recheck`). This side keeps,
  // per cache slot, the token and its parsed result, and an index from the token's last characters
  // (signature bytes: hashing 44 characters is much cheaper than hashing 1.5 KB) to that entry. A hit
  // still requires the whole token to equal the entry's (`===`), so only the exact token can hit; a
  // repeated token then crosses into wasm as two numbers instead of 1.5 KB of text.
  // Both are bounded by the core's slots: an entry is replaced when its slot is reused.
  /** @type {WasmValidator | undefined} */
  #core;
  /** @type {Array<CachedResult | undefined>} */
  #slots = [];
  /** @type {Map<string, CachedResult>} */
  #byTail = new Map();
  // Requirement sets compiled by the core, by their text key. Id 0 means none.
  /** @type {Map<string, number>} */
  #requirementIds = new Map([['', 0]]);
  // The runtime's RSA, which the core asks to verify signatures (src/host.rs), unless `crypto: 'wasm'`.
  /** @type {HostKeys | null} */
  #host = null;

  /** @param {EntraValidatorOptions} options */
  constructor(options) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw configError('options', 'must be an object');
    }
    // `crypto` is this layer's option: the core never sees it (and would refuse it as unknown).
    const { crypto = 'auto', ...coreOptions } = options;
    if (crypto !== 'auto' && crypto !== 'wasm') {
      throw configError('crypto', `must be "auto" (the runtime's RSA where it has one) or "wasm", got ${JSON.stringify(crypto) ?? typeof crypto}`);
    }
    let json;
    try {
      json = JSON.stringify(coreOptions);
    } catch (cause) {
      throw configError('options', `cannot be serialised to JSON (${/** @type {Error} */ (cause).message})`, cause);
    }
    try {
      this.#core = new WasmValidator(json);
    } catch (thrown) {
      if (typeof thrown === 'string') unwrap(thrown);
      throw thrown;
    }
    this.#host = crypto === 'auto' ? HostKeys.forRuntime() : null;
    if (this.#host !== null) {
      this.#host.load(this.#core);
      this.#core.setHostCrypto(this.#host);
    }
  }

  /**
   * Replaces the trusted keys. On failure (`jwks_invalid`) the previous keys stay in force.
   * @param {Jwks | string} jwks
   * @returns {SetJwksResult}
   */
  setJwks(jwks) {
    const text = typeof jwks === 'string' ? jwks : JSON.stringify(jwks);
    if (typeof text !== 'string') throw jwksError('JWKS cannot be used: expected an object or JSON text');
    const core = this.#live();
    const loaded = unwrap(core.setJwks(text));
    this.#host?.load(core);
    this.#slots = [];
    this.#byTail.clear();
    return loaded;
  }

  /**
   * Validates a bearer token (without the `Bearer ` prefix). Returns the identity, or throws EntraTokenError.
   * @param {string} token
   * @param {ValidateOptions} [call]
   * @returns {ValidatedToken}
   */
  validate(token, call = {}) {
    if (typeof token !== 'string') throw entraError('token_malformed', 'jws', null, 'token is malformed: expected a string');
    const core = this.#live();
    const now = seconds(call.now);
    const requirements = this.#requirementsId(call);
    const known = this.#byTail.size === 0 ? undefined : this.#byTail.get(token.slice(-TAIL_LENGTH));
    if (known !== undefined && known.token === token && core.recheck(known.slot, known.generation, now, requirements) === 0) {
      return known.result;
    }
    const text = core.validate(tokenBytes(token), now, requirements);
    const answer = answerEnvelope(text);
    if (answer.error) throw new EntraTokenError(answer.error);
    if (answer.hit) {
      const [slot, generation] = answer.hit;
      const entry = this.#slots[slot];
      if (entry !== undefined && entry.generation === generation) return entry.result;
      const cachedText = core.cachedResult(slot, generation);
      return this.#remember(token, answer.hit, validatedToken(unwrap(cachedText), cachedText));
    }
    const result = validatedToken(answer.ok, text);
    return answer.slot ? this.#remember(token, answer.slot, result) : result;
  }

  /**
   * @param {string} token
   * @param {[number, number]} slotAndGeneration
   * @param {ValidatedToken} result
   */
  #remember(token, [slot, generation], result) {
    const replaced = this.#slots[slot];
    if (replaced !== undefined && this.#byTail.get(replaced.tail) === replaced) this.#byTail.delete(replaced.tail);
    const entry = { token, tail: token.slice(-TAIL_LENGTH), slot, generation, result };
    this.#slots[slot] = entry;
    this.#byTail.set(entry.tail, entry);
    return entry.result;
  }

  /**
   * @param {ValidateOptions} call
   * @returns {number}
   */
  #requirementsId(call) {
    const key = requirementsKey(call);
    let id = this.#requirementIds.get(key);
    if (id === undefined) {
      const core = this.#live();
      if (this.#requirementIds.size > MAX_REQUIREMENT_SETS) {
        core.clearRequirements();
        this.#requirementIds = new Map([['', 0]]);
      }
      const { requiredScopes, requiredRoles, scopeMatch } = call;
      id = /** @type {number} */ (unwrap(core.requirements(JSON.stringify({ requiredScopes, requiredRoles, scopeMatch }))));
      this.#requirementIds.set(key, id);
    }
    return id;
  }

  /** The core, or `config_invalid` after free(): a freed validator must not trap the instance. */
  #live() {
    if (this.#core === undefined) throw configError('validator', 'this validator was freed (free()); create a new one');
    return this.#core;
  }

  /** Releases the wasm memory now instead of at garbage collection. */
  free() {
    this.#core?.free();
    this.#core = undefined;
    this.#slots = [];
    this.#byTail.clear();
  }
}
