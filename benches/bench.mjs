#!/usr/bin/env node
// entra-guard against jose, fast-jwt, jsonwebtoken and bare node:crypto, in one process, on the same
// tokens and the same policy. Prints a table to stdout (progress to stderr) and writes
// benches/results/latest.json. See benches/README.md.
//
//   node benches/bench.mjs           full run (a few minutes)
//   node benches/bench.mjs --quick   smoke test (seconds): fewer tokens, rounds and validations
//   --out <file>                     write the JSON results there instead of benches/results/latest.json
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import {
  checkPolicy, entraGuard, fastJwt, jose, jsonWebToken, loadEntraGuard, nodeCryptoFloor,
} from './lib/contenders.mjs';
import { parts, stageContenders } from './lib/breakdown.mjs';
import { interleaved, pairedRatio, warmUp } from './lib/measure.mjs';
import { cell, fmtRatio, fmtUs, table, verdict } from './lib/report.mjs';
import {
  AUDIENCE, ISSUER, REQUIRED_SCOPE, TENANT, freshCopies, invalidTokens, makeKey, mint, mintMany,
} from './lib/tokens.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..');
const WASM_PATH = join(ROOT, 'pkg/wasm/entra_guard_bg.wasm');
const RESULTS_PATH = join(HERE, 'results/latest.json');

const MODES = {
  full: {
    // 2048-bit first-seen tokens carry the targets: 15 rounds there narrow the paired ratios' spread on this
    // shared VM (about ±0.07 from run to run with 7); 7 rounds elsewhere.
    tokens: 2000, rounds: 7, targetRounds: 15, warmUpMs: 500, repeatCached: 20_000, repeatUncached: 500,
    startupRuns: 10, rssTotal: 1_000_000, rssWarmUp: 100_000, rssSampleEvery: 100_000,
  },
  quick: {
    tokens: 100, rounds: 3, targetRounds: 3, warmUpMs: 50, repeatCached: 2_000, repeatUncached: 50,
    startupRuns: 3, rssTotal: 20_000, rssWarmUp: 2_000, rssSampleEvery: 2_000,
  },
};
const KEY_SIZES = [2048, 3072, 4096];
const WARM_UP_TOKENS = 200;
// RSS run: a pool twice the default cache size, of which a small hot set stays cached (see children/rss.mjs).
const RSS_POOL = 2000;
const RSS_HOT = 100;

// Issue 12's targets (the first round's, against jose, stay printed as figures: jose's cost is mostly
// WebCrypto's thread-pool round trip, which moves with the machine's load more than the work does).
const TARGETS = {
  firstSeenVsFastJwt: 1.0, firstSeenVsFloor: 1.5, wasmPathVsFloor: 3.0, cachedVsFastJwt: 0.25,
  wasmGzipKB: 100, wasmGzipStretchKB: 80, startupVsJose: 1.0, rssGrowthMB: 5,
};
const KB = 1000; // decimal units throughout (the stricter reading of the targets)

const EG_NO_CACHE = 'entra-guard (cacheSize 0)';
const EG_WASM = "entra-guard crypto:'wasm' (cacheSize 0)";
const FLOOR = 'node:crypto verify (floor)';
const EG_READING_CLAIMS = 'entra-guard (cacheSize 0), then reading claims.scp';
const EG_DEFAULT = 'entra-guard (default cache)';

const log = (message) => process.stderr.write(`${message}\n`);

// ── 1. first-seen tokens ─────────────────────────────────────────────────────────────────────────

