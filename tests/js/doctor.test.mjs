// The configuration doctor (`entra-guard doctor`, issue 11): manifests shaped like the Entra admin
// center's exports in both formats (tests/js/fixtures/manifests/: a correct one of each, and one per problem
// the manifest carries), the shipped CLI (pkg/bin/entra-guard.mjs, as built) run as a child process for
// exit codes, ids and fix texts, and the pure checks (pkg/lib/doctor.js) on their own. Every finding id is
// produced by at least one case below, and each case states the exact set of ids it expects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'pkg/bin/entra-guard.mjs');
const FIXTURES = join(ROOT, 'tests/js/fixtures/manifests');
const { FINDINGS, FINDING_IDS, DoctorInputError, diagnose, exitCode, formatReport, readManifest } = await import(join(ROOT, 'pkg/lib/doctor.js'));

const APP = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const RESOURCE = 'https://mcp.contoso.com/mcp';
const READ = `${RESOURCE}/mcp.tools.read`;
const WRITE = `${RESOURCE}/mcp.tools.write`;

/** @param {string} name */
const fixturePath = (name) => join(FIXTURES, name);
/** @param {string} name */
const fixture = (name) => JSON.parse(readFileSync(fixturePath(name), 'utf8'));

/** The options a correct server for graph-ok.json / legacy-ok.json has. */
const GOOD = { resource: RESOURCE, tenantId: TENANT, requiredScopes: ['mcp.tools.read'], scopesSupported: [READ, WRITE] };

/**
 * Options as CLI flags.
 * @param {Record<string, any>} options
 */
function flags(options) {
  const args = [];
  if (options.resource !== undefined) args.push('--resource', options.resource);
  if (options.tenantId !== undefined) args.push('--tenant', options.tenantId);
  for (const a of [options.audience ?? []].flat()) args.push('--audience', a);
  for (const s of options.requiredScopes ?? []) args.push('--scope', s);
  for (const r of options.requiredRoles ?? []) args.push('--role', r);
  for (const v of options.acceptedVersions ?? []) args.push('--accepted-version', v);
  for (const s of options.scopesSupported ?? []) args.push('--scopes-supported', s);
  return args;
}

/**
 * Runs the shipped CLI.
 * @param {string[]} args
 * @param {{ cwd?: string, nodeArgs?: string[] }} [options]
 */
function cli(args, { cwd = ROOT, nodeArgs = [] } = {}) {
  const run = spawnSync(process.execPath, [...nodeArgs, CLI, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.error, undefined, `the CLI did not run: ${run.error}`);
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Runs `doctor` with --json and returns the parsed report. @param {string[]} args */
function cliJson(args) {
  const run = cli(['doctor', ...args, '--json']);
  assert.equal(run.stderr, '', `stderr: ${run.stderr}`);
  return { status: run.status, report: JSON.parse(run.stdout), stdout: run.stdout };
}

/** No stack trace in what a user sees. @param {string} text */
const assertNoStack = (text) => assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+\)?\n|node:internal|Error: /, `a stack trace leaked: ${text}`);

