// The built package as a user gets it: `npm pack`, linted (publint, @arethetypeswrong/cli: every subpath in
// every resolution mode), installed into a fresh project, loaded by ESM `import` and CommonJS `require`
// (root and every subpath, in separate Node processes), and compiled against by a TypeScript consumer of
// every subpath under node16 and bundler resolution. The consumer project sits inside the repository so
// that the frameworks' own types (hono, fastify, the MCP SDK) resolve from its node_modules, while
// `entra-guard` resolves to the installed tarball.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NOW, PKG_DIR, TENANT, API_CLIENT_ID, testIssuer, v2User } from './helpers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'node_modules/.bin');
const SUBPATHS = readdirSync(join(PKG_DIR, 'adapters')).sort();

let project;
let tarball;
let input;

const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });
const tool = (name, args) => execFileSync(process.execPath, [join(BIN, name), ...args], { cwd: project, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });

before(async () => {
  const issuer = await testIssuer();
  input = JSON.stringify({ token: issuer.mint(v2User()), jwks: issuer.jwks, tenantId: TENANT, audience: API_CLIENT_ID, now: NOW });
  project = join(ROOT, 'test-output', `consumer-${process.pid}`);
  rmSync(project, { recursive: true, force: true });
  mkdirSync(project, { recursive: true });
  npm(['pack', PKG_DIR, '--pack-destination', project], project);
  tarball = readdirSync(project).find((f) => f.endsWith('.tgz'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  npm(['install', '--offline', '--no-package-lock', `./${tarball}`], project);
});

after(() => rmSync(project, { recursive: true, force: true }));

test('the root and every subpath are exported, each with a types path for every condition', () => {
  const manifest = JSON.parse(readFileSync(join(project, 'node_modules/entra-guard/package.json'), 'utf8'));
  assert.deepEqual(SUBPATHS, ['cloudflare', 'fastify', 'fastmcp', 'hono', 'mcp', 'mcp-handler', 'obo']);
  for (const subpath of ['.', './testing', ...SUBPATHS.map((s) => `./${s}`)]) {
    const entry = manifest.exports[subpath];
    assert.ok(entry, `${subpath} is not exported`);
    const leaves = JSON.stringify(entry).match(/"types":/g) ?? [];
    assert.ok(leaves.length >= 2, `${subpath}: every condition names its types`);
    if (subpath !== '.') assert.ok(manifest.typesVersions['*'][subpath.slice(2)], `${subpath}: typesVersions for node10`);
  }
  // Every framework is an optional peer: installing entra-guard installs none of them.
  for (const peer of ['@modelcontextprotocol/sdk', '@modelcontextprotocol/server', 'hono', 'fastify', 'fastmcp', 'mcp-handler', '@cloudflare/workers-oauth-provider', '@opentelemetry/api', '@azure/msal-node']) {
    assert.equal(manifest.peerDependenciesMeta[peer]?.optional, true, `${peer} is an optional peer`);
  }
  assert.equal(manifest.dependencies, undefined);
});

test('publint finds nothing to report in the packed package', () => {
  const out = tool('publint', ['run', tarball, '--strict']);
  assert.doesNotMatch(out, /Suggestions|Warnings|Errors/, out);
});

test('@arethetypeswrong/cli: every subpath resolves with types in every resolution mode', () => {
  let out;
  try {
    out = tool('attw', [tarball, '--format', 'ascii', '--profile', 'strict']);
  } catch (error) {
    assert.fail(`attw found problems:\n${error.stdout}${error.stderr}`);
  }
  assert.match(out, /No problems found/, out);
  for (const subpath of ['testing', ...SUBPATHS]) assert.match(out, new RegExp(`entra-guard/${subpath}\\b`), `attw checked entra-guard/${subpath}`);
});

const validateScript = (load) => `
${load}
const input = JSON.parse(process.env.EG_INPUT);
const v = new EntraValidator({ tenantId: input.tenantId, audience: input.audience, jwks: input.jwks });
const ok = v.validate(input.token, { now: input.now });
let code;
try { v.validate(input.token, { now: input.now + 100000 }); } catch (e) { code = (e instanceof EntraTokenError && e instanceof Error) ? e.code : 'wrong-class'; }
console.log(JSON.stringify({ tenantId: ok.tenantId, code }));
`;

function run(file, source) {
  writeFileSync(join(project, file), source);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: project, env: { ...process.env, EG_INPUT: input }, encoding: 'utf8' }));
}

test('packed package: ESM import by name validates and throws EntraTokenError', () => {
  const out = run('esm.mjs', validateScript(`import { EntraValidator, EntraTokenError } from 'entra-guard';`));
  assert.deepEqual(out, { tenantId: TENANT, code: 'token_expired' });
});

