// The configuration doctor (`entra-guard doctor`): an Entra app registration manifest, as the Entra admin
// center's Manifest page downloads it (Microsoft Graph format, or the Azure AD Graph format of older
// exports), against an MCP server's entra-guard options. Pure: no I/O, no clock; bin/entra-guard.mjs reads
// the files and prints.
//
// The facts the checks stand on, and where they come from:
// - MCP clients send the protected-resource metadata's `resource` as RFC 8707's `resource` parameter (MCP
//   authorization 2026-07-28, "Resource Parameter Implementation"), and Entra issues a token only when it
//   equals one of the app's identifier URIs character for character; a trailing slash is the usual
//   mismatch, and an identifier URI cannot end with one. Otherwise: AADSTS9010010. The scopes a client asks
//   for must belong to that app. (learn.microsoft.com/entra/agent-id/secure-mcp-server-with-entra-id;
//   learn.microsoft.com/entra/identity-platform/reference-app-manifest#identifieruris-attribute)
// - A scope of an app is `{identifier URI}/{value}`; a bare value means a Microsoft Graph scope
//   (learn.microsoft.com/entra/identity-platform/scopes-oidc). `scp` carries bare values.
// - MCP SDK clients accept the metadata's resource only with the server URL's origin and a prefix of its
//   path (checkResourceAllowed), so `api://...` cannot be the advertised resource.
// - MCP 2026-07-28 "Refresh Tokens": servers SHOULD NOT advertise offline_access in scopes_supported.
// - v2.0 access tokens carry the API's client id as `aud`; v1.0 tokens the identifier URI used in the
//   request, or the client id (access-token-claims-reference); with the `aud` optional claim's `use_guid`, a
//   v1.0 token's aud is the client id. `requestedAccessTokenVersion` / `accessTokenAcceptedVersion` null
//   means 1; signInAudience with personal accounts requires 2 (reference-microsoft-graph-app-manifest).
// - An app with custom signing keys (claims mapping) publishes them at the JWKS with `?appid=`.
import { ENTRA, isGuid, isTenant } from './entra.js';
import { protectedResourceMetadataUrl } from './metadata.js';

/** @typedef {import('../types/doctor.js').DoctorFinding} DoctorFinding */
/** @typedef {import('../types/doctor.js').DoctorFindingId} DoctorFindingId */
/** @typedef {import('../types/doctor.js').DoctorSeverity} DoctorSeverity */
/** @typedef {import('../types/doctor.js').DoctorOptions} DoctorOptions */
/** @typedef {import('../types/doctor.js').ResolvedDoctorOptions} ResolvedDoctorOptions */
/** @typedef {import('../types/doctor.js').DoctorReport} DoctorReport */
/** @typedef {import('../types/doctor.js').AppRegistration} AppRegistration */
/** @typedef {import('../types/doctor.js').ManifestFormat} ManifestFormat */
/** @typedef {import('../types/doctor.js').ManifestScope} ManifestScope */
/** @typedef {import('../types/doctor.js').ManifestRole} ManifestRole */

/** @type {(severity: DoctorSeverity, summary: string) => { severity: DoctorSeverity, summary: string }} */
const entry = (severity, summary) => Object.freeze({ severity, summary });

/** @type {typeof import('../types/doctor.js').FINDINGS} */
export const FINDINGS = Object.freeze({
  'resource-not-url': entry('error', 'the resource is not an absolute URL'),
  'resource-api-scheme': entry('error', 'the advertised resource is an api:// URI, which MCP clients refuse'),
  'resource-not-https': entry('error', 'the resource is not https (nor http on loopback)'),
  'resource-fragment': entry('error', 'the resource has a #fragment'),
  'resource-query': entry('warning', 'the resource has a ?query'),
  'resource-trailing-slash': entry('error', 'the resource ends with a slash, which no identifier URI can'),
  'resource-no-path': entry('warning', 'the resource has no path: some clients send it with a slash added'),
  'resource-not-identifier-uri': entry('error', 'the resource is not one of the app\'s identifier URIs (AADSTS9010010)'),
  'resource-identifier-uri-slash': entry('error', 'the resource and an identifier URI differ by a trailing slash (AADSTS9010010)'),
  'resource-identifier-uri-case': entry('error', 'the resource and an identifier URI differ in case (AADSTS9010010)'),
  'scopes-supported-missing': entry('warning', 'the metadata advertises no scopes_supported'),
  'scopes-supported-unprefixed': entry('error', 'scopes_supported entries without the resource prefix (AADSTS9010010)'),
  'scopes-supported-foreign': entry('error', 'scopes_supported entries of another resource (AADSTS9010010)'),
  'scopes-supported-other-identifier': entry('warning', 'scopes_supported entries under another identifier of the app than the resource'),
  'scopes-supported-not-exposed': entry('error', 'a scopes_supported entry the app does not expose, or has disabled'),
  'scopes-supported-offline-access': entry('warning', 'offline_access in scopes_supported'),
  'scopes-supported-missing-required': entry('error', 'a required scope missing from scopes_supported (403)'),
  'required-scope-prefixed': entry('error', 'a required scope written with its prefix, which scp never carries (403)'),
  'required-scope-not-exposed': entry('error', 'a required scope the app does not expose (403, AADSTS650053)'),
  'required-scope-disabled': entry('error', 'a required scope that is disabled (403)'),
  'required-scope-admin-consent': entry('warning', 'a required scope only an administrator can consent to'),
  'no-exposed-scopes': entry('warning', 'the app exposes no delegated scope'),
  'required-role-not-defined': entry('error', 'a required app role the app does not define (403)'),
  'required-role-disabled': entry('error', 'a required app role that is disabled (403)'),
  'required-role-no-user': entry('error', 'a required app role users cannot hold, on calls that also require scopes (403)'),
  'required-role-no-application': entry('warning', 'a required app role applications cannot hold (403 for app-only callers)'),
  'personal-accounts-require-v2': entry('error', 'personal-account sign-in without v2 access tokens'),
  'access-token-v1': entry('warning', 'the app issues v1.0 access tokens'),
  'accepted-version-mismatch': entry('error', 'acceptedVersions excludes the version the app issues (401)'),
  'audience-missing-client-id': entry('error', 'the audience lacks the client id (401 audience_invalid)'),
  'audience-missing-identifier-uri': entry('error', 'v1.0 tokens, and the audience lacks identifier URIs (401 audience_invalid)'),
  'audience-foreign': entry('warning', 'the audience accepts values that are not this app'),
  'tenant-invalid': entry('error', 'tenantId is neither a GUID nor common / organizations / consumers'),
  'tenant-alias-single-tenant-app': entry('error', 'a multi-tenant authority for a single-tenant app (AADSTS50194)'),
  'tenant-account-type-mismatch': entry('error', 'tenantId and signInAudience disagree on personal accounts'),
  'tenant-single-multitenant-app': entry('warning', 'a multi-tenant app, and a server that accepts one tenant'),
  'signing-key-app-specific': entry('warning', 'the app has its own signing keys (401 key_not_found with the tenant JWKS)'),
});

/** @type {typeof import('../types/doctor.js').FINDING_IDS} */
export const FINDING_IDS = Object.freeze(/** @type {DoctorFindingId[]} */ (Object.keys(FINDINGS)));

/** The input is not what the doctor needs: the CLI answers it with exit 2. */
export class DoctorInputError extends Error {
  /** @override @type {'DoctorInputError'} */
  name = 'DoctorInputError';
}

const OIDC_SCOPES = new Set(['openid', 'profile', 'email']);
const PERSONAL_AUDIENCES = new Set(['AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount']);
const MULTI_TENANT_AUDIENCES = new Set(['AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount']);

