// The benchmark must keep running as the code changes. This runs it in --quick mode and checks that
// every scenario produced figures; it asserts nothing about time (speed is measured, not tested).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

test('benches/bench.mjs --quick runs every scenario and writes its results', () => {
  const bench = fileURLToPath(new URL('../../benches/bench.mjs', import.meta.url));
  const out = mkdtempSync(join(tmpdir(), 'entra-guard-bench-'));
  try {
    const resultsFile = join(out, 'results.json');
    execFileSync(process.execPath, [bench, '--quick', '--out', resultsFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    assert.equal(results.meta.cacheSizeSupported, true);
    for (const bits of ['2048', '3072', '4096']) assert.ok(results.firstSeen[bits], `no first-seen figures for ${bits}`);
    assert.ok(results.repeated.ratio > 0);
    assert.ok(results.wasm.gzip9Bytes > 0);
    assert.equal(Object.keys(results.startup).length, 3);
    assert.ok(results.rss.runs.nodeDefaults && results.rss.runs.youngGenCapped, 'RSS runs missing');
    assert.ok(results.targets.length >= 4);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