// Every case: a fixture, the server's options, and exactly the ids it must produce.
const CASES = [
  // The resource the metadata advertises.
  { name: 'resource without a scheme', manifest: 'graph-ok.json', options: { ...GOOD, resource: 'mcp.contoso.com/mcp' }, ids: ['resource-not-url'] },
  { name: 'api:// as the advertised resource', manifest: 'graph-ok.json', options: { ...GOOD, resource: `api://${APP}`, scopesSupported: [`api://${APP}/mcp.tools.read`] }, ids: ['resource-api-scheme'] },
  { name: 'plain http off loopback', manifest: 'graph-ok.json', options: { ...GOOD, resource: 'http://mcp.contoso.com/mcp', scopesSupported: ['http://mcp.contoso.com/mcp/mcp.tools.read'] }, ids: ['resource-not-https', 'resource-not-identifier-uri'] },
  { name: 'a resource with a #fragment', manifest: 'graph-ok.json', options: { ...GOOD, resource: `${RESOURCE}#tools`, scopesSupported: [`${RESOURCE}#tools/mcp.tools.read`] }, ids: ['resource-fragment', 'resource-not-identifier-uri'] },
  { name: 'a resource with a ?query', manifest: 'graph-ok.json', options: { ...GOOD, resource: `${RESOURCE}?tenant=contoso`, scopesSupported: [`${RESOURCE}?tenant=contoso/mcp.tools.read`] }, ids: ['resource-query', 'resource-not-identifier-uri'] },
  { name: 'a trailing slash on the resource', manifest: 'graph-ok.json', options: { ...GOOD, resource: `${RESOURCE}/` }, ids: ['resource-trailing-slash'] },
  { name: 'a resource without a path', manifest: 'graph-ok.json', options: { ...GOOD, resource: 'https://mcp.contoso.com', scopesSupported: ['https://mcp.contoso.com/mcp.tools.read'] }, ids: ['resource-no-path', 'resource-not-identifier-uri'] },
  // The identifier URIs.
  { name: 'the resource is not an identifier URI (Microsoft Graph format)', manifest: 'graph-missing-identifier-uri.json', options: GOOD, ids: ['resource-not-identifier-uri'] },
  { name: 'the resource is not an identifier URI (Azure AD Graph format)', manifest: 'legacy-missing-identifier-uri.json', options: GOOD, ids: ['resource-not-identifier-uri'] },
  { name: 'an identifier URI with a trailing slash', manifest: 'graph-identifier-uri-trailing-slash.json', options: GOOD, ids: ['resource-identifier-uri-slash'] },
  { name: 'an identifier URI in other case', manifest: 'graph-identifier-uri-case.json', options: GOOD, ids: ['resource-identifier-uri-case'] },
  // scopes_supported.
  { name: 'no scopes_supported', manifest: 'graph-ok.json', options: { ...GOOD, scopesSupported: undefined }, ids: ['scopes-supported-missing'] },
  { name: 'bare scope names in scopes_supported', manifest: 'graph-ok.json', options: { ...GOOD, scopesSupported: ['mcp.tools.read', 'mcp.tools.write'] }, ids: ['scopes-supported-unprefixed'] },
  { name: 'another resource\'s scopes in scopes_supported', manifest: 'graph-ok.json', options: { ...GOOD, scopesSupported: [READ, 'https://graph.microsoft.com/User.Read'] }, ids: ['scopes-supported-foreign'] },
  { name: 'scopes under the api:// identifier', manifest: 'graph-ok.json', options: { ...GOOD, scopesSupported: [`api://${APP}/mcp.tools.read`] }, ids: ['scopes-supported-other-identifier'] },
  { name: 'a scope the app does not expose in scopes_supported', manifest: 'graph-ok.json', options: { ...GOOD, scopesSupported: [READ, `${RESOURCE}/mcp.admin`] }, ids: ['scopes-supported-not-exposed'] },
  { name: 'a disabled scope in scopes_supported', manifest: 'graph-scope-disabled.json', options: { ...GOOD, scopesSupported: [READ, WRITE] }, ids: ['scopes-supported-not-exposed'] },
  { name: 'offline_access in scopes_supported', manifest: 'graph-ok.json', options: { ...GOOD, scopesSupported: [READ, 'offline_access'] }, ids: ['scopes-supported-offline-access'] },
  { name: 'a required scope missing from scopes_supported', manifest: 'graph-ok.json', options: { ...GOOD, requiredScopes: ['mcp.tools.read', 'mcp.tools.write'], scopesSupported: [READ] }, ids: ['scopes-supported-missing-required'] },
  // Required scopes and roles.
  { name: 'a required scope with its prefix', manifest: 'graph-ok.json', options: { ...GOOD, requiredScopes: [READ] }, ids: ['required-scope-prefixed'] },
  { name: 'a required scope the app does not expose', manifest: 'graph-ok.json', options: { ...GOOD, requiredScopes: ['mcp.admin'], scopesSupported: [READ, `${RESOURCE}/mcp.admin`] }, ids: ['required-scope-not-exposed', 'scopes-supported-not-exposed'] },
  { name: 'a required scope that is disabled', manifest: 'graph-scope-disabled.json', options: { ...GOOD, requiredScopes: ['mcp.tools.write'], scopesSupported: [READ] }, ids: ['required-scope-disabled'] },
  { name: 'a required scope only an admin can consent to', manifest: 'legacy-scope-admin-only.json', options: { ...GOOD, requiredScopes: ['mcp.tools.write'], scopesSupported: [WRITE] }, ids: ['required-scope-admin-consent'] },
  { name: 'no exposed scope at all', manifest: 'graph-no-scopes.json', options: { resource: RESOURCE, tenantId: TENANT }, ids: ['no-exposed-scopes', 'scopes-supported-missing'] },
  { name: 'a required role the app does not define', manifest: 'graph-ok.json', options: { resource: RESOURCE, tenantId: TENANT, requiredRoles: ['Tools.Admin'] }, ids: ['required-role-not-defined'] },
  { name: 'a required role that is disabled', manifest: 'legacy-role-disabled.json', options: { resource: RESOURCE, tenantId: TENANT, requiredRoles: ['Tools.ReadWrite.All'] }, ids: ['required-role-disabled'] },
  { name: 'an app-only role on calls that also require scopes', manifest: 'graph-ok.json', options: { ...GOOD, requiredRoles: ['Tools.ReadWrite.All'] }, ids: ['required-role-no-user'] },
  { name: 'a role applications cannot hold, for app-only callers', manifest: 'graph-role-user-only.json', options: { resource: RESOURCE, tenantId: TENANT, requiredRoles: ['Tools.ReadWrite.All'] }, ids: ['required-role-no-application'] },
  // Token versions and audiences.
  { name: 'v1 tokens (Microsoft Graph format), the README\'s audience', manifest: 'graph-v1-tokens.json', options: { ...GOOD, audience: [APP, `api://${APP}`] }, ids: ['access-token-v1', 'audience-missing-identifier-uri'] },
  { name: 'v1 tokens (Azure AD Graph format), default audience', manifest: 'legacy-v1-tokens.json', options: GOOD, ids: ['access-token-v1'] },
  { name: 'v1 tokens with the aud optional claim (use_guid)', manifest: 'graph-v1-use-guid.json', options: { ...GOOD, audience: [APP] }, ids: ['access-token-v1'] },
  { name: 'personal accounts without v2 tokens', manifest: 'graph-personal-accounts-v1.json', options: { ...GOOD, tenantId: 'common', audience: [APP] }, ids: ['personal-accounts-require-v2', 'audience-missing-identifier-uri'] },
  { name: 'acceptedVersions without the app\'s version', manifest: 'graph-ok.json', options: { ...GOOD, acceptedVersions: ['1.0'] }, ids: ['accepted-version-mismatch'] },
  { name: 'a v2 app, and an audience without the client id', manifest: 'graph-ok.json', options: { ...GOOD, audience: [RESOURCE, `api://${APP}`] }, ids: ['audience-missing-client-id'] },
  { name: 'an audience of another app', manifest: 'graph-ok.json', options: { ...GOOD, audience: [APP, 'api://00000000-1111-4222-8333-444444444444'] }, ids: ['audience-foreign'] },
  // The tenant.
  { name: 'a domain name as tenantId', manifest: 'graph-ok.json', options: { ...GOOD, tenantId: 'contoso.onmicrosoft.com' }, ids: ['tenant-invalid'] },
  { name: 'common for a single-tenant app', manifest: 'graph-ok.json', options: { ...GOOD, tenantId: 'common' }, ids: ['tenant-alias-single-tenant-app'] },
  { name: 'consumers for a work-account app', manifest: 'legacy-ok.json', options: { ...GOOD, tenantId: 'consumers' }, ids: ['tenant-account-type-mismatch'] },
  { name: 'a work tenant for a personal-accounts app', manifest: 'legacy-personal-accounts-only.json', options: GOOD, ids: ['tenant-account-type-mismatch'] },
  { name: 'a multi-tenant app, one tenant accepted', manifest: 'graph-multitenant.json', options: GOOD, ids: ['tenant-single-multitenant-app'] },
  // The keys.
  { name: 'an app with its own signing key', manifest: 'graph-custom-signing-key.json', options: GOOD, ids: ['signing-key-app-specific'] },
];

