import type { EntraCloud, EntraValidator, Jwks, EntraTokenError } from './api.js';

// createRemoteJwks: the remote JWKS cache that fetches keys for validators (the core stays network-free).
// Uses only fetch, AbortController, setTimeout and TextDecoder: Node 18+, browsers, workerd.

/**
 * Where the keys come from: give exactly one of `tenantId`, `issuer` or `jwksUri`
 * (none or several: EntraTokenError `config_invalid`). Unknown options are refused too.
 */
export interface RemoteJwksOptions {
  /**
   * A tenant GUID, or `"common"` / `"organizations"` / `"consumers"`: OpenID discovery at
   * `https://{host}/{tenantId}/v2.0/.well-known/openid-configuration`, host chosen by `cloud`.
   */
  tenantId?: string;
  /**
   * An issuer URL (https; http only for 127.0.0.1, localhost, [::1]): discovery at
   * `{issuer without trailing slash}/.well-known/openid-configuration`.
   */
  issuer?: string;
  /** The JWKS URL itself (https; http only for loopback): no discovery. */
  jwksUri?: string;
  /**
   * With `tenantId`: `"public"` (login.microsoftonline.com), `"usgov"` (login.microsoftonline.us) or
   * `"china"` (login.partner.microsoftonline.cn). Default `"public"`.
   */
  cloud?: EntraCloud;
  /**
   * The application (client) id, a GUID: adds `?appid=<appId>` to the discovery URL (or to `jwksUri`),
   * for apps with their own signing keys (claims mapping). Default: none.
   */
  appId?: string;
  /** The fetch to use. Default `globalThis.fetch`. Redirects are never followed (a 3xx is a failure). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /**
   * Milliseconds the keys (and the discovered jwks_uri) are used before `get()` refetches them.
   * Default 86 400 000 (24 h, Microsoft's key-rollover guidance).
   */
  cacheMaxAge?: number;
  /**
   * Milliseconds between fetches triggered by `refreshForUnknownKey()` (counted from the start of the
   * previous fetch, successful or not), and before a failed refresh of stale keys is retried by `get()`.
   * Default 300 000 (5 min, as Microsoft.IdentityModel's RequestRefresh).
   */
  cooldown?: number;
  /** Milliseconds per HTTP request, covering connect, headers and body. Default 5000. */
  timeout?: number;
  /** Largest accepted response body in bytes. Default 524 288 (512 KiB, the core's JWKS limit). */
  maxBytes?: number;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * A cached remote JWKS. Every fetch or parse failure is an EntraTokenError `jwks_invalid` whose message
 * names the URL and what failed (HTTP status, timeout, redirect, not JSON, too large).
 * Concurrent callers share one HTTP request.
 */
export declare class RemoteJwks {
  /** @throws EntraTokenError `config_invalid` naming the option. */
  constructor(options: RemoteJwksOptions);
  /**
   * The current key set: at once (no network) while younger than `cacheMaxAge`; otherwise refetched.
   * If a refetch fails, the last good keys are returned and the failure is in `lastError`.
   * Rejects (EntraTokenError `jwks_invalid`) only when no keys were ever loaded.
   */
  get(): Promise<Jwks>;
  /** `get()`, then resolves to this remote. */
  ready(): Promise<this>;
  /**
   * For a token whose kid is unknown: refetches unless a fetch started less than `cooldown` ago (or joins
   * the one in progress). Resolves true when the key set changed; false otherwise, also in the cooldown
   * and on failure (recorded in `lastError`). Never rejects for fetch failures.
   */
  refreshForUnknownKey(): Promise<boolean>;
  /**
   * Calls `validator.setJwks(jwks)` with each new key set, and at once when keys are loaded. A set a
   * validator refuses is not adopted: validators keep their keys, `get()` keeps returning the last good
   * set, and the error is in `lastError`. Several validators may be attached. Returns this remote.
   * @throws EntraTokenError `config_invalid` when `validator` has no `setJwks` method.
   */
  attach(validator: EntraValidator | { setJwks(jwks: Jwks): unknown }): this;
  /** Stops updating `validator` (call before `validator.free()`). Returns this remote. */
  detach(validator: EntraValidator | { setJwks(jwks: Jwks): unknown }): this;
  /** When the current keys were fetched (ms, by the `now` clock); null before the first success. */
  readonly fetchedAt: number | null;
  /** Why the latest fetch failed (or a validator refused its keys); null after a success. */
  readonly lastError: EntraTokenError | null;
  /** The JWKS URL: as given, or as discovered; null before discovery. */
  readonly jwksUri: string | null;
  /** The number of JWKS HTTP requests made (discovery requests are not counted). */
  readonly fetchCount: number;
}

/** Creates a RemoteJwks; nothing is fetched until `get()`, `ready()` or `refreshForUnknownKey()`. */
export declare function createRemoteJwks(options: RemoteJwksOptions): RemoteJwks;

/**
 * The body of a `Request` or `Response` as UTF-8 text, or `null` when it is larger than `maxBytes`
 * (announced by Content-Length or counted as it arrives). For request bodies in workers and for fetched
 * documents alike. @throws TypeError when the body is not UTF-8 or the stream fails.
 */
export declare function readBody(
  message: { headers: Headers; body: ReadableStream<Uint8Array> | null; arrayBuffer(): Promise<ArrayBuffer> },
  maxBytes: number,
): Promise<string | null>;
