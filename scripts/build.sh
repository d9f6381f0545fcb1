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
cp pkg-template/package.json pkg-template/README.md pkg-template/index.d.ts pkg-template/node.mjs \
   pkg-template/browser.js pkg-template/workerd.js pkg/
cp pkg-template/index.d.ts pkg/index.d.cts
cp pkg-template/lib/*.js pkg/lib/
cp "$out/entra_guard.js" pkg/wasm/entra_guard.js
node_modules/.bin/wasm-opt -O3 "$out/entra_guard_bg.wasm" -o pkg/wasm/entra_guard_bg.wasm

# CommonJS: one file with the glue and the API inlined; the wasm stays a separate file beside it.
cp pkg-template/node-cjs-entry.js pkg/node-cjs-entry.js
node_modules/.bin/esbuild pkg/node-cjs-entry.js --bundle --platform=node --format=cjs --log-level=error \
  --outfile=pkg/node.cjs
rm pkg/node-cjs-entry.js

size=$(wc -c < pkg/wasm/entra_guard_bg.wasm)
gz=$(gzip -9c pkg/wasm/entra_guard_bg.wasm | wc -c)
echo "build: pkg/ ready; wasm $size bytes, $gz gzipped ($EG_WASM_TOOLCHAIN toolchain)"
