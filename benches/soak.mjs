#!/usr/bin/env node
// Soak: millions of validations on ONE EntraValidator (default cacheSize, 1000), RSS sampled at intervals.
// It answers "does a long-running server's memory stay flat?", not "how fast is it" (bench.mjs does that).
//
// Tokens: a pool of 5,000 distinct valid tokens (the test issuer's mint, serve: false: no server), of
// which a hot set of 800 fits in the cache and 4,200 "cold" ones cycle in order (more than the cache holds,
// so each is evicted before it comes round again), plus invalid inputs of ten kinds. The mix, per 100:
//   2  cold tokens: a miss, a full validation, an insertion and an eviction (the steady trickle);
//   5  invalid inputs (expired, wrong audience, other tenant, missing scope, bad signature, unknown kid,
//      alg none, garbage, malformed, too large), each must fail with its own error code;
//   93 hot tokens: cache hits, as when MCP clients re-send their token with each request.
// Every call gets a new string with the token's text, as a server gets from each request's header.
//
// Sequence: mint -> one pass over the pool and the invalid inputs (fills the cache) -> a warm-up of the mix
// (V8 sizes its heap to the allocation rate and tiers up the code; the young generation alone can add some
// 30 MB of RSS in the first 100,000 validations without anything being kept) -> the baseline sample -> N
// validations of the mix, sampled every 250,000 (50,000 with --quick). Every sample follows a forced full
// GC, so RSS tracks what is live; the script re-spawns itself with --expose-gc when gc() is missing.
//
//   node benches/soak.mjs            N = 3,000,000 (about a minute on an idle 2-core machine)
//   node benches/soak.mjs --quick    N = 200,000
//   --validations <n>  --warm-up <n>  --sample-every <n>  --threshold-mb <MB>  --out <file>
//
// Exits non-zero when RSS grows by more than the threshold (default 20 MB) from the baseline (the lowest of
// the last three samples counts: see below), when heapUsed or external (the wasm memory) grows by more than
// 5 MB, or when a valid token is refused or an invalid input accepted (or refused with the wrong code).
//
// The threshold: the verified-token cache is bounded at cacheSize = 1000 entries. Each holds the token
// (~1.5 KB) and its result (~1 KB of JSON) in wasm memory, and the JS mirror holds the same token string
// and its frozen result object (~2-3 KB with V8 overheads): ~5-6 MB in all at most, and all of it is
// reached during the pool pass, before the baseline. After the baseline a bounded cache adds nothing, so
// growth is allocator and heap-sizing noise (a few MB: V8 resizes its heap to the allocation rate, wasm
// memory grows in 64 KiB pages and never shrinks). 20 MB is well above that noise and well below what a
// leak would add: over 3,000,000 validations it catches ~7 bytes kept per validation, or one token
// (1.5 KB) kept per miss (60,000 misses -> 90 MB), or one result object kept per hit.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SELF = fileURLToPath(import.meta.url);
if (typeof globalThis.gc !== 'function') {
  const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, SELF, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const HERE = dirname(SELF);
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    validations: { type: 'string' },
    'warm-up': { type: 'string' },
    'sample-every': { type: 'string' },
    'threshold-mb': { type: 'string', default: '20' },
    out: { type: 'string', default: join(HERE, 'results/soak.json') },
  },
});
const N = Number(values.validations ?? (values.quick ? 200_000 : 3_000_000));
const WARM_UP = Number(values['warm-up'] ?? (values.quick ? 50_000 : 250_000));
const SAMPLE_EVERY = Number(values['sample-every'] ?? (values.quick ? 50_000 : 250_000));
const THRESHOLD_MB = Number(values['threshold-mb']);
const LIVE_THRESHOLD_MB = 5;
for (const [name, v] of Object.entries({ N, WARM_UP, SAMPLE_EVERY, THRESHOLD_MB })) {
  if (!(Number.isFinite(v) && v >= 0) || (name !== 'WARM_UP' && v === 0)) throw new Error(`bad value for ${name}: ${v}`);
}

const POOL = 5000;
const HOT = 800;
const MB = 1e6;
const SCOPE = 'mcp.tools.read';
const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
const log = (m) => process.stderr.write(`${m}\n`);