/** Every contender validates the same N distinct tokens once per round; entra-guard on a fresh instance each round. */
async function firstSeen(key, now, cfg) {
  const tokens = mintMany(key, now, cfg.tokens);
  const egName = EG_NO_CACHE;
  const contenders = [
    entraGuard(egName, key, now, { cacheSize: 0, freshPerRound: true }),
    entraGuard(EG_WASM, key, now, { cacheSize: 0, freshPerRound: true, crypto: 'wasm' }),
    entraGuard(EG_DEFAULT, key, now, { freshPerRound: true }),
    entraGuard(EG_READING_CLAIMS, key, now, { cacheSize: 0, freshPerRound: true, readClaims: true }),
    jose(key, now),
    fastJwt(key, now, { cache: false }),
    jsonWebToken(key, now, { keyForm: 'pem' }),
    jsonWebToken(key, now, { keyForm: 'keyObject' }),
  ];
  const floor = nodeCryptoFloor(key);
  const bad = invalidTokens(key, now);
  for (const c of contenders) await checkPolicy(c, tokens[0], bad);
  await checkPolicy(floor, tokens[0], { badSignature: bad.badSignature });
  contenders.push(floor);

  const warmUpSet = freshCopies(tokens.slice(0, WARM_UP_TOKENS));
  for (const c of contenders) await warmUp(c, warmUpSet, cfg.warmUpMs);
  const results = await interleaved(contenders, () => freshCopies(tokens), cfg.rounds);
  for (const c of contenders) c.dispose?.();

  const ratios = {};
  for (const name of Object.keys(results)) if (name !== egName) ratios[name] = pairedRatio(results[egName], results[name]);
  // The portable path (the core's own RSA, as in browsers and workerd without nodejs_compat) against the same.
  const wasmRatios = {};
  for (const name of Object.keys(results)) if (name !== EG_WASM) wasmRatios[name] = pairedRatio(results[EG_WASM], results[name]);
  return { egName, results, ratios, wasmRatios };
}

// ── 2. the same token repeated ───────────────────────────────────────────────────────────────────

async function repeated(key, now, cfg) {
  const token = mint(key, now);
  const contenders = [
    entraGuard(EG_DEFAULT, key, now, {}),
    fastJwt(key, now, { cache: true }),
    entraGuard(EG_NO_CACHE, key, now, { cacheSize: 0 }),
  ];
  // Each call gets its own copy of the token's text, as from a request header (see freshCopies).
  // The uncached reference does ~100x the work per call, so it gets fewer calls per round.
  const isCached = (c) => c.name === EG_DEFAULT || c.name === 'fast-jwt (cache on)';
  const batchFor = (c) => freshCopies(Array(isCached(c) ? cfg.repeatCached : cfg.repeatUncached).fill(token));

  for (const c of contenders) await warmUp(c, batchFor(c).slice(0, WARM_UP_TOKENS), cfg.warmUpMs);
  const results = await interleaved(contenders, batchFor, cfg.rounds);
  for (const c of contenders) c.dispose?.();
  const ratio = pairedRatio(results[EG_DEFAULT], results['fast-jwt (cache on)']);
  return { results, ratio, batch: { cached: cfg.repeatCached, uncached: cfg.repeatUncached } };
}

// ── 2b. where a first-seen validation spends its time ──────────────────────────────────────────────

async function breakdown(key, now, cfg) {
  const tokens = mintMany(key, now, cfg.tokens);
  const stages = await stageContenders(key, now, tokens);
  for (const c of stages) await warmUp(c, c.batch().slice(0, WARM_UP_TOKENS), cfg.warmUpMs);
  const results = await interleaved(stages, (c) => c.batch(), cfg.rounds);
  return { results, ...parts(results) };
}

// ── 3. wasm size ─────────────────────────────────────────────────────────────────────────────────

