// A validated token as the JS API hands it out: the core's answer (src/wasm.rs `ok_result`) converted into
// one frozen plain object per token, whose `claims` are parsed from the payload's own text when first read.
import { deepFreeze } from './freeze.js';

/** @typedef {import('../types/api.js').ValidatedToken} ValidatedToken */

/**
 * Where a result keeps what `claims` is made from: `{ answer, claims }`, the core's whole answer (the claims
 * are the payload's own JSON text after its first newline) and, once read, their parsed and frozen tree. Not enumerable, so spreading, JSON.stringify and deep-equality see the
 * identity and the claims, not this.
 */
const HELD_CLAIMS = Symbol('entra-guard claims text');

/**
 * `claims` on every result: the payload parsed when first read, then the same frozen object on every read.
 * Most callers authorise on the members the core has already read from the claims (scopes, roles, tenantId,
 * objectId…), so a validation does not pay for a second parse of the payload that only some callers need.
 * One getter shared by every result (a getter per result would cost more than the parse it saves). An own,
 * enumerable property, so `{ ...result }`, `Object.keys` and JSON.stringify include the claims.
 * The claims text is cut from the answer here, on the first read, not on every validation.
 * @type {PropertyDescriptor & ThisType<{ [HELD_CLAIMS]: { answer: string, claims: Record<string, unknown> | undefined } }>}
 */
const CLAIMS = {
  enumerable: true,
  get() {
    const held = this[HELD_CLAIMS];
    held.claims ??= deepFreeze(JSON.parse(held.answer.slice(held.answer.indexOf('\n') + 1)));
    return held.claims;
  },
};

/**
 * A frozen result from the core's member values (in CATALOG.resultMembers' order, src/validator.rs
 * `RESULT_MEMBERS`) and the success `answer` they were parsed from, which holds the claims text. A literal,
 * not a loop over the names: every result then has one shape, which costs less to build and to read.
 * @param {Array<any>} values
 * @param {string} answer
 * @returns {ValidatedToken}
 */
export function validatedToken(values, answer) {
  const result = {
    audience: values[0],
    clientId: values[1],
    expiresAt: values[2],
    isAppOnly: values[3],
    issuer: values[4],
    keyId: values[5],
    objectId: values[6],
    roles: Object.freeze(values[7]),
    scopes: Object.freeze(values[8]),
    signatureVerifiedBy: values[9],
    subject: values[10],
    tenantId: values[11],
    version: values[12],
  };
  Object.defineProperty(result, HELD_CLAIMS, { value: { answer, claims: undefined } });
  Object.defineProperty(result, 'claims', CLAIMS);
  return /** @type {ValidatedToken} */ (Object.freeze(result));
}

/**
 * The core's answer without its claims: the JSON envelope, which for a success ends at the first newline
 * (`ok_result` in src/wasm.rs: the envelope is compact JSON, which never holds a raw newline).
 * @param {string} text
 * @returns {any}
 */
export function answerEnvelope(text) {
  const cut = text.indexOf('\n');
  return JSON.parse(cut < 0 ? text : text.slice(0, cut));
}
