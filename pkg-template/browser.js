// Browsers and other fetch-capable runtimes: the wasm is fetched from beside this module once, at import
// (top-level await), so `new EntraValidator(...)` is usable as soon as the import resolves.
import init from './wasm/entra_guard.js';

await init({ module_or_path: new URL('./wasm/entra_guard_bg.wasm', import.meta.url) });

export * from './lib/index.js';
