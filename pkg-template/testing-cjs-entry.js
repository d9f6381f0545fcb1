// Build input only: esbuild turns this into testing.cjs (CommonJS).
export * from './lib/testing.js';
