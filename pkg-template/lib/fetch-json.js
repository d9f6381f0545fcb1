// One HTTP GET for key material (OpenID discovery, JWKS): a deadline over connect, headers and body, a byte
// limit, never a redirect. Every failure is a `jwks_invalid` EntraTokenError naming the URL and what failed.
import { jwksError } from './errors.js';
import { discardBody, readBodyBytes } from './body.js';

/**
 * @typedef {object} FetchJsonOptions
 * @property {(url: string, init: RequestInit) => Promise<Response>} fetch
 * @property {number} timeout milliseconds for the whole exchange
 * @property {number} maxBytes largest body accepted
 */

// Errors for an HTTP 404: the caller may look again (a discovered jwks_uri may have moved). Kept aside,
// not a property, so that every error that leaves here is a plain EntraTokenError.
const notFoundErrors = new WeakSet();

/**
 * Whether `error` came from an HTTP 404.
 * @param {unknown} error
 */
export function isNotFound(error) {
  return typeof error === 'object' && error !== null && notFoundErrors.has(error);
}

/**
 * Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND...) is the cause.
 * @param {unknown} error
 */
export function describeFailure(error) {
  const { message, cause } = /** @type {{ message?: string, cause?: { code?: string, message?: string } }} */ (error ?? {});
  const detail = cause ? ` (${cause.code ?? cause.message ?? cause})` : '';
  return `${message ?? error}${detail}`;
}

/**
 * @param {FetchJsonOptions['fetch']} fetchFn
 * @param {string} url
 * @param {AbortSignal} signal
 * @param {number} maxBytes
 * @param {string} what
 * @returns {Promise<unknown>}
 */
async function exchange(fetchFn, url, signal, maxBytes, what) {
  let response;
  try {
    // redirect 'manual' rather than 'error': workerd supports only 'follow' and 'manual'.
    response = await fetchFn(url, { method: 'GET', redirect: 'manual', signal, headers: { accept: 'application/json' } });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw jwksError(`${what}: request failed: ${describeFailure(error)}`, error);
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
  let read;
  try {
    read = await readBodyBytes(response, maxBytes);
  } catch (error) {
    // A reset or an early close while the body streams in rejects the reader with fetch's own error.
    if (signal.aborted) throw signal.reason;
    throw jwksError(`${what}: reading the body failed: ${describeFailure(error)}`, error);
  }
  if (read.bytes === null) {
    const size = read.announced !== null ? `Content-Length ${read.announced}` : `at least ${read.received} bytes received`;
    throw jwksError(`${what}: body is larger than ${maxBytes} bytes (${size}); refused (maxBytes)`);
  }
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
  } catch (error) {
    throw jwksError(`${what}: body is not UTF-8`, error);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw jwksError(`${what}: body is not JSON (${/** @type {Error} */ (error).message})`, error);
  }
}

/**
 * GETs `url` and parses its JSON body. One deadline covers connect, headers and body: the abort signal
 * stops the transfer, and the race makes the deadline hold even for a fetch that ignores its signal.
 * @param {FetchJsonOptions} options
 * @param {string} url
 * @param {string} label what is fetched, for messages ("JWKS", "OpenID discovery document")
 * @returns {Promise<unknown>}
 */
export async function fetchJson({ fetch: fetchFn, timeout, maxBytes }, url, label) {
  const what = `${label} ${url}`;
  const controller = new AbortController();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Promise<never>} */
  const deadline = new Promise((_resolve, reject) => {
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

