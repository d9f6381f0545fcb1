// Type declarations for entra-guard/testing: a local, Entra-like token issuer for tests (Node only), and,
// with app registrations, a loopback stand-in for Microsoft Entra ID's v2.0 endpoints and Microsoft Graph's
// /v1.0/me, for running whole OAuth flows offline with real clients (MCP SDK clients, @azure/msal-node).
// A TEST TOOL: it listens on 127.0.0.1 only, signs users in without passwords and consents for them. Never use
// it as a production authorization server.
// Where Entra's behaviour is undocumented the stand-in chose, and these choices are not verified against Entra:
// a client assertion without `client_id` names its client by `sub` (the MCP SDKs send none); an `http://127.0.0.1`
// identifier URI is accepted (Entra wants https on a verified domain, or api://); the error descriptions follow
// Microsoft's published texts, which real responses may word differently; a token's `scp` holds every scope the
// user consented to for that client and API, not only the requested ones (Entra's "additive scopes", as Microsoft
// support describes them; not in the reference documentation).
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
  /** The tenant tokens come from; the OAuth endpoints serve it and the `organizations` / `common` aliases (any other tenant: AADSTS90002). Default `'11111111-2222-4333-8444-555555555555'`. */
  tenantId?: string;
  /** The API's client id (GUID) tokens are for. v2 tokens carry it as `aud`, v1 tokens `api://{audience}`. Default `'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'`. */
  audience?: string;
  /** How many RSA keys to publish at the start; the first signs. Default 1. */
  keys?: number;
  /** RSA key size in bits. Default 2048 (Entra's). */
  modulusLength?: number;
  /** Serve the JWKS, the discovery document and (with `apps`) the OAuth endpoints and the Graph stand-in on `http://127.0.0.1:<random port>` (loopback only). Default `true`. */
  serve?: boolean;
  /** The loopback port to listen on (with `serve`). Default 0: any free port (see `baseUrl`). A fixed one gives fixed URLs, for example for `issuerMode: 'loopback'` in a local setup. */
  port?: number;
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
  /**
   * App registrations the stand-in's OAuth endpoints know (clients and APIs). Microsoft Graph is built in
   * (`MICROSOFT_GRAPH`). Default none: every token request is then AADSTS700016 (unknown client).
   */
  apps?: TestAppRegistration[];
  /** The directory's users; the first signs in by default. Default one user, `DEFAULT_TEST_USER`. */
  users?: TestUser[];
  /**
   * `true` (default): a user signing in at /authorize (or approving a device code) consents to the delegated
   * scopes requested, as a user clicking Accept on Entra's consent prompt. `false`: only the client's `grants`
   * (admin consent) count, and /authorize redirects with `error=consent_required` (AADSTS65001) otherwise.
   * On-behalf-of always needs consent for the calling app: its `grants` (or a user consent given to it).
   */
  userConsent?: boolean;
  /** Lifetime of the access tokens the OAuth endpoints issue, in seconds (`exp` − now; `expires_in` is one less). Default 3600. */
  tokenLifetime?: number;
  /** The device code flow. */
  deviceCode?: TestDeviceCodeOptions;
}

/**
 * An app registration (its service principal in the tenant included). An app can be a client (credentials,
 * redirect URIs, grants), an API (identifier URIs, scopes, app roles, token version), or both.
 */
