#!/usr/bin/env node
// The demo page's static server, on Express (a dev dependency): www/ at `/`, the built package (pkg/) at
// `/pkg/`, each with express.static. Paths are decoded, normalised and confined to their directory (symbolic
// links included) before express.static sees them; anything else is a 404, a malformed URL a 400, another
// method a 405. Every answer carries the security headers below, and nothing is cached.
//
//   node scripts/serve.mjs [--port 8080] [--host 127.0.0.1]
//
// Importing this module has no side effects: it listens only when run directly. Other code (tests, the
// main command) calls `startStaticServer({ port, host, root })`, which resolves to `{ url, server, close() }`.
//
// The page's import map (an inline <script type="importmap"> in www/index.html, mapping 'entra-guard' to
// /pkg/browser.js) is subject to the CSP's script-src like any inline script. The server allows it by its
// sha256, computed from index.html when the server starts, so the hash cannot drift from the file (restart
// after editing the import map).
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express';

/** The repository: the directory holding www/ and pkg/. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Content types by extension; anything else is application/octet-stream (with nosniff, never run). */
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
 * The sha256 sources (`'sha256-…'`) of the inline import maps in an HTML document, as a browser hashes them:
 * the UTF-8 text between the tags, with the HTML parser's newline normalisation (CR LF and CR become LF).
 * @param {string} html
 * @returns {string[]}
 */
export function importMapHashes(html) {
  const hashes = [];
  for (const [, attributes, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    if (!/\btype\s*=\s*(["']?)importmap\1(?=[\s/]|$)/i.test(attributes) || /\bsrc\s*=/i.test(attributes)) continue;
    const text = body.replace(/\r\n?/g, '\n');
    hashes.push(`'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/**
 * The page runs its own scripts, its import map (by hash) and the package's WebAssembly ('wasm-unsafe-eval'
 * allows compiling wasm, not eval), and may fetch only from itself and a tenant's signing keys at
 * login.microsoftonline.com (the public cloud's login host, ENTRA.clouds.public.host in the package).
 * @param {string[]} scriptHashes
 */
export function contentSecurityPolicy(scriptHashes = []) {
  return [
    "default-src 'self'",
    ["script-src 'self' 'wasm-unsafe-eval'", ...scriptHashes].join(' '),
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self' https://login.microsoftonline.com",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** @param {string} csp */
function securityHeaders(csp) {
  return Object.freeze({
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // Cross-origin isolation: performance.now() then has 5 µs resolution instead of 100 µs, which the
    // page's validation timing needs. The only cross-origin request (the tenant JWKS) is a CORS fetch.
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
    'cross-origin-resource-policy': 'same-origin',
    // Nothing is cached (www/ and pkg/ change under a running server while one develops).
    'cache-control': 'no-store',
  });
}

/**
 * A short plain-text answer.
 * @param {import('express').Response} res
 * @param {number} status
 * @param {string} body
 * @param {Record<string, string>} [headers]
 */
function answer(res, status, body, headers = {}) {
  res.status(status).set({ 'content-type': 'text/plain; charset=utf-8', ...headers }).send(body); // no body for HEAD
}

/** True when `child` is `parent` or inside it (both absolute, normalised). @param {string} parent @param {string} child */
function within(parent, child) {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Lets through only a request for a regular file inside `base`, symbolic links resolved; answers the rest
 * itself (400 for a malformed %-escape, 404 for anything else). express.static then serves the same path.
 * @param {string} base an absolute directory
 * @returns {import('express').RequestHandler}
 */
function confinedTo(base) {
  return async (req, res, next) => {
    let rest;
    try {
      rest = decodeURIComponent(req.path.startsWith('/') ? req.path.slice(1) : req.path);
    } catch {
      answer(res, 400, 'bad request\n');
      return;
    }
    if (!req.path.startsWith('/') || rest.includes('\0') || rest.includes('\\')) {
      answer(res, 404, 'not found\n');
      return;
    }
    if (rest === '' || rest.endsWith('/')) rest += 'index.html';
    // Normalise as a POSIX path rooted at '/': '..' can never climb above the root.
    const normalised = path.posix.normalize(`/${rest}`);
    if (normalised.split('/').some((part) => part.startsWith('.') && part !== '')) {
      answer(res, 404, 'not found\n'); // no dotfiles, no '..'
      return;
    }
    const candidate = path.resolve(base, `.${normalised}`);
    try {
      // Symbolic links must not lead out either.
      const [realBase, realFile] = await Promise.all([realpath(base), realpath(candidate)]);
      if (within(base, candidate) && within(realBase, realFile) && (await stat(realFile)).isFile()) {
        next();
        return;
      }
    } catch {
      // missing, unreadable, or a broken link: not found
    }
    answer(res, 404, 'not found\n');
  };
}

/**
 * express.static for one directory: no index listing, no redirects, no caching validators or ranges (as
 * before: every answer is no-store), and the content types above.
 * @param {string} base
 */
function staticFiles(base) {
  return express.static(base, {
    dotfiles: 'ignore',
    index: ['index.html'],
    redirect: false,
    fallthrough: true,
    etag: false,
    lastModified: false,
    acceptRanges: false,
    cacheControl: false,
    setHeaders(res, file) {
      res.setHeader('content-type', CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
    },
  });
}

/**
 * The Express app serving `root`/www at / and `root`/pkg at /pkg/.
 * @param {{ root: string, csp: string }} options
 */
export function createApp({ root, csp }) {
  const headers = securityHeaders(csp);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('case sensitive routing', true); // '/PKG/' is not '/pkg/' (before the router exists)
  app.use((req, res, next) => {
    res.set(headers);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      answer(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    next();
  });
  // Longest prefix first; a /pkg/ path never falls through to www/.
  for (const [prefix, dir] of [['/pkg', 'pkg'], ['/', 'www']]) {
    const base = path.resolve(root, dir);
    // Express matches whole segments: '/pkg' and '/pkg/...' (the package has no index.html, so '/pkg' is a 404
    // as before), never '/pkgs'.
    app.use(prefix, confinedTo(base), staticFiles(base), (req, res) => answer(res, 404, 'not found\n'));
  }
  // Whatever went wrong: never a stack trace, and a 4xx stays a 4xx. (Express tells an error handler by its
  // four parameters, `next` unused included.)
  app.use((/** @type {any} */ error, /** @type {import('express').Request} */ req, /** @type {import('express').Response} */ res, /** @type {import('express').NextFunction} */ next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = Number(error?.status ?? error?.statusCode);
    if (Number.isInteger(status) && status >= 400 && status < 500) answer(res, status, `${status === 404 ? 'not found' : 'bad request'}\n`);
    else answer(res, 500, 'internal server error\n');
  });
  return app;
}

/**
 * Starts the static server. `root` is the repository directory holding www/ and pkg/ (default: this
 * repository). Port 0 picks a free port. Resolves to `{ url, server, close() }`; `url` ends with '/'.
 */
export async function startStaticServer({ port = 8080, host = '127.0.0.1', root = REPO_ROOT } = {}) {
  const resolvedRoot = path.resolve(root);
  const html = await readFile(path.join(resolvedRoot, 'www', 'index.html'), 'utf8').catch(() => '');
  const server = createServer(createApp({ root: resolvedRoot, csp: contentSecurityPolicy(importMapHashes(html)) }));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const shownHost = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined));
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
