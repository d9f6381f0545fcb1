#!/usr/bin/env bash
# Fuzzes the token parser, the JWKS parser, the options parser and the whole validator with cargo-fuzz
# (libFuzzer), one target after another, each for a fixed time on its seed corpus. See fuzz/README.md.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]     default: 60 s, every target
#   FUZZ_SECONDS=600 scripts/fuzz.sh                      the same, from the environment
#
# Exits non-zero if any target crashes (panic, abort, timeout, out-of-memory, sanitizer report).
# Environment:
#   FUZZ_SECONDS     seconds per target when no argument is given (default 60)
#   FUZZ_TOOLCHAIN   nightly | stable | debian: force a toolchain (default: nightly if rustup has one,
#                    else rustup stable with RUSTC_BOOTSTRAP=1, else Debian's /usr/bin/cargo likewise)
#   FUZZ_SANITIZER   address | none: skip the ASan attempt (default: try address, fall back to none)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

say() { printf '\033[1mfuzz:\033[0m %s\n' "$*"; }
die() { printf 'fuzz: %s\n' "$*" >&2; exit 2; }

started=$SECONDS
seconds="${1:-${FUZZ_SECONDS:-60}}"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || die "seconds per target must be a positive whole number, got '$seconds'"
shift || true
all_targets=(parse_token parse_jwks validate options rsa_differential)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [ -d "fuzz/seeds/$t" ] || die "unknown target '$t' (targets: ${all_targets[*]})"
done

# 1. cargo-fuzz, pinned, in the project's tool dir (as scripts/setup.sh does with wasm-bindgen-cli).
cargo_fuzz_version=0.13.2
if [ "$("$EG_TOOLS/bin/cargo-fuzz" fuzz --version 2>/dev/null)" != "cargo-fuzz $cargo_fuzz_version" ]; then
  say "installing cargo-fuzz $cargo_fuzz_version into $EG_TOOLS (a minute or two, once)"
  cargo install --quiet --root "$EG_TOOLS" cargo-fuzz --version "$cargo_fuzz_version" --force
fi
cargo fuzz --version >/dev/null

# 2. A compiler that takes -Z flags: a nightly if there is one, else a stable one with RUSTC_BOOTSTRAP=1.
toolchain="${FUZZ_TOOLCHAIN:-}"
if [ -z "$toolchain" ]; then
  if command -v rustup >/dev/null 2>&1 && rustup run nightly rustc --version >/dev/null 2>&1; then
    toolchain=nightly
  elif command -v rustup >/dev/null 2>&1 && rustup run stable rustc --version >/dev/null 2>&1; then
    toolchain=stable
  else
    toolchain=debian
  fi
fi
case "$toolchain" in
  nightly)
    fuzz_cargo=(cargo +nightly fuzz); shown="cargo +nightly fuzz"
    rustc_version=$(rustup run nightly rustc --version) ;;
  stable)
    fuzz_cargo=(env RUSTC_BOOTSTRAP=1 cargo +stable fuzz); shown="RUSTC_BOOTSTRAP=1 cargo +stable fuzz"
    rustc_version=$(rustup run stable rustc --version) ;;
  debian)
    fuzz_cargo=(env RUSTC_BOOTSTRAP=1 PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc /usr/bin/cargo fuzz)
    shown="RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc /usr/bin/cargo fuzz"
    rustc_version=$(/usr/bin/rustc --version) ;;
  *) die "FUZZ_TOOLCHAIN must be nightly, stable or debian, got '$toolchain'" ;;
esac
if [ "$toolchain" = nightly ]; then
  say "toolchain: nightly ($rustc_version)"
else
  say "toolchain: $toolchain ($rustc_version) with RUSTC_BOOTSTRAP=1"
fi