function wasmSize(bytes) {
  return {
    path: 'pkg/wasm/entra_guard_bg.wasm',
    rawBytes: bytes.length,
    gzip9Bytes: gzipSync(bytes, { level: 9 }).length,
    sha256: sha256(bytes),
  };
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** The wasm's hash now, or null when pkg/ is missing (mid-rebuild). */
function currentWasmSha() {
  try {
    return sha256(readFileSync(WASM_PATH));
  } catch {
    return null;
  }
}

// ── 4. fresh process to first validated token ────────────────────────────────────────────────────

const STARTUP_CHILDREN = [
  { name: 'node alone (ESM, reads the fixture)', script: 'children/startup-node.mjs' },
  { name: 'entra-guard (ESM, pkg/node.mjs)', script: 'children/startup-entra-guard.mjs' },
  { name: 'jose', script: 'children/startup-jose.mjs' },
];

function spawnTimed(script, fixturePath) {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [join(HERE, script), fixturePath], { encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`${script} failed (${child.status}): ${child.stderr}`);
  return { ms: JSON.parse(child.stdout).ms, wallMs };
}

function startup(key, workDir, cfg) {
  // Minted for the real clock: the children validate without a fixed `now`.
  const fixturePath = join(workDir, 'startup.json');
  const token = mint(key, Math.floor(Date.now() / 1000));
  writeFileSync(fixturePath, JSON.stringify({ tenantId: TENANT, audience: AUDIENCE, issuer: ISSUER, scope: REQUIRED_SCOPE, jwks: key.jwks, token }));

  // One unrecorded run each first, so the file cache is warm for all of them alike.
  for (const c of STARTUP_CHILDREN) spawnTimed(c.script, fixturePath);
  const runs = new Map(STARTUP_CHILDREN.map((c) => [c.name, []]));
  for (let i = 0; i < cfg.startupRuns; i++) {
    for (let j = 0; j < STARTUP_CHILDREN.length; j++) {
      const c = STARTUP_CHILDREN[(i + j) % STARTUP_CHILDREN.length];
      runs.get(c.name).push(spawnTimed(c.script, fixturePath));
    }
  }
  return Object.fromEntries([...runs].map(([name, list]) => [name, {
    toFirstValidMs: summarizeList(list.map((r) => r.ms)),
    processWallMs: summarizeList(list.map((r) => r.wallMs)),
  }]));
}

// ── 5. RSS over many validations ─────────────────────────────────────────────────────────────────

// The same run twice. With Node's defaults V8 grows its young generation (up to 2 x 16 MB of
// semi-spaces) when allocation is fast, which shows in RSS though nothing is kept; capping it leaves
// RSS to what is actually retained. The target is judged on the defaults, as a server would run.
const RSS_VARIANTS = [
  { id: 'nodeDefaults', label: 'Node defaults', flags: [] },
  { id: 'youngGenCapped', label: 'young gen capped (--max-semi-space-size=1)', flags: ['--max-semi-space-size=1'] },
];

function rssFixture(key, now, workDir, cfg) {
  const bad = invalidTokens(key, now);
  const invalid = [
    ...Object.values(bad),
    '', 'x'.repeat(20_000), 'e30.e30.', `${'A'.repeat(100)}.${'B'.repeat(100)}.${'C'.repeat(100)}`,
  ];
  const fixturePath = join(workDir, 'rss.json');
  writeFileSync(fixturePath, JSON.stringify({
    tenantId: TENANT, audience: AUDIENCE, scope: REQUIRED_SCOPE, jwks: key.jwks, now,
    pool: mintMany(key, now, RSS_POOL), invalid, hotSetSize: RSS_HOT,
    total: cfg.rssTotal, warmUp: cfg.rssWarmUp, sampleEvery: cfg.rssSampleEvery,
  }));
  return fixturePath;
}

function rssRun(variant, fixturePath, total) {
  const child = spawnSync(process.execPath, ['--expose-gc', ...variant.flags, join(HERE, 'children/rss.mjs'), fixturePath], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`children/rss.mjs ${variant.flags.join(' ')} failed (${child.status})`);
  const { beforeWarmUp, afterPoolPass, samples, counts, phaseOneSeconds } = JSON.parse(child.stdout);

  const first = samples[0];
  const last = samples[samples.length - 1];
  const mid = samples.find((s) => s.validations === total / 2) ?? first;
  const growth = (field) => last[field] - first[field];
  const half = total / 2;
  return {
    label: variant.label,
    nodeFlags: variant.flags,
    counts,
    beforeWarmUpMB: beforeWarmUp.rssMB,
    afterPoolPassMB: afterPoolPass.rssMB,
    startMB: first.rssMB,
    maxMB: Math.max(...samples.map((s) => s.rssMB)),
    endMB: last.rssMB,
    growthMB: growth('rssMB'),
    growthSincePoolPassMB: last.rssMB - afterPoolPass.rssMB,
    secondHalfGrowthMB: last.rssMB - mid.rssMB,
    heapTotalGrowthMB: growth('heapTotalMB'),
    heapUsedGrowthMB: growth('heapUsedMB'),
    externalGrowthMB: growth('externalMB'),
    validationsPerSecond: total / last.seconds,
    validationsPerSecondValidOnly: half / phaseOneSeconds,
    validationsPerSecondWithInvalid: half / (last.seconds - phaseOneSeconds),
    seconds: last.seconds,
    samples,
  };
}

function rss(key, now, workDir, cfg) {
  const fixturePath = rssFixture(key, now, workDir, cfg);
  const runs = {};
  for (const variant of RSS_VARIANTS) {
    log(`   ${variant.label}`);
    runs[variant.id] = rssRun(variant, fixturePath, cfg.rssTotal);
  }
  return {
    total: cfg.rssTotal,
    mix: {
      pool: RSS_POOL, hotSet: RSS_HOT, counts: runs.nodeDefaults.counts,
      description: `per 20 validations: 1 cold token (cycling ${RSS_POOL - RSS_HOT} tokens in order, more than the ` +
        `cache holds: miss + insert + evict), 19 from a hot set of ${RSS_HOT} (hits); in the second half one of the ` +
        `19 is an invalid input instead (5%: expired, wrong audience, missing scope, bad signature, garbage)`,
    },
    runs,
  };
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────

function summarizeList(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return {
    median: (sorted[Math.floor(mid)] + sorted[Math.ceil(mid)]) / 2,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    samples: values,
  };
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

// ── output ───────────────────────────────────────────────────────────────────────────────────────

function targets(r) {
  const first = r.firstSeen[2048];
  const gzipKB = r.wasm.gzip9Bytes / KB;
  const rssReason = r.meta.mode === 'quick' ? ` (quick: ${r.rss.total.toLocaleString('en')} validations)` : '';
  const startupEg = r.startup['entra-guard (ESM, pkg/node.mjs)'].toFirstValidMs.median;
  const startupJose = r.startup.jose.toFirstValidMs.median;
  const ratio = (value, limit, label) => ({ target: label, value: fmtRatio(value), verdict: verdict(value, limit) });
  return [
    ratio(first.ratios['fast-jwt (cache off)'], TARGETS.firstSeenVsFastJwt,
      `first-seen 2048-bit ${first.egName} / fast-jwt (cache off) <= ${TARGETS.firstSeenVsFastJwt.toFixed(1)}`),
    ratio(first.ratios[FLOOR], TARGETS.firstSeenVsFloor,
      `first-seen 2048-bit ${first.egName} / ${FLOOR} <= ${TARGETS.firstSeenVsFloor.toFixed(1)}`),
    ratio(first.wasmRatios[FLOOR], TARGETS.wasmPathVsFloor,
      `first-seen 2048-bit ${EG_WASM} / ${FLOOR} <= ${TARGETS.wasmPathVsFloor.toFixed(1)}`),
    ratio(r.repeated.ratio, TARGETS.cachedVsFastJwt, `cached ${EG_DEFAULT} / fast-jwt (cache on) <= ${TARGETS.cachedVsFastJwt}`),
    {
      target: `wasm gzip -9 <= ${TARGETS.wasmGzipKB} KB`,
      value: `${gzipKB.toFixed(1)} KB`,
      verdict: verdict(gzipKB, TARGETS.wasmGzipKB, { fmt: (d) => `${d.toFixed(1)} KB` }),
    },
    {
      target: `  stretch <= ${TARGETS.wasmGzipStretchKB} KB`,
      value: `${gzipKB.toFixed(1)} KB`,
      verdict: verdict(gzipKB, TARGETS.wasmGzipStretchKB, { fmt: (d) => `${d.toFixed(1)} KB` }),
    },
    ratio(startupEg / startupJose, TARGETS.startupVsJose, `fresh process to first validated token, entra-guard / jose <= ${TARGETS.startupVsJose.toFixed(1)}`),
    ...RSS_VARIANTS.map((variant, i) => {
      const run = r.rss.runs[variant.id];
      return {
        target: i === 0 ? `RSS growth over 1M validations < ${TARGETS.rssGrowthMB} MB (${variant.label})` : `  same, ${variant.label}`,
        value: `${run.growthMB.toFixed(2)} MB`,
        verdict: verdict(run.growthMB, TARGETS.rssGrowthMB, { strict: true, fmt: (d) => `${d.toFixed(2)} MB` }) + rssReason,
      };
    }),
  ];
}

function printReport(r) {
  const { meta } = r;
  const out = [];
  out.push(`entra-guard benchmark (${meta.mode}) ${meta.date}`);
  out.push(`node ${meta.node}, ${meta.platform}/${meta.arch}, ${meta.cpuCount} x ${meta.cpuModel}, load average ${meta.loadAverage.start.map((l) => l.toFixed(2)).join(' ')} at start, ${meta.loadAverage.end.map((l) => l.toFixed(2)).join(' ')} at end`);
  out.push(`repo at ${meta.gitCommit ?? '?'}, pkg/ wasm sha256 ${r.wasm.sha256.slice(0, 12)}`);
  if (meta.pkgChangedDuringRun) out.push('WARNING: pkg/ was rebuilt during the run; the child-process figures (4, 5) may be of another build');
  out.push(`policy: RS256, exact iss and aud, exp required, exp/nbf at a fixed now with 300 s leeway, scp contains ${REQUIRED_SCOPE}`);
  out.push(`times: µs per token, median [min–max] of ${meta.config.rounds} interleaved rounds (first-seen 2048-bit: ${meta.config.targetRounds}); ratio = median over the rounds of entra-guard / contender in the same round (< 1.00: entra-guard faster)`);

  const sizes = KEY_SIZES;
  const egName = r.firstSeen[sizes[0]].egName;
  const names = Object.keys(r.firstSeen[sizes[0]].results);
  const tokenLengths = sizes.map((b) => `${b}: ${r.firstSeen[b].tokenLength} B`).join(', ');
  out.push('', `1. First-seen tokens: ${meta.config.tokens} distinct tokens, each validated once per round (token length ${tokenLengths})`);
  const rows = names.map((n) => [n, ...sizes.map((b) => cell(r.firstSeen[b].results[n]))]);
  out.push(table(['µs/op', ...sizes.map((b) => `${b}-bit`)], rows));
  out.push('');
  out.push(table(
    [`ratio ${egName} / …`, ...sizes.map((b) => `${b}-bit`)],
    names.filter((n) => n !== egName).map((n) => [n, ...sizes.map((b) => fmtRatio(r.firstSeen[b].ratios[n]))]),
  ));
  out.push(`(${EG_DEFAULT} / ${egName} is the cache's cost on misses)`);
  out.push('');
  out.push(table(
    [`ratio ${EG_WASM} / …`, ...sizes.map((b) => `${b}-bit`)],
    names.filter((n) => n !== EG_WASM).map((n) => [n, ...sizes.map((b) => fmtRatio(r.firstSeen[b].wasmRatios[n]))]),
  ));
  out.push("(crypto:'wasm' is the portable path: the core's own RSA, as in browsers and in workerd without nodejs_compat)");

  const bd = r.breakdown;
  out.push('', `2b. Where a first-seen 2048-bit validation spends its time (crypto auto, cacheSize 0): each part timed on its own in the same interleaved rounds`);
  out.push(table(['stage', 'µs/op'], Object.entries(bd.results).map(([n, st]) => [n, cell(st)])));
  out.push('');
  out.push(table(['part of validate() (differences of the medians above)', 'µs', 'share'],
    bd.rows.map((row) => [row.part, fmtUs(row.us), `${(100 * row.share).toFixed(0)}%`])));
  out.push(`total ${fmtUs(bd.totalUs)} µs; the core's own RSA (SHA-256 included) instead of node:crypto: ${fmtUs(bd.coreOwnRsaUs)} µs, ` +
    `validate() with crypto:'wasm' ${fmtUs(bd.wasmPathUs)} µs; reading a result's claims the first time, which a caller ` +
    `that reads them pays once per result: ${fmtUs(bd.claimsFirstReadUs)} µs`);

  const rep = r.repeated;
  out.push('', `2. The same token repeated (2048-bit; each call gets a new string with its text, as from a request header): ` +
    `${rep.batch.cached.toLocaleString('en')} calls per round for cached contenders, ${rep.batch.uncached} for the uncached reference`);
  const repRows = Object.entries(rep.results).map(([n, s]) => [n, cell(s)]);
  out.push(table(['µs/op', '2048-bit'], repRows));
  out.push(`ratio ${EG_DEFAULT} / fast-jwt (cache on): ${fmtRatio(rep.ratio)}`);

  const w = r.wasm;
  out.push('', `3. wasm size (${w.path}): ${w.rawBytes.toLocaleString('en')} bytes raw (${(w.rawBytes / KB).toFixed(1)} KB), ` +
    `${w.gzip9Bytes.toLocaleString('en')} bytes gzip -9 (${(w.gzip9Bytes / KB).toFixed(1)} KB)`);

  out.push('', `4. Fresh node process to first validated token: ms since process start (performance.now()), median [min–max] of ${meta.config.startupRuns} runs`);
  const fmtMs = (ms) => ms.toFixed(1);
  out.push(table(['contender', 'to first valid token', 'whole process (wall)'],
    Object.entries(r.startup).map(([n, s]) => [n, cell(s.toFirstValidMs, fmtMs), cell(s.processWallMs, fmtMs)])));

  const m = r.rss;
  const mb = (v) => v.toFixed(1);
  const delta = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
  const perSecond = (v) => Math.round(v).toLocaleString('en');
  out.push('', `5. RSS of one instance over ${m.total.toLocaleString('en')} validations (child process, full GC before each sample; MB)`);
  out.push(`   mix: ${m.mix.description}`);
  out.push(`   counts: ${m.mix.counts.hot.toLocaleString('en')} hot, ${m.mix.counts.cold.toLocaleString('en')} cold, ` +
    `${m.mix.counts.invalid.toLocaleString('en')} invalid`);
  out.push(table(
    ['run', 'before', 'pool pass', 'start', 'max', 'end', 'growth', '2nd half', 'heapTotal', 'heapUsed', 'external', 'valid/s', '+5% invalid/s'],
    Object.values(m.runs).map((run) => [
      run.label, mb(run.beforeWarmUpMB), mb(run.afterPoolPassMB), mb(run.startMB), mb(run.maxMB), mb(run.endMB),
      delta(run.growthMB), delta(run.secondHalfGrowthMB),
      delta(run.heapTotalGrowthMB), delta(run.heapUsedGrowthMB), delta(run.externalGrowthMB),
      perSecond(run.validationsPerSecondValidOnly), perSecond(run.validationsPerSecondWithInvalid),
    ]),
  ));
  out.push(`   before = RSS before any validation; pool pass = after validating each pool token once (cache full);`);
  out.push(`   start = after ${meta.config.rssWarmUp.toLocaleString('en')} more validations of the mix (V8 has sized its heap to the allocation rate).`);
  out.push('   growth = end - start; 2nd half = end - midpoint; heapTotal = JS heap V8 has reserved, heapUsed = live JS');
  out.push('   objects, external = off-heap memory, i.e. the wasm linear memory (their growth, end - start).');

  out.push('', 'Targets (reported, never asserted)');
  out.push(table(['target', 'value', 'verdict'], r.targets.map((t) => [t.target, t.value, t.verdict])));
  out.push('', `${meta.durationSeconds.toFixed(0)} s in all; results in ${meta.resultsPath}`);
  console.log(out.join('\n'));
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────────

async function main() {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, out: { type: 'string' } } });
  const resultsPath = values.out ?? RESULTS_PATH;
  const mode = values.quick ? 'quick' : 'full';
  const cfg = MODES[mode];
  const started = performance.now();
  const loadStart = loadavg();

  await loadEntraGuard();
  // Read once, just after this process instantiated it, so the size and the hash are of the build measured
  // in-process even if pkg/ is rebuilt during the run (the children load it again from disk).
  const wasmBytes = readFileSync(WASM_PATH);

  // A fixed clock inside every token's validity, the same for every contender.
  const now = Math.floor(Date.now() / 1000);
  const workDir = mkdtempSync(join(tmpdir(), 'entra-guard-bench-'));
  try {
    const keys = {};
    for (const bits of KEY_SIZES) {
      log(`generating a ${bits}-bit RSA key (a test issuer's)`);
      keys[bits] = await makeKey(bits);
    }

    const firstSeenResults = {};
    for (const bits of KEY_SIZES) {
      const rounds = bits === 2048 ? cfg.targetRounds : cfg.rounds;
      log(`1. first-seen, ${bits}-bit: minting ${cfg.tokens} tokens, then ${rounds} rounds`);
      firstSeenResults[bits] = await firstSeen(keys[bits], now, { ...cfg, rounds });
      firstSeenResults[bits].rounds = rounds;
      firstSeenResults[bits].tokenLength = mint(keys[bits], now).length;
    }
    log('2. the same token repeated');
    const repeatedResults = await repeated(keys[2048], now, cfg);
    log('2b. where a first-seen 2048-bit validation spends its time');
    const breakdownResults = await breakdown(keys[2048], now, cfg);
    log('3. wasm size');
    const wasm = wasmSize(wasmBytes);
    log(`4. startup: ${cfg.startupRuns} runs per contender`);
    const startupResults = startup(keys[2048], workDir, cfg);
    log(`5. RSS: ${cfg.rssTotal.toLocaleString('en')} validations in a child process, twice`);
    const rssResults = rss(keys[2048], now, workDir, cfg);

    const results = {
      meta: {
        mode,
        date: new Date().toISOString(),
        node: process.version,
        platform: process.platform,
        arch: process.arch,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        cpuCount: cpus().length,
        loadAverage: { start: loadStart, end: loadavg() },
        gitCommit: gitCommit(),
        cacheSizeSupported: true, // every build has the cache; the field stays (tests/js/bench-smoke.test.mjs reads it)
        // The startup and RSS children load pkg/ from disk; if it changed, they measured another build.
        pkgChangedDuringRun: currentWasmSha() !== wasm.sha256,
        now,
        config: { ...cfg, keySizes: KEY_SIZES, warmUpTokens: WARM_UP_TOKENS },
        durationSeconds: (performance.now() - started) / 1000,
        resultsPath: relative(process.cwd(), resultsPath) || resultsPath,
      },
      firstSeen: firstSeenResults,
      repeated: repeatedResults,
      breakdown: breakdownResults,
      wasm,
      startup: startupResults,
      rss: rssResults,
    };
    results.targets = targets(results);
    mkdirSync(dirname(resultsPath), { recursive: true });
    writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    printReport(results);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
