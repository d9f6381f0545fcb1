#!/usr/bin/env node
// entra-guard against jose in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core), in
// one page, on the same tokens and the same policy as benches/bench.mjs. In a browser there is no synchronous
// native RSA, so entra-guard runs the core's own (its `signatureVerifiedBy` is checked to say 'wasm'); jose
// verifies with WebCrypto (`crypto.subtle.verify`, asynchronous). Rounds interleave in the page; each round
// gets a new entra-guard instance (cacheSize 0), so every token is first-seen.
//
//   node benches/browser.mjs [--quick] [--out file]     (writes benches/results/browser.json by default)
//
// Chromium coarsens performance.now() (to 100 µs without cross-origin isolation): batches are hundreds of
// tokens long, so a round's total is exact to well under 1%.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AUDIENCE, ISSUER, REQUIRED_SCOPE, TENANT, makeKey, mintMany } from './lib/tokens.mjs';
import { pairedRatio, summarize } from './lib/measure.mjs';
import { cell, fmtRatio, table } from './lib/report.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..');
const CHROMIUM = '/usr/bin/chromium';
const MODES = { full: { tokens: 500, rounds: 9, warmUpMs: 1000 }, quick: { tokens: 60, rounds: 3, warmUpMs: 300 } };
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

const PAGE = `<!doctype html><meta charset="utf-8"><title>entra-guard browser benchmark</title>
<script type="importmap">{ "imports": { "entra-guard": "/pkg/browser.js", "jose": "/jose/index.js" } }</script>
<script type="module">
  import { EntraValidator } from 'entra-guard';
  import * as jose from 'jose';
  window.__bench = async ({ tokens, jwks, now, rounds, warmUpMs, policy }) => {
    const options = { tenantId: policy.tenantId, audience: policy.audience, jwks, clockToleranceSeconds: 300, requiredScopes: [policy.scope], cacheSize: 0 };
    const localJwks = jose.createLocalJWKSet(jwks);
    const joseOptions = { algorithms: ['RS256'], issuer: policy.issuer, audience: policy.audience, requiredClaims: ['exp'], currentDate: new Date(now * 1000), clockTolerance: 300 };
    const requireScope = (payload) => { if (!String(payload.scp).split(' ').includes(policy.scope)) throw new Error('scope'); };
    const contenders = {
      'entra-guard (core RSA in wasm, cacheSize 0)': async (batch) => {
        const v = new EntraValidator(options);
        for (const t of batch) if (v.validate(t, { now }).signatureVerifiedBy !== 'wasm') throw new Error('not the wasm path');
        v.free();
      },
      'jose (WebCrypto)': async (batch) => {
        for (const t of batch) requireScope((await jose.jwtVerify(t, localJwks, joseOptions)).payload);
      },
    };
    const names = Object.keys(contenders);
    const samples = Object.fromEntries(names.map((n) => [n, []]));
    // Warm-up, untimed, for the JIT, the wasm's tier-up from the baseline compiler, and the key import.
    const warmUntil = performance.now() + warmUpMs;
    do for (const n of names) await contenders[n](tokens); while (performance.now() < warmUntil);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length];
        const batch = tokens.map((t) => (' ' + t).slice(1));
        const start = performance.now();
        await contenders[name](batch);
        samples[name].push(((performance.now() - start) * 1000) / batch.length);
      }
    }
    return { samples, userAgent: navigator.userAgent };
  };
  document.body.dataset.ready = 'true';
</script>`;

function serve() {
  const roots = { '/pkg/': join(ROOT, 'pkg'), '/jose/': join(ROOT, 'node_modules/jose/dist/webapi') };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    const prefix = Object.keys(roots).find((p) => path.startsWith(p));
    const file = prefix && normalize(join(roots[prefix], path.slice(prefix.length)));
    if (!file || !file.startsWith(roots[prefix]) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, out: { type: 'string' } } });
  const mode = values.quick ? 'quick' : 'full';
  const cfg = MODES[mode];
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (scripts/setup.sh installs Debian's chromium)`);
  if (!existsSync(join(ROOT, 'pkg/browser.js'))) throw new Error('pkg/ is missing: bash scripts/build.sh');
  const { chromium } = await import('playwright-core');
  const now = Math.floor(Date.now() / 1000);
  const key = await makeKey(2048);
  const tokens = mintMany(key, now, cfg.tokens);
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 15_000 }).catch(() => {
      throw new Error(`the benchmark page did not load: ${errors.join('; ')}`);
    });
    const policy = { tenantId: TENANT, audience: AUDIENCE, issuer: ISSUER, scope: REQUIRED_SCOPE };
    const { samples, userAgent } = await page.evaluate((args) => window.__bench(args), { tokens, jwks: key.jwks, now, rounds: cfg.rounds, warmUpMs: cfg.warmUpMs, policy });
    const results = Object.fromEntries(Object.entries(samples).map(([n, s]) => [n, summarize(s)]));
    const [eg, jose] = Object.keys(results);
    const ratio = pairedRatio(results[eg], results[jose]);
    const out = values.out ?? join(HERE, 'results/browser.json');
    mkdirSync(dirname(out), { recursive: true });
    const meta = { mode, date: new Date().toISOString(), userAgent, cpuModel: cpus()[0]?.model, cpuCount: cpus().length, loadAverage: loadavg(), config: cfg };
    writeFileSync(out, `${JSON.stringify({ meta, results, ratio }, null, 2)}\n`);
    console.log(`entra-guard browser benchmark (${mode}) ${meta.date}\n${userAgent}, ${meta.cpuCount} x ${meta.cpuModel}, load ${meta.loadAverage.map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`first-seen 2048-bit tokens, ${cfg.tokens} per round, µs per token, median [min–max] of ${cfg.rounds} interleaved rounds\n`);
    console.log(table(['contender', 'µs/op'], Object.entries(results).map(([n, s]) => [n, cell(s)])));
    console.log(`\nratio ${eg} / ${jose}: ${fmtRatio(ratio)}  (results in ${out})`);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
