// Build input only: esbuild turns this into node.cjs (CommonJS), with the glue and lib/api.js inlined.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from './wasm/entra_guard.js';

// eslint-disable-next-line no-undef -- __dirname exists in the CommonJS output this file becomes.
initSync({ module: readFileSync(join(__dirname, 'wasm', 'entra_guard_bg.wasm')) });

export * from './lib/index.js';
