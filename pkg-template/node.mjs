// Node, ES modules: the wasm is read from beside this file and compiled synchronously at import; the core
// verifies signatures with node:crypto (lib/host-crypto.js) unless a validator says `crypto: 'wasm'`.
import { readFileSync } from 'node:fs';
import * as nodeCrypto from 'node:crypto';
import { initSync } from './wasm/entra_guard.js';
import { useHostCrypto } from './lib/host-crypto.js';

initSync({ module: readFileSync(new URL('./wasm/entra_guard_bg.wasm', import.meta.url)) });
useHostCrypto(nodeCrypto);

export * from './lib/index.js';
