// How a token crosses into wasm: as its UTF-8 bytes, encoded into one buffer that every call reuses.
import { CATALOG } from './catalog.js';

/**
 * wasm-bindgen's string argument copies a character at a time (about 3 µs of a 1.5 KB token); bytes cost one
 * native encode and one copy. Exact for any string, unlike a Latin-1 shortcut, which would map some non-ASCII
 * characters onto the ASCII ones a signature covers.
 */
const UTF8 = new TextEncoder();

/**
 * `encodeInto` a buffer that exists already costs less than `encode`'s new one per token (an off-heap
 * allocation the garbage collector then tracks): 0.1 µs against 0.6 µs for 1.5 KB. Three bytes per UTF-16
 * unit is UTF-8's worst case, so every token up to the core's size limit fits.
 */
const SCRATCH = new Uint8Array(3 * CATALOG.limits.maxTokenBytes);

/**
 * The token's UTF-8 bytes: a view of the shared buffer, valid until the next call (the core copies it in at
 * once), or, for a token too long for the buffer (which the core refuses as too large), a copy of its own.
 * @param {string} token
 * @returns {Uint8Array}
 */
export function tokenBytes(token) {
  if (token.length > CATALOG.limits.maxTokenBytes) return UTF8.encode(token);
  const { written } = UTF8.encodeInto(token, SCRATCH);
  return SCRATCH.subarray(0, written);
}
