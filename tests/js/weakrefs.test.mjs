// Forgotten `free()` calls must not leak in a long-running server: wasm-bindgen's FinalizationRegistry
// glue frees a validator's Rust memory once the JS object is collected. Measured in a child Node with
// --expose-gc: wasm memory (counted in `external`) stays flat across rounds of abandoned validators,
// where without finalisation every round would add the same amount again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const child = `
import { EntraValidator } from ${JSON.stringify(import.meta.resolve('entra-guard'))};
import { generateKeyPairSync } from 'node:crypto';
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keys = Array.from({ length: 20 }, (_, i) => ({ ...publicKey.export({ format: 'jwk' }), kid: 'k' + i }));
const options = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', audience: 'x', jwks: JSON.stringify({ keys }) };
const settle = async () => { for (let i = 0; i < 3; i++) { global.gc(); await new Promise((r) => setTimeout(r, 20)); } };
const external = [];
for (let round = 0; round < 4; round++) {
  for (let i = 0; i < 500; i++) new EntraValidator(options);
  await settle();
  external.push(process.memoryUsage().external);
}
console.log(JSON.stringify(external));
`;

test('abandoned validators are freed by the garbage collector (no leak without free())', () => {
  const external = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', child], { encoding: 'utf8' }));
  const firstRound = external[0];
  const lastRound = external[external.length - 1];
  // One round of 500 live validators with 20 keys each needs tens of MB; four rounds without
  // finalisation would need four times that.
  assert.ok(firstRound > 10e6, `one round should need real memory, saw ${firstRound}`);
  assert.ok(lastRound < firstRound * 1.5, `wasm memory grew from ${firstRound} to ${lastRound} bytes: ${external}`);
});
