// The main command's offline mode, as scripts/start.sh runs it: examples/mcp-server/server.mjs without a
// tenant (a loopback Entra with the demo tenant's registrations), then demo-client.mjs running the whole MCP
// authorization flow against it from a bare 401, each in its own process as a user would run them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { OFFLINE_TENANT, offlineAuthority } from '../../examples/mcp-server/offline-tenant.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A free loopback port (taken, then released). */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs a script to its end; resolves with its exit code and output. */
function run(script, args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, script === null ? args : [script, ...args], { cwd: root, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('close', (code) => resolve({ code, output }));
  });
}

const port = await freePort();
const entraPort = await freePort();
const env = { PORT: String(port), ENTRA_PORT: String(entraPort), ENTRA_TENANT_ID: '', ENTRA_CLIENT_ID: '' };
const server = spawn(process.execPath, ['examples/mcp-server/server.mjs'], { cwd: root, env: { ...process.env, ...env } });
let serverOutput = '';
server.stderr.on('data', (d) => { serverOutput += d; });
await new Promise((resolve, reject) => {
  server.stdout.on('data', (d) => {
    serverOutput += d;
    if (serverOutput.includes('MCP server (Entra-protected) on')) resolve(undefined);
  });
  server.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${serverOutput}`)));
});
after(() => server.kill());

test('offline, the server names its loopback Entra and prints demo tokens and the demo client\'s command', () => {
  assert.match(serverOutput, new RegExp(`a loopback Entra .* at http://127\\.0\\.0\\.1:${entraPort}/0ff11e00-0000-4000-8000-000000000001/v2\\.0`));
  assert.match(serverOutput, /a user token .*\n {2}eyJ[\w-]+\.[\w-]+\.[\w-]+\n/);
  assert.match(serverOutput, new RegExp(`node examples/mcp-server/demo-client\\.mjs http://127\\.0\\.0\\.1:${port}/mcp`));
});

test('the demo client runs the whole flow: client credentials, then authorization code + PKCE, notes and the Graph profile', async () => {
  const { code, output } = await run('examples/mcp-server/demo-client.mjs', [`http://127.0.0.1:${port}/mcp`], env);
  assert.equal(code, 0, output);
  assert.match(output, /whoami: \{[^\n]*"clientId":"0ff11e00-0000-4000-8000-0000000000c1"[^\n]*"roles":\["Notes\.Admin"\],"isAppOnly":true/);
  assert.match(output, /purge_notes: purged/);
  assert.match(output, new RegExp(`sign-in: http://127\\.0\\.0\\.1:${entraPort}/0ff11e00-0000-4000-8000-000000000001/oauth2/v2\\.0/authorize \\(scope=http://127\\.0\\.0\\.1:${port}/mcp/mcp\\.notes\\.read `));
  assert.match(output, /add_note: 1 notes/);
  assert.match(output, /list_notes: \[\{"text":"written through the whole MCP authorization flow"/);
  assert.match(output, /profile \(on-behalf-of → Microsoft Graph \/me\): \{"id":"[0-9a-f-]{36}","displayName":"Test User"/);
  assert.match(output, /the whole flow worked\n$/);
});

test('the demo client fails loudly (exit 1) when the server is not there', async () => {
  const { code, output } = await run('examples/mcp-server/demo-client.mjs', [`http://127.0.0.1:${await freePort()}/mcp`], env);
  assert.equal(code, 1);
  assert.match(output, /demo client failed: /);
});

test('the README\'s one-line client check (SDK v1, client credentials) works against the offline server', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('MCP_URL=https://mcp.contoso.com/mcp AUTHORITY='));
  assert.ok(line, 'the one-liner is in the README');
  const code = /node --input-type=module -e "(.*)"$/.exec(line)?.[1];
  assert.ok(code, 'node --input-type=module -e "..."');
  const { code: exit, output } = await run(null, ['--input-type=module', '-e', code], {
    MCP_URL: `http://127.0.0.1:${port}/mcp`, AUTHORITY: offlineAuthority(entraPort),
    CLIENT_ID: OFFLINE_TENANT.daemon.clientId, CLIENT_SECRET: OFFLINE_TENANT.daemon.clientSecret,
  });
  assert.equal(exit, 0, output);
  const who = JSON.parse(JSON.parse(output).content[0].text);
  assert.equal(who.clientId, OFFLINE_TENANT.daemon.clientId);
  assert.equal(who.isAppOnly, true);
});