/** @param {unknown} value @returns {value is Record<string, any>} */
const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
/** @param {unknown} value */
const q = (value) => JSON.stringify(value);
/** @param {readonly unknown[]} values */
const list = (values) => `[${values.map(q).join(', ')}]`;
/** @param {string} value A shell word: quoted unless it is plain. */
const shellWord = (value) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`);
/** @param {string} value Without one trailing slash, as entra-guard compares audiences. */
const noSlash = (value) => (value.endsWith('/') ? value.slice(0, -1) : value);
/** @template T @param {T[]} values */
const unique = (values) => [...new Set(values)];

// --- the manifest ---------------------------------------------------------------------------------------

/**
 * Which format a manifest is in: Microsoft says to tell them apart by their attributes (`replyUrlsWithType`
 * is Azure AD Graph, `implicitGrantSettings` Microsoft Graph), and the renamed ones tell too.
 * @param {Record<string, any>} m
 * @returns {ManifestFormat}
 */
function detectFormat(m) {
  if (isObject(m.api) || isObject(m.web) || isObject(m.spa) || isObject(m.publicClient) || 'isFallbackPublicClient' in m) return 'microsoft-graph';
  const legacy = ['oauth2Permissions', 'accessTokenAcceptedVersion', 'replyUrlsWithType', 'oauth2AllowImplicitFlow', 'allowPublicClient', 'informationalUrls', 'availableToOtherTenants'];
  return legacy.some((key) => key in m) ? 'azure-ad-graph' : 'microsoft-graph';
}

/**
 * @param {unknown} value
 * @param {string} field
 * @returns {1 | 2 | null}
 */
function declaredVersion(value, field) {
  if (value === null || value === undefined) return null;
  if (value === 1 || value === 2) return value;
  throw new DoctorInputError(`the manifest's ${field} is ${q(value)}: Entra allows 1, 2 or null`);
}

/**
 * @param {unknown} value
 * @param {string} field
 * @returns {Record<string, any>[]}
 */
function objects(value, field) {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new DoctorInputError(`the manifest's ${field} is not a list`);
  return value.filter(isObject);
}

/** @param {unknown} value */
const text = (value) => (typeof value === 'string' ? value : null);

/**
 * What the doctor needs from a manifest, in either format (also a Microsoft Graph `GET /applications`
 * answer holding one application, `{ value: [app] }`).
 * @param {unknown} input the parsed JSON
 * @returns {AppRegistration}
 */
export function readManifest(input) {
  let m = input;
  if (isObject(m) && !('appId' in m) && Array.isArray(m.value) && m.value.length === 1) m = m.value[0];
  if (!isObject(m)) {
    throw new DoctorInputError('the manifest is not a JSON object: download it from the Entra admin center (App registrations > your app > Manifest > Download)');
  }
  if (!isGuid(m.appId)) {
    throw new DoctorInputError(`the manifest has no appId GUID (${m.appId === undefined ? 'none' : q(m.appId)}): is it an app registration's manifest (App registrations > your app > Manifest)?`);
  }
  const format = detectFormat(m);
  const graph = format === 'microsoft-graph';
  const api = isObject(m.api) ? m.api : {};
  const rawUris = typeof m.identifierUris === 'string' ? [m.identifierUris] : m.identifierUris;
  if (rawUris !== undefined && rawUris !== null && !Array.isArray(rawUris)) throw new DoctorInputError('the manifest\'s identifierUris is not a list');
  const identifierUris = /** @type {unknown[]} */ (rawUris ?? []).filter((uri) => typeof uri === 'string');
  const declaredTokenVersion = graph
    ? declaredVersion(api.requestedAccessTokenVersion, 'api.requestedAccessTokenVersion')
    : declaredVersion(m.accessTokenAcceptedVersion, 'accessTokenAcceptedVersion');
  /** @type {ManifestScope[]} */
  const scopes = objects(graph ? api.oauth2PermissionScopes : m.oauth2Permissions, graph ? 'api.oauth2PermissionScopes' : 'oauth2Permissions')
    .filter((s) => typeof s.value === 'string')
    .map((s) => ({ value: s.value, id: text(s.id), isEnabled: s.isEnabled !== false, type: text(s.type) }));
  /** @type {ManifestRole[]} */
  const appRoles = objects(m.appRoles, 'appRoles')
    .filter((r) => typeof r.value === 'string')
    .map((r) => ({
      value: r.value, id: text(r.id), isEnabled: r.isEnabled !== false,
      allowedMemberTypes: Array.isArray(r.allowedMemberTypes) ? r.allowedMemberTypes.filter((t) => typeof t === 'string') : [],
    }));
  let signInAudience = text(m.signInAudience);
  if (signInAudience === null && typeof m.availableToOtherTenants === 'boolean') signInAudience = m.availableToOtherTenants ? 'AzureADMultipleOrgs' : 'AzureADMyOrg';
  const accessTokenClaims = isObject(m.optionalClaims) && Array.isArray(m.optionalClaims.accessToken) ? m.optionalClaims.accessToken : [];
  const audienceIsClientId = accessTokenClaims.some((c) => isObject(c) && c.name === 'aud' && Array.isArray(c.additionalProperties) && c.additionalProperties.includes('use_guid'));
  const signingKeys = objects(m.keyCredentials, 'keyCredentials').filter((k) => typeof k.usage === 'string' && k.usage.toLowerCase() === 'sign').length;
  return {
    format, appId: m.appId, displayName: text(graph ? m.displayName ?? m.name : m.name ?? m.displayName), identifierUris,
    declaredTokenVersion, tokenVersion: declaredTokenVersion === 2 ? 2 : 1, signInAudience, audienceIsClientId, scopes, appRoles, signingKeys,
  };
}

// --- the options ----------------------------------------------------------------------------------------

/**
 * @param {string} name
 * @param {unknown} value
 * @returns {string[] | undefined}
 */
function stringList(name, value) {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
    throw new DoctorInputError(`${name} must be a list of non-empty strings, not ${q(value)}`);
  }
  return value;
}

/**
 * @param {DoctorOptions} options
 * @param {AppRegistration} app
 * @returns {ResolvedDoctorOptions}
 */
function resolveOptions(options, app) {
  if (!isObject(options)) throw new DoctorInputError('the options must be an object');
  const { resource, tenantId } = options;
  if (typeof resource !== 'string' || resource === '') {
    throw new DoctorInputError('resource is required: the URL the protected-resource metadata advertises (e.g. https://mcp.contoso.com/mcp)');
  }
  if (tenantId !== undefined && tenantId !== null && typeof tenantId !== 'string') throw new DoctorInputError(`tenantId must be a string, not ${q(tenantId)}`);
  const audience = typeof options.audience === 'string' ? [options.audience] : stringList('audience', options.audience);
  const acceptedVersions = stringList('acceptedVersions', options.acceptedVersions);
  const bad = acceptedVersions?.find((v) => v !== '1.0' && v !== '2.0');
  if (bad !== undefined) throw new DoctorInputError(`acceptedVersions may hold "1.0" and "2.0", not ${q(bad)}`);
  return {
    resource,
    tenantId: tenantId ?? null,
    audience: audience ?? unique([app.appId, ...app.identifierUris]),
    audienceDefaulted: audience === undefined,
    requiredScopes: stringList('requiredScopes', options.requiredScopes) ?? [],
    requiredRoles: stringList('requiredRoles', options.requiredRoles) ?? [],
    acceptedVersions: /** @type {Array<'1.0' | '2.0'> | undefined} */ (acceptedVersions) ?? null,
    scopesSupported: stringList('scopesSupported', options.scopesSupported) ?? null,
  };
}

// --- the checks -----------------------------------------------------------------------------------------