test('packed package: CommonJS require by name validates and throws EntraTokenError', () => {
  const out = run('cjs.cjs', validateScript(`const { EntraValidator, EntraTokenError } = require('entra-guard');`));
  assert.deepEqual(out, { tenantId: TENANT, code: 'token_expired' });
});

// What each subpath exports, by name.
const EXPORTS = {
  cloudflare: 'entraValidateToken', fastify: 'entraAuth', fastmcp: 'entraAuthenticate', hono: 'entraAuth',
  mcp: 'entraTokenVerifier', 'mcp-handler': 'entraVerifyToken', obo: 'onBehalfOf',
};

test('every subpath loads by ESM import and by CommonJS require, sharing the root package in each', () => {
  assert.deepEqual(Object.keys(EXPORTS).sort(), SUBPATHS);
  // A refusal made by a subpath's guard is an instance of the root's EntraTokenError: one class, one wasm instance.
  const check = (kind) => `
const input = JSON.parse(process.env.EG_INPUT);
const names = ${JSON.stringify(EXPORTS)};
const out = {};
for (const [subpath, name] of Object.entries(names)) {
  const mod = ${kind === 'esm' ? 'await import(`entra-guard/${subpath}`)' : 'require(`entra-guard/${subpath}`)'};
  out[subpath] = typeof mod[name];
}
const root = ${kind === 'esm' ? "await import('entra-guard')" : "require('entra-guard')"};
const guard = root.createGuard({ options: { tenantId: input.tenantId, audience: input.audience }, jwks: input.jwks });
const outcome = await guard.check({ authorization: 'Bearer a.b.c' });
out.sameClass = outcome.error instanceof root.EntraTokenError;
console.log(JSON.stringify(out));
`;
  const expected = { ...Object.fromEntries(SUBPATHS.map((s) => [s, 'function'])), sameClass: true };
  assert.deepEqual(run('subpaths.mjs', check('esm')), expected);
  assert.deepEqual(run('subpaths.cjs', `(async () => {${check('cjs')}})();`), expected);
});

