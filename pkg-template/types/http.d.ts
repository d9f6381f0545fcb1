// Types of the HTTP side: the bearer token, refusals and challenges (lib/challenge.js), the guard every
// adapter stands on (lib/guard.js), Express middleware (lib/express.js), the MCP SDK v1 verifier
// (lib/mcp-sdk-v1.js) and protected-resource metadata (lib/metadata.js).
import type { EntraCloud, EntraValidator, EntraValidatorOptions, EntraTokenError, Jwks, ValidateOptions, ValidatedToken } from './api.js';
import type { RemoteJwks } from './remote-jwks.js';

/** The MCP SDK's `AuthInfo` (structurally identical; `@modelcontextprotocol/sdk` is an optional peer). */
export interface EntraAuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  /** Seconds since the epoch. */
  expiresAt?: number;
  resource?: URL;
  extra?: {
    tenantId: string | null;
    objectId: string | null;
    subject: string | null;
    roles: string[];
    isAppOnly: boolean;
    version: '1.0' | '2.0';
    issuer: string;
    audience: string;
    claims: Record<string, unknown>;
  } & Record<string, unknown>;
}

/** What audit hooks receive. Never the token. */
export interface EntraAuditEvent {
  /** 'ok', 'token_missing', or an error code. */
  code: string;
  status: number;
  tenantId: string | null;
  objectId: string | null;
  clientId: string | null;
  ip: string | null;
  path: string | null;
}

/** Minimal request/response shapes, so Express, Connect and plain node:http all fit. */
export interface IncomingRequestLike {
  headers: Record<string, string | string[] | undefined>;
  method?: string;
  url?: string;
  originalUrl?: string;
  ip?: string;
  socket?: { remoteAddress?: string };
  auth?: EntraAuthInfo;
  [key: string]: unknown;
}
export interface ServerResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  writeHead(status: number, headers?: Record<string, string>): unknown;
  end(body?: string): unknown;
}
export type NextFunction = (error?: unknown) => void;
export type Middleware = (req: any, res: any, next: NextFunction) => void | Promise<void>;

/** Required scopes or roles: a list, or a function of the framework's request returning one (per MCP tool, say). */
export type Permissions = string[] | ((request: any) => string[] | undefined | Promise<string[] | undefined>);

/**
 * The caller's own rule, run after every check of the core passed: return `true` to accept, or a message to
 * refuse with (`claim_invalid`, check `claim_check`, 401). Anything but `true` refuses; a rule that throws is
 * the server's fault (`config_invalid`, 500).
 */
export type ClaimCheck = (claims: Record<string, unknown>, result: ValidatedToken) => true | string | Promise<true | string>;

/** The part of an OpenTelemetry `Tracer` the guard uses (`@opentelemetry/api`'s tracers fit). */
export interface EntraTracer {
  startActiveSpan<T>(name: string, fn: (span: {
    setAttribute(key: string, value: string | number): unknown;
    setStatus(status: { code: number; message?: string }): unknown;
    end(): void;
  }) => T): T;
}

/**
 * The settings of `requireEntraAuth` and of every framework adapter: the same object everywhere.
 * Unknown settings are refused (`config_invalid`).
 */
