// Runs examples/edge-worker/worker.js in the real workerd binary, as wrangler would deploy it: bundled by
// esbuild with the `workerd` export condition (so `entra-guard` is pkg/workerd.js), the .wasm kept as a
// separate module that workerd compiles ahead of time, and a generated Cap'n Proto config. No miniflare or
// wrangler (they need Node 22): the binary is started directly and reports its ports on a control pipe.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PKG_DIR = join(ROOT, 'pkg');
export const WORKER_DIR = join(ROOT, 'examples/edge-worker');
const WASM = join(PKG_DIR, 'wasm/entra_guard_bg.wasm');

/** The native workerd binary (the npm package's main export is its path) and the newest date it supports. */
export function workerdBinary() {
  const workerd = require('workerd');
  return { path: workerd.default, compatibilityDate: workerd.compatibilityDate };
}

/** compatibility_date from the example's wrangler.toml: the test runs the date users deploy with. */
export function exampleCompatibilityDate() {
  const toml = readFileSync(join(WORKER_DIR, 'wrangler.toml'), 'utf8');
  const match = /^compatibility_date\s*=\s*"(\d{4}-\d{2}-\d{2})"/m.exec(toml);
  if (!match) throw new Error('examples/edge-worker/wrangler.toml has no compatibility_date');
  return match[1];
}

/** Every `*.wasm` import becomes an import of the module `entra_guard_bg.wasm` (beside the bundle). */
const wasmModulePlugin = {
  name: 'wasm-module',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\.wasm$/ }, () => ({ path: './entra_guard_bg.wasm', external: true }));
  },
};

/**
 * Bundles the worker into `dir` as wrangler does: `entra-guard` resolved as a package (through its
 * package.json `exports`, condition `workerd`), every `*.wasm` import left as an import of the module
 * `entra_guard_bg.wasm`, which is copied beside the bundle. Returns the bundle text and esbuild's inputs.
 */
export async function bundleWorker(dir, { readmeStyle = false } = {}) {
  // A node_modules holding the built package under its published name, so that the bare specifier goes
  // through `exports` (an alias to a directory would use main/module fields instead).
  const modules = join(dir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  symlinkSync(PKG_DIR, join(modules, 'entra-guard'), 'dir');
  const outfile = join(dir, readmeStyle ? 'dist/worker.js' : 'worker.js');
  // The README's esbuild command for local.capnp: `--external:*.wasm`, the wasm import left as written
  // ('./wasm/entra_guard_bg.wasm'), the wasm embedded from node_modules/entra-guard.
  const wasmPlugin = readmeStyle ? { external: ['*.wasm'] } : { plugins: [wasmModulePlugin] };
  const result = await build({
    entryPoints: [join(WORKER_DIR, 'worker.js')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    nodePaths: [modules],
    target: 'es2022',
    metafile: true,
    logLevel: 'silent',
    ...wasmPlugin,
  });
  if (!readmeStyle) copyFileSync(WASM, join(dir, 'entra_guard_bg.wasm'));
  return { code: readFileSync(outfile, 'utf8'), inputs: Object.keys(result.metafile.inputs), warnings: result.warnings };
}

/**
 * Bundles any worker module `entry` (a test's own worker, a quick start) into `dir`/`outfile` for workerd:
 * packages resolved through `exports` with the `workerd` condition (so `entra-guard/<adapter>` is
 * pkg/adapters/<adapter>/workerd.js), `cloudflare:*` and `node:*` left to the runtime (`node:*` needs the
 * worker's `nodejs_compat` flag), the wasm as the module `entra_guard_bg.wasm`, copied beside the bundle.
 * Returns esbuild's inputs (paths relative to the repository) and the bundle's size.
 */
export async function bundleEntry(entry, dir, { outfile = 'worker.js', external = [] } = {}) {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, outfile);
  const result = await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'import', 'default'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*', ...external],
    absWorkingDir: ROOT,
    target: 'es2022',
    metafile: true,
    logLevel: 'silent',
    plugins: [wasmModulePlugin],
  });
  copyFileSync(WASM, join(dir, 'entra_guard_bg.wasm'));
  return { inputs: Object.keys(result.metafile.inputs), bytes: readFileSync(out).length, warnings: result.warnings };
}

/** `count` distinct loopback ports, free at the time of asking (for workers that must know their own URL before they start). */
export async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => server.address().port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(() => resolve()))));
  }
}

const capnpText = (value) => JSON.stringify(String(value)); // "..." with \" and \\ escapes: valid Cap'n Proto text

/**
 * Writes config.capnp into `dir`. `workers`: [{ name, bindings: { NAME: text }, network: [allow...],
 * compatibilityFlags: [...], compatibilityDate }] (a worker's own date, else the config's).
 * Each worker gets its socket `name` on 127.0.0.1:0 (the port is reported on the control pipe). A
 * binding's text is written to a file and embedded, so JSON needs no escaping. A worker with `network`
 * gets a private network service as its globalOutbound (loopback tests need "local"); the others keep
 * workerd's default, public addresses only.
 */
