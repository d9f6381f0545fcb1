// Protected-resource metadata (RFC 9728) for an Entra-protected MCP server, in the shape Entra needs by
// default, and, on request, the RFC 8414 authorization-server metadata Entra does not serve.
//
// What Entra needs (the real-world failure is AADSTS9010010): MCP clients send the metadata's `resource`
// as the `resource` parameter of every authorization and token request (MCP authorization 2025-06-18 and
// later, "Resource Parameter Implementation"; RFC 8707), and Entra accepts it only when it is an identifier
// URI of the app that owns the requested scopes. So the resource is the server's URL, registered as one of
// the API app's identifier URIs, without a trailing slash (the clients send it verbatim), and every scope in
// `scopes_supported` is qualified with it (`{resource}/{scope}`), which is how Entra names a scope of that app.
// `offline_access` is not the resource's scope and is refused (MCP 2026-07-28, "Refresh Tokens": servers
// SHOULD NOT include it in scopes_supported).
//
// Entra serves only OpenID Connect discovery (appended to the issuer), without
// `code_challenge_methods_supported`, which MCP clients must find before using PKCE (MCP 2025-11-25,
// "Authorization Code Protection"). `authorizationServerMetadata: true` makes the MCP server the
// authorization server its metadata names, serving RFC 8414 metadata that mirrors the tenant's Entra
// endpoints and adds `code_challenge_methods_supported: ["S256"]` (the pattern of the MCP SDK's
// mcpAuthMetadataRouter); tokens still come from Entra and carry Entra's issuer.
import { ENTRA, isCloud, isTenant } from './entra.js';
import { configError } from './errors.js';

/** @typedef {import('../types/http.js').ProtectedResourceMetadataOptions} ProtectedResourceMetadataOptions */
/** @typedef {import('../types/api.js').EntraCloud} EntraCloud */

/** RFC 9728 §3 and RFC 8414 §3: the well-known suffixes. */
const PRM_PATH = '/.well-known/oauth-protected-resource';
const AS_METADATA_PATH = '/.well-known/oauth-authorization-server';

/**
 * The resource as MCP clients must see it: absolute, no fragment, no trailing slash (clients send it
 * verbatim as the `resource` parameter, and Entra compares it with the identifier URIs exactly).
 * @param {unknown} resource
 * @returns {string}
 */
export function canonicalResource(resource) {
  if (typeof resource !== 'string' || !URL.canParse(resource)) throw configError('resource', "the protected resource's absolute URL is required");
  const url = new URL(resource);
  if (url.hash) throw configError('resource', 'must not have a #fragment (RFC 8707 §2)');
  return url.href.replace(/\/+$/, '');
}

/**
 * RFC 9728 §3.1: the metadata URL for a resource: `/.well-known/oauth-protected-resource` + the resource's path.
 * @param {string} resource
 */
export function protectedResourceMetadataUrl(resource) {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}${PRM_PATH}${path}`;
}

/**
 * A scope as Entra names it: `{prefix}/{scope}`; a scope already qualified (it contains `://` or starts with
 * `api://`) is left as it is.
 * @param {string} scope
 * @param {string | undefined} prefix
 */
export function qualifiedScope(scope, prefix) {
  if (prefix === undefined || scope.includes('://')) return scope;
  return `${prefix.replace(/\/+$/, '')}/${scope}`;
}

/**
 * `scopes_supported`: each scope qualified with the resource (or `scopePrefix`); `offline_access` refused.
 * @param {string[] | undefined} scopes
 * @param {string} prefix
 */
function supportedScopes(scopes, prefix) {
  if (scopes === undefined) return undefined;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && s !== '' && !/\s/.test(s))) {
    throw configError('scopesSupported', 'must be a list of scope names without spaces');
  }
  if (scopes.includes('offline_access')) {
    throw configError('scopesSupported', 'must not list offline_access: it is not this resource\'s scope, and MCP clients add it themselves when the authorization server offers refresh tokens (MCP authorization 2026-07-28, "Refresh Tokens")');
  }
  return scopes.map((scope) => qualifiedScope(scope, prefix));
}

/**
 * The tenant's Entra v2 authority (the issuer of its tokens): `https://{host}/{tenant}/v2.0`.
 * @param {string} tenantId
 * @param {EntraCloud} cloud
 */
function entraAuthority(tenantId, cloud) {
  return `https://${ENTRA.clouds[cloud].host}/${tenantId}/v2.0`;
}

/**
 * The RFC 9728 protected-resource metadata document for an Entra-protected resource. By default the tenant's
 * Entra v2 authority is the authorization server, so MCP clients obtain Entra tokens themselves; with
 * `authorizationServerMetadata`, the resource itself is (see authorizationServerMetadataDocument). A plain
 * object, for any runtime (workers serve it with `Response.json`).
 * @param {ProtectedResourceMetadataOptions} options
 */