/**
 * What every check reads, and where findings go.
 * @typedef {object} Context
 * @property {AppRegistration} app
 * @property {ResolvedDoctorOptions} opts
 * @property {DoctorFinding[]} findings
 * @property {URL | null} url the resource, parsed, when it is usable as one (not api://, not invalid)
 * @property {string} target the resource without a trailing slash: what the identifier URI must be, and the scopes' prefix
 */

/**
 * @param {Context} ctx
 * @param {DoctorFindingId} id
 * @param {Omit<DoctorFinding, 'id' | 'severity'>} details
 */
function report(ctx, id, details) {
  ctx.findings.push({ id, severity: FINDINGS[id].severity, ...details });
}

/** Manifest lines and commands, in the manifest's own format (and the current one, for old exports). */
const fixes = {
  /**
   * A manifest change, as a line of the manifest's format; for an Azure AD Graph export also in the
   * Microsoft Graph format, the only one the admin center edits since January 2025.
   * @param {AppRegistration} app
   * @param {string} graphLine
   * @param {string} [legacyLine]
   */
  manifest(app, graphLine, legacyLine = graphLine) {
    if (app.format === 'microsoft-graph' || graphLine === legacyLine) return [`manifest: ${graphLine}`];
    return [`manifest (Azure AD Graph format, as exported): ${legacyLine}`, `manifest (Microsoft Graph format, which the admin center edits): ${graphLine}`];
  },
  /** @param {AppRegistration} app */
  tokenVersion2(app) {
    return [
      ...fixes.manifest(app, '"api": { ..., "requestedAccessTokenVersion": 2 }', '"accessTokenAcceptedVersion": 2'),
      `az ad app update --id ${app.appId} --set api.requestedAccessTokenVersion=2`,
    ];
  },
  /**
   * {@link fixes.tokenVersion2} as one line: the first way, and the others in parentheses.
   * @param {AppRegistration} app
   */
  tokenVersion2Line(app) {
    const [line, ...others] = fixes.tokenVersion2(app);
    return `${line}  (or ${others.join('; or ')})`;
  },
  /**
   * @param {AppRegistration} app
   * @param {string[]} uris the whole new list
   */
  identifierUris(app, uris) {
    return [
      ...fixes.manifest(app, `"identifierUris": ${list(uris)}`),
      `az ad app update --id ${app.appId} --identifier-uris ${uris.map(shellWord).join(' ')}  (the list replaces the current one)`,
      `Microsoft Graph: PATCH https://graph.microsoft.com/v1.0/applications(appId='${app.appId}') {"identifierUris": ${list(uris)}}`,
    ];
  },
  /** @param {AppRegistration} app */
  scopesField: (app) => (app.format === 'microsoft-graph' ? 'api.oauth2PermissionScopes' : 'oauth2Permissions'),
  /** @param {AppRegistration} app */
  versionField: (app) => (app.format === 'microsoft-graph' ? 'api.requestedAccessTokenVersion' : 'accessTokenAcceptedVersion'),
  /**
   * @param {AppRegistration} app
   * @param {string} value
   */
  addScope(app, value) {
    const scope = `{ "value": ${q(value)}, "id": "<new GUID>", "isEnabled": true, "type": "User", "adminConsentDisplayName": ${q(value)}, "adminConsentDescription": ${q(`Use ${value}`)}, "userConsentDisplayName": ${q(value)}, "userConsentDescription": ${q(`Use ${value}`)} }`;
    return [
      ...fixes.manifest(app, `"api": { "oauth2PermissionScopes": [ ..., ${scope} ] }`, `"oauth2Permissions": [ ..., ${scope} ]`),
      `or in the Entra admin center: App registrations > ${app.displayName ?? app.appId} > Expose an API > Add a scope: ${value}, enabled  (a new GUID: node -p "crypto.randomUUID()")`,
    ];
  },
  /**
   * @param {AppRegistration} app
   * @param {string} value
   * @param {string[]} memberTypes
   */
  addRole(app, value, memberTypes) {
    const role = `{ "value": ${q(value)}, "id": "<new GUID>", "isEnabled": true, "allowedMemberTypes": ${list(memberTypes)}, "displayName": ${q(value)}, "description": ${q(value)} }`;
    return [
      ...fixes.manifest(app, `"appRoles": [ ..., ${role} ]`),
      `or in the Entra admin center: App registrations > ${app.displayName ?? app.appId} > App roles > Create app role: ${value}, allowed member types ${memberTypes.join(' and ')}; then assign it to the callers`,
    ];
  },
};

/** @param {string} hostname */
const isLoopback = (hostname) => hostname === 'localhost' || hostname.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === '[::1]';

/** @param {Context} ctx */
function checkResource(ctx) {
  const { resource } = ctx.opts;
  const { app } = ctx;
  if (!URL.canParse(resource)) {
    report(ctx, 'resource-not-url', {
      message: `The resource ${q(resource)} is not an absolute URL.`,
      expected: 'the MCP server endpoint\'s absolute https URL, e.g. "https://mcp.contoso.com/mcp"',
      actual: q(resource),
      consequence: 'MCP clients cannot use the protected-resource metadata at all, and entra-guard refuses the resource setting (config_invalid).',
      fix: ['resource: \'https://<your MCP server host>/mcp\'  (the MCP endpoint clients connect to: entra-guard settings.resource and protectedResourceMetadata)'],
    });
    return;
  }
  const url = new URL(resource);
  if (url.protocol === 'api:') {
    // The app's https identifier URI, if it has one, is the server URL to advertise.
    const registered = app.identifierUris.find((u) => /^https:\/\/[^/]/i.test(u) && !u.endsWith('/'));
    const server = registered ?? 'https://<your MCP server host>/mcp';
    report(ctx, 'resource-api-scheme', {
      message: `The advertised resource is the api:// URI ${q(resource)}. MCP clients accept the metadata's resource only if it has the origin of the server URL they connected to and a prefix of its path (the MCP SDK's checkResourceAllowed), so they refuse it.`,
      expected: 'the MCP server\'s own URL (https://host/path), registered as one of the app\'s identifier URIs',
      actual: q(resource),
      consequence: 'MCP clients stop before sign-in ("Protected resource api://... does not match expected https://..."), and no token is requested.',
      fix: [
        `resource: '${server}'  (${registered ? 'the app\'s https identifier URI, if it is the URL clients connect to' : 'the URL clients connect to'})`,
        ...(registered ? [] : fixes.manifest(app, `"identifierUris": ${list(unique([...app.identifierUris, server]))}  (keep ${resource} for other clients)`)),
        `scopes_supported: ${list(app.scopes.filter((s) => s.isEnabled).map((s) => `${server}/${s.value}`))}`,
      ],
    });
    return;
  }
  ctx.url = url;
  ctx.target = noSlash(resource);
  const local = url.protocol === 'http:' && isLoopback(url.hostname);
  if (url.protocol !== 'https:' && !local) {
    const https = url.protocol === 'http:' ? resource.replace(/^http:/i, 'https:') : 'https://<your MCP server host>/mcp';
    report(ctx, 'resource-not-https', {
      message: `The resource uses ${url.protocol.slice(0, -1)}:, not https: (plain http is only for loopback, when testing locally).`,
      expected: 'an https URL',
      actual: q(resource),
      consequence: 'AADSTS9010010: Entra registers identifier URIs only as api:// or https:// URIs, so no identifier URI can equal this resource; bearer tokens also need TLS (OAuth 2.1 §1.5).',
      fix: [`resource: '${https}'  (serve the MCP endpoint over TLS, and register that URL in identifierUris)`],
    });
  }
  if (resource.includes('#')) {
    const clean = resource.slice(0, resource.indexOf('#'));
    report(ctx, 'resource-fragment', {
      message: 'The resource has a #fragment: RFC 8707 §2 forbids one in a resource indicator, and MCP clients drop it from the server URL they compare it with.',
      expected: q(clean),
      actual: q(resource),
      consequence: 'AADSTS9010010 (no identifier URI is the URL with its fragment), or a refusal by the client or by entra-guard.',
      fix: [`resource: '${clean}'`],
    });
  }
  if (url.search) {
    const clean = `${url.origin}${url.pathname}`;
    report(ctx, 'resource-query', {
      message: 'The resource has a ?query: RFC 8707 §2 says a resource indicator SHOULD NOT have one.',
      expected: q(clean),
      actual: q(resource),
      consequence: 'Clients send the query as part of resource=, and Entra compares it with the identifier URIs exactly: any difference in the parameters or their order is AADSTS9010010.',
      fix: [`resource: '${clean}'  (and the same URI in identifierUris)`],
    });
  }
  if (resource.endsWith('/')) {
    const pathless = url.pathname === '/';
    report(ctx, 'resource-trailing-slash', {
      message: 'The resource ends with "/". An identifier URI cannot end with a slash (Entra refuses to register one), so this resource can never equal one.',
      expected: q(ctx.target),
      actual: q(resource),
      consequence: 'AADSTS9010010: MCP clients send the metadata\'s resource verbatim as resource=, and Microsoft names the trailing slash as the usual cause of this error.',
      fix: [`resource: '${ctx.target}'${pathless ? `  (better: the MCP endpoint with its path, e.g. '${url.origin}/mcp')` : ''}  (entra-guard settings.resource and protectedResourceMetadata)`],
    });
  } else if (url.pathname === '/' && !url.search) {
    report(ctx, 'resource-no-path', {
      message: `The resource ${q(resource)} has no path. A URL parser turns it into ${q(url.href)}, with a slash, and MCP clients that send URL.href (the MCP TypeScript SDK before it sent the metadata's resource verbatim) pass that to Entra.`,
      expected: 'the MCP endpoint\'s URL with its path, without a trailing slash (Microsoft: "an HTTPS endpoint with a nonempty path and no trailing slash")',
      actual: q(resource),
      consequence: `AADSTS9010010 with those clients: ${q(url.href)} is not the identifier URI ${q(resource)}, and an identifier URI cannot end with "/".`,
      fix: [`resource: '${url.origin}/mcp'  (the MCP endpoint's own path, if it is /mcp), registered in identifierUris as it is`],
    });
  }
}

