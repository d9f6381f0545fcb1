// The one error class of this package, and the few errors the JS layer makes itself. Codes, checks and
// HTTP statuses are the core's (lib/catalog.js, generated from src/error.rs): a status is never written
// here, it is looked up by code.
import { CATALOG } from './catalog.js';

/** @typedef {import('../types/api.js').EntraTokenErrorDetails} EntraTokenErrorDetails */
/** @typedef {import('../types/catalog.js').EntraErrorCode} EntraErrorCode */
/** @typedef {import('../types/catalog.js').EntraCheck} EntraCheck */

/** Every error code, in the core's order. */
export const ERROR_CODES = Object.freeze(CATALOG.codes.map((c) => c.code));

/** Every check, in the order a token meets them. */
export const CHECKS = CATALOG.checks;

const STATUS = new Map(CATALOG.codes.map((c) => [c.code, c.status]));

/** Every failure of this package: a real Error with a stable `code`, the `check` that refused, the HTTP `status` it implies and the `claim` concerned. */
export class EntraTokenError extends Error {
  /** @override @type {'EntraTokenError'} */
  name = 'EntraTokenError';

  /**
   * @param {EntraTokenErrorDetails} details
   * @param {{ cause?: unknown }} [options] `cause`: the error this one wraps, kept for logs and debuggers.
   */
  constructor(details, options) {
    super(details.message, options?.cause === undefined ? undefined : { cause: options.cause });
    /** @type {EntraErrorCode} */
    this.code = details.code;
    /** @type {number} */
    this.status = details.status;
    /** @type {EntraCheck} */
    this.check = details.check;
    /** @type {string | null} */
    this.claim = details.claim ?? null;
    if (details.requiredPermissions) {
      /** @type {string[] | undefined} scopes or roles a 403 asks for */
      this.requiredPermissions = details.requiredPermissions;
    }
  }
}

/**
 * An error made by the JS layer, with the status the core assigns to `code`.
 * @param {EntraErrorCode} code
 * @param {EntraCheck} check
 * @param {string | null} claim
 * @param {string} message
 * @param {unknown} [cause]
 */
export function entraError(code, check, claim, message, cause) {
  const status = STATUS.get(code) ?? 500;
  return new EntraTokenError({ code, status, check, claim, message }, { cause });
}

/**
 * `config_invalid` for an option (or argument) of the server's own configuration: a 500, never the client's fault.
 * @param {string} option
 * @param {string} message what is wrong, and how to fix it
 * @param {unknown} [cause]
 */
export function configError(option, message, cause) {
  return entraError('config_invalid', 'config', option, `option ${option} is invalid: ${message}`, cause);
}

/**
 * `jwks_invalid`: keys that cannot be fetched or used.
 * @param {string} message
 * @param {unknown} [cause]
 */
export function jwksError(message, cause) {
  return entraError('jwks_invalid', 'jwks', null, message, cause);
}