const errorsIn = (/** @type {string[]} */ ids) => ids.some((id) => FINDINGS[id].severity === 'error');

test('pkg/ ships the doctor as pkg-template has it (else: bash scripts/build.sh), an executable node script', () => {
  for (const file of ['bin/entra-guard.mjs', 'lib/doctor.js', 'types/doctor.d.ts']) {
    assert.equal(readFileSync(join(ROOT, 'pkg', file), 'utf8'), readFileSync(join(ROOT, 'pkg-template', file), 'utf8'), `pkg/${file} is stale: run bash scripts/build.sh`);
  }
  assert.match(readFileSync(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  assert.ok(statSync(join(ROOT, 'pkg-template/bin/entra-guard.mjs')).mode & 0o111, 'pkg-template/bin/entra-guard.mjs is not executable');
  assert.ok(statSync(CLI).mode & 0o111, 'pkg/bin/entra-guard.mjs is not executable');
});

test('package.json names the CLI as bin entra-guard, once it has a bin entry', (t) => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'pkg-template/package.json'), 'utf8'));
  if (manifest.bin === undefined) {
    t.skip('pkg-template/package.json has no "bin" yet: add "bin": { "entra-guard": "./bin/entra-guard.mjs" } and "bin/" to "files"');
    return;
  }
  assert.deepEqual(manifest.bin, { 'entra-guard': './bin/entra-guard.mjs' });
  assert.ok(manifest.files.includes('bin/'), '"files" lacks bin/: npm would not ship the CLI');
});