export interface TestAppRegistration {
  /** The application (client) id, a GUID. */
  clientId: string;
  /** Default `"Test app {first 8 digits of clientId}"`. Appears in error messages and Graph tokens' `app_displayname`. */
  displayName?: string;
  /** Application ID URIs (`api://…`, `https://…`): the scope prefixes and `resource` values naming this API. Default none (the client id still names it). */
  identifierUris?: string[];
  /** Delegated scopes the API exposes (names only, e.g. `mcp.tools`). Default none. */
  scopes?: string[];
  /** App roles the API exposes (their values, e.g. `Tools.ReadWrite.All`). Default none. */
  appRoles?: string[];
  /**
   * The access-token version the API accepts (`api.requestedAccessTokenVersion`). 2 (default): `iss`
   * `https://login.microsoftonline.com/{tid}/v2.0`, `aud` the client id, `azp`/`azpacr`. 1: `iss`
   * `https://sts.windows.net/{tid}/`, `aud` the identifier the client asked with (URI or client id), `appid`/`appidacr`.
   */
  accessTokenAcceptedVersion?: 1 | 2;
  /** A client secret (client_secret_post or client_secret_basic). Default none. */
  clientSecret?: string;
  /**
   * A certificate credential for private_key_jwt: the certificate PEM (thumbprints computed, e.g.
   * `createTestCertificate().certificate`), or a public key (KeyObject or PEM) with `thumbprint` /
   * `thumbprintSha256`, which the assertion's `x5t` / `x5t#S256` header must name.
   */
  publicKey?: import('node:crypto').KeyObject | string;
  /** The certificate's SHA-1 thumbprint, hex (with a bare `publicKey`). */
  thumbprint?: string;
  /** The certificate's SHA-256 thumbprint, hex (with a bare `publicKey`). */
  thumbprintSha256?: string;
  /** Redirect URIs for the authorization code flow. Loopback ones (`http://127.0.0.1/...`, `http://localhost/...`) match any port, as Entra's. Default none. */
  redirectUris?: string[];
  /** A public client (mobile/desktop/CLI): no credentials; PKCE required (see `requirePkce`). Default `false` (a confidential client: every token request needs a credential, AADSTS7000218). */
  publicClient?: boolean;
  /**
   * Whether redeeming an authorization code needs PKCE (AADSTS9002325 without). Default `publicClient`.
   * (Entra enforces this for SPA redirect URIs; the stand-in for public clients, as OAuth 2.1 and MCP require.)
   */
  requirePkce?: boolean;
  /** Permissions granted to this app as a client (admin consent for every user). Default none. */
  grants?: TestGrant[];
  /** The object id of the app's service principal: `oid` and `sub` of its app-only tokens. Default a GUID derived from clientId. */
  objectId?: string;
}

/** Permissions an app (the client) has been granted on a resource. */
export interface TestGrant {
  /** The resource: a registered app's client id or identifier URI, or `"graph"` (Microsoft Graph). */
  resource: string;
  /** Delegated scopes consented for all users (e.g. `['User.Read']`). Default none. */
  scopes?: string[];
  /** App roles granted (application permissions, e.g. `['Tools.Read.All']`), for client credentials tokens' `roles`. Default none. */
  roles?: string[];
}

/** A user in the test directory (also what Graph's /v1.0/me returns). */
export interface TestUser {
  /** The user's object id (`oid`), a GUID. */
  objectId: string;
  displayName: string;
  /** `name@domain`: `preferred_username` (v2.0), `upn` / `unique_name` (v1.0); `login_hint` selects a user by it. */
  userPrincipalName: string;
  mail?: string | null;
  givenName?: string | null;
  surname?: string | null;
  jobTitle?: string | null;
}

export interface TestDeviceCodeOptions {
  /** Seconds a client waits between polls (the response's `interval`). Default 5 (Entra's); lower it for fast tests. */
  interval?: number;
  /** Seconds the device code lives. Default 900 (Entra's). */
  expiresIn?: number;
  /** Approve a device code (for the first user) after this many `authorization_pending` answers; 0 at the first poll. Default: never (call `approveDeviceCode`). */
  autoApproveAfter?: number;
}

/** A certificate credential made by `createTestCertificate`. */
export interface TestCertificate {
  /** PKCS#8 PEM: MSAL's `clientCertificate.privateKey`, or `clientAssertion({ privateKey })`. */
  privateKey: string;
  publicKey: import('node:crypto').KeyObject;
  /** The self-signed X.509 certificate, PEM: an app registration's `publicKey`. */
  certificate: string;
  /** The certificate's DER, base64 (an `x5c` entry). */
  x5c: string;
  /** SHA-1 thumbprint of the DER, upper-case hex (MSAL's `clientCertificate.thumbprint`). */
  thumbprint: string;
  /** SHA-256 thumbprint of the DER, upper-case hex (MSAL's `clientCertificate.thumbprintSha256`). */
  thumbprintSha256: string;
  /** base64url SHA-1 thumbprint: the `x5t` header value. */
  x5t: string;
  /** base64url SHA-256 thumbprint: the `x5t#S256` header value. */
  x5tS256: string;
}

export interface TestCertificateOptions {
  /** Default `"CN=entra-guard test certificate"`. */
  subject?: string;
  /** RSA key size, at least 2048. Default 2048. */
  modulusLength?: number;
  /** Days the certificate is valid from now. Default 365. */
  validDays?: number;
}