export interface EntraGuardSettings {
  /** A validator to use; or give `options` to build one (not both). */
  validator?: EntraValidator;
  /** Validator options; without keys in them (and without `jwks`), the tenant's keys are fetched from Entra. */
  options?: EntraValidatorOptions;
  /**
   * The keys: a remote JWKS cache (`createRemoteJwks`), or a JWKS object or its JSON text (static keys).
   * Anything else is `config_invalid` naming `jwks`.
   */
  jwks?: RemoteJwks | Jwks | string;
  /**
   * The protected resource's URL (the MCP endpoint, e.g. `https://mcp.example.com/mcp`): set as
   * `AuthInfo.resource`, and, unless `resourceMetadataUrl` is given, the challenges' metadata URL is derived from it.
   */
  resource?: string;
  /** Scopes every request needs; or a function of the request. */
  requiredScopes?: Permissions;
  /** App roles every request needs; or a function of the request. */
  requiredRoles?: Permissions;
  scopeMatch?: 'all' | 'any';
  /** The caller's own rule on the claims (a tenant's group, an `xms_` claim). */
  claimCheck?: ClaimCheck;
  /**
   * What the challenges' `scope` qualifies scope names with, as Entra names them (`{scopePrefix}/{scope}`):
   * default `resource` (which should be an identifier URI of the API app). With neither, 403 challenges name
   * the bare scope names and 401 challenges name no scope.
   */
  scopePrefix?: string;
  /** Sent as `resource_metadata` in WWW-Authenticate (RFC 9728 §5.1); default derived from `resource`. */
  resourceMetadataUrl?: string;
  realm?: string;
  onSuccess?: (event: EntraAuditEvent) => void | Promise<void>;
  onFailure?: (event: EntraAuditEvent) => void | Promise<void>;
  /** An OpenTelemetry tracer for one span per validation; default the global one when `@opentelemetry/api` is installed. */
  tracer?: EntraTracer;
}

/** What an adapter hands the guard for one request. */
export interface EntraGuardRequest {
  authorization: string | string[] | null | undefined;
  /** The framework's own request object, passed to permission functions. */
  request?: unknown;
  ip?: string | null;
  path?: string | null;
}

/** A request's outcome: the identity, or the refusal to send as it is (`error` null: no credentials were sent). */
export type EntraGuardOutcome =
  | { ok: true; authInfo: EntraAuthInfo; result: ValidatedToken }
  | { ok: false; error: EntraTokenError | null; refusal: Refusal };

/** The runtime-neutral core of every adapter (see createGuard). */
export interface EntraGuard {
  readonly validator: EntraValidator;
  readonly jwks: RemoteJwks | undefined;
  /** What a refusal's WWW-Authenticate points at. */
  readonly challenge: ChallengeOptions;
  /** Validates a token for `request`; @throws EntraTokenError the refusal. */
  verify(token: string, request?: unknown, requirements?: ValidateOptions): Promise<{ authInfo: EntraAuthInfo; result: ValidatedToken }>;
  /** The refusal for an error: status, WWW-Authenticate (metadata URL, Entra-qualified scopes) and body. */
  refusal(error: EntraTokenError, requirements: ValidateOptions): Refusal;
  /** One request: its Authorization header validated, or the refusal to send. */
  check(input: EntraGuardRequest): Promise<EntraGuardOutcome>;
}

/**
 * The guard for `settings`, checked at once (`config_invalid`): what every adapter is built on, for
 * writing one for another framework.
 */
export declare function createGuard(settings: EntraGuardSettings): EntraGuard;

/** The settings of requireEntraAuth. */
export type RequireEntraAuthOptions = EntraGuardSettings;

/** Express middleware requiring a valid Entra access token; sets `req.auth`; answers 401 / 403 itself. */
export declare function requireEntraAuth(options: RequireEntraAuthOptions): Middleware;

/** The settings of entraTokenVerifier. */
export type EntraTokenVerifierOptions = EntraGuardSettings;

/** An `OAuthTokenVerifier` for `@modelcontextprotocol/sdk` (v1)'s `requireBearerAuth`; `AuthInfo.resource` from `resource`. */
export declare function entraTokenVerifier(
  validator: EntraValidator | EntraTokenVerifierOptions,
  options?: Omit<EntraTokenVerifierOptions, 'validator' | 'options'>,
): { verifyAccessToken(token: string): Promise<EntraAuthInfo> };

