// entra-guard: the package's types. Each module's declarations live beside it (api, remote-jwks, http);
// the unions of error codes and checks are generated from the Rust core (catalog.d.ts).
export * from './api.js';
export * from './remote-jwks.js';
export * from './http.js';
