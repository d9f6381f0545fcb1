// Node, ES modules: the wasm is read from beside this file and compiled synchronously at import.
import { readFileSync } from 'node:fs';
import { initSync } from './wasm/entra_guard.js';

initSync({ module: readFileSync(new URL('./wasm/entra_guard_bg.wasm', import.meta.url)) });

export * from './lib/index.js';
