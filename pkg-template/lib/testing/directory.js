// entra-guard/testing: the stand-in's directory: app registrations (with their service principals and the
// permissions granted to them), users, and Microsoft Graph as a built-in resource. TEST TOOL ONLY.
import { createHash } from 'node:crypto';
import { isGuid } from '../entra.js';
import { deepFreeze } from '../freeze.js';
import { certificateCredential } from './jose.js';

/** @typedef {import('../../types/testing.js').TestAppRegistration} TestAppRegistration */
/** @typedef {import('../../types/testing.js').TestUser} TestUser */

/**
 * An app registration as the stand-in keeps it.
 * @typedef {object} App
 * @property {string} clientId
 * @property {string} displayName
 * @property {string[]} identifierUris
 * @property {string[]} scopes exposed delegated scopes (canonical case)
 * @property {string[]} appRoles exposed app roles
 * @property {'1.0' | '2.0'} version the access-token version it accepts
 * @property {string | null} clientSecret
 * @property {{ key: import('node:crypto').KeyObject, x5t: string | null, x5tS256: string | null } | null} certificate
 * @property {string[]} redirectUris
 * @property {boolean} publicClient
 * @property {boolean} requirePkce
 * @property {Array<{ resource: string, scopes: string[], roles: string[] }>} grantsAsGiven
 * @property {Map<string, { scopes: string[], roles: string[] }>} grants by resource client id
 * @property {string} objectId its service principal's object id
 * @property {boolean} graph whether it is Microsoft Graph
 */

/**
 * Microsoft Graph's well-known registration: appId 00000003-0000-0000-c000-000000000000, resource
 * https://graph.microsoft.com (https://learn.microsoft.com/graph/permissions-reference), v1.0 access tokens.
 * @type {typeof import('../../types/testing.js').MICROSOFT_GRAPH}
 */
export const MICROSOFT_GRAPH = deepFreeze({
  appId: '00000003-0000-0000-c000-000000000000',
  identifierUri: 'https://graph.microsoft.com',
  displayName: 'Microsoft Graph',
  scopes: ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'User.Read.All', 'Mail.Read', 'Mail.Send', 'Calendars.Read', 'Files.Read', 'Files.ReadWrite', 'Directory.Read.All', 'Group.Read.All', 'offline_access', 'openid', 'profile', 'email'],
  appRoles: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Group.Read.All', 'Application.Read.All', 'Mail.Read', 'Files.Read.All', 'Sites.Read.All'],
});

/** The OpenID Connect scopes: not a resource's; they shape the token response. */
export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

export const DEFAULT_USER = deepFreeze({
  objectId: '00000000-0000-4000-8000-0000000000aa',
  displayName: 'Test User',
  userPrincipalName: 'test.user@contoso.example',
  mail: 'test.user@contoso.example',
  givenName: 'Test',
  surname: 'User',
  jobTitle: null,
});

/**
 * A stable GUID derived from text (for service-principal object ids nobody configured).
 * @param {string} text
 */
function derivedGuid(text) {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * @param {unknown} value
 * @param {string} what
 * @returns {string[]}
 */
function stringList(value, what) {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) throw new TypeError(`${what} must be an array of non-empty strings`);
  return [...value];
}

/**
 * The directory from the options.
 * @param {TestAppRegistration[] | undefined} appOptions
 * @param {TestUser[] | undefined} userOptions
 */