export interface ClientAssertionOptions {
  /** `iss` and `sub`. */
  clientId: string;
  /** The certificate's private key (PEM or KeyObject). Or give `certificate`. */
  privateKey?: import('node:crypto').KeyObject | string;
  /** The certificate thumbprint in hex: 64 digits (SHA-256) → `x5t#S256` and PS256; 40 (SHA-1) → `x5t` and RS256. */
  thumbprint?: string;
  /** A `createTestCertificate()` result: its private key and SHA-256 thumbprint. */
  certificate?: TestCertificate;
  /** `aud`. Default `https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token`, as Entra requires. */
  audience?: string;
  /** Seconds since the epoch for `iat` and `nbf`. Default now. */
  now?: number;
  /** `exp` = `now` + this. Default 600 (MSAL's). */
  expiresIn?: number;
  /** Extra or overriding claims; `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Extra or overriding header members; `undefined` removes one. */
  header?: Record<string, unknown>;
}

/** A fault for `failNext`. */
export interface TestFault {
  /** Matched anywhere in the request path, e.g. `'/oauth2/v2.0/token'`, `'/discovery/v2.0/keys'`, `'/v1.0/me'`. Default `'/'` (every request). */
  path?: string;
  /** Only requests with this method. Default any. */
  method?: string;
  /**
   * An HTTP error status answered with Entra's error JSON (503 `temporarily_unavailable` AADSTS90006, 429
   * AADSTS90055, others `server_error` AADSTS50000; Graph's error JSON on Graph's paths), or `'reset'`: the
   * connection is destroyed without an answer. Omit to only delay.
   */
  status?: number | 'reset';
  /** Milliseconds to wait before answering (or resetting), e.g. to hit a client's timeout. */
  delay?: number;
  /** How many matching requests fail. Default 1. */
  times?: number;
  /** A JSON body to answer with instead of the default one. */
  body?: unknown;
}

/** An @azure/msal-node `INetworkModule` (for `system.networkClient`). */
export interface MsalNetworkModule {
  sendGetRequestAsync<T>(url: string, options?: MsalNetworkRequestOptions, timeout?: number): Promise<MsalNetworkResponse<T>>;
  sendPostRequestAsync<T>(url: string, options?: MsalNetworkRequestOptions): Promise<MsalNetworkResponse<T>>;
}
export interface MsalNetworkRequestOptions {
  headers?: Record<string, string>;
  body?: string;
}
export interface MsalNetworkResponse<T> {
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The parsed JSON body. */
  body: T;
  status: number;
}