test('the correct manifests pass, in both formats: exit 0, no findings', () => {
  for (const name of ['graph-ok.json', 'legacy-ok.json']) {
    const { status, report } = cliJson(['--manifest', fixturePath(name), ...flags(GOOD)]);
    assert.deepEqual(report.findings, [], `${name}: ${JSON.stringify(report.findings, null, 2)}`);
    assert.equal(status, 0);
    assert.equal(report.exitCode, 0);
    assert.equal(report.ok, true);
    const text = cli(['doctor', '--manifest', fixturePath(name), ...flags(GOOD)]);
    assert.equal(text.status, 0);
    assert.match(text.stdout, /No problems found\./);
    assert.match(text.stdout, new RegExp(`appId ${APP}`));
    assert.match(text.stdout, name.startsWith('graph') ? /Microsoft Graph app manifest/ : /Azure AD Graph app manifest/);
  }
});

test('both formats read the same: the Azure AD Graph export and the Microsoft Graph one', () => {
  const graph = readManifest(fixture('graph-ok.json'));
  const legacy = readManifest(fixture('legacy-ok.json'));
  assert.equal(graph.format, 'microsoft-graph');
  assert.equal(legacy.format, 'azure-ad-graph');
  const { format: _g, ...g } = graph;
  const { format: _l, ...l } = legacy;
  assert.deepEqual(l, g);
  assert.equal(graph.tokenVersion, 2);
  assert.deepEqual(graph.scopes.map((s) => s.value), ['mcp.tools.read', 'mcp.tools.write']);
  assert.deepEqual(graph.appRoles.map((r) => [r.value, r.allowedMemberTypes]), [['Tools.ReadWrite.All', ['Application']]]);
  // null means 1, in either format.
  assert.equal(readManifest(fixture('graph-v1-tokens.json')).tokenVersion, 1);
  assert.equal(readManifest(fixture('legacy-v1-tokens.json')).declaredTokenVersion, null);
  assert.equal(readManifest(fixture('graph-v1-use-guid.json')).audienceIsClientId, true);
  assert.equal(readManifest(fixture('graph-custom-signing-key.json')).signingKeys, 1);
});

test('every finding id is produced by some case, and each case\'s ids are exact (the pure checks)', () => {
  const covered = new Set(CASES.flatMap((c) => c.ids));
  assert.deepEqual(FINDING_IDS.filter((id) => !covered.has(id)), [], 'finding ids without a test case');
  assert.deepEqual([...covered].filter((id) => !FINDING_IDS.includes(id)), [], 'test cases naming unknown ids');
  for (const c of CASES) {
    const report = diagnose(fixture(c.manifest), c.options);
    assert.deepEqual(report.findings.map((f) => f.id).sort(), [...c.ids].sort(), `${c.name}: ${report.findings.map((f) => `${f.id}: ${f.message}`).join('\n')}`);
    for (const f of report.findings) {
      assert.equal(f.severity, FINDINGS[f.id].severity, `${c.name}: ${f.id} severity`);
      for (const key of ['message', 'expected', 'actual', 'consequence']) assert.ok(typeof f[key] === 'string' && f[key].length > 0, `${c.name}: ${f.id}.${key} is empty`);
      assert.ok(Array.isArray(f.fix) && f.fix.length > 0 && f.fix.every((line) => typeof line === 'string' && line.length > 0), `${c.name}: ${f.id} has no fix`);
    }
    assert.equal(report.errors, report.findings.filter((f) => f.severity === 'error').length);
    assert.equal(report.ok, !errorsIn(c.ids));
    assert.equal(exitCode(report), errorsIn(c.ids) ? 1 : 0);
    assert.equal(exitCode(report, { strict: true }), c.ids.length ? 1 : 0);
    // Errors come first.
    const severities = report.findings.map((f) => f.severity);
    assert.deepEqual(severities, [...severities].sort());
  }
});

for (const c of CASES) {
  test(`CLI: ${c.name} -> ${c.ids.join(', ')}`, () => {
    const args = ['--manifest', fixturePath(c.manifest), ...flags(c.options)];
    const { status, report } = cliJson(args);
    assert.deepEqual(report.findings.map((f) => f.id).sort(), [...c.ids].sort());
    assert.equal(status, errorsIn(c.ids) ? 1 : 0, 'exit status');
    assert.equal(report.exitCode, status);
    // The text output names each finding, and prints each of its fix lines in full.
    const text = cli(['doctor', ...args]);
    assert.equal(text.status, status);
    assert.equal(text.stderr, '');
    for (const f of report.findings) {
      assert.ok(text.stdout.includes(`${f.severity} ${f.id}\n`), `text output lacks "${f.severity} ${f.id}"`);
      for (const line of f.fix) assert.ok(text.stdout.includes(line), `text output lacks the fix "${line}"`);
      assert.ok(text.stdout.includes(f.consequence));
    }
  });
}

