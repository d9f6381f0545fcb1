// Cloudflare Workers / workerd: compiling wasm from bytes at run time is refused there, so the module
// arrives pre-compiled as an import and is instantiated synchronously, once per isolate.
import wasmModule from './wasm/entra_guard_bg.wasm';
import { initSync } from './wasm/entra_guard.js';
import { useHostCrypto } from './lib/host-crypto.js';

initSync({ module: wasmModule });
// With the nodejs_compat flag, workerd has node:crypto; process.getBuiltinModule reaches it synchronously
// and without an import a bundler would have to resolve (an import of node:crypto fails to bundle without
// the flag). Without the flag there is no process, and the core's own RSA verifies.
useHostCrypto(globalThis.process?.getBuiltinModule?.('node:crypto') ?? null);

export * from './lib/index.js';