export function protectedResourceMetadataDocument(options) {
  const {
    tenantId, cloud = 'public', authorizationServers, scopesSupported, scopePrefix, resourceName, resourceDocumentation,
    bearerMethodsSupported = ['header'], authorizationServerMetadata = false,
  } = options;
  const resource = canonicalResource(options.resource);
  if (!authorizationServers && !isTenant(tenantId)) {
    throw configError('tenantId', 'a tenant GUID (or common / organizations) is required unless authorizationServers is given');
  }
  if (!isCloud(cloud)) throw configError('cloud', 'use public, usgov or china');
  if (authorizationServerMetadata && authorizationServers) {
    throw configError('authorizationServers', 'give authorizationServers or authorizationServerMetadata, not both: the mirror names the resource itself as the authorization server');
  }
  const scopes = supportedScopes(scopesSupported, scopePrefix ?? resource);
  return {
    resource,
    authorization_servers: authorizationServers ?? [authorizationServerMetadata ? resource : entraAuthority(/** @type {string} */ (tenantId), cloud)],
    ...(scopes ? { scopes_supported: scopes } : {}),
    bearer_methods_supported: bearerMethodsSupported,
    ...(resourceName ? { resource_name: resourceName } : {}),
    ...(resourceDocumentation ? { resource_documentation: resourceDocumentation } : {}),
  };
}

/**
 * RFC 8414 authorization-server metadata, served by the MCP server, mirroring the tenant's Entra v2
 * endpoints (authorize, token, device code, keys) and adding what MCP clients need and Entra's OpenID
 * discovery omits: `code_challenge_methods_supported: ["S256"]`. Its `issuer` is the resource, which the
 * protected-resource metadata names as the authorization server (RFC 8414 §3.3: the issuer must equal the URL
 * the client derived the metadata URL from). `authorityHost` replaces the cloud's login host (tests point it
 * at a loopback stand-in).
 * @param {ProtectedResourceMetadataOptions} options
 */
export function authorizationServerMetadataDocument(options) {
  const { tenantId, cloud = 'public', scopesSupported, scopePrefix, authorityHost } = options;
  const resource = canonicalResource(options.resource);
  if (!isTenant(tenantId)) throw configError('tenantId', 'a tenant GUID (or common / organizations) is required for the mirrored endpoints');
  if (!isCloud(cloud)) throw configError('cloud', 'use public, usgov or china');
  const host = authorityHost ?? `https://${ENTRA.clouds[cloud].host}`;
  if (typeof host !== 'string' || !URL.canParse(host)) throw configError('authorityHost', 'must be an absolute URL such as https://login.microsoftonline.com');
  const oauth = `${host.replace(/\/+$/, '')}/${tenantId}/oauth2/v2.0`;
  const scopes = supportedScopes(scopesSupported, scopePrefix ?? resource) ?? [];
  return {
    issuer: resource,
    authorization_endpoint: `${oauth}/authorize`,
    token_endpoint: `${oauth}/token`,
    device_authorization_endpoint: `${oauth}/devicecode`,
    jwks_uri: `${host.replace(/\/+$/, '')}/${tenantId}/discovery/v2.0/keys`,
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'],
    // Entra's own list (its OpenID discovery document).
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    code_challenge_methods_supported: ['S256'],
    // The resource's scopes, and the OpenID Connect ones Entra offers (offline_access for refresh tokens).
    scopes_supported: [...scopes, 'openid', 'profile', 'email', 'offline_access'],
  };
}

/**
 * The RFC 8414 §3.1 metadata URL for an issuer: `/.well-known/oauth-authorization-server` + the issuer's path.
 * @param {string} issuer
 */
export function authorizationServerMetadataUrl(issuer) {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}${AS_METADATA_PATH}${path}`;
}

/**
 * Middleware serving {@link protectedResourceMetadataDocument} at `/.well-known/oauth-protected-resource[/path]`,
 * and, with `authorizationServerMetadata`, {@link authorizationServerMetadataDocument} at
 * `/.well-known/oauth-authorization-server[/path]`.
 * @param {ProtectedResourceMetadataOptions} options
 * @returns {(req: any, res: any, next: (error?: unknown) => void) => void}
 */
export function protectedResourceMetadata(options) {
  const prm = protectedResourceMetadataDocument(options);
  /** @type {Map<string, string>} */
  const documents = new Map();
  const prmText = JSON.stringify(prm);
  documents.set(new URL(protectedResourceMetadataUrl(prm.resource)).pathname, prmText);
  documents.set(PRM_PATH, prmText);
  if (options.authorizationServerMetadata) {
    documents.set(new URL(authorizationServerMetadataUrl(prm.resource)).pathname, JSON.stringify(authorizationServerMetadataDocument(options)));
  }
  return function protectedResourceMetadataHandler(req, res, next) {
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    const document = documents.get(path);
    if (document === undefined) return next();
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-allow-headers': '*' });
      return res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600', 'access-control-allow-origin': '*' });
    res.end(req.method === 'HEAD' ? undefined : document);
  };
}
