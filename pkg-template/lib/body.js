// Reading an HTTP body with a byte limit, for any runtime with web streams (Node 18+, browsers, workerd):
// the limit is counted as bytes arrive, so neither a lying Content-Length nor an endless body can make the
// reader hold more than `maxBytes` in memory.

/**
 * The body of a `Request` or `Response` as UTF-8 text, or `null` when it is larger than `maxBytes`
 * (announced or received). An empty body is `''`.
 * @param {{ headers: Headers, body: ReadableStream<Uint8Array> | null, arrayBuffer(): Promise<ArrayBuffer> }} message
 * @param {number} maxBytes
 * @returns {Promise<string | null>}
 * @throws {TypeError} the body is not UTF-8, or the stream failed (a reset, an early close)
 */
export async function readBody(message, maxBytes) {
  const read = await readBodyBytes(message, maxBytes);
  return read.bytes === null ? null : new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
}

/**
 * The body's bytes, or `bytes: null` with what was seen (`announced`: the Content-Length; `received`: the
 * bytes read before giving up) when it is larger than `maxBytes`.
 * @param {{ headers: Headers, body: ReadableStream<Uint8Array> | null, arrayBuffer(): Promise<ArrayBuffer> }} message
 * @param {number} maxBytes
 * @returns {Promise<{ bytes: Uint8Array, announced?: undefined, received?: undefined } | { bytes: null, announced: string | null, received: number }>}
 * @throws {TypeError} the stream failed (a reset, an early close)
 */
export async function readBodyBytes(message, maxBytes) {
  const announced = message.headers.get('content-length');
  if (announced !== null && Number(announced) > maxBytes) {
    discardBody(message);
    return { bytes: null, announced, received: 0 };
  }
  if (message.body === null) return { bytes: new Uint8Array(0) };
  if (typeof message.body.getReader !== 'function') {
    // A fetch without streams (some polyfills): the limit can only be checked after the fact.
    const bytes = new Uint8Array(await message.arrayBuffer());
    return bytes.byteLength > maxBytes ? { bytes: null, announced: null, received: bytes.byteLength } : { bytes };
  }
  const reader = message.body.getReader();
  /** @type {Uint8Array[]} */
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      reader.cancel().catch(() => {});
      return { bytes: null, announced: null, received: size };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes };
}

/**
 * Releases an unread body: it would otherwise hold the connection open until garbage collection.
 * @param {{ body: ReadableStream<Uint8Array> | null }} message
 */
export function discardBody(message) {
  try {
    message.body?.cancel().catch(() => {});
  } catch {
    // Already locked or consumed: nothing to release.
  }
}