export interface ProtectedResourceMetadataOptions {
  /**
   * The protected resource's absolute URL, e.g. https://mcp.example.com/mcp: the MCP endpoint, which must be one
   * of the API app's identifier URIs (else Entra answers AADSTS9010010). A trailing slash is dropped.
   */
  resource: string;
  /** Your tenant (or common / organizations): the authorization server is its Entra v2 authority. */
  tenantId?: string;
  cloud?: EntraCloud;
  /** Overrides the authorization servers derived from tenantId. */
  authorizationServers?: string[];
  /**
   * The scopes to advertise. Bare names are qualified with `scopePrefix` (default `resource`) as Entra names
   * them (`https://mcp.example.com/mcp/mcp.tools`); qualified ones are kept. `offline_access` is refused.
   */
  scopesSupported?: string[];
  /** What bare scope names are qualified with. Default `resource`. */
  scopePrefix?: string;
  resourceName?: string;
  resourceDocumentation?: string;
  /** Default ['header']. */
  bearerMethodsSupported?: string[];
  /**
   * Serve RFC 8414 authorization-server metadata from this server, mirroring the tenant's Entra endpoints and
   * adding `code_challenge_methods_supported: ["S256"]`, which Entra omits and spec-following MCP clients require
   * before using PKCE; the protected-resource metadata then names the resource as its authorization server.
   * Default false.
   */
  authorizationServerMetadata?: boolean;
  /** The login host of the mirrored endpoints. Default the cloud's (https://login.microsoftonline.com). */
  authorityHost?: string;
}

/** The RFC 9728 metadata document (a plain object) for any runtime. @throws EntraTokenError config_invalid */
export declare function protectedResourceMetadataDocument(options: ProtectedResourceMetadataOptions): {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: string[];
  resource_name?: string;
  resource_documentation?: string;
};
/** RFC 8414 metadata mirroring the tenant's Entra endpoints, with code_challenge_methods_supported; issuer = resource. */
export declare function authorizationServerMetadataDocument(options: ProtectedResourceMetadataOptions): {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  device_authorization_endpoint: string;
  jwks_uri: string;
  response_types_supported: string[];
  response_modes_supported: string[];
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  code_challenge_methods_supported: string[];
  scopes_supported: string[];
};
/** The RFC 8414 §3.1 metadata URL for an issuer. */
export declare function authorizationServerMetadataUrl(issuer: string): string;
/** Middleware serving RFC 9728 metadata at /.well-known/oauth-protected-resource[/path] (and RFC 8414 metadata with authorizationServerMetadata). */
export declare function protectedResourceMetadata(options: ProtectedResourceMetadataOptions): Middleware;
/** The metadata URL for a resource (RFC 9728 §3.1). */
export declare function protectedResourceMetadataUrl(resource: string): string;

/** Where a challenge points the client. */
export interface ChallengeOptions {
  /** Sent as `resource_metadata` (RFC 9728 §5.1); see protectedResourceMetadataUrl. */
  resourceMetadataUrl?: string;
  realm?: string;
  /** Sent as `scope` (RFC 6750 §3); default for a 403: the error's required permissions. */
  scopes?: string[];
}

/** An HTTP answer to a refused request. Never contains the token. */
export interface Refusal {
  status: number;
  headers: Record<string, string>;
  body: { error: string; error_description: string; code: string };
}

/** The token in an Authorization header value; null when absent. @throws EntraTokenError token_malformed (check 'request') */
export declare function bearerToken(authorization: string | string[] | undefined | null): string | null;
/** The WWW-Authenticate value for a refusal (null error: no credentials were sent). */
export declare function wwwAuthenticate(error: EntraTokenError | null, options?: ChallengeOptions): string;
/** Status, headers and JSON body for a refusal. */
export declare function refusal(error: EntraTokenError | null, options?: ChallengeOptions): Refusal;
/** Validates, refreshing the remote JWKS once for an unknown key. */
export declare function authenticate(validator: EntraValidator, token: string, call?: ValidateOptions, jwks?: RemoteJwks): Promise<ValidatedToken>;
/** The MCP SDK AuthInfo for a validated token. */
export declare function toAuthInfo(token: string, result: ValidatedToken): EntraAuthInfo;
