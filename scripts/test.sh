#!/usr/bin/env bash
# Every test: installs what is missing, builds the package, then runs
#   1. the Rust tests natively (unit, rules, real Entra fixtures, Wycheproof),
#   2. the same core tests compiled to wasm32 under wasm-bindgen-test in Node,
#   3. the JS tests against the built package (node:test).
# Tests that need ../shared/ say SKIPPED when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
bash scripts/build.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Rust tests (native)"
cargo test --quiet --all-targets

step "Rust core tests compiled to wasm32, run by wasm-bindgen-test in Node"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  "${EG_WASM_CARGO[@]}" test --target wasm32-unknown-unknown "${EG_WASM_FLAGS[@]}" --target-dir "$EG_WASM_TARGET_DIR"

step "Fuzzing, bounded: 30 s per target (bash scripts/fuzz.sh 3600 for an hour each)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-30}"

step "Load and soak, short (loopback only; they fail on any 5xx, wrong status or memory growth, never on speed)"
results=$(mktemp -d)
node benches/load.mjs --quick --out "$results/load.json"
node benches/soak.mjs --quick --out "$results/soak.json"
rm -rf "$results"

step "JS tests against the built package (node:test)"
node --test --test-reporter=spec tests/js/*.test.mjs
