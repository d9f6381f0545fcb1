// The package's public API, one line per module: every environment entry (node.mjs, node.cjs, browser.js,
// workerd.js) initialises the wasm its own way, then re-exports this. Nothing else is public; the framework
// adapters are subpaths of their own (entra-guard/mcp, /hono, /fastify, /mcp-handler, /fastmcp, /cloudflare).
export { CHECKS, ENTRA, ERROR_CODES, EntraTokenError, EntraValidator, isGuid } from './api.js';
export { RemoteJwks, createRemoteJwks } from './remote-jwks.js';
export { readBody } from './body.js';
export { bearerToken, refusal, wwwAuthenticate } from './challenge.js';
export { authenticate, createGuard, toAuthInfo } from './guard.js';
export {
  authorizationServerMetadataDocument, authorizationServerMetadataUrl, protectedResourceMetadata, protectedResourceMetadataDocument,
  protectedResourceMetadataUrl,
} from './metadata.js';
export { requireEntraAuth } from './express.js';
export { entraTokenVerifier } from './mcp-sdk-v1.js';