const { EntraValidator, EntraTokenError } = await import('entra-guard');
const { createTestIssuer } = await import('entra-guard/testing');

// ── tokens ──────────────────────────────────────────────────────────────────────────────────────
const beforeMint = process.memoryUsage().rss / MB;
const mintStarted = performance.now();
const issuer = await createTestIssuer({ serve: false });
const NOW = Math.floor(Date.now() / 1000);
const call = { now: NOW + 60, requiredScopes: [SCOPE] }; // fixed: nothing expires during the run
const scopes = [SCOPE, 'mcp.tools.write'];
const oid = (i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;
const pool = Array.from({ length: POOL }, (_, i) => issuer.mint({ now: NOW, expiresIn: 86_400, scopes, objectId: oid(i) }));
const hot = pool.slice(0, HOT);
const cold = pool.slice(HOT);
const { privateKey: strangerKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const invalid = [
  ['token_expired', issuer.mint({ now: NOW - 7200, expiresIn: 3600, scopes })],
  ['audience_invalid', issuer.mint({ now: NOW, scopes, audience: '00000003-0000-0000-c000-000000000000' })],
  ['tenant_not_allowed', issuer.mint({ now: NOW, scopes, tenantId: OTHER_TENANT })],
  ['insufficient_scope', issuer.mint({ now: NOW, scopes: ['something.else'] })],
  ['signature_invalid', issuer.mint({ now: NOW, scopes, key: strangerKey })],
  ['key_not_found', issuer.mint({ now: NOW, scopes, header: { kid: 'no-such-kid' } })],
  ['algorithm_not_allowed', issuer.mint({ now: NOW, scopes, header: { alg: 'none' } })],
  ['token_malformed', 'garbage-that-is-not-a-jwt'],
  ['token_malformed', 'eyJhbGciOiJSUzI1NiJ9.e30'], // two segments
  ['token_too_large', issuer.mint({ now: NOW, scopes, claims: { padding: 'x'.repeat(17 * 1024) } })],
];
const mintSeconds = (performance.now() - mintStarted) / 1000;
log(`soak: minted ${POOL} valid tokens and ${invalid.length} invalid inputs in ${mintSeconds.toFixed(1)} s`);

// ── the validator and the mix ──────────────────────────────────────────────────────────────────
// Default options but the keys and the tenant/audience: cacheSize is the build's default (1000).
const validator = new EntraValidator({ tenantId: issuer.tenantId, audience: issuer.audience, jwks: issuer.jwks });

// A new string with the token's text (a concatenation: no Buffers, so `external` stays the wasm memory).
const fresh = (token) => token.slice(0, 1) + token.slice(1);
const counts = { hot: 0, cold: 0, invalid: 0, hotRevalidated: 0, byCode: {} };
const failures = [];
// A hit returns the frozen result object the cache holds for the token; a different object means the token
// was validated afresh (evicted in between). Only the latest result per hot token is kept: bounded.
const lastHotResult = new Array(HOT);
let hotNext = 0;
let coldNext = 0;
let invalidNext = 0;

function valid(token) {
  try {
    return validator.validate(fresh(token), call);
  } catch (err) {
    if (failures.length < 20) failures.push(`a valid token was refused: ${err.code ?? err}: ${err.message}`);
    return null;
  }
}

function step(i) {
  const slot = i % 100;
  if (slot === 0 || slot === 50) {
    valid(cold[coldNext++ % cold.length]);
    counts.cold += 1;
  } else if (slot % 20 === 5) {
    const [code, input] = invalid[invalidNext++ % invalid.length];
    counts.invalid += 1;
    try {
      validator.validate(fresh(input), call);
      if (failures.length < 20) failures.push(`an invalid input (${code}) was accepted`);
    } catch (err) {
      if (!(err instanceof EntraTokenError) || err.code !== code) {
        if (failures.length < 20) failures.push(`expected ${code}, got ${err?.code ?? err}`);
      }
      counts.byCode[err.code] = (counts.byCode[err.code] ?? 0) + 1;
    }
  } else {
    const h = hotNext++ % HOT;
    const result = valid(hot[h]);
    if (result !== lastHotResult[h]) counts.hotRevalidated += 1;
    lastHotResult[h] = result;
    counts.hot += 1;
  }
}

// ── sampling ───────────────────────────────────────────────────────────────────────────────────
let clockStart = process.hrtime.bigint();
let samplingNs = 0n;
const seconds = () => Number(process.hrtime.bigint() - clockStart - samplingNs) / 1e9;
function sample(validations, phase) {
  const begin = process.hrtime.bigint();
  const at = seconds();
  globalThis.gc();
  const m = process.memoryUsage();
  samplingNs += process.hrtime.bigint() - begin;
  return { phase, validations, seconds: at, rssMB: m.rss / MB, heapTotalMB: m.heapTotal / MB, heapUsedMB: m.heapUsed / MB, externalMB: m.external / MB };
}
const fmt = (s, base) => `${String(s.validations.toLocaleString('en-US')).padStart(11)}  ${s.rssMB.toFixed(1).padStart(6)}  ` +
  `${(s.rssMB - base.rssMB).toFixed(1).padStart(6)}  ${s.heapTotalMB.toFixed(1).padStart(9)}  ${s.heapUsedMB.toFixed(1).padStart(8)}  ${s.externalMB.toFixed(2).padStart(8)}`;
const HEADER = 'validations  RSS MB  growth  heapTotal  heapUsed  external';

const startedAt = performance.now();
const afterMint = sample(0, 'after minting');
afterMint.rssBeforeMintMB = beforeMint;
for (const token of pool) valid(token);
for (const [, input] of invalid) { try { validator.validate(fresh(input), call); } catch { /* counted in the mix */ } }
const afterPool = sample(0, 'after the pool pass (cache full)');
clockStart = process.hrtime.bigint();
samplingNs = 0n;
for (let i = 0; i < WARM_UP; i++) step(i);
const warmUpSeconds = seconds();
const warmUpCounts = structuredClone(counts);
Object.assign(counts, { hot: 0, cold: 0, invalid: 0, hotRevalidated: 0, byCode: {} });

// The measured run.
clockStart = process.hrtime.bigint();
samplingNs = 0n;
const baseline = sample(0, 'baseline (after warm-up)');
const samples = [baseline];
log(`soak: ${N.toLocaleString('en-US')} validations after a ${WARM_UP.toLocaleString('en-US')}-validation warm-up, cacheSize default; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
log(HEADER);
log(fmt(baseline, baseline));
let lastAt = { validations: 0, seconds: 0 };
for (let i = 0; i < N; i++) {
  step(WARM_UP + i);
  if ((i + 1) % SAMPLE_EVERY === 0 || i + 1 === N) {
    const s = sample(i + 1, 'run');
    s.validationsPerSecond = (s.validations - lastAt.validations) / (s.seconds - lastAt.seconds);
    lastAt = s;
    samples.push(s);
    log(`${fmt(s, baseline)}   ${Math.round(s.validationsPerSecond).toLocaleString('en-US')}/s`);
  }
}
const runSeconds = seconds();
const totalSeconds = (performance.now() - startedAt) / 1000 + mintSeconds;
validator.free();

// ── report ─────────────────────────────────────────────────────────────────────────────────────
const last = samples[samples.length - 1];
const maxRss = Math.max(...samples.map((s) => s.rssMB));
// The gated RSS figure is the lowest of the last three samples over the baseline: a leak raises every
// late sample, while RSS also swings by some 10 MB from one sample to the next with nothing kept (freed
// native memory the allocator has not yet returned; heapUsed and external stay flat), and one such swing
// must not fail the run. The max is reported too.
const tail = samples.slice(1).slice(-3);
const growth = {
  gatedMB: Math.min(...tail.map((s) => s.rssMB)) - baseline.rssMB,
  finalMB: last.rssMB - baseline.rssMB,
  maxMB: maxRss - baseline.rssMB,
  heapTotalMB: last.heapTotalMB - baseline.heapTotalMB,
  heapUsedMB: last.heapUsedMB - baseline.heapUsedMB,
  externalMB: last.externalMB - baseline.externalMB,
  sincePoolPassMB: last.rssMB - afterPool.rssMB,
};
if (growth.gatedMB > THRESHOLD_MB) {
  failures.push(`RSS grew by ${growth.gatedMB.toFixed(1)} MB after the warm-up (lowest of the last ${tail.length} samples; threshold ${THRESHOLD_MB} MB)`);
}
// Live memory, exact after a full GC: the JS heap (the cache's JS mirror, results) and the wasm linear
// memory (the core's cache) must stay flat; 5 MB is ~1.7 bytes per validation over 3,000,000.
if (growth.heapUsedMB > LIVE_THRESHOLD_MB) failures.push(`heapUsed grew by ${growth.heapUsedMB.toFixed(2)} MB (threshold ${LIVE_THRESHOLD_MB} MB)`);
if (growth.externalMB > LIVE_THRESHOLD_MB) failures.push(`external (wasm memory) grew by ${growth.externalMB.toFixed(2)} MB (threshold ${LIVE_THRESHOLD_MB} MB)`);
const perSecond = N / runSeconds;

const rows = [
  ['RSS before minting', beforeMint],
  ['after minting the tokens', afterMint.rssMB],
  ['after the pool pass (cache full)', afterPool.rssMB],
  [`baseline, after ${WARM_UP.toLocaleString('en-US')} warm-up validations`, baseline.rssMB],
  [`max over the run`, maxRss],
  [`final, after ${N.toLocaleString('en-US')}`, last.rssMB],
];
const out = [];
out.push(`Soak: ${N.toLocaleString('en-US')} validations on one EntraValidator (cacheSize default 1000), node ${process.version}, ${cpus().length} CPUs`);
out.push(`mix per 100: 93 hits (hot set ${HOT}), 2 misses with eviction (${cold.length} cold tokens in turn), 5 invalid (${invalid.length} kinds)`);
out.push('');
for (const [label, mb] of rows) out.push(`  ${label.padEnd(42)} ${mb.toFixed(1).padStart(7)} MB`);
out.push('');
out.push(`  ${HEADER}`);
for (const x of samples) out.push(`  ${fmt(x, baseline)}${x.validationsPerSecond ? `  ${Math.round(x.validationsPerSecond).toLocaleString('en-US')}/s` : ''}`);
out.push('');
out.push(`  RSS growth after warm-up: ${growth.gatedMB.toFixed(1)} MB gated (lowest of the last ${tail.length} samples; threshold ${THRESHOLD_MB} MB), ` +
  `final ${growth.finalMB.toFixed(1)} MB, max ${growth.maxMB.toFixed(1)} MB`);
out.push(`  live memory growth: heapUsed ${growth.heapUsedMB.toFixed(2)} MB, external (wasm) ${growth.externalMB.toFixed(2)} MB (threshold ${LIVE_THRESHOLD_MB} MB each); ` +
  `heapTotal (V8's reservation) ${growth.heapTotalMB.toFixed(1)} MB`);
out.push(`  ${Math.round(perSecond).toLocaleString('en-US')} validations/s over the run (sampling excluded), ${runSeconds.toFixed(1)} s; whole script ${totalSeconds.toFixed(1)} s`);
out.push(`  counts: ${counts.hot.toLocaleString('en-US')} hot (${counts.hotRevalidated} of them validated afresh: evicted in between), ` +
  `${counts.cold.toLocaleString('en-US')} cold, ${counts.invalid.toLocaleString('en-US')} invalid ${JSON.stringify(counts.byCode)}`);
out.push('');
out.push(failures.length ? `FAILED:\n  ${failures.join('\n  ')}` : `OK: RSS growth within ${THRESHOLD_MB} MB, every valid token accepted, every invalid input refused with its code`);
process.stdout.write(`${out.join('\n')}\n`);

mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify({
  meta: { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgAtEnd: loadavg() },
  config: { validations: N, warmUp: WARM_UP, sampleEvery: SAMPLE_EVERY, thresholdMB: THRESHOLD_MB, pool: POOL, hot: HOT, cold: cold.length, invalidKinds: invalid.map(([code]) => code), mixPer100: { hot: 93, cold: 2, invalid: 5 } },
  mintSeconds, warmUpSeconds, runSeconds, totalSeconds, validationsPerSecond: perSecond,
  counts, warmUpCounts, afterMint, afterPool, baseline, samples, growth, failures,
}, null, 1)}\n`);
log(`results written to ${relative(process.cwd(), values.out) || values.out}`);
process.exitCode = failures.length ? 1 : 0;