test('the fixes are the exact lines: identifier URIs, scopes, audience, version', () => {
  const fixOf = (manifest, options, id) => {
    const f = diagnose(fixture(manifest), options).findings.find((x) => x.id === id);
    assert.ok(f, `${id} not reported`);
    return f.fix.join('\n');
  };
  // The resource added to the existing identifier URIs, as a manifest line and as commands.
  const uris = fixOf('graph-missing-identifier-uri.json', GOOD, 'resource-not-identifier-uri');
  assert.ok(uris.includes(`manifest: "identifierUris": ["api://${APP}", "${RESOURCE}"]`), uris);
  assert.ok(uris.includes(`az ad app update --id ${APP} --identifier-uris api://${APP} ${RESOURCE}`), uris);
  assert.ok(uris.includes(`PATCH https://graph.microsoft.com/v1.0/applications(appId='${APP}') {"identifierUris": ["api://${APP}", "${RESOURCE}"]}`), uris);
  assert.ok(uris.includes('verified in your tenant'), 'the verified-domain caveat');
  assert.ok(!uris.includes('first, v2.0 tokens'), 'a v2 app needs no version step');
  // An Azure AD Graph export gets its own line and the Microsoft Graph one where they differ, one line where not.
  const legacy = fixOf('legacy-missing-identifier-uri.json', GOOD, 'resource-not-identifier-uri');
  assert.ok(legacy.includes(`manifest: "identifierUris": ["api://${APP}", "${RESOURCE}"]`), legacy);
  const legacyVersion = fixOf('legacy-v1-tokens.json', GOOD, 'access-token-v1');
  assert.ok(legacyVersion.includes('manifest (Azure AD Graph format, as exported): "accessTokenAcceptedVersion": 2'), legacyVersion);
  assert.ok(legacyVersion.includes('manifest (Microsoft Graph format, which the admin center edits): "api": { ..., "requestedAccessTokenVersion": 2 }'), legacyVersion);
  // A v1 app is told to move to v2 first.
  const v1 = fixOf('graph-v1-tokens.json', { ...GOOD, resource: 'https://tools.contoso.com/mcp' }, 'resource-not-identifier-uri');
  assert.match(v1, /^first, v2\.0 tokens .*"requestedAccessTokenVersion": 2/);
  // Slash and case: the URI replaced in place.
  assert.ok(fixOf('graph-identifier-uri-trailing-slash.json', GOOD, 'resource-identifier-uri-slash').includes(`"identifierUris": ["${RESOURCE}", "api://${APP}"]`));
  assert.ok(fixOf('graph-identifier-uri-case.json', GOOD, 'resource-identifier-uri-case').includes(`"identifierUris": ["${RESOURCE}", "api://${APP}"]`));
  // scopes_supported corrected as a whole: prefixed, offline_access and foreign scopes out.
  const scopes = fixOf('graph-ok.json', { ...GOOD, scopesSupported: ['mcp.tools.read', 'offline_access', 'https://graph.microsoft.com/User.Read', 'openid'] }, 'scopes-supported-unprefixed');
  assert.equal(scopes, `scopes_supported: ["${READ}", "openid"]  in the protected-resource metadata`);
  assert.equal(fixOf('graph-ok.json', { ...GOOD, scopesSupported: [`api://${APP}/mcp.tools.read`] }, 'scopes-supported-other-identifier'), `scopes_supported: ["${READ}"]  in the protected-resource metadata`);
  assert.equal(fixOf('graph-ok.json', { ...GOOD, requiredScopes: [READ] }, 'required-scope-prefixed'), 'requiredScopes: ["mcp.tools.read"]  (entra-guard settings; the prefixed form belongs in scopes_supported)');
  assert.ok(fixOf('graph-ok.json', { ...GOOD, scopesSupported: undefined }, 'scopes-supported-missing').startsWith(`scopes_supported: ["${READ}"]`));
  // The audience: v1 tokens need the resource and every identifier URI; v2 the client id.
  assert.ok(fixOf('graph-v1-tokens.json', { ...GOOD, audience: [APP, `api://${APP}`] }, 'audience-missing-identifier-uri').includes(`options: { audience: ["${APP}", "api://${APP}", "${RESOURCE}"] }`));
  assert.equal(fixOf('graph-ok.json', { ...GOOD, audience: [RESOURCE] }, 'audience-missing-client-id'), `options: { audience: ["${APP}"] }  (the validator's options)`);
  assert.ok(fixOf('graph-ok.json', { ...GOOD, requiredScopes: ['mcp.admin'], scopesSupported: [READ] }, 'required-scope-not-exposed').includes('"api": { "oauth2PermissionScopes": [ ..., { "value": "mcp.admin"'));
  assert.ok(fixOf('graph-ok.json', { ...GOOD, resource: `api://${APP}` }, 'resource-api-scheme').startsWith(`resource: '${RESOURCE}'`), 'the app\'s https identifier URI is the resource to advertise');
  assert.ok(fixOf('graph-missing-identifier-uri.json', { ...GOOD, resource: `api://${APP}` }, 'resource-api-scheme').includes(`"identifierUris": ["api://${APP}", "https://<your MCP server host>/mcp"]`));
  assert.ok(fixOf('graph-custom-signing-key.json', GOOD, 'signing-key-app-specific').includes(`createRemoteJwks({ tenantId, appId: '${APP}' })`));
});

