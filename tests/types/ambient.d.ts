// For the type check only: workerd.js imports the wasm as a module (wrangler and workerd provide it).
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
