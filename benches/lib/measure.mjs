// Timing and statistics. Contenders run interleaved round by round, because on a small, noisy machine
// (2 cores, neighbours, CPU frequency changes) drift over a run would otherwise land on whoever ran last.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A full GC before each timed batch, so one contender's garbage is not collected on the next one's clock.
// (`--expose-gc` set at run time, so the script runs as plain `node benches/bench.mjs`.)
setFlagsFromString('--expose-gc');
export const collectGarbage = runInNewContext('gc');

/**
 * A contender: `{ name, async?, beforeRound?(), validate(token) }`. `validate` throws on any
 * refusal, so a misconfigured contender aborts the run instead of timing its error path.
 */
async function runBatch(contender, tokens) {
  if (contender.async) {
    for (const token of tokens) await contender.validate(token);
  } else {
    for (const token of tokens) contender.validate(token);
  }
}

/** Runs the contender on `tokens` until `ms` have passed (and at least once), for JIT and wasm tier-up. */
export async function warmUp(contender, tokens, ms) {
  const start = performance.now();
  do {
    contender.beforeRound?.();
    await runBatch(contender, tokens);
  } while (performance.now() - start < ms);
}

/** One timed batch, in µs per token. Per-round setup (a fresh instance, say) is outside the clock. */
async function timeBatch(contender, tokens) {
  contender.beforeRound?.();
  collectGarbage();
  const start = process.hrtime.bigint();
  await runBatch(contender, tokens);
  return Number(process.hrtime.bigint() - start) / 1e3 / tokens.length;
}

/**
 * `rounds` rounds; in each, every contender validates its whole batch once. The starting contender
 * rotates each round so none is always first after the previous round's work (or always last).
 * `batchFor(contender)` gives the tokens; returns name -> summary of per-round µs/op.
 */
export async function interleaved(contenders, batchFor, rounds) {
  const samples = new Map(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(round + i) % contenders.length];
      samples.get(contender.name).push(await timeBatch(contender, batchFor(contender)));
    }
  }
  return Object.fromEntries([...samples].map(([name, values]) => [name, summarize(values)]));
}

/** Linear-interpolation quantile of sorted values. */
function quantile(sorted, q) {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    samples: values,
  };
}

/**
 * The ratio a / b, robust to the machine's drift: the median over rounds of a's time / b's time in the same
 * round (both summaries from one `interleaved` run, so sample i of each is round i). On this noisy 2-core
 * machine whole rounds run 30-40% fast or slow for every contender alike; a ratio of the two medians can
 * pair a fast round of one with a slow round of the other, this cannot.
 */
export function pairedRatio(a, b) {
  const ratios = a.samples.map((value, i) => value / b.samples[i]).filter(Number.isFinite);
  return ratios.length === 0 ? null : summarize(ratios).median;
}
