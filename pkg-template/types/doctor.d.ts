// Types of the configuration doctor (lib/doctor.js, run by `entra-guard doctor`): an app registration
// manifest and an MCP server's entra-guard options in, findings out. Hand-written.

/** How bad a finding is: `error` breaks sign-in or every call; `warning` breaks some callers, or is a risk. */
export type DoctorSeverity = 'error' | 'warning';

/** Every finding the doctor can report. Stable: scripts may match on them. */
export type DoctorFindingId =
  | 'resource-not-url'
  | 'resource-api-scheme'
  | 'resource-not-https'
  | 'resource-fragment'
  | 'resource-query'
  | 'resource-trailing-slash'
  | 'resource-no-path'
  | 'resource-not-identifier-uri'
  | 'resource-identifier-uri-slash'
  | 'resource-identifier-uri-case'
  | 'scopes-supported-missing'
  | 'scopes-supported-unprefixed'
  | 'scopes-supported-foreign'
  | 'scopes-supported-other-identifier'
  | 'scopes-supported-not-exposed'
  | 'scopes-supported-offline-access'
  | 'scopes-supported-missing-required'
  | 'required-scope-prefixed'
  | 'required-scope-not-exposed'
  | 'required-scope-disabled'
  | 'required-scope-admin-consent'
  | 'no-exposed-scopes'
  | 'required-role-not-defined'
  | 'required-role-disabled'
  | 'required-role-no-user'
  | 'required-role-no-application'
  | 'personal-accounts-require-v2'
  | 'access-token-v1'
  | 'accepted-version-mismatch'
  | 'audience-missing-client-id'
  | 'audience-missing-identifier-uri'
  | 'audience-foreign'
  | 'tenant-invalid'
  | 'tenant-alias-single-tenant-app'
  | 'tenant-account-type-mismatch'
  | 'tenant-single-multitenant-app'
  | 'signing-key-app-specific';

/** One mismatch between the app registration and the server's options, and how to fix it. */
export interface DoctorFinding {
  id: DoctorFindingId;
  severity: DoctorSeverity;
  /** What is wrong, in one or two sentences. */
  message: string;
  /** What the doctor expected to find. */
  expected: string;
  /** What it found. */
  actual: string;
  /** What goes wrong at run time: the AADSTS error at sign-in, the 401 / 403 and its code... */
  consequence: string;
  /** The fix: manifest lines, options or commands, each complete (alternatives, or steps in order). */
  fix: string[];
}

/** The two formats the Entra admin center's Manifest page downloads. */
export type ManifestFormat = 'microsoft-graph' | 'azure-ad-graph';

export interface ManifestScope {
  value: string;
  id: string | null;
  isEnabled: boolean;
  /** `User` (users may consent) or `Admin` (admin consent only). */
  type: string | null;
}

export interface ManifestRole {
  value: string;
  id: string | null;
  isEnabled: boolean;
  /** `User` and / or `Application`. */
  allowedMemberTypes: string[];
}

/** What the doctor reads from a manifest, in either format. */
export interface AppRegistration {
  format: ManifestFormat;
  appId: string;
  displayName: string | null;
  identifierUris: string[];
  /** `requestedAccessTokenVersion` (Microsoft Graph format) or `accessTokenAcceptedVersion` (Azure AD Graph format), as written. */
  declaredTokenVersion: 1 | 2 | null;
  /** The access token version Entra issues: null means 1. */
  tokenVersion: 1 | 2;
  signInAudience: string | null;
  /** The `aud` optional claim with `use_guid`: v1 tokens then carry the client id as `aud`. */
  audienceIsClientId: boolean;
  /** Delegated permissions (`api.oauth2PermissionScopes` / `oauth2Permissions`). */
  scopes: ManifestScope[];
  appRoles: ManifestRole[];
  /** keyCredentials with usage `Sign`: app-specific signing keys (claims mapping). */
  signingKeys: number;
}

/** The server's options, as entra-guard names them. */
export interface DoctorOptions {
  /** The protected resource: the MCP server URL its protected-resource metadata advertises as `resource`. */
  resource: string;
  /** The validator's `tenantId`. Omitted: the tenant checks are skipped. */
  tenantId?: string;
  /** The validator's `audience`. Default: the app's client id and every identifier URI. */
  audience?: string | string[];
  /** Delegated scopes every call requires, as `scp` carries them (`mcp.tools`). */
  requiredScopes?: string[];
  /** App roles every call requires. */
  requiredRoles?: string[];
  /** The validator's `acceptedVersions`. Default both. */
  acceptedVersions?: Array<'1.0' | '2.0'>;
  /** `scopes_supported` as the protected-resource metadata advertises it. Omitted: it advertises none. */
  scopesSupported?: string[];
}

/** The options as the doctor used them (defaults applied). */
export interface ResolvedDoctorOptions {
  resource: string;
  tenantId: string | null;
  audience: string[];
  /** Whether `audience` is the default (the app's client id and identifier URIs). */
  audienceDefaulted: boolean;
  requiredScopes: string[];
  requiredRoles: string[];
  acceptedVersions: Array<'1.0' | '2.0'> | null;
  scopesSupported: string[] | null;
}

export interface DoctorReport {
  /** No errors (warnings allowed). */
  ok: boolean;
  errors: number;
  warnings: number;
  manifest: AppRegistration;
  options: ResolvedDoctorOptions;
  /** Errors first, then warnings, each in the order the checks run. */
  findings: DoctorFinding[];
  /** What the doctor cannot know offline, from a manifest and the options alone. */
  notChecked: string[];
}

/** Every finding id with its severity and a one-line summary, in the order the checks run. */
export declare const FINDINGS: Readonly<Record<DoctorFindingId, { readonly severity: DoctorSeverity; readonly summary: string }>>;
/** Every finding id, in the order the checks run. */
export declare const FINDING_IDS: readonly DoctorFindingId[];

/** The input is not what the doctor needs (not a manifest, options of the wrong type): the CLI's exit 2. */
export declare class DoctorInputError extends Error {
  readonly name: 'DoctorInputError';
}

/** Reads a manifest in either format. @throws DoctorInputError */
export declare function readManifest(manifest: unknown): AppRegistration;
/** Every check, over a manifest (parsed JSON) and the server's options. Pure: no I/O, no clock. @throws DoctorInputError */
export declare function diagnose(manifest: unknown, options: DoctorOptions): DoctorReport;
/** The report as readable text. */
export declare function formatReport(report: DoctorReport, options?: { strict?: boolean }): string;
/** 1 when there are errors (or, with `strict`, warnings), else 0. */
export declare function exitCode(report: DoctorReport, options?: { strict?: boolean }): 0 | 1;
