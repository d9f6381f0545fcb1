// entra-guard/testing: a stand-in for two Microsoft Graph endpoints, on the issuer's loopback server:
//   GET /v1.0/me          the signed-in user's profile (https://learn.microsoft.com/graph/api/user-get)
//   GET /oidc/userinfo    OpenID Connect UserInfo (https://learn.microsoft.com/entra/identity-platform/userinfo)
// It accepts only tokens this issuer issued for Graph: aud https://graph.microsoft.com or Graph's appId,
// signed by the issuer's keys, not expired, with a delegated scope that allows reading the profile. Errors
// have Graph's shape ({"error":{"code","message","innerError"}}, https://learn.microsoft.com/graph/errors).
// TEST TOOL ONLY.
import { graphError } from './errors.js';
import { MICROSOFT_GRAPH } from './directory.js';
import { nowSeconds, parseJwt } from './jose.js';

/** @typedef {import('./oauth.js').Reply} Reply */

// Delegated permissions that allow GET /me (https://learn.microsoft.com/graph/api/user-get#permissions).
const ME_SCOPES = ['user.read', 'user.readwrite', 'user.readbasic.all', 'user.read.all', 'user.readwrite.all', 'directory.read.all', 'directory.readwrite.all'];
const AUDIENCES = new Set([MICROSOFT_GRAPH.identifierUri, `${MICROSOFT_GRAPH.identifierUri}/`, MICROSOFT_GRAPH.appId]);

/**
 * @param {object} ctx
 * @param {string} ctx.tenantId
 * @param {ReturnType<typeof import('./directory.js').createDirectory>} ctx.directory
 * @param {(tid: string, version: '1.0' | '2.0') => string} ctx.issuerFor
 * @param {(jwt: { header: Record<string, unknown>, input: string, signature: Buffer }) => 'ok' | 'no_key' | 'bad_signature'} ctx.verifyIssued
 */
export function createGraph(ctx) {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {string | null} clientRequestId
   * @returns {Reply}
   */
  function error(status, code, message, clientRequestId) {
    const { body, requestId } = graphError(code, message, clientRequestId);
    /** @type {Record<string, string>} */
    const headers = { 'request-id': requestId, 'client-request-id': clientRequestId ?? requestId };
    if (status === 401) headers['www-authenticate'] = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="${MICROSOFT_GRAPH.appId}"`;
    return { status, body, headers };
  }

  /**
   * The caller's user, or the error Graph answers.
   * @param {string | null} authorization
   * @param {string | null} clientRequestId
   * @returns {{ user: { objectId: string, displayName: string, userPrincipalName: string, mail?: string | null, givenName?: string | null, surname?: string | null, jobTitle?: string | null }, sub: string } | Reply}
   */
  function caller(authorization, clientRequestId) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return error(401, 'InvalidAuthenticationToken', 'Access token is empty.', clientRequestId);
    const jwt = parseJwt(m[1]);
    if (!jwt) return error(401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed, there are no dots (.).', clientRequestId);
    if (ctx.verifyIssued(jwt) !== 'ok') return error(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid signature.', clientRequestId);
    const { claims } = jwt;
    if (typeof claims.aud !== 'string' || !AUDIENCES.has(claims.aud)) return error(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.', clientRequestId);
    if (claims.iss !== ctx.issuerFor(ctx.tenantId, claims.ver === '2.0' ? '2.0' : '1.0')) return error(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid issuer.', clientRequestId);
    if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds()) return error(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.', clientRequestId);
    if (claims.idtyp === 'app' || typeof claims.scp !== 'string') {
      return error(400, 'BadRequest', '/me request is only valid with delegated authentication flow.', clientRequestId);
    }
    const scopes = claims.scp.toLowerCase().split(' ');
    // Graph answers a valid token without a permission for the call with 403, not 401.
    if (!ME_SCOPES.some((s) => scopes.includes(s))) return error(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', clientRequestId);
    const oid = String(claims.oid ?? '').toLowerCase();
    const user = ctx.directory.users.find((u) => u.objectId === oid);
    if (!user) return error(404, 'Request_ResourceNotFound', `Resource '${oid}' does not exist or one of its queried reference-property objects are not present.`, clientRequestId);
    return { user, sub: String(claims.sub) };
  }

  /**
   * @param {string} path
   * @param {string | null} authorization
   * @param {string | null} clientRequestId
   * @returns {Reply | null} null when the path is not Graph's
   */
  function handle(path, authorization, clientRequestId) {
    if (path !== '/v1.0/me' && path !== '/oidc/userinfo') return null;
    const who = caller(authorization, clientRequestId);
    if ('status' in who) return who;
    const { user, sub } = who;
    if (path === '/oidc/userinfo') {
      const body = { sub, name: user.displayName, family_name: user.surname ?? undefined, given_name: user.givenName ?? undefined, email: user.mail ?? undefined };
      return { status: 200, body };
    }
    return {
      status: 200,
      headers: { 'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8' },
      body: {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
        businessPhones: [],
        displayName: user.displayName,
        givenName: user.givenName ?? null,
        jobTitle: user.jobTitle ?? null,
        mail: user.mail ?? null,
        mobilePhone: null,
        officeLocation: null,
        preferredLanguage: null,
        surname: user.surname ?? null,
        userPrincipalName: user.userPrincipalName,
        id: user.objectId,
      },
    };
  }

  return { handle };
}
