#!/usr/bin/env bash
# Builds the npm package into pkg/: Rust -> wasm32 -> wasm-bindgen (web glue) -> wasm-opt, plus the
# files in pkg-template/ and a CommonJS bundle of the Node entry.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

"${EG_WASM_CARGO[@]}" build --quiet --release --target wasm32-unknown-unknown "${EG_WASM_FLAGS[@]}" --target-dir "$EG_WASM_TARGET_DIR"
raw="$EG_WASM_TARGET_DIR/wasm32-unknown-unknown/release/entra_guard.wasm"

out=target/wasm-bindgen
rm -rf "$out" pkg
wasm-bindgen --target web --no-typescript --out-dir "$out" "$raw"

mkdir -p pkg/wasm pkg/lib
cp pkg-template/package.json pkg-template/README.md pkg-template/node.mjs pkg-template/browser.js \
   pkg-template/workerd.js pkg-template/testing.mjs pkg/
cp pkg-template/lib/*.js pkg/lib/
# Types: one file per entry point, the module declarations merged in (their `import type` lines point back
# at index.d.ts and are dropped); the .d.cts copies serve `require` under TypeScript's node16 resolution.
{ cat pkg-template/index.d.ts; for f in remote-jwks http; do grep -v '^import type' "pkg-template/types/$f.d.ts"; done; } > pkg/index.d.ts
grep -v '^import type' pkg-template/types/testing.d.ts > pkg/testing.d.ts
cp pkg/index.d.ts pkg/index.d.cts
cp pkg/testing.d.ts pkg/testing.d.cts
cp "$out/entra_guard.js" pkg/wasm/entra_guard.js
node_modules/.bin/wasm-opt -O3 "$out/entra_guard_bg.wasm" -o pkg/wasm/entra_guard_bg.wasm

# CommonJS: one file with the glue and the API inlined; the wasm stays a separate file beside it.
cp pkg-template/node-cjs-entry.js pkg-template/testing-cjs-entry.js pkg/
node_modules/.bin/esbuild pkg/node-cjs-entry.js --bundle --platform=node --format=cjs --log-level=error \
  --external:@modelcontextprotocol/sdk --outfile=pkg/node.cjs
node_modules/.bin/esbuild pkg/testing-cjs-entry.js --bundle --platform=node --format=cjs --log-level=error \
  --outfile=pkg/testing.cjs
rm pkg/node-cjs-entry.js pkg/testing-cjs-entry.js

size=$(wc -c < pkg/wasm/entra_guard_bg.wasm)
gz=$(gzip -9c pkg/wasm/entra_guard_bg.wasm | wc -c)
echo "build: pkg/ ready; wasm $size bytes, $gz gzipped ($EG_WASM_TOOLCHAIN toolchain)"
