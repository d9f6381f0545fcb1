// An OAuthTokenVerifier for the MCP TypeScript SDK v1 (`@modelcontextprotocol/sdk`, 1.x), whose
// `requireBearerAuth` matches errors with `instanceof` against its own classes: refusals become the
// caller's installed SDK's InvalidTokenError / InsufficientScopeError / ServerError (anything else would be
// a 500 there). The SDK is an optional peer dependency, loaded only when a token is refused.
import { EntraValidator } from './api.js';
import { quotedText } from './challenge.js';
import { EntraTokenError } from './errors.js';
import { createGuard } from './guard.js';

/** @typedef {import('../types/http.js').EntraTokenVerifierOptions} EntraTokenVerifierOptions */
/** @typedef {import('../types/api.js').EntraValidator} Validator */

/**
 * The guard settings for a verifier: `(validator, { jwks, resource, ... })` or one settings object.
 * @param {Validator | EntraTokenVerifierOptions} validatorOrSettings
 * @param {Omit<EntraTokenVerifierOptions, 'validator' | 'options'>} settings
 * @returns {EntraTokenVerifierOptions}
 */
export function verifierSettings(validatorOrSettings, settings) {
  const isValidator = validatorOrSettings instanceof EntraValidator
    || typeof (/** @type {Partial<Validator>} */ (validatorOrSettings)).validate === 'function';
  return isValidator
    ? { ...settings, validator: /** @type {Validator} */ (validatorOrSettings) }
    : /** @type {EntraTokenVerifierOptions} */ (validatorOrSettings);
}

/**
 * The SDK writes the message into WWW-Authenticate (v1 unquoted): keep it header-safe.
 * @param {EntraTokenError} error
 */
export function verifierMessage(error) {
  return `${error.code}: ${quotedText(error.message)}`;
}

/**
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
        if (!(error instanceof EntraTokenError)) throw error;
        const sdk = await import('@modelcontextprotocol/sdk/server/auth/errors.js');
        const Refusal = error.status === 403 ? sdk.InsufficientScopeError : error.status >= 500 ? sdk.ServerError : sdk.InvalidTokenError;
        throw Object.assign(new Refusal(verifierMessage(error)), { cause: error });
      }
    },
  };
}
