// entra-guard/mcp: an OAuthTokenVerifier for the MCP TypeScript SDK v2 (`@modelcontextprotocol/server`),
// for its `requireBearerAuth` (@modelcontextprotocol/express, or the web-standard gate in
// @modelcontextprotocol/server, or mcp-handler). The SDK matches errors with its own `OAuthError`, so every
// refusal is one, made by the caller's installed copy of @modelcontextprotocol/server (an optional peer
// dependency, loaded on the first refusal; never a bundled copy). `AuthInfo.resource` is the configured
// `resource`, so `requireBearerAuth({ expectedResource })` works, and `expiresAt`, which the SDK requires,
// is always set.
import { EntraTokenError } from '../errors.js';
import { createGuard } from '../guard.js';
import { verifierMessage, verifierSettings } from '../mcp-sdk-v1.js';

/** @typedef {import('../../types/adapters/mcp.js').EntraTokenVerifierOptions} EntraTokenVerifierOptions */
/** @typedef {import('../../types/api.js').EntraValidator} Validator */

/** The OAuth error code (RFC 6750 §3.1) the SDK maps to each status: 401, 403, and 500 for the server's faults. */
const OAUTH_CODE = { 401: 'invalid_token', 403: 'insufficient_scope', 500: 'server_error' };

/**
 * The SDK v2's own OAuthError for a refusal, keeping the EntraTokenError as its `cause`.
 * @param {EntraTokenError} error
 * @returns {Promise<Error>}
 */
export async function sdkOAuthError(error) {
  const { OAuthError } = await import('@modelcontextprotocol/server');
  const code = OAUTH_CODE[/** @type {401 | 403 | 500} */ (error.status >= 500 ? 500 : error.status)] ?? 'invalid_token';
  return Object.assign(new OAuthError(code, verifierMessage(error)), { cause: error });
}

/**
 * `entraTokenVerifier(validator, { jwks, resource, ... })` or `entraTokenVerifier({ options, jwks, resource, ... })`.
 * @param {Validator | EntraTokenVerifierOptions} validatorOrSettings
 * @param {Omit<EntraTokenVerifierOptions, 'validator' | 'options'>} [settings]
 */
export function entraTokenVerifier(validatorOrSettings, settings = {}) {
  const guard = createGuard(verifierSettings(validatorOrSettings, settings));
  return {
    /** @param {string} token */
    async verifyAccessToken(token) {
      try {
        return (await guard.verify(token)).authInfo;
      } catch (error) {
        if (error instanceof EntraTokenError) throw await sdkOAuthError(error);
        throw error;
      }
    },
  };
}