/** @param {Context} ctx */
function checkIdentifierUri(ctx) {
  if (!ctx.url) return;
  const { app, target } = ctx;
  const uris = app.identifierUris;
  if (uris.includes(target)) return;
  const replace = (/** @type {string} */ found) => unique(uris.map((u) => (u === found ? target : u)));
  const slashed = uris.find((u) => noSlash(u) === target);
  if (slashed !== undefined) {
    report(ctx, 'resource-identifier-uri-slash', {
      message: `The identifier URI ${q(slashed)} ends with "/" and the resource ${q(target)} does not: Entra compares them character for character (and no longer accepts identifier URIs ending with a slash).`,
      expected: `identifierUris containing ${q(target)}`,
      actual: `identifierUris ${list(uris)}`,
      consequence: `AADSTS9010010 at sign-in: MCP clients send resource=${target}, which is not ${slashed}.`,
      fix: fixes.identifierUris(app, replace(slashed)),
    });
    return;
  }
  const cased = uris.find((u) => noSlash(u).toLowerCase() === target.toLowerCase());
  if (cased !== undefined) {
    report(ctx, 'resource-identifier-uri-case', {
      message: `The identifier URI ${q(cased)} differs from the resource ${q(target)} in case: Entra compares them character for character (scheme, host and path).`,
      expected: `identifierUris containing ${q(target)}`,
      actual: `identifierUris ${list(uris)}`,
      consequence: `AADSTS9010010 at sign-in: MCP clients send resource=${target}, which is not ${cased}.`,
      fix: fixes.identifierUris(app, replace(cased)),
    });
    return;
  }
  /** @type {string[]} */
  const fix = [];
  const https = ctx.url.protocol === 'https:';
  if (app.tokenVersion !== 2 && !app.audienceIsClientId && https) {
    fix.push(`first, v2.0 tokens (Entra may refuse an https identifier URI that is the server URL on an app with v1.0 tokens; Microsoft's MCP guide sets this first): ${fixes.tokenVersion2Line(app)}`);
  }
  fix.push(...fixes.identifierUris(app, unique([...uris, target])));
  if (https && !ctx.url.hostname.endsWith('.onmicrosoft.com')) {
    fix.push(`note: Entra accepts an https identifier URI only on a domain verified in your tenant (or a subdomain of one) unless the tenant's policy allows others; if the update is refused for that reason, verify ${ctx.url.hostname} (or its parent domain) under Entra ID > Domain names first (this cannot be checked offline)`);
  }
  if (!https) fix.push('note: Entra registers only api:// and https:// identifier URIs; to test locally with Entra, expose the server through an https URL (a tunnel) and register that');
  report(ctx, 'resource-not-identifier-uri', {
    message: `The resource is not one of the app's identifier URIs (Application ID URIs)${uris.length === 0 ? ': the app has none' : ''}.`,
    expected: `identifierUris containing ${q(target)}`,
    actual: `identifierUris ${list(uris)}`,
    consequence: `AADSTS9010010 at sign-in ("The resource parameter provided in the request doesn't match with the requested scopes"): MCP clients send resource=${target} (RFC 8707), and Entra issues a token only when it equals one of the app's identifier URIs.`,
    fix,
  });
}

/**
 * The scopes_supported a server should advertise: the required scopes, else every enabled user scope,
 * qualified with the resource.
 * @param {Context} ctx
 */
function suggestedScopes(ctx) {
  const { app, opts, target } = ctx;
  const bare = opts.requiredScopes.filter((s) => app.scopes.some((x) => x.value === s && x.isEnabled));
  const values = bare.length ? bare : app.scopes.filter((s) => s.isEnabled && s.type !== 'Admin').map((s) => s.value);
  return (values.length ? values : ['<scope>']).map((s) => `${target}/${s}`);
}