export function createDirectory(appOptions = [], userOptions) {
  if (!Array.isArray(appOptions)) throw new TypeError('apps must be an array of app registrations');
  /** @type {Map<string, App>} */
  const apps = new Map();
  const graph = /** @type {App} */ ({
    clientId: MICROSOFT_GRAPH.appId,
    displayName: MICROSOFT_GRAPH.displayName,
    identifierUris: [MICROSOFT_GRAPH.identifierUri, `${MICROSOFT_GRAPH.identifierUri}/`],
    scopes: MICROSOFT_GRAPH.scopes.filter((s) => !OIDC_SCOPES.has(s)),
    appRoles: [...MICROSOFT_GRAPH.appRoles],
    version: '1.0',
    clientSecret: null,
    certificate: null,
    redirectUris: [],
    publicClient: false,
    requirePkce: false,
    grantsAsGiven: [],
    grants: new Map(),
    objectId: derivedGuid(`sp:${MICROSOFT_GRAPH.appId}`),
    graph: true,
  });
  apps.set(graph.clientId, graph);

  for (const o of appOptions) {
    if (o === null || typeof o !== 'object') throw new TypeError('each app registration must be an object');
    if (!isGuid(o.clientId)) throw new TypeError(`apps: clientId must be a GUID (Entra's application ids are), got ${JSON.stringify(o.clientId)}`);
    const clientId = o.clientId.toLowerCase();
    if (apps.has(clientId)) throw new TypeError(`apps: ${clientId} is registered twice (or is Microsoft Graph's appId)`);
    const version = o.accessTokenAcceptedVersion ?? 2;
    if (version !== 1 && version !== 2) throw new TypeError(`apps[${clientId}]: accessTokenAcceptedVersion must be 1 or 2, got ${version}`);
    if (o.clientSecret !== undefined && (typeof o.clientSecret !== 'string' || o.clientSecret === '')) throw new TypeError(`apps[${clientId}]: clientSecret must be a non-empty string`);
    const identifierUris = stringList(o.identifierUris, `apps[${clientId}].identifierUris`);
    for (const uri of identifierUris) {
      if (!/^[a-z][a-z0-9+.-]*:/i.test(uri)) throw new TypeError(`apps[${clientId}]: identifier URI ${JSON.stringify(uri)} must be an absolute URI (api://…, https://…)`);
    }
    const publicClient = o.publicClient ?? false;
    if (publicClient && (o.clientSecret !== undefined || o.publicKey !== undefined)) throw new TypeError(`apps[${clientId}]: a public client has no credentials (clientSecret, publicKey)`);
    for (const uri of stringList(o.redirectUris, `apps[${clientId}].redirectUris`)) {
      try {
        new URL(uri);
      } catch {
        throw new TypeError(`apps[${clientId}]: redirect URI ${JSON.stringify(uri)} is not an absolute URL`);
      }
    }
    /** @type {App} */
    const app = {
      clientId,
      displayName: o.displayName ?? `Test app ${clientId.slice(0, 8)}`,
      identifierUris,
      scopes: stringList(o.scopes, `apps[${clientId}].scopes`),
      appRoles: stringList(o.appRoles, `apps[${clientId}].appRoles`),
      version: version === 1 ? '1.0' : '2.0',
      clientSecret: o.clientSecret ?? null,
      certificate: o.publicKey === undefined ? null : certificateCredential(o.publicKey, o.thumbprint, o.thumbprintSha256, clientId),
      redirectUris: stringList(o.redirectUris, `apps[${clientId}].redirectUris`),
      publicClient,
      requirePkce: o.requirePkce ?? publicClient,
      grantsAsGiven: (o.grants ?? []).map((g) => ({
        resource: String(g?.resource),
        scopes: stringList(g?.scopes, `apps[${clientId}].grants[].scopes`),
        roles: stringList(g?.roles, `apps[${clientId}].grants[].roles`),
      })),
      grants: new Map(),
      objectId: o.objectId ?? derivedGuid(`sp:${clientId}`),
      graph: false,
    };
    if (!isGuid(app.objectId)) throw new TypeError(`apps[${clientId}]: objectId must be a GUID`);
    apps.set(clientId, app);
  }

  /**
   * The app a scope prefix or `resource` names: its client id, one of its identifier URIs, or '' (a bare
   * scope such as `User.Read`, which Entra takes as Microsoft Graph's).
   * @param {string} prefix
   * @returns {App | undefined}
   */
  function resolve(prefix) {
    if (prefix === '') return graph;
    const byId = apps.get(prefix.toLowerCase());
    if (byId) return byId;
    for (const app of apps.values()) if (app.identifierUris.includes(prefix)) return app;
    return undefined;
  }

  // Grants name their resource by any of its names; resolved once every app is known.
  for (const app of apps.values()) {
    for (const g of app.grantsAsGiven) {
      const resource = g.resource.toLowerCase() === 'graph' ? graph : resolve(g.resource);
      if (!resource) throw new TypeError(`apps[${app.clientId}].grants: resource ${JSON.stringify(g.resource)} is not a registered app's client id or identifier URI, nor "graph"`);
      const scopes = g.scopes.map((s) => canonical(resource.scopes, s, `apps[${app.clientId}].grants[${g.resource}].scopes`, 'delegated scope'));
      const roles = g.roles.map((r) => canonical(resource.appRoles, r, `apps[${app.clientId}].grants[${g.resource}].roles`, 'app role'));
      const previous = app.grants.get(resource.clientId) ?? { scopes: [], roles: [] };
      app.grants.set(resource.clientId, { scopes: [...new Set([...previous.scopes, ...scopes])], roles: [...new Set([...previous.roles, ...roles])] });
    }
  }

  const users = (userOptions ?? [DEFAULT_USER]).map((u) => {
    if (u === null || typeof u !== 'object' || !isGuid(u.objectId)) throw new TypeError('users: each user needs objectId (a GUID), displayName and userPrincipalName');
    if (typeof u.displayName !== 'string' || typeof u.userPrincipalName !== 'string' || !u.userPrincipalName.includes('@')) throw new TypeError(`users[${u.objectId}]: displayName and userPrincipalName (name@domain) are required`);
    return { mail: null, givenName: null, surname: null, jobTitle: null, ...u, objectId: u.objectId.toLowerCase() };
  });
  if (users.length === 0) throw new TypeError('users must list at least one user (the one who signs in by default)');

  /**
   * A user by UPN (case-insensitive) or object id; undefined when there is none.
   * @param {string} hint
   */
  function user(hint) {
    const h = hint.toLowerCase();
    return users.find((u) => u.objectId === h || u.userPrincipalName.toLowerCase() === h);
  }

  return { apps, graph, resolve, users, user };
}

