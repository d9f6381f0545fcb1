// Cloudflare Workers / workerd: compiling wasm from bytes at run time is refused there, so the module
// arrives pre-compiled as an import and is instantiated synchronously, once per isolate.
import wasmModule from './wasm/entra_guard_bg.wasm';
import { initSync } from './wasm/entra_guard.js';

initSync({ module: wasmModule });

export * from './lib/index.js';
