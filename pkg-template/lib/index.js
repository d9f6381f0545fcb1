// The package's public API, one line per module: every environment entry (node.mjs, node.cjs, browser.js,
// workerd.js) initialises the wasm its own way, then re-exports this. Nothing else is public.
export { CHECKS, ENTRA, ERROR_CODES, EntraTokenError, EntraValidator, isGuid } from './api.js';
export { RemoteJwks, createRemoteJwks } from './remote-jwks.js';
export { readBody } from './body.js';
export {
  authenticate, bearerToken, entraTokenVerifier, protectedResourceMetadata, protectedResourceMetadataDocument,
  protectedResourceMetadataUrl, refusal, requireEntraAuth, toAuthInfo, wwwAuthenticate,
} from './http.js';
