// Types of lib/http.js: the bearer token, refusals and challenges, Express middleware, the MCP SDK v1
// verifier and protected-resource metadata.
import type { EntraCloud, EntraValidator, EntraValidatorOptions, EntraTokenError, ValidateOptions, ValidatedToken } from './api.js';
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

type Permissions = string[] | ((req: any) => string[] | undefined);

export interface RequireEntraAuthOptions {
  /** A validator to use; or give `options` to build one. */
  validator?: EntraValidator;
  /** Validator options; without `jwks` in them, the tenant's keys are fetched from Entra (a remote JWKS cache). */
  options?: EntraValidatorOptions;
  /** A remote JWKS cache to keep the validator's keys current (see createRemoteJwks). */
  jwks?: RemoteJwks;
  /** Scopes every request needs; or a function of the request (per MCP tool, say). */
  requiredScopes?: Permissions;
  /** App roles every request needs; or a function of the request. */
  requiredRoles?: Permissions;
  scopeMatch?: 'all' | 'any';
  /** Sent as `resource_metadata` in WWW-Authenticate (RFC 9728 §5.1); see protectedResourceMetadataUrl. */
  resourceMetadataUrl?: string;
  realm?: string;
  onSuccess?: (event: EntraAuditEvent) => void | Promise<void>;
  onFailure?: (event: EntraAuditEvent) => void | Promise<void>;
}

/** Express middleware requiring a valid Entra access token; sets `req.auth`; answers 401 / 403 itself. */
export declare function requireEntraAuth(options: RequireEntraAuthOptions): Middleware;

export interface EntraTokenVerifierOptions {
  validator?: EntraValidator;
  options?: EntraValidatorOptions;
  jwks?: RemoteJwks;
  requiredScopes?: string[];
  requiredRoles?: string[];
  scopeMatch?: 'all' | 'any';
}

/** An `OAuthTokenVerifier` for `@modelcontextprotocol/sdk`'s `requireBearerAuth`. */
export declare function entraTokenVerifier(
  validator: EntraValidator | EntraTokenVerifierOptions,
  options?: Omit<EntraTokenVerifierOptions, 'validator' | 'options'>,
): { verifyAccessToken(token: string): Promise<EntraAuthInfo> };

export interface ProtectedResourceMetadataOptions {
  /** The protected resource's absolute URL, e.g. https://mcp.example.com/mcp. */
  resource: string;
  /** Your tenant (or common / organizations): the authorization server is its Entra v2 authority. */
  tenantId?: string;
  cloud?: EntraCloud;
  /** Overrides the authorization servers derived from tenantId. */
  authorizationServers?: string[];
  scopesSupported?: string[];
  resourceName?: string;
  resourceDocumentation?: string;
  /** Default ['header']. */
  bearerMethodsSupported?: string[];
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
/** Middleware serving RFC 9728 metadata at /.well-known/oauth-protected-resource[/path]. */
export declare function protectedResourceMetadata(options: ProtectedResourceMetadataOptions): Middleware;
/** The metadata URL for a resource (RFC 9728 §3.1). */
export declare function protectedResourceMetadataUrl(resource: string): string;

/** Where a challenge points the client. */
export interface ChallengeOptions {
  /** Sent as `resource_metadata` (RFC 9728 §5.1); see protectedResourceMetadataUrl. */
  resourceMetadataUrl?: string;
  realm?: string;
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
