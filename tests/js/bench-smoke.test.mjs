// The benchmark must keep running as the code changes. This runs it in --quick mode and checks that
// every scenario produced figures; it asserts nothing about time (speed is measured, not tested).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IN_CI } from './helpers.mjs';

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
    // Issue 12: the portable path beside the default one, and the breakdown of a first-seen validation.
    assert.ok(results.firstSeen['2048'].wasmRatios['node:crypto verify (floor)'] > 0);
    assert.ok(results.breakdown.totalUs > 0 && results.breakdown.rows.length >= 6);
    assert.ok(results.breakdown.rows.every((row) => Number.isFinite(row.us)), JSON.stringify(results.breakdown.rows));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

/** Runs a benchmark script with --quick and returns its JSON results. */
function runQuick(script) {
  const out = mkdtempSync(join(tmpdir(), 'entra-guard-bench-'));
  try {
    const resultsFile = join(out, 'results.json');
    execFileSync(process.execPath, [fileURLToPath(new URL(`../../benches/${script}`, import.meta.url)), '--quick', '--out', resultsFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return JSON.parse(readFileSync(resultsFile, 'utf8'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

test('benches/browser.mjs --quick runs entra-guard (the wasm path) and jose in headless Chromium', (t) => {
  if (!existsSync('/usr/bin/chromium')) {
    if (IN_CI) assert.fail('CI is set but /usr/bin/chromium is missing');
    t.skip('/usr/bin/chromium is missing');
    return;
  }
  const results = runQuick('browser.mjs');
  assert.match(results.meta.userAgent, /HeadlessChrome/);
  assert.equal(Object.keys(results.results).length, 2);
  assert.ok(results.ratio > 0);
});

test('benches/workerd.mjs --quick runs entra-guard (both paths) and jose in workerd', () => {
  const results = runQuick('workerd.mjs');
  assert.deepEqual(results.results['eg-auto@compat'].verifiedBy, ['host']);
  assert.deepEqual(results.results['eg-wasm@compat'].verifiedBy, ['wasm']);
  assert.deepEqual(results.results['eg-auto@plain'].verifiedBy, ['wasm']);
  assert.ok(Object.values(results.ratios).every((r) => r > 0));
});