export function writeConfig(dir, { compatibilityDate, workers }) {
  const services = [];
  const sockets = [];
  for (const { name, bindings, network, compatibilityFlags = [], compatibilityDate: ownDate } of workers) {
    const list = Object.entries(bindings).map(([binding, value]) => {
      const file = `binding-${name}-${binding}.txt`;
      writeFileSync(join(dir, file), String(value));
      return `(name = ${capnpText(binding)}, text = embed ${capnpText(file)})`;
    });
    const outbound = network ? `,\n      globalOutbound = ${capnpText(`${name}-net`)}` : '';
    services.push(`(name = ${capnpText(name)}, worker = (
      modules = [
        (name = "worker.js", esModule = embed "worker.js"),
        (name = "entra_guard_bg.wasm", wasm = embed "entra_guard_bg.wasm"),
      ],
      compatibilityDate = ${capnpText(ownDate ?? compatibilityDate)},${compatibilityFlags.length ? `\n      compatibilityFlags = [${compatibilityFlags.map(capnpText).join(', ')}],` : ''}
      bindings = [${list.join(', ')}]${outbound}
    ))`);
    if (network) services.push(`(name = ${capnpText(`${name}-net`)}, network = (allow = [${network.map(capnpText).join(', ')}]))`);
    sockets.push(`(name = ${capnpText(name)}, address = "127.0.0.1:0", http = (), service = ${capnpText(name)})`);
  }
  const config = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    ${services.join(',\n    ')}
  ],
  sockets = [
    ${sockets.join(',\n    ')}
  ]
);
`;
  writeFileSync(join(dir, 'config.capnp'), config);
  return config;
}

/**
 * Starts `workerd serve <config> --control-fd=3 ...args` in `dir`, waits until every socket has reported its port and
 * answers HTTP (any status, at `probePath`). Returns { urls: { socket: 'http://127.0.0.1:port' }, logs(), stop() }. stop() is
 * idempotent and also runs when this process exits, so no workerd outlives the test.
 */
export async function startWorkerd(dir, socketNames, { startupTimeout = 25_000, config = 'config.capnp', args = [], probePath = '/.well-known/oauth-protected-resource/mcp', killAfter = 3000 } = {}) {
  const { path } = workerdBinary();
  const child = spawn(path, ['serve', config, '--control-fd=3', ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (stream) => (chunk) => {
    output += `[${stream}] ${chunk}`;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', append('stdout'));
  child.stderr.on('data', append('stderr'));
  const logs = () => output || '(workerd wrote nothing)';

  // For a test process that dies without running 'exit' handlers (SIGKILL, SIGTERM from a runner): a
  // watchdog shell blocks reading a pipe from this process; when the pipe closes because this process is
  // gone, it kills workerd. It is ended whenever workerd ends or is stopped normally.
  const watchdog = spawn('/bin/sh', ['-c', 'read _ignored; kill -KILL "$0" 2>/dev/null', String(child.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => {});
  const endWatchdog = () => {
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
  };

  let exited = child.exitCode !== null;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = true;
    endWatchdog();
    resolve({ code, signal });
  }));
  const killOnExit = () => {
    endWatchdog();
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  async function stop() {
    process.removeListener('exit', killOnExit);
    endWatchdog();
    if (exited) return;
    child.kill('SIGTERM');
    // workerd drains open requests (an SSE stream) on SIGTERM: SIGKILL after `killAfter` ms.
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfter);
    await exit;
    clearTimeout(timer);
  }

  const urls = {};
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`workerd did not report its sockets within ${startupTimeout} ms`)), startupTimeout);
      let buffered = '';
      child.stdio[3].on('data', (chunk) => {
        buffered += chunk;
        let newline;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          let message;
          try {
            message = JSON.parse(line);
          } catch {
            continue;
          }
          if (message.event === 'listen') urls[message.socket] = `http://127.0.0.1:${message.port}`;
        }
        if (socketNames.every((name) => urls[name])) {
          clearTimeout(timer);
          resolve();
        }
      });
      exit.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`workerd exited during startup (code ${code}, signal ${signal})`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    // Listening is reported when the socket is bound; poll until the worker itself answers.
    const deadline = Date.now() + startupTimeout;
    for (const name of socketNames) {
      for (;;) {
        try {
          const response = await fetch(`${urls[name]}${probePath}`, { signal: AbortSignal.timeout(5000) });
          await response.arrayBuffer();
          break;
        } catch (error) {
          if (exited || Date.now() > deadline) throw new Error(`workerd socket ${name} does not answer HTTP: ${error.message}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
  } catch (error) {
    await stop();
    error.message += `\n--- workerd output ---\n${logs()}`;
    throw error;
  }
  return { urls, logs, stop, pid: child.pid };
}

/**
 * For workers that must know their own URL (a binding naming it, as OAuthResourceServer's canonical resource):
 * picks a free loopback port per socket, calls `configure({ socket: port })` to write the config, and starts
 * workerd with `--socket-addr` for each. A port taken in between (another test process) makes workerd fail to
 * bind: tried again with new ports, up to three times.
 */
export async function startWorkerdOnPorts(dir, socketNames, configure, options = {}) {
  for (let attempt = 1; ; attempt++) {
    const free = await freePorts(socketNames.length);
    const ports = Object.fromEntries(socketNames.map((name, i) => [name, free[i]]));
    configure(ports);
    const args = [...(options.args ?? []), ...socketNames.map((name) => `--socket-addr=${name}=127.0.0.1:${ports[name]}`)];
    try {
      return { ...(await startWorkerd(dir, socketNames, { ...options, args })), ports };
    } catch (error) {
      if (attempt >= 3 || !/Address already in use|EADDRINUSE/.test(error.message)) throw error;
    }
  }
}

/** A temp dir removed by the returned function. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'entra-guard-workerd-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