/** @param {Context} ctx */
function checkScopesSupported(ctx) {
  const { app, opts } = ctx;
  const appOnly = opts.requiredRoles.length > 0 && opts.requiredScopes.length === 0;
  const advertised = opts.scopesSupported;
  if (advertised === null || advertised.length === 0) {
    if (!ctx.url || appOnly) return;
    const suggestion = suggestedScopes(ctx);
    report(ctx, 'scopes-supported-missing', {
      message: 'The protected-resource metadata advertises no scopes_supported, and a 401 without credentials names no scope, so MCP clients have no scope of this API to ask Entra for.',
      expected: `scopes_supported: ${list(suggestion)}`,
      actual: advertised === null ? 'no scopes_supported' : 'scopes_supported: []',
      consequence: 'Clients ask for no scope of this app (or only openid / offline_access): Entra refuses the request or issues a token for another resource, which the server refuses (401 audience_invalid).',
      fix: [`scopes_supported: ${list(suggestion)}  in the protected-resource metadata (entra-guard: the scopesSupported option of protectedResourceMetadata)`],
    });
    return;
  }
  const prefix = `${ctx.target}/`;
  const ownPrefixes = unique([app.appId, `api://${app.appId}`, ...app.identifierUris].map((p) => `${noSlash(p)}/`)).filter((p) => p !== prefix);
  /** @type {string[]} */ const bare = [];
  /** @type {string[]} */ const foreign = [];
  /** @type {string[]} */ const other = [];
  /** @type {string[]} */ const corrected = [];
  for (const scope of advertised) {
    if (scope === 'offline_access') continue;
    if (OIDC_SCOPES.has(scope) || !ctx.url) {
      corrected.push(scope);
    } else if (scope.startsWith(prefix)) {
      corrected.push(scope);
      checkAdvertisedScope(ctx, scope, scope.slice(prefix.length));
    } else if (!scope.includes('/')) {
      bare.push(scope);
      corrected.push(`${prefix}${scope}`);
    } else {
      const own = ownPrefixes.find((p) => scope.toLowerCase().startsWith(p.toLowerCase()));
      if (own === undefined) {
        foreign.push(scope);
      } else {
        other.push(scope);
        corrected.push(`${prefix}${scope.slice(own.length)}`);
      }
    }
  }
  const fix = () => [`scopes_supported: ${list(unique(corrected))}  in the protected-resource metadata`];
  if (bare.length) {
    report(ctx, 'scopes-supported-unprefixed', {
      message: `scopes_supported lists ${list(bare)} without the resource: Entra names a scope of this app "{identifier URI}/{scope}", and reads a bare name as a Microsoft Graph scope.`,
      expected: list(bare.map((s) => `${prefix}${s}`)),
      actual: list(bare),
      consequence: `AADSTS9010010: clients ask for scope=${bare[0]} with resource=${ctx.target}, so the scope's resource (Microsoft Graph) is not the resource; clients that leave out resource= get AADSTS650053 (no such scope on Microsoft Graph) or a Graph token (401 audience_invalid).`,
      fix: fix(),
    });
  }
  if (foreign.length) {
    report(ctx, 'scopes-supported-foreign', {
      message: `scopes_supported lists ${list(foreign)}, scopes of another resource than this app: a token is for one resource.`,
      expected: `scopes under ${q(prefix)}`,
      actual: list(foreign),
      consequence: `AADSTS9010010 (resource=${ctx.target} with another resource's scopes), or AADSTS28000 when a request mixes resources.`,
      fix: fix(),
    });
  }
  if (other.length) {
    report(ctx, 'scopes-supported-other-identifier', {
      message: `scopes_supported lists ${list(other)}: scopes of this app, but qualified with another of its identifiers than the resource ${ctx.target}.`,
      expected: list(other.map((s) => `${prefix}${s.slice(/** @type {string} */ (ownPrefixes.find((p) => s.toLowerCase().startsWith(p.toLowerCase()))).length)}`)),
      actual: list(other),
      consequence: `Entra resolves both to this app, so this may work; but Microsoft documents only resource=<identifier URI> with scopes under that same URI (its MCP guide), and a pair Entra does not accept fails with AADSTS9010010.`,
      fix: fix(),
    });
  }
  if (advertised.includes('offline_access')) {
    report(ctx, 'scopes-supported-offline-access', {
      message: 'scopes_supported lists offline_access. MCP 2026-07-28 ("Refresh Tokens"): servers SHOULD NOT advertise it, as refresh tokens are not a resource requirement; clients add it themselves when the authorization server offers it, as Entra does.',
      expected: 'no offline_access',
      actual: list(advertised),
      consequence: 'Clients that ask for every advertised scope ask for offline_access on each sign-in, and the MCP TypeScript SDK then adds prompt=consent: users see the consent screen every time.',
      fix: fix(),
    });
  }
  if (!ctx.url) return;
  const covers = (/** @type {string} */ value) => advertised.some((s) => s === `${prefix}${value}` || s === `${prefix}.default` || s === value
    || ownPrefixes.some((p) => s.toLowerCase() === `${p}${value}`.toLowerCase()));
  // Only scopes the app exposes: for the others, advertising them is not the fix (required-scope-*).
  const missing = opts.requiredScopes.filter((s) => !s.includes('/') && app.scopes.some((x) => x.value === s && x.isEnabled) && !covers(s));
  if (missing.length) {
    report(ctx, 'scopes-supported-missing-required', {
      message: `Every call requires ${list(missing)}, but scopes_supported does not list ${missing.length > 1 ? 'them' : 'it'}, so the token a client gets first lacks ${missing.length > 1 ? 'them' : 'it'}.`,
      expected: `scopes_supported including ${list(missing.map((s) => `${prefix}${s}`))}`,
      actual: list(advertised),
      consequence: '403 insufficient_scope on every call until the client steps up (another sign-in and consent); a step-up for a scope named without its prefix fails at Entra like a bare scope.',
      fix: [`scopes_supported: ${list(unique([...corrected, ...missing.map((s) => `${prefix}${s}`)]))}  in the protected-resource metadata`],
    });
  }
}

/**
 * One scopes_supported entry under the resource: the app must expose it, enabled.
 * @param {Context} ctx
 * @param {string} scope
 * @param {string} value
 */
function checkAdvertisedScope(ctx, scope, value) {
  const { app } = ctx;
  if (value === '.default') return;
  const exposed = app.scopes.find((s) => s.value === value);
  if (exposed?.isEnabled) return;
  const field = fixes.scopesField(app);
  report(ctx, 'scopes-supported-not-exposed', {
    message: exposed
      ? `scopes_supported lists ${q(scope)}, but the app's scope ${q(value)} is disabled (isEnabled: false).`
      : `scopes_supported lists ${q(scope)}, but the app exposes no delegated scope ${q(value)}.`,
    expected: `${field} with ${q(value)} enabled`,
    actual: `${field}: ${list(app.scopes.map((s) => `${s.value}${s.isEnabled ? '' : ' (disabled)'}`))}`,
    consequence: 'Sign-in fails: Entra refuses a scope the app does not expose (AADSTS650053, or AADSTS70011 invalid_scope).',
    fix: exposed
      ? fixes.manifest(app, `in ${field}, "isEnabled": true on the scope ${q(value)}${exposed.id ? ` (id ${exposed.id})` : ''}`)
      : [...fixes.addScope(app, value), `or take ${q(scope)} out of scopes_supported`],
  });
}

