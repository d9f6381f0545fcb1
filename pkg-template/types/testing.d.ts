// Type declarations for entra-guard/testing: a local, Entra-like token issuer for tests (Node only).
// Node's KeyObject is named inline (import('node:crypto')): the build drops top-level `import type` lines.

/** A public RSA key as Entra's v2 keys endpoint publishes it (without `x5c`). */
export type TestJwk = {
  kty: 'RSA';
  use: 'sig';
  /** base64url of 20 random bytes, like Entra's certificate thumbprints. */
  kid: string;
  /** Equal to `kid`, as in Entra's keys. */
  x5t: string;
  n: string;
  e: string;
  /** The v2 issuer template the key is bound to: `https://login.microsoftonline.com/{tenantid}/v2.0`, or `${baseUrl}/{tenantid}/v2.0` in loopback mode. */
  issuer: string;
};

export type TestJwks = { keys: TestJwk[] };

export interface TestIssuerOptions {
  /** The tenant tokens come from. Default `'11111111-2222-4333-8444-555555555555'`. */
  tenantId?: string;
  /** The API's client id (GUID) tokens are for. v2 tokens carry it as `aud`, v1 tokens `api://{audience}`. Default `'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'`. */
  audience?: string;
  /** How many RSA keys to publish at the start; the first signs. Default 1. */
  keys?: number;
  /** RSA key size in bits. Default 2048 (Entra's). */
  modulusLength?: number;
  /** Serve the JWKS and discovery document on `http://127.0.0.1:<random port>`. Default `true`. */
  serve?: boolean;
  /** The token version `mint` makes by default. Default `'2.0'`. */
  version?: '1.0' | '2.0';
  /**
   * Which issuer (`iss`) strings tokens carry.
   * - `'entra'` (default): the real ones, `https://sts.windows.net/{tid}/` (v1) and
   *   `https://login.microsoftonline.com/{tid}/v2.0` (v2), so a validator configured with just `tenantId`
   *   accepts them when given `jwks` or `jwksUri`.
   * - `'loopback'`: `${baseUrl}/{tid}/` and `${baseUrl}/{tid}/v2.0`, so OIDC discovery from the issuer
   *   works on loopback; configure the validator with `issuers: [issuer.issuerTemplate('2.0')]`.
   *   Only v2 tokens then pass entra-guard's signing-key issuer check (which, like Microsoft.IdentityModel,
   *   lets v1 tokens through only via the real cloud's v2 issuer).
   *   Needs `serve: true`.
   */
  issuerMode?: 'entra' | 'loopback';
}

export interface MintOptions {
  /** `'user'` (default): delegated, with `scp`. `'app'`: app-only, `idtyp: 'app'`, `roles`, no `scp`. */
  type?: 'user' | 'app';
  /** `'1.0'`: `iss` sts.windows.net form, `appid`/`appidacr`, `aud` `api://{audience}`. `'2.0'`: login.microsoftonline.com/{tid}/v2.0, `azp`/`azpacr`, `aud` the GUID. Default the issuer's `version`. */
  version?: '1.0' | '2.0';
  /** Delegated scopes, joined with spaces into `scp`. Default `['access_as_user']` for user tokens, none for app tokens. An empty array leaves `scp` out. */
  scopes?: string[];
  /** App roles (`roles`). Default none. */
  roles?: string[];
  /** `tid`, and the tenant in `iss`. Default the issuer's `tenantId`. */
  tenantId?: string;
  /** The API's client id; a value containing `://` is used as `aud` as is for v1 tokens too. Default the issuer's `audience`. */
  audience?: string;
  /** The calling application (`azp` / `appid`). Default `'cccccccc-dddd-4eee-8fff-000000000001'`. */
  clientId?: string;
  /** `oid`. Default a fixed user GUID, or a fixed service-principal GUID for app tokens. */
  objectId?: string;
  /** `sub`. Default a pairwise id derived from `oid` and `clientId` for users, `oid` for apps (as Entra). */
  subject?: string;
  /** Lifetime in seconds from `iat`: `exp = iat + expiresIn`. Negative for expired tokens. Default 3600. */
  expiresIn?: number;
  /** `nbf`, seconds since the epoch. Default `iat`. */
  notBefore?: number;
  /** `iat`, seconds since the epoch. Default `now`, else the current time. */
  issuedAt?: number;
  /** The time the token is minted at, seconds since the epoch (used for `iat`). Default the current time. */
  now?: number;
  /** Extra or overriding claims; a member whose value is `undefined` removes that claim. */
  claims?: Record<string, unknown>;
  /** Extra or overriding header members (e.g. `{ nonce: 'x' }` imitates a Graph token); `undefined` removes one. */
  header?: Record<string, unknown>;
  /** The kid of the key to sign with. Default the current signing key (the first, or the latest `rotate()`d). */
  kid?: string;
  /** Sign with this private key instead, keeping the header's kid: a token whose signature cannot verify. */
  key?: import('node:crypto').KeyObject | string | Buffer;
}

export interface TestKey {
  kid: string;
  privateKey: import('node:crypto').KeyObject;
  publicJwk: TestJwk;
}

export interface TestIssuer {
  /** `http://127.0.0.1:<port>`, or `null` with `serve: false`. */
  readonly baseUrl: string | null;
  readonly tenantId: string;
  readonly audience: string;
  readonly issuerMode: 'entra' | 'loopback';
  /** The published key set (a fresh copy on each read). */
  readonly jwks: TestJwks;
  /** `${baseUrl}/${tenantId}/discovery/v2.0/keys`, or `null` with `serve: false`. */
  readonly jwksUri: string | null;
  /** `${baseUrl}/${tenantId}/v2.0/.well-known/openid-configuration`, or `null` with `serve: false`. */
  readonly discoveryUrl: string | null;
  /** The published keys with their private halves (copies). */
  readonly keys: TestKey[];
  /** The kid `mint` signs with by default (`null` once every key is removed). */
  readonly signingKid: string | null;
  /** Requests served, by URL path (query ignored). Live: it counts on as requests arrive. */
  readonly requests: Record<string, number>;
  /** Requests served whose path starts with `pathPrefix`; every request without one. */
  requestCount(pathPrefix?: string): number;
  /** The issuer tokens of this version from this tenant carry in the current mode. Defaults: the issuer's tenant and version. */
  issuerFor(tenantId?: string, version?: '1.0' | '2.0'): string;
  /** The issuer template (with `{tenantid}`) of this version in the current mode, for a validator's `issuers`. Default the issuer's version. */
  issuerTemplate(version?: '1.0' | '2.0'): string;
  /** A signed access token. */
  mint(options?: MintOptions): string;
  /** Publishes a new key and makes it the default signing key; returns its kid. */
  rotate(): string;
  /** Stops publishing (and signing with) a key; returns whether it existed. If it was the signing key, the newest remaining key signs. */
  removeKey(kid: string): boolean;
  /** Stops the server and closes its connections. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts a test issuer (and, unless `serve: false`, its HTTP server on 127.0.0.1). */
export declare function createTestIssuer(options?: TestIssuerOptions): Promise<TestIssuer>;

/** A token's header and claims, decoded WITHOUT any verification. For inspecting tokens in tests. */
export declare function decodeToken(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> };
