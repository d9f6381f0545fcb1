// `wrangler dev` for a test: the npm wrangler (it needs Node >= 22.12, so it runs on the node22 binary installed
// as the npm alias `node22`), offline (no telemetry, no Request.cf fetch, no update check, its config and logs
// in a temp XDG_CONFIG_HOME), on a random loopback port. wrangler and the workerd it starts run in their own
// process group; stop() ends the group (SIGTERM, then SIGKILL: workerd drains open SSE streams on SIGTERM), and
// a watchdog ends it if the test process dies without cleaning up.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './harness.mjs';

export const NODE22 = join(ROOT, 'node_modules/node22/bin/node');
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');

/** Whether env CI asks for a strict run (set, and not 'false' / '0'). */
export function strictCi(env = process.env) {
  const value = env.CI;
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/**
 * Why `wrangler dev` cannot run here, or null: only a missing Node 22 binary (an optional install on some
 * machines); a missing wrangler is a broken install, and the test fails on it.
 */
export function wranglerUnavailable() {
  if (!existsSync(NODE22)) return 'node_modules/node22 is missing (wrangler needs Node >= 22.12): npm install';
  return null;
}

const groupAlive = (pgid) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Starts `wrangler dev --config <config> --ip 127.0.0.1 --port 0 --inspector-port 0 ...args` with `cwd` (where
 * it writes .wrangler/) and `xdg` (its home). Resolves when it reports "Ready on <url>" and the worker answers
 * HTTP: { url, logs(), stop() }.
 */
export async function startWranglerDev({ config, cwd, xdg, args = [], startupTimeout = 60_000, probePath = '/' }) {
  mkdirSync(xdg, { recursive: true });
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // the test runner's, not wrangler's
  delete env.NODE_OPTIONS;
  Object.assign(env, {
    PATH: `${dirname(NODE22)}:${process.env.PATH ?? ''}`, // wrangler's own children run `node`
    WRANGLER_SEND_METRICS: 'false',
    DO_NOT_TRACK: '1',
    WRANGLER_HIDE_BANNER: 'true', // no update check against the registry
    CLOUDFLARE_CF_FETCH_ENABLED: 'false', // no Request.cf fetch from workers.cloudflare.com
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    XDG_CONFIG_HOME: xdg,
    FORCE_COLOR: '0',
  });
  const child = spawn(NODE22, [WRANGLER, 'dev', '--config', config, '--ip', '127.0.0.1', '--port', '0', '--inspector-port', '0',
    '--show-interactive-dev-session=false', '--log-level', 'info', ...args], {
    cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pgid = child.pid;
  let output = '';
  const append = (stream) => (chunk) => {
    output += `[${stream}] ${chunk}`;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', append('stdout'));
  child.stderr.on('data', append('stderr'));
  const logs = () => output || '(wrangler wrote nothing)';

  // If this process dies without cleaning up, the pipe closes and the watchdog kills the whole group.
  const watchdog = spawn('/bin/sh', ['-c', 'read _ignored; kill -s KILL -- "-$0" 2>/dev/null', String(pgid)], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.on('error', () => {});
  const endWatchdog = () => {
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
  };
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = true;
    resolve({ code, signal });
  }));
  const killGroup = (signal) => {
    try {
      process.kill(-pgid, signal);
    } catch {
      // already gone
    }
  };
  const killOnExit = () => {
    endWatchdog();
    killGroup('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopped;
  function stop() {
    stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (groupAlive(pgid)) {
        killGroup('SIGTERM');
        const deadline = Date.now() + 3000;
        while (groupAlive(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        if (groupAlive(pgid)) killGroup('SIGKILL');
      }
      if (!exited) await exit;
      endWatchdog();
    })();
    return stopped;
  }

  let url;
  try {
    url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`wrangler dev was not ready within ${startupTimeout} ms`)), startupTimeout);
      const look = () => {
        // eslint-disable-next-line no-control-regex
        const match = /Ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.replace(/\x1b\[[0-9;]*m/g, ''));
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', look);
      child.stderr.on('data', look);
      exit.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`wrangler dev exited during startup (code ${code}, signal ${signal})`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const deadline = Date.now() + startupTimeout;
    for (;;) {
      try {
        const response = await fetch(`${url}${probePath}`, { signal: AbortSignal.timeout(5000) });
        await response.arrayBuffer();
        break;
      } catch (error) {
        if (exited || Date.now() > deadline) throw new Error(`wrangler dev does not answer HTTP at ${url}: ${error.message}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    error.message += `\n--- wrangler output ---\n${logs()}`;
    throw error;
  }
  return { url, logs, stop, pid: pgid, alive: () => groupAlive(pgid) };
}
