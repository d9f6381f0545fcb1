// The host's RSA for the core (src/host.rs): node:crypto's synchronous `verify`, with one KeyObject per
// accepted key, built when a JWKS loads. The core has already ruled on everything before the arithmetic
// (the token's bytes, algorithm, key selection, key policy, the signature's length and range) and rules on
// every claim after it; this module only answers "does this RSASSA-PKCS1-v1_5 SHA-256 signature verify
// over these bytes under this key?" with 1 (yes), 0 (no) or 2 (cannot say: the core's own RSA answers).
//
// Each runtime entry hands in its crypto module (node.mjs and the CommonJS bundle: node:crypto; workerd.js:
// node:crypto when nodejs_compat provides it); browsers have none, and the core's RSA does all the work.

/** @typedef {{ createPublicKey: Function, verify: Function }} NodeCryptoLike */

/**
 * A known answer, checked once before a runtime's crypto is trusted with anything: a signature by the
 * repository's test key (tests/keys/rsa2048.pem) must verify, and the same with one bit flipped must not.
 * A shim that says yes to everything, or no to everything, or throws, is not used.
 */
const KNOWN_ANSWER = Object.freeze({
  n: 'vsR093xelR4yhDfcIu0x_ZVmtiR2U8XfWybaPKgzggjayuk9hWS7DMO6DEZcFdrmLpvGhN29p6c4Zpl6wTngJFHLH58R9h32Bc1kFl0rnEjRmpmdxAI02rnaM8c4FvTJKYAHrQHfY5zNHq4NaCHKslTKCx3iHrlN2zImejyg2tUqB1s45Sr980PFBWpRto2_jVld5Cd2HqRzAKlVzO1w_8s8q_hw3nqr5O8sb1y0nkQCJ8-yVW3lLF7q4gqjTrGL5M0G41aPv9kI8X2lZnd4WcYuqkQJexOaX3JJtHB1D6tdYn3-J-7AdisJ2s6ZZsZYFztkkruH3kwvGm8JBOoemQ',
  e: 'AQAB',
  message: 'entra-guard: host RSA known-answer test (RSASSA-PKCS1-v1_5, SHA-256)',
  signature: 'kWm3neGXsNQbWf1OWpxFF4hDkEj1lGQP9lg38BvOXUyxIRMCiNiNRbi_LjClocl2EcW-gN1xwkYm74MjF4niha1EbX7wYqTw31Mn7LcwFTkFuAy_keiTB7_Q5UMntwuxIm0-gkU-m0CuZSosHPnS8WTquO2L9tHOdqSu3VaseU-gmu5LDYvI2Eiz4Pvyvv9w8rjKWlJ-Z1m8J-E0V3n-QRvHWVUfyuP9YT-vBXLvmkq8Rwi3qkbPAKHtMppKK9hOYfugfGXS1YgYGHS8aY246qNEhz0dMK0E0ow2i_NNgHlIGDx94CC8HwXWfGLEfh2dR4TPkVe8r08C_0VC-B4DtA',
});

/** @type {NodeCryptoLike | null} */
let installed = null;

/**
 * Installs the runtime's crypto module (or nothing, for `null`), if it passes the known-answer test.
 * @param {unknown} module
 * @returns {boolean} whether it is used
 */
export function useHostCrypto(module) {
  installed = passesKnownAnswer(module) ? /** @type {NodeCryptoLike} */ (module) : null;
  return installed !== null;
}

/** Whether validators made with `crypto: 'auto'` (the default) get a host RSA in this runtime. */
export function hasHostCrypto() {
  return installed !== null;
}

/** @param {any} module */
function passesKnownAnswer(module) {
  if (!module || typeof module.createPublicKey !== 'function' || typeof module.verify !== 'function') return false;
  try {
    const key = module.createPublicKey({ key: { kty: 'RSA', n: KNOWN_ANSWER.n, e: KNOWN_ANSWER.e }, format: 'jwk' });
    const message = new TextEncoder().encode(KNOWN_ANSWER.message);
    const signature = fromBase64url(KNOWN_ANSWER.signature);
    if (module.verify('sha256', message, key, signature) !== true) return false;
    signature[17] ^= 0x04;
    return module.verify('sha256', message, key, signature) === false;
  } catch {
    return false;
  }
}

/** @param {string} text */
function fromBase64url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** @param {Uint8Array} bytes */
function toBase64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @typedef {{ keyGeneration(): number, keyCount(): number, keyModulus(index: number): Uint8Array, keyExponent(index: number): number }} CoreKeys */

/**
 * The `HostCrypto` one validator's core calls (src/wasm.rs): KeyObjects for the core's current key set,
 * numbered as the core numbers them, and tagged with the core's key generation so a stale copy is never used.
 */
export class HostKeys {
  /** @type {NodeCryptoLike} */
  #crypto;
  #generation = -1;
  /** @type {Array<unknown>} a KeyObject per key, or null where the runtime refused the key (the core then answers) */
  #keys = [];
  /** @type {Map<string, unknown>} by `e.n`, so that a JWKS refresh builds only the keys that are new */
  #byKey = new Map();

  /** @param {NodeCryptoLike} crypto */
  constructor(crypto) {
    this.#crypto = crypto;
  }

  /** A HostKeys for this runtime, or null when it has no usable crypto module. */
  static forRuntime() {
    return installed === null ? null : new HostKeys(installed);
  }

  /**
   * Copies the core's keys (after construction and after each successful setJwks).
   * @param {CoreKeys} core
   */
  load(core) {
    const keys = [];
    const byKey = new Map();
    const count = core.keyCount();
    for (let index = 0; index < count; index += 1) {
      const e = core.keyExponent(index);
      const n = toBase64url(core.keyModulus(index));
      const id = `${e}.${n}`;
      const key = byKey.get(id) ?? this.#byKey.get(id) ?? this.#keyObject(n, e);
      byKey.set(id, key);
      keys.push(key);
    }
    this.#keys = keys;
    this.#byKey = byKey;
    this.#generation = core.keyGeneration();
  }

  /**
   * A KeyObject for (n, e), or null when the runtime refuses the key.
   * @param {string} n the modulus, base64url
   * @param {number} e the public exponent
   */
  #keyObject(n, e) {
    const octets = Uint8Array.of(e >>> 24, (e >>> 16) & 0xff, (e >>> 8) & 0xff, e & 0xff);
    let first = 0;
    while (first < 3 && octets[first] === 0) first += 1;
    try {
      return this.#crypto.createPublicKey({ key: { kty: 'RSA', n, e: toBase64url(octets.subarray(first)) }, format: 'jwk' });
    } catch {
      return null;
    }
  }

  /**
   * Called by the core, with views of wasm memory that are valid for this call only.
   * @param {number} generation
   * @param {number} index
   * @param {Uint8Array} signingInput
   * @param {Uint8Array} signature
   * @returns {0 | 1 | 2}
   */
  verify(generation, index, signingInput, signature) {
    const key = generation === this.#generation ? this.#keys[index] : undefined;
    if (key === undefined || key === null) return 2;
    try {
      return this.#crypto.verify('sha256', signingInput, key, signature) === true ? 1 : 0;
    } catch {
      return 2;
    }
  }
}