/** @param {Context} ctx */
function checkRequiredScopes(ctx) {
  const { app, opts } = ctx;
  const field = fixes.scopesField(app);
  for (const required of opts.requiredScopes) {
    if (required.includes('/')) {
      const value = required.slice(required.lastIndexOf('/') + 1);
      report(ctx, 'required-scope-prefixed', {
        message: `The required scope ${q(required)} is written with its resource, but a token's scp carries scope values without it (${q(value)}), so it never matches.`,
        expected: q(value),
        actual: q(required),
        consequence: '403 insufficient_scope on every call.',
        fix: [`requiredScopes: ${list(opts.requiredScopes.map((s) => s.slice(s.lastIndexOf('/') + 1)))}  (entra-guard settings; the prefixed form belongs in scopes_supported)`],
      });
      continue;
    }
    const scope = app.scopes.find((s) => s.value === required);
    if (!scope) {
      const role = app.appRoles.find((r) => r.value === required);
      const cased = app.scopes.find((s) => s.value.toLowerCase() === required.toLowerCase());
      const hint = required === '.default'
        ? ' ".default" is not a scope: a token requested with /.default carries the consented scopes themselves in scp.'
        : role ? ` ${q(required)} is an app role: tokens carry it in roles, not scp.`
          : cased ? ` The app exposes ${q(cased.value)}: scp carries that spelling.` : '';
      /** @type {string[]} */
      let fix;
      if (role) fix = [`requiredRoles: ${list(unique([...opts.requiredRoles, required]))} and requiredScopes without ${q(required)}  (entra-guard settings)`];
      else if (cased) fix = [`requiredScopes: ${list(opts.requiredScopes.map((s) => (s === required ? cased.value : s)))}  (entra-guard settings)`];
      else if (required === '.default') fix = [`requiredScopes: ${list(opts.requiredScopes.filter((s) => s !== '.default'))}  (list the scope values themselves)`];
      else fix = fixes.addScope(app, required);
      report(ctx, 'required-scope-not-exposed', {
        message: `The required scope ${q(required)} is not a delegated scope of the app.${hint}`,
        expected: `${field} with an enabled ${q(required)}`,
        actual: `${field}: ${list(app.scopes.map((s) => s.value))}`,
        consequence: 'No token carries it in scp: 403 insufficient_scope on every call, and a client asking Entra for it gets AADSTS650053 / AADSTS70011.',
        fix,
      });
    } else if (!scope.isEnabled) {
      report(ctx, 'required-scope-disabled', {
        message: `The required scope ${q(required)} is disabled in the manifest (isEnabled: false).`,
        expected: `${q(required)} enabled`,
        actual: `${q(required)} with "isEnabled": false`,
        consequence: 'Entra issues no token with a disabled scope: 403 insufficient_scope on every call, and AADSTS70011 for clients that ask for it.',
        fix: fixes.manifest(app, `in ${field}, "isEnabled": true on the scope ${q(required)}${scope.id ? ` (id ${scope.id})` : ''}`),
      });
    } else if (scope.type === 'Admin') {
      report(ctx, 'required-scope-admin-consent', {
        message: `The required scope ${q(required)} is "type": "Admin": only an administrator can consent to it.`,
        expected: '"type": "User" (users may consent), or admin consent granted for each MCP client',
        actual: '"type": "Admin"',
        consequence: 'Users of an MCP client nobody consented for get "Need admin approval" (AADSTS90094 / AADSTS65001) instead of a consent prompt, and no token.',
        fix: [
          ...fixes.manifest(app, `in ${field}, "type": "User" on the scope ${q(required)}, with its userConsentDisplayName and userConsentDescription`),
          'or grant admin consent for each MCP client application (Enterprise applications > the client > Permissions > Grant admin consent)',
        ],
      });
    }
  }
  const appOnly = opts.requiredRoles.length > 0 && opts.requiredScopes.length === 0;
  if (!app.scopes.some((s) => s.isEnabled) && opts.requiredScopes.length === 0 && !appOnly) {
    report(ctx, 'no-exposed-scopes', {
      message: 'The app exposes no enabled delegated scope, so MCP clients that act for a signed-in user have nothing of this API to ask for.',
      expected: `at least one enabled scope in ${field}`,
      actual: `${field}: ${list(app.scopes.map((s) => `${s.value}${s.isEnabled ? '' : ' (disabled)'}`))}`,
      consequence: 'Interactive clients get no user token for this API (AADSTS650053 / AADSTS70011 for any scope they try, or a token for another resource: 401 audience_invalid).',
      fix: [...fixes.addScope(app, 'mcp.tools'), `then scopes_supported: [${q(`${ctx.target}/mcp.tools`)}] in the metadata and requiredScopes: ["mcp.tools"]`],
    });
  }
}

/** @param {Context} ctx */
function checkRequiredRoles(ctx) {
  const { app, opts } = ctx;
  const delegated = opts.requiredScopes.length > 0;
  for (const required of opts.requiredRoles) {
    const role = app.appRoles.find((r) => r.value === required);
    if (!role) {
      const scope = app.scopes.find((s) => s.value === required);
      report(ctx, 'required-role-not-defined', {
        message: `The required app role ${q(required)} is not defined in appRoles.${scope ? ` ${q(required)} is a delegated scope: tokens carry it in scp, not roles.` : ''}`,
        expected: `appRoles with an enabled ${q(required)}`,
        actual: `appRoles: ${list(app.appRoles.map((r) => r.value))}`,
        consequence: 'No token carries it in roles: 403 insufficient_role on every call.',
        fix: scope
          ? [`requiredScopes: ${list(unique([...opts.requiredScopes, required]))} and requiredRoles without ${q(required)}  (entra-guard settings)`]
          : fixes.addRole(app, required, delegated ? ['User'] : ['Application']),
      });
    } else if (!role.isEnabled) {
      report(ctx, 'required-role-disabled', {
        message: `The required app role ${q(required)} is disabled in the manifest (isEnabled: false).`,
        expected: `${q(required)} enabled`,
        actual: `${q(required)} with "isEnabled": false`,
        consequence: 'Entra puts no disabled role in tokens: 403 insufficient_role on every call.',
        fix: fixes.manifest(app, `in appRoles, "isEnabled": true on the role ${q(required)}${role.id ? ` (id ${role.id})` : ''}`),
      });
    } else if (delegated && !role.allowedMemberTypes.includes('User')) {
      report(ctx, 'required-role-no-user', {
        message: `Calls require the scopes ${list(opts.requiredScopes)} and the app role ${q(required)}, but ${q(required)} allows only ${list(role.allowedMemberTypes)} members: user tokens (the ones with scp) never carry it, and app-only tokens have no scp.`,
        expected: '"allowedMemberTypes" including "User"',
        actual: `"allowedMemberTypes": ${list(role.allowedMemberTypes)}`,
        consequence: '403 on every call: no token can satisfy both requirements.',
        fix: [
          ...fixes.manifest(app, `in appRoles, "allowedMemberTypes": ["User", "Application"] on the role ${q(required)}, then assign it to the users`),
          'or require the role without the scopes, on the routes app-only callers use',
        ],
      });
    } else if (!delegated && !role.allowedMemberTypes.includes('Application')) {
      report(ctx, 'required-role-no-application', {
        message: `The required app role ${q(required)} allows only ${list(role.allowedMemberTypes)} members: it cannot be granted to an application, so app-only callers (client credentials, agent identities) never get it.`,
        expected: '"allowedMemberTypes" including "Application"',
        actual: `"allowedMemberTypes": ${list(role.allowedMemberTypes)}`,
        consequence: '403 insufficient_role for every app-only caller; only users assigned the role get through.',
        fix: fixes.manifest(app, `in appRoles, "allowedMemberTypes": ["User", "Application"] on the role ${q(required)} (or ["Application"] if only applications call)`),
      });
    }
  }
}

