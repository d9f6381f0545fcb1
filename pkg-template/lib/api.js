// The JS face of the wasm core. It only converts: options and tokens go in as strings, results come
// back as JSON text and leave as plain objects, failures leave as EntraTokenError. Every environment
// entry (node.mjs, node.cjs, browser.js, workerd.js) initialises the wasm its own way, then re-exports this.
import { WasmValidator } from '../wasm/entra_guard.js';
import { deepFreeze } from './freeze.js';

/** Stable error codes, as the Rust core defines them. */
export const ERROR_CODES = Object.freeze([
  'token_malformed', 'token_too_large', 'algorithm_not_allowed', 'key_not_found', 'signature_invalid',
  'graph_token', 'token_expired', 'token_not_yet_valid', 'issuer_invalid', 'audience_invalid',
  'tenant_not_allowed', 'client_not_allowed', 'claim_missing', 'claim_invalid', 'token_type_not_allowed',
  'insufficient_scope', 'insufficient_role', 'jwks_invalid', 'config_invalid',
]);

/** Every failure of this package: a real Error with a stable `code`, the HTTP `status` it implies and the `claim` concerned. */
export class EntraTokenError extends Error {
  constructor(details) {
    super(details.message);
    this.name = 'EntraTokenError';
    /** @type {string} */
    this.code = details.code;
    /** @type {number} */
    this.status = details.status;
    /** @type {string | null} */
    this.claim = details.claim ?? null;
    /** @type {string[] | undefined} scopes or roles a 403 asks for */
    if (details.requiredPermissions) this.requiredPermissions = details.requiredPermissions;
  }
}

function configError(claim, message) {
  return new EntraTokenError({ code: 'config_invalid', status: 500, claim, message: `option ${claim} is invalid: ${message}` });
}

/** Parses the core's envelope: `{"ok":…}` or `{"error":…}`. */
function unwrap(text) {
  const envelope = JSON.parse(text);
  if (envelope.error) throw new EntraTokenError(envelope.error);
  return envelope.ok;
}

function seconds(now) {
  if (now === undefined) return Date.now() / 1000;
  if (now instanceof Date) return now.getTime() / 1000;
  if (typeof now === 'number' && Number.isFinite(now) && now >= 0) return now;
  throw configError('now', 'must be seconds since the epoch (a finite, non-negative number) or a Date');
}

const NUL = '\u0000';
const plain = (value) => typeof value === 'string' && !value.includes(NUL);

/** One part of a requirements key: injective, and cheap for the usual array of plain strings. */
function keyPart(value) {
  if (value === undefined) return 'U';
  if (plain(value)) return `S${value}`;
  if (Array.isArray(value) && value.every(plain)) return `L${value.length}${NUL}${value.join(NUL)}`;
  return `J${JSON.stringify(value)}`;
}

/** A text key naming a call's requirements ('' when there are none); equal keys mean equal requirements. */
function requirementsKey({ requiredScopes, requiredRoles, scopeMatch }) {
  if (requiredScopes === undefined && requiredRoles === undefined && scopeMatch === undefined) return '';
  return `${keyPart(requiredScopes)}${NUL}${NUL}${keyPart(requiredRoles)}${NUL}${NUL}${keyPart(scopeMatch)}`;
}

/** Characters of a token's end (its signature: 264 bits of it) that index the cache mirror. */
const TAIL_LENGTH = 44;

/** Distinct requirement sets remembered per validator before starting over (routes have a handful). */
const MAX_REQUIREMENT_SETS = 256;

export class EntraValidator {
  #core;
  // A mirror of the core's verified-token cache. The core decides every hit: it stores only verified
  // tokens, and on each use re-checks the time and the call's permissions (`recheck`). This side keeps,
  // per cache slot, the token and its parsed result, and an index from the token's last characters
  // (signature bytes: hashing 44 characters is much cheaper than hashing 1.5 KB) to that entry. A hit
  // still requires the whole token to equal the entry's (`===`), so only the exact token can hit; a
  // repeated token then crosses into wasm as two numbers instead of 1.5 KB of text.
  // Both are bounded by the core's slots: an entry is replaced when its slot is reused.
  #slots = [];
  #byTail = new Map();
  // Requirement sets compiled by the core, by their text key. Id 0 means none.
  #requirementIds = new Map([['', 0]]);

  /** @param {import('../index.js').EntraValidatorOptions} options */
  constructor(options) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw configError('options', 'must be an object');
    }
    let json;
    try {
      json = JSON.stringify(options);
    } catch (cause) {
      throw configError('options', `cannot be serialised to JSON (${cause.message})`);
    }
    try {
      this.#core = new WasmValidator(json);
    } catch (thrown) {
      if (typeof thrown === 'string') unwrap(thrown);
      throw thrown;
    }
  }

  /** Replaces the trusted keys. On failure (`jwks_invalid`) the previous keys stay in force. */
  setJwks(jwks) {
    const text = typeof jwks === 'string' ? jwks : JSON.stringify(jwks);
    if (typeof text !== 'string') throw new EntraTokenError({ code: 'jwks_invalid', status: 500, claim: null, message: 'JWKS cannot be used: expected an object or JSON text' });
    const loaded = unwrap(this.#core.setJwks(text));
    this.#slots = [];
    this.#byTail.clear();
    return loaded;
  }

  /** Validates a bearer token (without the `Bearer ` prefix). Returns the identity, or throws EntraTokenError. */
  validate(token, call = {}) {
    if (typeof token !== 'string') {
      throw new EntraTokenError({ code: 'token_malformed', status: 401, claim: null, message: 'token is malformed: expected a string' });
    }
    const now = seconds(call.now);
    const requirements = this.#requirementsId(call);
    const known = this.#byTail.get(token.slice(-TAIL_LENGTH));
    if (known !== undefined && known.token === token && this.#core.recheck(known.slot, known.generation, now, requirements) === 0) {
      return known.result;
    }
    const answer = JSON.parse(this.#core.validate(token, now, requirements));
    if (answer.error) throw new EntraTokenError(answer.error);
    if (answer.hit) {
      const [slot, generation] = answer.hit;
      const entry = this.#slots[slot];
      if (entry !== undefined && entry.generation === generation) return entry.result;
      return this.#remember(token, answer.hit, unwrap(this.#core.cachedResult(slot, generation)));
    }
    return answer.slot ? this.#remember(token, answer.slot, answer.ok) : deepFreeze(answer.ok);
  }

  #remember(token, [slot, generation], result) {
    const replaced = this.#slots[slot];
    if (replaced !== undefined && this.#byTail.get(replaced.tail) === replaced) this.#byTail.delete(replaced.tail);
    const entry = { token, tail: token.slice(-TAIL_LENGTH), slot, generation, result: deepFreeze(result) };
    this.#slots[slot] = entry;
    this.#byTail.set(entry.tail, entry);
    return entry.result;
  }

  #requirementsId(call) {
    const key = requirementsKey(call);
    let id = this.#requirementIds.get(key);
    if (id === undefined) {
      if (this.#requirementIds.size > MAX_REQUIREMENT_SETS) {
        this.#core.clearRequirements();
        this.#requirementIds = new Map([['', 0]]);
      }
      const { requiredScopes, requiredRoles, scopeMatch } = call;
      id = unwrap(this.#core.requirements(JSON.stringify({ requiredScopes, requiredRoles, scopeMatch })));
      this.#requirementIds.set(key, id);
    }
    return id;
  }

  /** Releases the wasm memory now instead of at garbage collection. */
  free() {
    this.#core?.free();
    this.#core = undefined;
    this.#slots = [];
    this.#byTail.clear();
  }
}
