// The built package as a user gets it: `npm pack`, installed into a fresh project, then loaded by name
// with ESM `import` and CommonJS `require` in separate Node processes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NOW, PKG_DIR, TENANT, API_CLIENT_ID, testIssuer, v2User } from './helpers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let project;
// The token and keys from the package's minter, in this process; the packed copy only validates.
const issuer = await testIssuer();
const token = issuer.mint(v2User());
const input = JSON.stringify({ token, jwks: issuer.jwks, tenantId: TENANT, audience: API_CLIENT_ID, now: NOW });

const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });

before(() => {
  project = mkdtempSync(join(tmpdir(), 'entra-guard-pack-'));
  npm(['pack', PKG_DIR, '--pack-destination', project], project);
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  npm(['install', '--offline', `./${tarball}`], project);
});

after(() => rmSync(project, { recursive: true, force: true }));

const script = (load) => `
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
  const out = run('esm.mjs', script(`import { EntraValidator, EntraTokenError } from 'entra-guard';`));
  assert.deepEqual(out, { tenantId: TENANT, code: 'token_expired' });
});

test('packed package: CommonJS require by name validates and throws EntraTokenError', () => {
  const out = run('cjs.cjs', script(`const { EntraValidator, EntraTokenError } = require('entra-guard');`));
  assert.deepEqual(out, { tenantId: TENANT, code: 'token_expired' });
});

test('packed package: a TypeScript consumer using the API type-checks (tsc --noEmit, ESM and CommonJS)', () => {
  writeFileSync(join(project, 'consumer.mts'), `
import express from 'express';
import { EntraValidator, EntraTokenError, createRemoteJwks, requireEntraAuth, entraTokenVerifier,
  protectedResourceMetadata, protectedResourceMetadataUrl, wwwAuthenticate, type ValidatedToken, type EntraAuditEvent } from 'entra-guard';
import { createTestIssuer } from 'entra-guard/testing';

const issuer = await createTestIssuer({ tenantId: '${TENANT}' });
const validator = new EntraValidator({ tenantId: issuer.tenantId, audience: [issuer.audience], jwks: issuer.jwks, scopeMatch: 'any' });
const jwks = createRemoteJwks({ jwksUri: issuer.jwksUri!, cacheMaxAge: 3_600_000 });
jwks.attach(validator);
const result: ValidatedToken = validator.validate(issuer.mint({ scopes: ['a'] }), { now: new Date(), requiredScopes: ['a'] });
const tenant: string | null = result.tenantId;
try { validator.validate('x'); } catch (e) { if (e instanceof EntraTokenError) { const code: string = e.code; const status: number = e.status; void code; void status; } }
const app = express();
const resource = 'https://mcp.example.com/mcp';
app.use(protectedResourceMetadata({ resource, tenantId: issuer.tenantId, scopesSupported: ['a'] }));
app.post('/mcp', requireEntraAuth({ validator, jwks, resourceMetadataUrl: protectedResourceMetadataUrl(resource),
  requiredScopes: (req) => (req.body ? ['a'] : undefined), onFailure: (event: EntraAuditEvent) => { void event.code; } }));
const verifier = entraTokenVerifier(validator, { jwks });
const info = await verifier.verifyAccessToken(issuer.mint());
const header: string = wwwAuthenticate(null, { resourceMetadataUrl: 'https://x' });
void tenant; void info; void header;
await issuer.close();
`);
  writeFileSync(join(project, 'consumer.cts'), `
import { EntraValidator, EntraTokenError } from 'entra-guard';
const validator = new EntraValidator({ tenantId: 'common', allowedTenants: ['*'], audience: 'api://x' });
try { validator.validate('a.b.c'); } catch (e) { if (e instanceof EntraTokenError) console.log(e.code); }
`);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'es2022', module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: false,
      lib: ['es2022', 'dom'], types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')],
      baseUrl: '.', paths: { express: [join(ROOT, 'node_modules/@types/express')] },
    },
    files: ['consumer.mts', 'consumer.cts'],
  }));
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project, encoding: 'utf8' });
  } catch (error) {
    assert.fail(`tsc --noEmit failed:\n${error.stdout}${error.stderr}`);
  }
});

test('packed package ships exactly the runtime files, and every export condition names its types', () => {
  const manifest = JSON.parse(readFileSync(join(project, 'node_modules/entra-guard/package.json'), 'utf8'));
  const files = readdirSync(join(project, 'node_modules/entra-guard'), { recursive: true }).sort();
  for (const f of ['node.mjs', 'node.cjs', 'browser.js', 'workerd.js', 'testing.mjs', 'testing.cjs', 'types/index.d.ts', 'types/index.d.cts', 'types/testing.d.ts', 'types/testing.d.cts', 'lib/index.js', 'lib/api.js', 'lib/http.js', 'lib/remote-jwks.js', 'lib/testing.js', 'wasm/entra_guard_bg.wasm', 'wasm/entra_guard.js']) {
    assert.ok(files.includes(f), `${f} missing from the tarball: ${files}`);
  }
  assert.ok(!files.some((f) => f.includes('cjs-entry')), 'build-only entry shipped');
  const root = manifest.exports['.'];
  for (const condition of ['workerd', 'browser', 'default']) assert.ok(root[condition].types, `${condition} has no types`);
  assert.ok(root.node.import.types && root.node.require.types);
});