/** @param {Context} ctx */
function checkTokenVersion(ctx) {
  const { app, opts } = ctx;
  const field = fixes.versionField(app);
  const declared = app.declaredTokenVersion === null ? 'null' : String(app.declaredTokenVersion);
  if (app.signInAudience !== null && PERSONAL_AUDIENCES.has(app.signInAudience) && app.declaredTokenVersion !== 2) {
    report(ctx, 'personal-accounts-require-v2', {
      message: `signInAudience is ${app.signInAudience}, which Entra allows only with v2.0 access tokens, but ${field} is ${declared}.`,
      expected: `${field}: 2`,
      actual: `${field}: ${declared}`,
      consequence: 'Entra requires 2 for an app that personal accounts sign in to: the manifest cannot be saved this way, and personal accounts get only v2.0 tokens.',
      fix: fixes.tokenVersion2(app),
    });
  } else if (app.tokenVersion === 1) {
    report(ctx, 'access-token-v1', {
      message: `The app issues v1.0 access tokens (${field} is ${declared}${app.declaredTokenVersion === null ? ', which means 1' : ''}); Microsoft's MCP guidance requires v2.0. ${app.audienceIsClientId
        ? 'The aud optional claim with use_guid makes aud the client id, but the issuer is still the v1.0 one (https://sts.windows.net/{tenant}/), not the v2.0 authority the metadata names.'
        : 'A v1.0 token\'s aud is whichever identifier URI (with or without a trailing slash) or client id Entra picks, and Entra may refuse to register the server URL as an identifier URI on such an app.'}`,
      expected: `${field}: 2`,
      actual: `${field}: ${declared}`,
      consequence: app.audienceIsClientId
        ? 'Works while the audience has the client id and both issuers are accepted (entra-guard\'s default); anything that expects the metadata\'s v2.0 issuer refuses the tokens.'
        : '401 audience_invalid whenever aud is a value the audience lacks; AADSTS9010010 if the server URL cannot be registered as an identifier URI.',
      fix: [...fixes.tokenVersion2(app), `then audience: [${q(app.appId)}]  (a v2.0 token's aud is always the client id)`],
    });
  }
  const issued = app.tokenVersion === 2 ? '2.0' : '1.0';
  if (opts.acceptedVersions && !opts.acceptedVersions.includes(issued)) {
    report(ctx, 'accepted-version-mismatch', {
      message: `acceptedVersions is ${list(opts.acceptedVersions)}, but the app issues v${issued} access tokens (${field} ${declared}).`,
      expected: `acceptedVersions including ${q(issued)}`,
      actual: `acceptedVersions ${list(opts.acceptedVersions)}`,
      consequence: '401 claim_invalid (ver) for every token.',
      fix: [
        `options: { acceptedVersions: [${q(issued)}] }  (or leave acceptedVersions out: entra-guard accepts both)`,
        ...(issued === '1.0' ? [`or make the app issue v2.0 tokens: ${fixes.tokenVersion2Line(app)}`] : []),
      ],
    });
  }
}

/** @param {Context} ctx */
function checkAudience(ctx) {
  const { app, opts } = ctx;
  const audience = opts.audience;
  const has = (/** @type {string} */ value) => audience.some((a) => noSlash(a) === noSlash(value));
  const clientIdOnly = app.tokenVersion === 2 || app.audienceIsClientId;
  const where = opts.audienceDefaulted ? 'the default audience' : 'the audience';
  if (!has(app.appId)) {
    const why = app.tokenVersion === 2 ? 'a v2.0 access token\'s aud is always the API\'s client id'
      : app.audienceIsClientId ? 'the aud optional claim with use_guid makes a v1.0 token\'s aud the client id'
        : 'a v1.0 token\'s aud is the client id when a client names the API by it (e.g. the scope "<client id>/.default")';
    report(ctx, 'audience-missing-client-id', {
      message: `${where[0].toUpperCase()}${where.slice(1)} lacks the client id ${app.appId}: ${why}.`,
      expected: `audience including ${q(app.appId)}`,
      actual: `audience ${list(audience)}`,
      consequence: clientIdOnly ? '401 audience_invalid for every token.' : '401 audience_invalid for the tokens whose aud is the client id.',
      fix: [`options: { audience: ${list(clientIdOnly ? [app.appId] : unique([app.appId, ...audience]))} }  (the validator's options)`],
    });
  }
  if (!clientIdOnly) {
    // The resource too: it must become an identifier URI, and then it is the aud of MCP clients' v1.0 tokens.
    const uris = unique([...app.identifierUris, ...(ctx.url ? [ctx.target] : [])]);
    const missing = uris.filter((u) => !has(u));
    if (missing.length) {
      const resourceMissing = ctx.url !== null && missing.some((u) => noSlash(u) === ctx.target);
      report(ctx, 'audience-missing-identifier-uri', {
        message: `The app issues v1.0 tokens, whose aud is the identifier URI the client named (the resource, for MCP clients) or another of the app's URIs, and ${where} lacks ${list(missing)}.`,
        expected: `audience including ${list(uris)}`,
        actual: `audience ${list(audience)}`,
        consequence: `401 audience_invalid for tokens whose aud is ${missing[0]}${resourceMissing ? ': every token an MCP client gets' : ''}.`,
        fix: [
          `options: { audience: ${list(unique([app.appId, ...audience, ...uris]))} }  (the validator's options)`,
          `or v2.0 tokens, whose aud is always the client id: ${fixes.tokenVersion2Line(app)}, then audience: [${q(app.appId)}]`,
        ],
      });
    }
  }
  const own = [app.appId, `api://${app.appId}`, ...app.identifierUris].map(noSlash);
  const foreign = audience.filter((a) => !own.includes(noSlash(a)));
  if (foreign.length) {
    report(ctx, 'audience-foreign', {
      message: `The audience includes ${list(foreign)}, neither the app's client id nor one of its identifier URIs.`,
      expected: `audience within ${list(unique([app.appId, ...app.identifierUris]))}`,
      actual: `audience ${list(audience)}`,
      consequence: 'No token for this app carries it, but a token Entra issued for another resource with that aud is accepted: the token passthrough MCP forbids (a server accepts only tokens issued for itself).',
      fix: [`options: { audience: ${list(audience.filter((a) => !foreign.includes(a)))} }  (the validator's options)`],
    });
  }
}

/** @param {Context} ctx */
function checkTenant(ctx) {
  const { app, opts } = ctx;
  const tenant = opts.tenantId;
  if (tenant === null) return;
  const guidFix = 'options: { tenantId: \'<your tenant GUID>\' }  (Tenant ID on the Entra admin center\'s overview; az account show --query tenantId -o tsv)';
  const domain = tenant.includes('.');
  if (!isTenant(tenant)) {
    report(ctx, 'tenant-invalid', {
      message: `tenantId ${q(tenant)} is neither a tenant GUID nor common / organizations / consumers.${domain ? ' A domain name names the tenant for Entra, but entra-guard needs its GUID: it is part of every issuer it checks.' : ''}`,
      expected: 'a tenant GUID, or common / organizations / consumers',
      actual: q(tenant),
      consequence: 'entra-guard refuses the options (config_invalid: the server does not start, or answers 500), and the metadata\'s authorization_servers names no usable Entra authority.',
      fix: [guidFix],
    });
    return;
  }
  const audience = app.signInAudience;
  const consumers = tenant === 'consumers' || tenant.toLowerCase() === ENTRA.consumerTenantId;
  const alias = ENTRA.tenantAliases.includes(tenant);
  if (consumers && (audience === 'AzureADMyOrg' || audience === 'AzureADMultipleOrgs')) {
    report(ctx, 'tenant-account-type-mismatch', {
      message: `tenantId is ${tenant} (personal Microsoft accounts), but signInAudience ${audience} accepts only work or school accounts.`,
      expected: audience === 'AzureADMyOrg' ? 'your tenant\'s GUID' : '"organizations" or a tenant GUID',
      actual: q(tenant),
      consequence: 'Sign-in at the consumers authority fails (the app does not accept personal accounts), and no token of a work account is issued by the consumer tenant.',
      fix: [guidFix, ...fixes.manifest(app, '"signInAudience": "AzureADandPersonalMicrosoftAccount" (and v2.0 tokens) if personal accounts are meant to call')],
    });
  } else if (audience === 'PersonalMicrosoftAccount' && !consumers) {
    report(ctx, 'tenant-account-type-mismatch', {
      message: `The app accepts only personal Microsoft accounts (signInAudience PersonalMicrosoftAccount), whose tokens come from the consumer tenant ${ENTRA.consumerTenantId}, but tenantId is ${tenant}.`,
      expected: '"consumers"',
      actual: q(tenant),
      consequence: `401 issuer_invalid for every token${alias ? '' : ', and sign-in at a work tenant\'s authority fails'}: the issuer is the consumer tenant's.`,
      fix: ['options: { tenantId: \'consumers\' }'],
    });
  } else if (audience === 'AzureADMyOrg' && alias) {
    report(ctx, 'tenant-alias-single-tenant-app', {
      message: `tenantId is ${tenant}, a multi-tenant authority, but the app's signInAudience is AzureADMyOrg (this organization only).`,
      expected: 'your tenant\'s GUID',
      actual: q(tenant),
      consequence: `AADSTS50194 at sign-in ("Application ... is not configured as a multi-tenant application. Usage of the /common endpoint is not supported..."): the metadata sends clients to the /${tenant} authority.`,
      fix: [`${guidFix}; the metadata's authorization_servers then names https://login.microsoftonline.com/<tenant GUID>/v2.0`, ...fixes.manifest(app, '"signInAudience": "AzureADMultipleOrgs" if other organizations are meant to call (entra-guard then needs allowedTenants)')],
    });
  } else if (audience !== null && MULTI_TENANT_AUDIENCES.has(audience) && !alias && !consumers) {
    report(ctx, 'tenant-single-multitenant-app', {
      message: `signInAudience is ${audience} (other organizations${audience === 'AzureADMultipleOrgs' ? '' : ' and personal accounts'} may sign in), but tenantId ${tenant} makes the server accept tokens of that one tenant.`,
      expected: `tenantId "organizations"${audience === 'AzureADMultipleOrgs' ? '' : ' or "common"'} with allowedTenants, or signInAudience AzureADMyOrg`,
      actual: `tenantId ${q(tenant)}`,
      consequence: 'Users of other tenants sign in only as guests of this one, or get 401 issuer_invalid / tenant_not_allowed with tokens from their own tenant; personal accounts cannot use this tenant\'s authority.',
      fix: [
        'options: { tenantId: \'organizations\', allowedTenants: [\'<tenant GUID>\', ...] }  (entra-guard; the metadata\'s authorization_servers then names https://login.microsoftonline.com/organizations/v2.0)',
        ...fixes.manifest(app, '"signInAudience": "AzureADMyOrg" if only this organization calls'),
      ],
    });
  }
}

