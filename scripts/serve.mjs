#!/usr/bin/env node
// A small static server for the demo page: www/ at `/`, the built package (pkg/) at `/pkg/`.
// No dependencies (node:http only). Paths are decoded, normalised and confined to their directory
// (symbolic links included); anything else is a 404. Every answer carries the security headers below.
//
//   node scripts/serve.mjs [--port 8080] [--host 127.0.0.1]
//
// Importing this module has no side effects: it listens only when run directly. Other code (tests, the
// main command) calls `startStaticServer({ port, host, root })`, which resolves to `{ url, close() }`.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository: the directory holding www/ and pkg/. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const CONTENT_TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.cts': 'text/plain; charset=utf-8',
});

/**
 * The page runs its own scripts and the package's WebAssembly ('wasm-unsafe-eval' allows compiling wasm,
 * not eval), and may fetch only from itself and a tenant's signing keys at login.microsoftonline.com.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' https://login.microsoftonline.com",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Cross-origin isolation: performance.now() then has 5 µs resolution instead of 100 µs, which the
  // page's validation timing needs. The only cross-origin request (the tenant JWKS) is a CORS fetch.
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
});

/** URL prefix → directory (relative to the root). Longest prefix first. */
const MOUNTS = [
  { prefix: '/pkg/', dir: 'pkg' },
  { prefix: '/', dir: 'www' },
];

function send(res, status, body, headers = {}) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** True when `child` is `parent` or inside it (both absolute, normalised). */
function within(parent, child) {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The file a URL path names, or null. Never a path outside the mount's directory. */
async function resolveFile(root, urlPath) {
  const mount = MOUNTS.find((m) => urlPath.startsWith(m.prefix));
  if (!mount) return null;
  let rest;
  try {
    rest = decodeURIComponent(urlPath.slice(mount.prefix.length));
  } catch {
    return null;
  }
  if (rest.includes('\0') || rest.includes('\\')) return null;
  if (rest === '' || rest.endsWith('/')) rest += 'index.html';
  // Normalise as a POSIX path rooted at '/': '..' can never climb above the root.
  const normalised = path.posix.normalize(`/${rest}`);
  if (normalised.split('/').some((part) => part.startsWith('.') && part !== '')) return null; // no dotfiles, no '..'
  const base = path.resolve(root, mount.dir);
  const candidate = path.resolve(base, `.${normalised}`);
  if (!within(base, candidate)) return null;
  try {
    // Symbolic links must not lead out either.
    const [realBase, realFile] = await Promise.all([realpath(base), realpath(candidate)]);
    if (!within(realBase, realFile)) return null;
    const info = await stat(realFile);
    return info.isFile() ? { file: realFile, size: info.size } : null;
  } catch {
    return null;
  }
}

function handler(root) {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    let urlPath;
    try {
      urlPath = new URL(req.url, 'http://localhost').pathname;
    } catch {
      send(res, 400, 'bad request\n');
      return;
    }
    const found = await resolveFile(root, urlPath);
    if (!found) {
      send(res, 404, 'not found\n');
      return;
    }
    const type = CONTENT_TYPES[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': String(found.size) });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(found.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}

/**
 * Starts the static server. `root` is the repository directory holding www/ and pkg/ (default: this
 * repository). Port 0 picks a free port. Resolves to `{ url, server, close() }`; `url` ends with '/'.
 */
export async function startStaticServer({ port = 8080, host = '127.0.0.1', root = REPO_ROOT } = {}) {
  const server = createServer(handler(path.resolve(root)));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const shownHost = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parseArgs(argv) {
  const options = { port: 8080, host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[i + 1];
    if (flag === '--port' || flag === '--host') {
      if (value === undefined) throw new Error(`${flag} needs a value`);
      if (inline === undefined) i += 1;
      if (flag === '--port') {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${value}: not a port number`);
        options.port = port;
      } else {
        options.host = value;
      }
    } else if (flag === '--help' || flag === '-h') {
      options.help = true;
    } else {
      throw new Error(`unknown argument ${argv[i]} (usage: node scripts/serve.mjs [--port 8080] [--host 127.0.0.1])`);
    }
  }
  return options;
}

const runDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (runDirectly) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`serve: ${error.message}`);
    process.exit(2);
  }
  if (options.help) {
    console.log('usage: node scripts/serve.mjs [--port 8080] [--host 127.0.0.1]\nServes www/ at / and pkg/ at /pkg/.');
    process.exit(0);
  }
  const { url, close } = await startStaticServer(options);
  console.log(`entra-guard demo page: ${url}  (www/ at /, pkg/ at /pkg/; Ctrl-C stops)`);
  const stop = () => close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