/** What an Entra error is: its AADSTS number, the OAuth `error`, the HTTP status, and `suberror` where Entra sends one. */
export interface EntraErrorInfo {
  readonly code: number;
  readonly error: string;
  readonly status: number;
  readonly suberror?: string;
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
  /** The MSAL authority: `https://login.microsoftonline.com/{tenantId}` (with `msalNetworkClient`). */
  readonly authority: string;
  /** `https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token` (the `aud` of client assertions). */
  readonly tokenEndpoint: string;
  /** The directory's users (copies); the first signs in by default. */
  readonly users: Array<Required<TestUser>>;
  /**
   * A fetch that sends `https://login.microsoftonline.com/*` and `https://graph.microsoft.com/*` to this
   * loopback server (everything else to `globalThis.fetch`). Documents served through it name the real hosts,
   * so clients keep the real URLs: give it to the MCP SDK clients (`fetch`), `createRemoteJwks({ tenantId, fetch })`...
   * Needs `serve: true`.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** The same routing for @azure/msal-node: `system: { networkClient: issuer.msalNetworkClient }` with authority `issuer.authority`. */
  readonly msalNetworkClient: MsalNetworkModule;
  /**
   * Performs the sign-in GET of an authorization URL (the real host's or the loopback one) and returns the
   * redirect URL (`code`, `state`, `session_state`; or `error`, `error_description`). `user` (a UPN or object
   * id) signs in that user (as `login_hint`). Rejects, with `status` and Entra's error `body`, when Entra would
   * show an error page instead of redirecting (unknown client, unregistered redirect URI).
   */
  authorize(authorizationUrl: string | URL, options?: { user?: string }): Promise<string>;
  /** The user (default the first; a UPN or object id) enters `userCode` and signs in. Returns whether a pending code was approved. */
  approveDeviceCode(userCode: string, options?: { user?: string }): boolean;
  /** A client assertion (private_key_jwt) as MSAL builds it and Entra requires it. */
  clientAssertion(options: ClientAssertionOptions): string;
  /** Makes the next matching request(s) fail (see `TestFault`). Faults queue; the first matching one applies. */
  failNext(fault: TestFault): void;
  /** Drops queued faults and sets `down` to false. */
  clearFaults(): void;
  /**
   * An outage: `true` answers every request 503 with Entra's `temporarily_unavailable` JSON; a number answers
   * that status; `'reset'` destroys every connection. Default `false`.
   */
  down: boolean | 'reset' | number;
  /** Stops the server and closes its connections. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a test issuer (and, unless `serve: false`, its HTTP server on 127.0.0.1: loopback only). With `apps`,
 * it is a stand-in for Entra's v2.0 endpoints for offline tests; a TEST TOOL, never an authorization server
 * for real users or data.
 */
export declare function createTestIssuer(options?: TestIssuerOptions): Promise<TestIssuer>;

/** A token's header and claims, decoded WITHOUT any verification. For inspecting tokens in tests. */
export declare function decodeToken(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> };


/** A self-signed certificate with a fresh RSA key pair, for app registrations' certificate credentials (private_key_jwt). */
export declare function createTestCertificate(options?: TestCertificateOptions): TestCertificate;

/** Microsoft Graph as the stand-in knows it (a built-in resource; its tokens are v1.0 with a header `nonce`). */
export declare const MICROSOFT_GRAPH: {
  readonly appId: '00000003-0000-0000-c000-000000000000';
  readonly identifierUri: 'https://graph.microsoft.com';
  readonly displayName: 'Microsoft Graph';
  /** Delegated scopes the stand-in's Graph exposes (and the OpenID Connect scopes). */
  readonly scopes: readonly string[];
  /** App roles (application permissions) it exposes. */
  readonly appRoles: readonly string[];
};

/** The user who signs in when `users` is not given. */
export declare const DEFAULT_TEST_USER: Readonly<Required<TestUser>>;

/**
 * The Entra errors the stand-in answers with, by name: `{ code, error, status, suberror? }`. Compare a response's
 * `error_codes[0]` with `ENTRA_ERRORS.X.code`. Error bodies are Entra's JSON: `error`, `error_description`
 * (`AADSTS{code}: {message} Trace ID: … Correlation ID: … Timestamp: …`), `error_codes`, `timestamp`,
 * `trace_id`, `correlation_id` (the client's `client-request-id` when sent), `error_uri`, and `suberror`.
 */
export declare const ENTRA_ERRORS: {
  /** 900144 `invalid_request`: "The request body must contain the following parameter: '{name}'." */
  readonly MISSING_PARAMETER: EntraErrorInfo;
  /** 70003 `unsupported_grant_type`. */
  readonly UNSUPPORTED_GRANT_TYPE: EntraErrorInfo;
  /** 900561 `invalid_request`: the token and devicecode endpoints only accept POST. */
  readonly POST_REQUIRED: EntraErrorInfo;
  /** 90002 `invalid_tenant`: a tenant other than the issuer's (or organizations/common). */
  readonly TENANT_NOT_FOUND: EntraErrorInfo;
  /** 9001023 `invalid_request`: client credentials over /common. */
  readonly GRANT_NOT_SUPPORTED_ON_COMMON: EntraErrorInfo;
  /** 50027 `invalid_request`: a client assertion or OBO assertion that is not a JWT. */
  readonly MALFORMED_JWT: EntraErrorInfo;
  /** 50049 `invalid_instance`: instance discovery for a host Entra does not know. */
  readonly UNKNOWN_INSTANCE: EntraErrorInfo;
  /** 700016 `unauthorized_client` (400): no app with that client id in the tenant. */
  readonly APPLICATION_NOT_FOUND: EntraErrorInfo;
  /** 7000215 `invalid_client` (401): wrong client secret. */
  readonly INVALID_CLIENT_SECRET: EntraErrorInfo;
  /** 7000218 `invalid_client` (401): a confidential client sent no credential (or a public one asked for client credentials / OBO). */
  readonly CREDENTIAL_REQUIRED: EntraErrorInfo;
  /** 700025 `invalid_client` (401): a public client sent a credential. */
  readonly PUBLIC_CLIENT_WITH_CREDENTIAL: EntraErrorInfo;
  /** 700027 `invalid_client` (401): the assertion names no registered certificate, or its signature does not verify. */
  readonly INVALID_CLIENT_ASSERTION: EntraErrorInfo;
  /** 700023 `invalid_client` (401): the assertion's `aud` is not the token endpoint. */
  readonly CLIENT_ASSERTION_AUDIENCE_MISMATCH: EntraErrorInfo;
  /** 700024 `invalid_client` (401): the assertion is expired or not yet valid. */
  readonly CLIENT_ASSERTION_EXPIRED: EntraErrorInfo;
  /** 50048 `invalid_client` (401): `sub` ≠ `iss`. */
  readonly CLIENT_ASSERTION_SUBJECT_MISMATCH: EntraErrorInfo;
  /** 700021 `invalid_client` (401): `sub` ≠ the client id. */
  readonly CLIENT_ASSERTION_CLIENT_MISMATCH: EntraErrorInfo;
  /** 70011 `invalid_scope`: a scope the resource does not expose (token and devicecode endpoints). */
  readonly INVALID_SCOPE: EntraErrorInfo;
  /** 650053 `invalid_client` (redirect from /authorize): a scope the resource does not expose. */
  readonly UNKNOWN_SCOPE_ON_RESOURCE: EntraErrorInfo;
  /** 1002012 `invalid_scope`: client credentials without `{resource}/.default`. */
  readonly CLIENT_CREDENTIALS_DEFAULT_SCOPE_REQUIRED: EntraErrorInfo;
  /** 28000 `invalid_scope`: a token request whose scope names more than one resource (/authorize may span several). */
  readonly MULTIPLE_RESOURCES: EntraErrorInfo;
  /** 9010010 `invalid_target`: the `resource` parameter is not an identifier of the app that owns the requested scopes. */
  readonly RESOURCE_SCOPE_MISMATCH: EntraErrorInfo;
  /** 500011 `invalid_resource`: the scope names no registered app. */
  readonly RESOURCE_NOT_FOUND: EntraErrorInfo;
  /** 65001 `invalid_grant` + `suberror: consent_required` (token endpoint); `error=consent_required` at /authorize. */
  readonly CONSENT_REQUIRED: EntraErrorInfo;
  /** 70000 `invalid_grant`: an unknown or foreign authorization code or refresh token. */
  readonly INVALID_GRANT: EntraErrorInfo;
  /** 54005 `invalid_grant`: an authorization code redeemed twice. */
  readonly CODE_ALREADY_REDEEMED: EntraErrorInfo;
  /** 50148 `invalid_grant`: the code_verifier is missing or does not match the code_challenge. */
  readonly PKCE_MISMATCH: EntraErrorInfo;
  /** 9002325 `invalid_request`: a code issued without code_challenge, redeemed by a client that needs PKCE. */
  readonly PKCE_REQUIRED: EntraErrorInfo;
  /** 50149 `invalid_request` (redirect): code_challenge_method other than S256 / plain. */
  readonly INVALID_CODE_CHALLENGE_METHOD: EntraErrorInfo;
  /** 500112 `invalid_grant`: the redirect_uri differs from the authorization request's. */
  readonly REPLY_ADDRESS_MISMATCH: EntraErrorInfo;
  /** 50011 `invalid_request` (error page): redirect_uri not registered for the app. */
  readonly REDIRECT_URI_MISMATCH: EntraErrorInfo;
  /** 900971 `invalid_request` (error page): no redirect_uri. */
  readonly NO_REPLY_ADDRESS: EntraErrorInfo;
  /** 70005 `unsupported_response_type` (redirect). */
  readonly UNSUPPORTED_RESPONSE_TYPE: EntraErrorInfo;
  /** 50034 `invalid_request` (error page): `login_hint` names no user. */
  readonly USER_NOT_FOUND: EntraErrorInfo;
  /** 50013 `invalid_grant`: an OBO assertion not signed by this issuer, or from another tenant. */
  readonly INVALID_ASSERTION: EntraErrorInfo;
  /** 500131 `invalid_grant`: the OBO assertion's `aud` is not the calling app. */
  readonly ASSERTION_AUDIENCE_MISMATCH: EntraErrorInfo;
  /** 500133 `invalid_grant`: the OBO assertion has expired. */
  readonly ASSERTION_EXPIRED: EntraErrorInfo;
  /** 7000114 `unauthorized_client`: an app-only token as OBO assertion. */
  readonly APP_ONLY_OBO_NOT_ALLOWED: EntraErrorInfo;
  /** 70016 `authorization_pending`: keep polling. */
  readonly AUTHORIZATION_PENDING: EntraErrorInfo;
  /** 70018 `bad_verification_code`: unknown or already redeemed device code. */
  readonly BAD_VERIFICATION_CODE: EntraErrorInfo;
  /** 70019 `expired_token`: the device code expired. */
  readonly DEVICE_CODE_EXPIRED: EntraErrorInfo;
  /** 50000 `server_error` (500): fault injection. */
  readonly SERVICE_ERROR: EntraErrorInfo;
  /** 90006 `temporarily_unavailable` (503): fault injection, `down`. */
  readonly TEMPORARILY_UNAVAILABLE: EntraErrorInfo;
  /** 90055 `temporarily_unavailable` (429): fault injection. */
  readonly THROTTLED: EntraErrorInfo;
};
