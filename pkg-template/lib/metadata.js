// Protected-resource metadata (RFC 9728) for an Entra-protected resource: the document, its URL, and
// middleware serving it.
import { ENTRA, isCloud, isTenant } from './entra.js';
import { configError } from './errors.js';

/** @typedef {import('../types/http.js').ProtectedResourceMetadataOptions} ProtectedResourceMetadataOptions */

/**
 * RFC 9728 §3.1: the metadata URL for a resource: `/.well-known/oauth-protected-resource` + the resource's path.
 * @param {string} resource
 */
export function protectedResourceMetadataUrl(resource) {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-protected-resource${path}`;
}

/**
 * The RFC 9728 protected-resource metadata document for an Entra-protected resource: the tenant's Entra v2
 * authority as the authorization server, so MCP clients obtain Entra tokens themselves. A plain object, for
 * any runtime (workers serve it with `Response.json`).
 * @param {ProtectedResourceMetadataOptions} options
 */
export function protectedResourceMetadataDocument({
  resource, tenantId, cloud = 'public', authorizationServers, scopesSupported, resourceName, resourceDocumentation, bearerMethodsSupported = ['header'],
}) {
  if (!resource || !URL.canParse(resource)) throw configError('resource', "the protected resource's absolute URL is required");
  if (!authorizationServers && !isTenant(tenantId)) {
    throw configError('tenantId', 'a tenant GUID (or common / organizations) is required unless authorizationServers is given');
  }
  if (!isCloud(cloud)) throw configError('cloud', 'use public, usgov or china');
  return {
    resource,
    authorization_servers: authorizationServers ?? [`https://${ENTRA.clouds[cloud].host}/${tenantId}/v2.0`],
    ...(scopesSupported ? { scopes_supported: scopesSupported } : {}),
    bearer_methods_supported: bearerMethodsSupported,
    ...(resourceName ? { resource_name: resourceName } : {}),
    ...(resourceDocumentation ? { resource_documentation: resourceDocumentation } : {}),
  };
}

/**
 * Middleware serving {@link protectedResourceMetadataDocument} at `/.well-known/oauth-protected-resource[/path]`.
 * @param {ProtectedResourceMetadataOptions} options
 * @returns {(req: any, res: any, next: (error?: unknown) => void) => void}
 */
export function protectedResourceMetadata(options) {
  const document = JSON.stringify(protectedResourceMetadataDocument(options));
  const paths = new Set([new URL(protectedResourceMetadataUrl(options.resource)).pathname, '/.well-known/oauth-protected-resource']);
  return function protectedResourceMetadataHandler(req, res, next) {
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    if (!paths.has(path)) return next();
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-allow-headers': '*' });
      return res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600', 'access-control-allow-origin': '*' });
    res.end(req.method === 'HEAD' ? undefined : document);
  };
}
