// Child of bench.mjs, scenario 5: RSS of one validator instance over many validations, in its own
// process so the parent's allocations (tokens, other libraries, results) don't show up in it.
// Started with --expose-gc: a full GC before each sample makes RSS track live memory, so growth means
// something is kept, not that V8 has yet to collect.
//
// The mix, every 20 validations (slot = i % 20):
//   slot 0        a "cold" token: the next of the pool's cold part, cycled in order. It is larger than
//                 the cache, so each is evicted before it comes round again: a miss, an insertion and an
//                 eviction, and a re-insertion on the next lap.
//   slot 10       when invalid inputs are on: an invalid input (expired, wrong audience, missing scope,
//                 bad signature, garbage), so the error paths run too. Otherwise a hot token.
//   other slots   a "hot" token from a small set that stays cached: hits.
//
// Sequence: one pass over the pool (fills the cache) -> a warm-up of the mix, `warmUp` validations with
// invalid inputs on (V8 sizes its heap to the allocation rate and tiers up the code) -> the start sample
// -> `total` validations, invalid inputs on in the second half, sampled every `sampleEvery`.
// Progress goes to stderr, the result as JSON to stdout.
import { readFileSync } from 'node:fs';
import { EntraTokenError, EntraValidator } from '../../pkg/node.mjs';

const fixture = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { total, warmUp, sampleEvery, hotSetSize, now } = fixture;
const hot = fixture.pool.slice(0, hotSetSize);
const cold = fixture.pool.slice(hotSetSize);
const invalid = fixture.invalid;
const MB = 1e6;

// The run's clock leaves out the time spent sampling (the forced GCs), so validations/s is the loop's.
let clockStart = process.hrtime.bigint();
let samplingNs = 0n;
const seconds = () => Number(process.hrtime.bigint() - clockStart - samplingNs) / 1e9;

function sample(validations) {
  const begin = process.hrtime.bigint();
  const at = seconds();
  globalThis.gc();
  const m = process.memoryUsage();
  samplingNs += process.hrtime.bigint() - begin;
  return {
    validations,
    seconds: at,
    rssMB: m.rss / MB,
    heapTotalMB: m.heapTotal / MB, // what V8 has reserved for the JS heap (grows with allocation rate)
    heapUsedMB: m.heapUsed / MB, // live JS objects after the GC
    externalMB: m.external / MB, // off-heap memory V8 knows of: the wasm linear memory (no Buffers are used here)
  };
}

// Leaves the cacheSize option out: the default (a 1000-entry cache) is what's under test.
const validator = new EntraValidator({
  tenantId: fixture.tenantId, audience: fixture.audience, jwks: fixture.jwks, requiredScopes: [fixture.scope],
});
const call = { now };

// Each validation gets a new string with the token's text, as a server does from each request's header
// (one string object reused keeps its hash and flatters the cache's lookups). A concatenation, not a
// Buffer round trip, so no ArrayBuffers churn the external memory figure. Its cost is counted.
const fresh = (token) => token.slice(0, 1) + token.slice(1);

function validateExpecting(token, valid) {
  try {
    validator.validate(fresh(token), call);
  } catch (err) {
    if (valid || !(err instanceof EntraTokenError)) throw err;
    return;
  }
  if (!valid) throw new Error('an invalid input was accepted');
}

const counts = { hot: 0, cold: 0, invalid: 0 };
let hotNext = 0;
let coldNext = 0;
let invalidNext = 0;

/** Validation number `i` of the mix (see the header). */
function step(i, withInvalid) {
  const slot = i % 20;
  if (slot === 0) {
    validateExpecting(cold[coldNext++ % cold.length], true);
    counts.cold++;
  } else if (slot === 10 && withInvalid) {
    validateExpecting(invalid[invalidNext++ % invalid.length], false);
    counts.invalid++;
  } else {
    validateExpecting(hot[hotNext++ % hot.length], true);
    counts.hot++;
  }
}

const beforeWarmUp = sample(0);
for (const token of fixture.pool) validateExpecting(token, true);
for (const token of invalid) validateExpecting(token, false);
const afterPoolPass = sample(0);
for (let i = 0; i < warmUp; i++) step(i, true);

clockStart = process.hrtime.bigint();
samplingNs = 0n;
counts.hot = counts.cold = counts.invalid = 0;
const samples = [sample(0)];
let phaseOneSeconds = 0;
for (let i = 0; i < total; i++) {
  step(i, i >= total / 2);
  if (i + 1 === total / 2) phaseOneSeconds = seconds();
  if ((i + 1) % sampleEvery === 0) {
    const s = sample(i + 1);
    samples.push(s);
    process.stderr.write(`  rss: ${s.validations} validations, ${s.rssMB.toFixed(1)} MB, ${s.seconds.toFixed(1)} s\n`);
  }
}
validator.free();

process.stdout.write(JSON.stringify({ beforeWarmUp, afterPoolPass, samples, counts, phaseOneSeconds }));