/**
 * The exposed name matching `value` case-insensitively (Entra compares scope and role names so).
 * @param {string[]} exposed
 * @param {string} value
 * @param {string} what
 * @param {string} kind
 */
function canonical(exposed, value, what, kind) {
  const found = exposed.find((e) => e.toLowerCase() === value.toLowerCase());
  if (!found) throw new TypeError(`${what}: ${JSON.stringify(value)} is not a ${kind} the resource exposes (${exposed.join(', ') || 'none'})`);
  return found;
}

/**
 * A scope parameter split as Entra reads it: OIDC scopes, and resource scopes `{resource}/{name}` (split at
 * the last '/', so `api://x/read` and `https://host/mcp/read` both work; a bare name is Graph's).
 * @param {string | null | undefined} scope
 */
export function parseScope(scope) {
  const tokens = (scope ?? '').split(' ').filter(Boolean);
  /** @type {Set<string>} */
  const oidc = new Set();
  /** @type {Array<{ raw: string, prefix: string, name: string }>} */
  const resources = [];
  for (const raw of tokens) {
    if (OIDC_SCOPES.has(raw.toLowerCase())) {
      oidc.add(raw.toLowerCase());
      continue;
    }
    const slash = raw.lastIndexOf('/');
    resources.push(slash < 0 ? { raw, prefix: '', name: raw } : { raw, prefix: raw.slice(0, slash), name: raw.slice(slash + 1) });
  }
  return { tokens, oidc, resources };
}