test('the finer rules', () => {
  const ids = (manifest, options) => diagnose(typeof manifest === 'string' ? fixture(manifest) : manifest, options).findings.map((f) => f.id).sort();
  // A trailing slash on the resource is one finding when the slashless URI is registered.
  assert.deepEqual(ids('graph-ok.json', { ...GOOD, resource: `${RESOURCE}/` }), ['resource-trailing-slash']);
  // http on loopback is allowed (but no identifier URI can be http).
  assert.deepEqual(ids('graph-ok.json', { ...GOOD, resource: 'http://localhost:3001/mcp', scopesSupported: ['http://localhost:3001/mcp/mcp.tools.read'] }), ['resource-not-identifier-uri']);
  // OIDC scopes and /.default are not this app's scopes to expose.
  assert.deepEqual(ids('graph-ok.json', { ...GOOD, scopesSupported: [READ, `${RESOURCE}/.default`, 'openid', 'profile'] }), []);
  // An empty scopes_supported is none.
  assert.deepEqual(ids('graph-ok.json', { ...GOOD, scopesSupported: [] }), ['scopes-supported-missing']);
  // /.default in scopes_supported covers the required scopes.
  assert.deepEqual(ids('graph-ok.json', { ...GOOD, requiredScopes: ['mcp.tools.read', 'mcp.tools.write'], scopesSupported: [`${RESOURCE}/.default`] }), []);
  // The consumer tenant's GUID is "consumers".
  assert.deepEqual(ids('legacy-personal-accounts-only.json', { ...GOOD, tenantId: '9188040d-6c67-4c5b-b112-36a304b66dad' }), []);
  // A v1 app with use_guid needs the client id only; without it, every identifier URI and the resource.
  assert.deepEqual(ids('graph-v1-use-guid.json', { ...GOOD, audience: [RESOURCE] }), ['access-token-v1', 'audience-missing-client-id']);
  // An app-only design (roles, no scopes) needs neither exposed scopes nor scopes_supported.
  assert.deepEqual(ids('graph-no-scopes.json', { resource: RESOURCE, tenantId: TENANT, requiredRoles: ['Tools.ReadWrite.All'] }), ['required-role-not-defined']);
  assert.deepEqual(ids('graph-ok.json', { resource: RESOURCE, tenantId: TENANT, requiredRoles: ['Tools.ReadWrite.All'] }), []);
  // A scope required as a role (and the reverse) is named as such.
  const asRole = diagnose(fixture('graph-ok.json'), { ...GOOD, requiredScopes: ['Tools.ReadWrite.All'] }).findings.find((f) => f.id === 'required-scope-not-exposed');
  assert.match(asRole.message, /is an app role/);
  const asScope = diagnose(fixture('graph-ok.json'), { ...GOOD, requiredRoles: ['mcp.tools.read'] }).findings.find((f) => f.id === 'required-role-not-defined');
  assert.match(asScope.message, /is a delegated scope/);
  // No tenantId: the tenant checks are skipped, and the report says so.
  const report = diagnose(fixture('graph-multitenant.json'), { ...GOOD, tenantId: undefined });
  assert.deepEqual(report.findings, []);
  assert.ok(report.notChecked.some((n) => n.startsWith('The tenant: no tenantId')));
  assert.ok(report.notChecked.some((n) => n.includes('curl https://mcp.contoso.com/.well-known/oauth-protected-resource/mcp')));
  // A Microsoft Graph answer holding one application reads as the application.
  assert.deepEqual(ids({ value: [fixture('graph-ok.json')] }, GOOD), []);
});

test('the checks are pure: the same answer twice, the inputs untouched', () => {
  const freeze = (value) => {
    if (value && typeof value === 'object') {
      for (const v of Object.values(value)) freeze(v);
      Object.freeze(value);
    }
    return value;
  };
  const manifest = freeze(fixture('graph-v1-tokens.json'));
  const options = freeze({ ...GOOD, audience: [APP], scopesSupported: ['mcp.tools.read', 'offline_access'], tenantId: 'common' });
  const first = diagnose(manifest, options);
  assert.deepEqual(diagnose(manifest, options), first);
  assert.ok(first.findings.length >= 4);
  assert.equal(formatReport(first), formatReport(diagnose(manifest, options)));
});

