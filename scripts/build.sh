#!/usr/bin/env bash
# Builds the npm package into pkg/: Rust -> wasm32 -> wasm-bindgen (web glue) -> wasm-opt, plus the
# files in pkg-template/, the types as ESM (.d.ts) and CommonJS (.d.cts) twins, and CommonJS bundles of
# the Node entries. Then links node_modules/entra-guard to pkg/, so that the examples and the tests import
# the package by name, through its `exports`, as users do.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

release_env=()
[ -z "${EG_WASM_RELEASE_RUSTFLAGS:-}" ] || release_env=(CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$EG_WASM_RELEASE_RUSTFLAGS")
env "${release_env[@]}" "${EG_WASM_CARGO[@]}" build --quiet --release --target wasm32-unknown-unknown "${EG_WASM_FLAGS[@]}" \
  "${EG_WASM_SIZE_PROFILE[@]}" --target-dir "$EG_WASM_TARGET_DIR"
raw="$EG_WASM_TARGET_DIR/wasm32-unknown-unknown/release/entra_guard.wasm"

# The glue goes where pkg-template/lib expects it (../wasm/) under a second root, target/js-root: the JS
# type check (tsconfig.json rootDirs) reads its .d.ts there without a build product in the source tree.
glue=target/js-root/wasm
rm -rf "$glue" pkg
wasm-bindgen --target web --out-dir "$glue" "$raw"

mkdir -p pkg/wasm
cp pkg-template/package.json pkg-template/README.md pkg-template/node.mjs pkg-template/browser.js \
   pkg-template/workerd.js pkg-template/testing.mjs pkg/
cp -r pkg-template/lib pkg/lib
[ ! -d pkg-template/bin ] || cp -r pkg-template/bin pkg/bin
# Types: the ESM declarations as written, and a CommonJS twin of each (.d.cts, importing .cjs twins) for
# `require` under TypeScript's node16 resolution, so neither kind of consumer sees the other's format.
find pkg-template/types -type d | sed 's#^pkg-template/#pkg/#' | xargs mkdir -p
find pkg-template/types -name '*.d.ts' | while read -r f; do
  out="pkg/${f#pkg-template/}"
  cp "$f" "$out"
  sed -E "s#(from '\.{1,2}/[a-z0-9/-]+)\.js'#\1.cjs'#g" "$f" > "${out%.d.ts}.d.cts"
done
cp "$glue/entra_guard.js" pkg/wasm/entra_guard.js
node_modules/.bin/wasm-opt -O3 "$glue/entra_guard_bg.wasm" -o pkg/wasm/entra_guard_bg.wasm

# Entries per subpath (one per framework adapter), the exports map and the CommonJS bundle's entry.
node scripts/package-layout.mjs
# CommonJS: one bundle with the glue, the JS layer and the adapters (so every `require` shares one wasm
# instance and one EntraTokenError); node.cjs and each adapter's node.cjs are one line into it. The peers
# stay external: the caller's installed copies are used, never bundled ones.
node_modules/.bin/esbuild pkg/lib/bundle-entry.js --bundle --platform=node --format=cjs --log-level=error \
  --external:@modelcontextprotocol/* --external:@cloudflare/* --external:@opentelemetry/* --external:@azure/* \
  --external:hono --external:fastify --external:fastmcp --external:mcp-handler --outfile=pkg/lib/bundle.cjs
rm pkg/lib/bundle-entry.js
printf "// CommonJS entry: the shared bundle's root API.\nmodule.exports = require('./lib/bundle.cjs').root;\n" > pkg/node.cjs
cp pkg-template/testing-cjs-entry.js pkg/
node_modules/.bin/esbuild pkg/testing-cjs-entry.js --bundle --platform=node --format=cjs --log-level=error \
  --outfile=pkg/testing.cjs
rm pkg/testing-cjs-entry.js

# The package by name for the examples and tests in this repository (npm would copy it; a link stays current).
mkdir -p node_modules
ln -sfn ../pkg node_modules/entra-guard

size=$(wc -c < pkg/wasm/entra_guard_bg.wasm)
gz=$(gzip -9c pkg/wasm/entra_guard_bg.wasm | wc -c)
echo "build: pkg/ ready; wasm $size bytes, $gz gzipped ($EG_WASM_TOOLCHAIN toolchain)"