test('a TypeScript consumer of every subpath compiles under node16 and under bundler resolution', () => {
  const importAll = `
import { EntraValidator, EntraTokenError, createGuard, createRemoteJwks, requireEntraAuth, entraTokenVerifier as v1Verifier,
  protectedResourceMetadata, protectedResourceMetadataUrl, wwwAuthenticate, type ValidatedToken, type EntraAuditEvent,
  type EntraCheck, type EntraErrorCode, type EntraGuardSettings } from 'entra-guard';
import { createTestIssuer } from 'entra-guard/testing';
import { entraTokenVerifier } from 'entra-guard/mcp';
import { entraAuth as honoAuth, type EntraAuthEnv } from 'entra-guard/hono';
import { entraAuth as fastifyAuth } from 'entra-guard/fastify';
import { entraVerifyToken } from 'entra-guard/mcp-handler';
import { entraAuthenticate, type EntraSession } from 'entra-guard/fastmcp';
import { entraValidateToken, type EntraTokenValidation } from 'entra-guard/cloudflare';
import { onBehalfOf, OnBehalfOfError, createOboCache, type OnBehalfOfResult } from 'entra-guard/obo';
import { Hono } from 'hono';
import Fastify from 'fastify';

export async function consumer(): Promise<void> {
  const issuer = await createTestIssuer({ tenantId: '${TENANT}' });
  const settings: EntraGuardSettings = {
    options: { tenantId: issuer.tenantId, audience: [issuer.audience] }, jwks: issuer.jwks, resource: 'https://mcp.example.com/mcp',
    requiredScopes: ['a'], claimCheck: (claims) => (claims.tid ? true : 'no tenant'),
  };
  const validator = new EntraValidator({ tenantId: issuer.tenantId, audience: [issuer.audience], jwks: issuer.jwks, scopeMatch: 'any' });
  const result: ValidatedToken = validator.validate(issuer.mint({ scopes: ['a'] }), { now: new Date(), requiredScopes: ['a'] });
  try { validator.validate('x'); } catch (e) { if (e instanceof EntraTokenError) { const code: EntraErrorCode = e.code; const check: EntraCheck = e.check; void code; void check; } }
  const jwks = createRemoteJwks({ jwksUri: issuer.jwksUri!, cacheMaxAge: 3_600_000 });
  const outcome = await createGuard({ validator, jwks }).check({ authorization: 'Bearer x' });
  if (!outcome.ok) void outcome.refusal.status;
  void requireEntraAuth({ ...settings, onFailure: (event: EntraAuditEvent) => { void event.code; } });
  void v1Verifier(validator, { jwks, resource: settings.resource });
  void protectedResourceMetadata({ resource: settings.resource!, tenantId: issuer.tenantId });
  const header: string = wwwAuthenticate(null, { resourceMetadataUrl: protectedResourceMetadataUrl(settings.resource!) });
  const info = await entraTokenVerifier(settings).verifyAccessToken(issuer.mint());
  const resource: URL | undefined = info.resource;
  const app = new Hono<EntraAuthEnv>();
  app.get('/mcp', honoAuth(settings), (c) => c.json({ tenant: c.get('auth').extra?.tenantId }));
  const fastify = Fastify();
  fastify.get('/mcp', { preHandler: fastifyAuth(settings) }, async (request) => ({ tenant: request.auth?.extra?.tenantId }));
  const verifyToken: (req: Request, bearer?: string) => Promise<{ clientId: string }> = entraVerifyToken(settings);
  const authenticate = entraAuthenticate(settings);
  const session: EntraSession = await authenticate(undefined);
  const validate = entraValidateToken({ ...settings, resource: settings.resource! });
  const validation: EntraTokenValidation | null = await validate({}, new Request('https://mcp.example.com/mcp'))('https://mcp.example.com/mcp', 'x');
  const cache = createOboCache({ maxEntries: 10 });
  try {
    const downstream: OnBehalfOfResult = await onBehalfOf(info, { scopes: ['https://graph.microsoft.com/User.Read'], clientSecret: 's', cache });
    void downstream.accessToken;
  } catch (e) { if (e instanceof OnBehalfOfError) { const aadsts: number | null = e.aadsts; void aadsts; } }
  void result; void header; void resource; void verifyToken; void session; void validation;
  await issuer.close();
}
`;
  writeFileSync(join(project, 'consumer.mts'), importAll);
  writeFileSync(join(project, 'consumer.cts'), `
import { EntraValidator, EntraTokenError } from 'entra-guard';
import { entraAuth } from 'entra-guard/hono';
import { entraTokenVerifier } from 'entra-guard/mcp';
const validator = new EntraValidator({ tenantId: 'common', allowedTenants: ['*'], audience: 'api://x' });
try { validator.validate('a.b.c'); } catch (e) { if (e instanceof EntraTokenError) console.log(e.code, e.check); }
void entraAuth; void entraTokenVerifier;
`);
  writeFileSync(join(project, 'consumer.ts'), importAll);
  const base = {
    target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, lib: ['es2023', 'dom'], types: ['node'],
    typeRoots: [join(ROOT, 'node_modules/@types')],
  };
  const configs = {
    'tsconfig.node16.json': { compilerOptions: { ...base, module: 'node16', moduleResolution: 'node16' }, files: ['consumer.mts', 'consumer.cts'] },
    'tsconfig.bundler.json': { compilerOptions: { ...base, module: 'preserve', moduleResolution: 'bundler' }, files: ['consumer.ts'] },
  };
  for (const [name, config] of Object.entries(configs)) {
    writeFileSync(join(project, name), JSON.stringify(config));
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(project, name)], { cwd: project, encoding: 'utf8' });
    } catch (error) {
      assert.fail(`tsc (${name}) failed:\n${error.stdout}${error.stderr}`);
    }
  }
});

test('packed package ships exactly the runtime files', () => {
  const files = readdirSync(join(project, 'node_modules/entra-guard'), { recursive: true }).sort();
  const needed = ['node.mjs', 'node.cjs', 'browser.js', 'workerd.js', 'testing.mjs', 'testing.cjs', 'types/index.d.ts', 'types/index.d.cts',
    'types/testing.d.ts', 'types/testing.d.cts', 'lib/index.js', 'lib/bundle.cjs', 'lib/testing.js', 'wasm/entra_guard_bg.wasm', 'wasm/entra_guard.js'];
  for (const subpath of SUBPATHS) {
    needed.push(`adapters/${subpath}/node.mjs`, `adapters/${subpath}/node.cjs`, `adapters/${subpath}/workerd.js`, `adapters/${subpath}/browser.js`,
      `lib/adapters/${subpath}.js`, `types/adapters/${subpath}.d.ts`, `types/adapters/${subpath}.d.cts`);
  }
  for (const f of needed) assert.ok(files.includes(f), `${f} missing from the tarball`);
  assert.ok(!files.some((f) => /cjs-entry|bundle-entry|\.map$/.test(f)), `build-only files shipped: ${files}`);
});
