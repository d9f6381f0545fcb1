#!/usr/bin/env node
// entra-guard against jose inside workerd (the npm package's binary, as tests/workerd/harness.mjs runs it),
// on the same tokens and policy as benches/bench.mjs. Two isolates: compatibility date 2026-11-01, where
// nodejs_compat is on by default and entra-guard verifies with node:crypto (`signatureVerifiedBy: 'host'`),
// and 2026-07-01 without the flag, where the core's own RSA does (`'wasm'`). jose uses WebCrypto in both.
//
//   node benches/workerd.mjs [--quick] [--out file]     (writes benches/results/workerd.json by default)
//
// workerd's clocks stand still while a request computes, so each batch is timed from outside: the request's
// wall time minus the median of empty requests, over the batch's size. Rounds interleave the contenders; a
// ratio is the median over rounds of the two contenders' times in the same round (benches/lib/measure.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleEntry, startWorkerd, tempDir, writeConfig, workerdBinary } from '../tests/workerd/harness.mjs';
import { pairedRatio, summarize } from './lib/measure.mjs';
import { cell, fmtRatio, table } from './lib/report.mjs';
import { AUDIENCE, ISSUER, REQUIRED_SCOPE, TENANT, makeKey, mintMany } from './lib/tokens.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const MODES = { full: { tokens: 400, rounds: 9, warmUp: 4 }, quick: { tokens: 60, rounds: 3, warmUp: 2 } };
const ISOLATES = {
  compat: { compatibilityDate: '2026-11-01', label: 'nodejs_compat (2026-11-01)' },
  plain: { compatibilityDate: '2026-07-01', label: 'no nodejs_compat (2026-07-01)' },
};
const CONTENDERS = [
  { id: 'eg-auto@compat', isolate: 'compat', c: 'eg-auto', name: 'entra-guard, nodejs_compat (node:crypto)' },
  { id: 'eg-wasm@compat', isolate: 'compat', c: 'eg-wasm', name: "entra-guard crypto:'wasm', nodejs_compat" },
  { id: 'jose@compat', isolate: 'compat', c: 'jose', name: 'jose, nodejs_compat' },
  { id: 'eg-auto@plain', isolate: 'plain', c: 'eg-auto', name: 'entra-guard, no nodejs_compat (core RSA)' },
  { id: 'jose@plain', isolate: 'plain', c: 'jose', name: 'jose, no nodejs_compat' },
];

async function main() {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, out: { type: 'string' } } });
  const mode = values.quick ? 'quick' : 'full';
  const cfg = MODES[mode];
  const now = Math.floor(Date.now() / 1000);
  const key = await makeKey(2048);
  const tokens = mintMany(key, now, cfg.tokens);
  const temp = tempDir();
  let workerd;
  try {
    await bundleEntry(join(HERE, 'children/workerd-bench-worker.mjs'), temp.dir);
    const bindings = {
      TENANT_ID: TENANT, AUDIENCE, ISSUER, SCOPE: REQUIRED_SCOPE, JWKS: JSON.stringify(key.jwks), TOKENS: JSON.stringify(tokens), NOW: String(now),
    };
    writeConfig(temp.dir, {
      compatibilityDate: ISOLATES.compat.compatibilityDate,
      workers: Object.entries(ISOLATES).map(([name, { compatibilityDate }]) => ({ name, bindings, compatibilityDate })),
    });
    workerd = await startWorkerd(temp.dir, Object.keys(ISOLATES), { probePath: '/?c=none' });
    const ask = async (isolate, query) => {
      const started = process.hrtime.bigint();
      const response = await fetch(`${workerd.urls[isolate]}/?${new URLSearchParams(query)}`);
      const body = await response.json();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (!response.ok) throw new Error(`${isolate} ${JSON.stringify(query)}: ${response.status}`);
      return { ms, body };
    };
    const paths = {};
    for (let i = 0; i < cfg.warmUp; i++) {
      for (const c of CONTENDERS) paths[c.id] = (await ask(c.isolate, { c: c.c })).body.by;
    }
    const samples = Object.fromEntries(CONTENDERS.map((c) => [c.id, []]));
    const empty = { compat: [], plain: [] };
    for (let round = 0; round < cfg.rounds; round++) {
      for (let i = 0; i < CONTENDERS.length; i++) {
        const c = CONTENDERS[(round + i) % CONTENDERS.length];
        empty[c.isolate].push((await ask(c.isolate, { c: 'none' })).ms);
        samples[c.id].push((await ask(c.isolate, { c: c.c })).ms);
      }
    }
    const baseline = Object.fromEntries(Object.entries(empty).map(([k, v]) => [k, summarize(v).median]));
    const results = Object.fromEntries(CONTENDERS.map((c) => [c.id, {
      name: c.name, verifiedBy: paths[c.id], ...summarize(samples[c.id].map((ms) => ((ms - baseline[c.isolate]) * 1000) / tokens.length)),
    }]));
    const paired = (a, b) => pairedRatio({ samples: samples[a] }, { samples: samples[b] });
    const ratios = {
      'entra-guard (node:crypto) / jose, nodejs_compat': paired('eg-auto@compat', 'jose@compat'),
      "entra-guard crypto:'wasm' / jose, nodejs_compat": paired('eg-wasm@compat', 'jose@compat'),
      'entra-guard (core RSA) / jose, no nodejs_compat': paired('eg-auto@plain', 'jose@plain'),
    };
    const meta = {
      mode, date: new Date().toISOString(), workerd: workerdBinary().path, cpuModel: cpus()[0]?.model, cpuCount: cpus().length,
      loadAverage: loadavg(), config: cfg, emptyRequestMs: baseline,
    };
    const out = values.out ?? join(HERE, 'results/workerd.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify({ meta, results, ratios }, null, 2)}\n`);
    console.log(`entra-guard workerd benchmark (${mode}) ${meta.date}; ${meta.cpuCount} x ${meta.cpuModel}, load ${meta.loadAverage.map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`first-seen 2048-bit tokens, ${cfg.tokens} per request, µs per token (request minus an empty request), median [min–max] of ${cfg.rounds} interleaved rounds\n`);
    console.log(table(['contender', 'verified by', 'µs/op'], CONTENDERS.map((c) => [c.name, results[c.id].verifiedBy.join(','), cell(results[c.id])])));
    console.log('');
    console.log(table(['ratio', ''], Object.entries(ratios).map(([k, v]) => [k, fmtRatio(v)])));
    console.log(`(empty request: ${baseline.compat.toFixed(2)} ms / ${baseline.plain.toFixed(2)} ms; results in ${out})`);
  } finally {
    await workerd?.stop();
    temp.remove();
  }
}

await main();
