// Shared, immutable values: results reused across calls and key sets handed to several validators.

/**
 * Freezes `value` and everything reachable from it; returns it.
 * @template T
 * @param {T} value
 * @returns {T}
 */
export function deepFreeze(value) {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze(/** @type {Record<string, unknown>} */ (value)[key]);
  }
  return value;
}