test('bad input to the pure checks is a DoctorInputError', () => {
  assert.throws(() => diagnose(fixture('not-a-manifest.json'), GOOD), DoctorInputError);
  assert.throws(() => diagnose([], GOOD), DoctorInputError);
  assert.throws(() => diagnose(fixture('graph-ok.json'), { ...GOOD, resource: '' }), /resource is required/);
  assert.throws(() => diagnose(fixture('graph-ok.json'), { ...GOOD, requiredScopes: 'mcp.tools.read' }), /requiredScopes must be a list/);
  assert.throws(() => diagnose(fixture('graph-ok.json'), { ...GOOD, acceptedVersions: ['3.0'] }), /acceptedVersions/);
  assert.throws(() => readManifest({ ...fixture('graph-ok.json'), api: { requestedAccessTokenVersion: 3 } }), /Entra allows 1, 2 or null/);
});

test('warnings alone exit 0, and 1 with --strict; --json carries the same findings', () => {
  const args = ['doctor', '--manifest', fixturePath('graph-multitenant.json'), ...flags(GOOD)];
  const plain = cli(args);
  assert.equal(plain.status, 0);
  assert.match(plain.stdout, /^warning tenant-single-multitenant-app$/m);
  assert.match(plain.stdout, /0 errors, 1 warning\./);
  const strict = cli([...args, '--strict']);
  assert.equal(strict.status, 1);
  assert.match(strict.stdout, /--strict: warnings fail/);
  const json = JSON.parse(cli([...args, '--strict', '--json']).stdout);
  assert.equal(json.exitCode, 1);
  assert.deepEqual(json.findings.map((f) => f.id), ['tenant-single-multitenant-app']);
  assert.deepEqual(Object.keys(json.findings[0]), ['id', 'severity', 'message', 'expected', 'actual', 'consequence', 'fix']);
});