# 3. Build every target: with AddressSanitizer if this toolchain ships its runtime, else without.
mkdir -p fuzz/artifacts/logs
build() { # build SANITIZER: all targets; the log in fuzz/artifacts/logs/build-SANITIZER.log
  "${fuzz_cargo[@]}" build --sanitizer "$1" >"fuzz/artifacts/logs/build-$1.log" 2>&1
}
build_started=$SECONDS
sanitizer="${FUZZ_SANITIZER:-address}"
if ! build "$sanitizer"; then
  log="fuzz/artifacts/logs/build-$sanitizer.log"
  if [ "$sanitizer" != address ]; then
    tail -30 "$log" >&2
    die "the fuzz build failed (log: $log)"
  fi
  say "NOTE: the AddressSanitizer build failed with this toolchain; falling back to --sanitizer none."
  say "      Panics, aborts, timeouts and OOMs are still caught; memory errors in unsafe dependency code are not."
  { grep -m1 -E 'cannot find|not supported|unknown' "$log"; grep -m2 -E '^error' "$log"; } | cut -c1-200 | sed 's/^/      | /'
  sanitizer=none
  build none || { tail -30 fuzz/artifacts/logs/build-none.log >&2; die "the fuzz build failed (log: fuzz/artifacts/logs/build-none.log)"; }
fi
say "built ${#all_targets[@]} targets (sanitizer: $sanitizer) in $((SECONDS - build_started)) s"

# 4. Run each target for $seconds on a working copy of its seeds (fuzz/corpus is git-ignored).
final_stat() { # final_stat NAME LOG: the value of libFuzzer's final "stat::NAME:" line
  awk -v k="stat::$1:" '$1 == k { v = $2 } END { print v }' "$2"
}
failed=()
summary=()
for t in "${targets[@]}"; do
  corpus="fuzz/corpus/$t"
  artifacts="fuzz/artifacts/$t"
  log="fuzz/artifacts/logs/$t.log"
  mkdir -p "$corpus" "$artifacts"
  for seed in "fuzz/seeds/$t"/*; do
    [ -e "$corpus/${seed##*/}" ] || cp "$seed" "$corpus/"
  done
  inputs=("$corpus")
  # Saved crashers are loaded with the corpus on every run, so a fixed bug that comes back fails at once.
  [ -d "fuzz/regressions/$t" ] && inputs+=("fuzz/regressions/$t")
  marker="fuzz/artifacts/logs/.$t.started"
  touch "$marker"
  say "running $t for $seconds s ($(find "$corpus" -maxdepth 1 -type f | wc -l) inputs; log: $log)"
  rc=0
  # -jobs is left unset: one in-process fuzzer, which is what -jobs=1 asks for without libFuzzer's
  # child process and fuzz-N.log indirection. The outer timeout only guards against a wedged run.
  timeout --kill-after=30 $((seconds + 600)) "${fuzz_cargo[@]}" run --sanitizer "$sanitizer" "$t" "${inputs[@]}" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1 || rc=$?
  mapfile -t new_crashes < <(find "$artifacts" -maxdepth 1 -type f -newer "$marker" \
    \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \))
  crashes=${#new_crashes[@]}
  runs=$(final_stat number_of_executed_units "$log")
  per_sec=$(final_stat average_exec_per_sec "$log")
  if [ -z "$runs" ]; then # no final stats (killed): the last status line instead
    runs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    per_sec=$(grep -Eo 'exec/s: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  fi
  done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
  corp=$(grep -Eo 'corp: [0-9]+/[0-9]+[A-Za-z]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  files=$(find "$corpus" -maxdepth 1 -type f | wc -l)
  line=$(printf '%-12s executions %10s  exec/s %7s  corpus %5s files (in use %s)  crashes %s' \
    "$t" "${runs:-?}" "${per_sec:-?}" "$files" "${corp:-?}" "$crashes")
  if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ] || [ -z "$done_line" ]; then
    failed+=("$t")
    line+="  FAILED (exit $rc)"
    say "$t FAILED; the report (full log: $log):"
    if grep -qE 'panicked at|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)' "$log"; then
      grep -E -A25 'panicked at|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)' "$log" | head -50 | sed 's/^/  | /'
    else
      tail -30 "$log" | sed 's/^/  | /'
    fi
    for crash in "${new_crashes[@]}"; do
      say "crashing input: $crash"
      say "  reproduce: $shown run --sanitizer $sanitizer $t $crash"
    done
  fi
  say "$line"
  summary+=("$line")
done

say "summary ($seconds s per target, sanitizer $sanitizer, total $((SECONDS - started)) s including the build):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  say "crashes in: ${failed[*]}. Save each crashing input under fuzz/regressions/<target>/ with the fix."
  exit 1
fi
