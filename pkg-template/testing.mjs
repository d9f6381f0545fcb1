// entra-guard/testing (Node only): a local Entra-like issuer for users' own tests.
export * from './lib/testing.js';