test('--options <file> gives the same options; flags given as well win', () => {
  const dir = mkdtempSync(join(tmpdir(), 'entra-guard-doctor-'));
  try {
    const file = join(dir, 'options.json');
    writeFileSync(file, JSON.stringify({ ...GOOD, scopesSupported: ['mcp.tools.read'], audience: APP }));
    const fromFile = cliJson(['--manifest', fixturePath('graph-ok.json'), '--options', file]);
    assert.equal(fromFile.status, 1);
    assert.deepEqual(fromFile.report.findings.map((f) => f.id), ['scopes-supported-unprefixed']);
    assert.deepEqual(fromFile.report.options.audience, [APP]);
    const overridden = cliJson(['--manifest', fixturePath('graph-ok.json'), '--options', file, '--scopes-supported', `${READ} ${WRITE}`]);
    assert.equal(overridden.status, 0);
    assert.deepEqual(overridden.report.options.scopesSupported, [READ, WRITE]);
    // The resource may come from the file alone; relative paths are the working directory's.
    writeFileSync(join(dir, 'app.json'), `\uFEFF${readFileSync(fixturePath('legacy-ok.json'), 'utf8')}`); // a byte order mark, as some downloads have
    const relative = cli(['doctor', '--manifest', 'app.json', '--options', 'options.json', '--scopes-supported', READ], { cwd: dir });
    assert.equal(relative.stderr, '');
    assert.equal(relative.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad usage exits 2 with a clear message and no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'entra-guard-doctor-'));
  try {
    writeFileSync(join(dir, 'options.json'), JSON.stringify({ resource: RESOURCE, audiences: [APP] }));
    writeFileSync(join(dir, 'broken.json'), '{ "resource": ');
    const ok = fixturePath('graph-ok.json');
    const cases = [
      [['doctor', '--resource', RESOURCE], /--manifest <file> is required/],
      [['doctor', '--manifest', ok], /--resource <url> is required/],
      [['doctor', '--manifest', join(dir, 'missing.json'), '--resource', RESOURCE], /cannot read the manifest .*missing\.json: no such file/],
      [['doctor', '--manifest', dir, '--resource', RESOURCE], /cannot read the manifest .*: it is a directory/],
      [['doctor', '--manifest', fixturePath('invalid-json.json'), '--resource', RESOURCE], /the manifest .*invalid-json\.json is not valid JSON: /],
      [['doctor', '--manifest', fixturePath('not-a-manifest.json'), '--resource', RESOURCE], /the manifest has no appId GUID \(none\)/],
      [['doctor', '--manifest', ok, '--resource', RESOURCE, '--accepted-version', '3'], /--accepted-version must be 1\.0 or 2\.0/],
      [['doctor', '--manifest', ok, '--resource', RESOURCE, '--audiences', APP], /Unknown option '--audiences'/],
      [['doctor', '--manifest', ok, '--options', join(dir, 'options.json')], /unknown keys audiences; known: resource, tenantId/],
      [['doctor', '--manifest', ok, '--options', join(dir, 'broken.json')], /the options file .*broken\.json is not valid JSON/],
      [['doctor', '--manifest', ok, '--resource', RESOURCE, 'extra'], /Unexpected argument 'extra'|positional/i],
      [['doktor'], /unknown command "doktor"/],
      [[], /a command is required/],
    ];
    for (const [args, message] of cases) {
      const run = cli(args);
      assert.equal(run.status, 2, `${args.join(' ')}: status ${run.status}, stderr ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.match(run.stderr, /Run 'entra-guard( doctor)? --help' for usage\.\n$/);
      assertNoStack(run.stderr);
      assert.equal(run.stdout, '');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--help and --version', () => {
  const help = cli(['doctor', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: entra-guard doctor --manifest <app\.json> --resource <url> \[options\]/);
  for (const flag of ['--manifest', '--resource', '--tenant', '--audience', '--scope', '--role', '--accepted-version', '--scopes-supported', '--options', '--json', '--strict']) {
    assert.ok(help.stdout.includes(`  ${flag} `), `--help lacks ${flag}`);
  }
  assert.match(help.stdout, /Exit status: 0 no errors .* 1 errors found, 2 bad usage\./);
  assert.equal(cli(['--help']).status, 0);
  assert.match(cli(['--help']).stdout, /doctor/);
  const version = cli(['--version']);
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'pkg/package.json'), 'utf8')).version);
});

test('offline: the doctor opens no socket and resolves no name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'entra-guard-doctor-'));
  try {
    const guard = join(dir, 'no-network.mjs');
    // Any connection or lookup aborts the process with status 99.
    writeFileSync(guard, `import net from 'node:net'; import dns from 'node:dns'; import tls from 'node:tls';
const refuse = (what) => () => { process.stderr.write('network use: ' + what + '\\n'); process.exit(99); };
net.Socket.prototype.connect = refuse('net.connect'); tls.connect = refuse('tls.connect');
dns.lookup = refuse('dns.lookup'); dns.promises.lookup = refuse('dns.promises.lookup');
globalThis.fetch = refuse('fetch');\n`);
    for (const c of [CASES[0], CASES.find((x) => x.ids.includes('resource-not-identifier-uri')), CASES.at(-1)]) {
      const run = cli(['doctor', '--manifest', fixturePath(c.manifest), ...flags(c.options)], { nodeArgs: ['--import', guard] });
      assert.notEqual(run.status, 99, run.stderr);
      assert.equal(run.status, errorsIn(c.ids) ? 1 : 0, run.stderr);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The README's section on the doctor and the walk-through that uses it. */
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

test('the README\'s table names every finding id once, each in the column of its severity', () => {
  const start = README.indexOf('| what | errors (exit 1) | warnings |');
  assert.ok(start > 0, 'the table is in the README');
  const rows = README.slice(start).split('\n\n')[0].split('\n').slice(2);
  const seen = [];
  for (const row of rows) {
    const [, errors, warnings] = row.split('|').slice(1, -1).map((cell) => cell.trim());
    for (const [cell, severity] of [[errors, 'error'], [warnings, 'warning']]) {
      for (const [, id] of (cell ?? '').matchAll(/`([a-z0-9-]+)`/g)) {
        assert.equal(FINDINGS[id]?.severity, severity, `${id} in the ${severity} column`);
        seen.push(id);
      }
    }
  }
  assert.deepEqual([...seen].sort(), [...FINDING_IDS].sort());
});

test('the README walk-through\'s manifest and doctor command line: No problems found, exit 0', () => {
  const from = README.indexOf("The API app's manifest (Microsoft Graph format)");
  const manifest = /```json\n([\s\S]*?)```/.exec(README.slice(from))?.[1];
  assert.ok(manifest, 'the manifest block');
  const command = /```sh\nnpx entra-guard doctor ([\s\S]*?)\n```/.exec(README.slice(from))?.[1];
  assert.ok(command, 'the doctor command');
  const dir = mkdtempSync(join(tmpdir(), 'entra-guard-readme-'));
  try {
    writeFileSync(join(dir, 'app.json'), manifest);
    // The shell line, split as the shell would (quotes, a continuation), with the placeholder tenant filled in.
    const args = [...command.replace(/\\\n\s*/g, ' ').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]).map((a) => (a === '<tenant-id>' ? TENANT : a));
    const run = spawnSync(process.execPath, [CLI, 'doctor', ...args], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /\nNo problems found\.\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