/** @param {Context} ctx */
function checkSigningKeys(ctx) {
  const { app } = ctx;
  if (app.signingKeys === 0) return;
  report(ctx, 'signing-key-app-specific', {
    message: `The app has ${app.signingKeys} signing key${app.signingKeys > 1 ? 's' : ''} of its own (keyCredentials with "usage": "Sign", for claims mapping). Tokens Entra signs with such a key verify only against the keys published with ?appid=${app.appId}.`,
    expected: `the JWKS of https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys?appid=${app.appId}`,
    actual: 'entra-guard\'s default: the tenant-wide JWKS',
    consequence: '401 key_not_found: the tenant-wide JWKS lacks the app\'s own key.',
    fix: [`jwks: createRemoteJwks({ tenantId, appId: '${app.appId}' })  (entra-guard settings)`],
  });
}

/**
 * What the doctor cannot know from a manifest and the options.
 * @param {Context} ctx
 */
function notChecked(ctx) {
  const { opts } = ctx;
  let metadataUrl = null;
  try {
    if (ctx.url) metadataUrl = protectedResourceMetadataUrl(ctx.target);
  } catch {
    // An unusable resource is already a finding.
  }
  return [
    `What the server really serves: the doctor trusts the options it is given${metadataUrl ? `; compare with curl ${metadataUrl}` : ''}.`,
    'Which domains your tenant has verified, and its app management policies (Block custom identifier URIs, identifier URIs without a unique tenant identifier): they decide whether Entra lets you add an https identifier URI. URIs already in the manifest were accepted.',
    'Consent and assignments: whether users or an admin consented to the scopes for each MCP client, which callers hold the app roles, and "Assignment required" on the enterprise application (AADSTS50105).',
    'The MCP client\'s own registration (client id, redirect URIs, public client flows): Entra offers no dynamic client registration.',
    'Conditional Access, token lifetimes, and the keys Entra publishes.',
    ...(opts.tenantId === null ? ['The tenant: no tenantId was given (and a manifest does not name its tenant).'] : ['Whether tenantId is the tenant the app is registered in: a manifest does not name its tenant.']),
  ];
}

/**
 * Every check, over a manifest (parsed JSON) and the server's options.
 * @param {unknown} manifest
 * @param {DoctorOptions} options
 * @returns {DoctorReport}
 */
export function diagnose(manifest, options) {
  const app = readManifest(manifest);
  const opts = resolveOptions(options, app);
  /** @type {Context} */
  const ctx = { app, opts, findings: [], url: null, target: noSlash(opts.resource) };
  checkResource(ctx);
  checkIdentifierUri(ctx);
  checkScopesSupported(ctx);
  checkRequiredScopes(ctx);
  checkRequiredRoles(ctx);
  checkTokenVersion(ctx);
  checkAudience(ctx);
  checkTenant(ctx);
  checkSigningKeys(ctx);
  const findings = [...ctx.findings.filter((f) => f.severity === 'error'), ...ctx.findings.filter((f) => f.severity === 'warning')];
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { ok: errors === 0, errors, warnings: findings.length - errors, manifest: app, options: opts, findings, notChecked: notChecked(ctx) };
}

/**
 * 1 when there are errors (or, with `strict`, warnings), else 0.
 * @param {DoctorReport} report
 * @param {{ strict?: boolean }} [options]
 * @returns {0 | 1}
 */
export function exitCode(report, { strict = false } = {}) {
  return report.errors > 0 || (strict && report.warnings > 0) ? 1 : 0;
}

const FORMAT_NAMES = { 'microsoft-graph': 'Microsoft Graph app manifest', 'azure-ad-graph': 'Azure AD Graph app manifest' };

/**
 * The report as readable text.
 * @param {DoctorReport} report
 * @param {{ strict?: boolean }} [options]
 * @returns {string}
 */
export function formatReport(report, { strict = false } = {}) {
  const { manifest: app, options: opts } = report;
  const version = `v${app.tokenVersion}.0 access tokens (${fixes.versionField(app)} ${app.declaredTokenVersion === null ? 'null' : app.declaredTokenVersion})`;
  const lines = [
    `entra-guard doctor: ${app.displayName ? `${q(app.displayName)}, ` : ''}appId ${app.appId} (${FORMAT_NAMES[app.format]})`,
    `  app:    ${version}, signInAudience ${app.signInAudience ?? 'not set'}, identifierUris ${list(app.identifierUris)}`,
    `  server: resource ${opts.resource}, tenantId ${opts.tenantId ?? '(not given)'}, audience ${list(opts.audience)}${opts.audienceDefaulted ? ' (default)' : ''}`,
    `          scopes_supported ${opts.scopesSupported ? list(opts.scopesSupported) : '(none)'}, requiredScopes ${list(opts.requiredScopes)}, requiredRoles ${list(opts.requiredRoles)}${opts.acceptedVersions ? `, acceptedVersions ${list(opts.acceptedVersions)}` : ''}`,
    '',
  ];
  const label = (/** @type {string} */ name) => `  ${`${name}:`.padEnd(13)}`;
  const indent = ' '.repeat(15);
  for (const f of report.findings) {
    lines.push(`${f.severity} ${f.id}`, `  ${f.message}`, `${label('expected')}${f.expected}`, `${label('actual')}${f.actual}`, `${label('consequence')}${f.consequence}`);
    f.fix.forEach((fix, i) => lines.push(`${i === 0 ? label('fix') : indent}${fix}`));
    lines.push('');
  }
  const counts = `${report.errors} error${report.errors === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}`;
  lines.push(report.findings.length === 0 ? 'No problems found.' : `${counts}${strict && report.errors === 0 && report.warnings > 0 ? ' (--strict: warnings fail)' : ''}.`);
  lines.push('', 'Not checked (not knowable offline from a manifest and the options):', ...report.notChecked.map((n) => `  - ${n}`));
  return `${lines.join('\n')}\n`;
}
