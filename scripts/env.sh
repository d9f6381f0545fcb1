# Sourced by the other scripts: where the tools live and how to build for wasm on this machine.
# Two supported cases (../shared/wasm-toolchain.md): rustup with the wasm32-unknown-unknown target
# installed (plain stable build), or Debian's rustc-web with its std sources (-Zbuild-std).
export EG_TOOLS="${EG_TOOLS:-$HOME/.local/share/entra-guard/tools}"
export PATH="$EG_TOOLS/bin:$HOME/.cargo/bin:$PATH"

if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  export EG_WASM_TOOLCHAIN=rustup
  EG_WASM_CARGO=(cargo)
  EG_WASM_FLAGS=()
  EG_WASM_HOT_PACKAGES=(serde_json sha2)
else
  export EG_WASM_TOOLCHAIN=debian
  # Debian's cargo and rustc (1.96, with library sources) build std for wasm themselves.
  EG_WASM_CARGO=(env RUSTC_BOOTSTRAP=1 PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc /usr/bin/cargo)
  EG_WASM_FLAGS=(-Zbuild-std=std,panic_abort)
  # The package build only (scripts/build.sh), where the standard library is built here anyway: no panic
  # machinery at all (a panic is a trap either way on wasm32-unknown-unknown, which has nowhere to print
  # it; the crate's lints keep input paths panic-free), about 3.5 KB of the gzipped wasm. Not for the wasm
  # tests, whose failures need the message. This variable replaces .cargo/config.toml's rustflags, so it
  # repeats them.
  EG_WASM_RELEASE_RUSTFLAGS="-C target-feature=+simd128 -Zunstable-options -Cpanic=immediate-abort"
  # Built here, the standard library is a package the profile can name (allocator, memchr, memcmp, UTF-8).
  EG_WASM_HOT_PACKAGES=(serde_json sha2 core alloc std compiler_builtins dlmalloc)
fi
# The package build's profile (scripts/build.sh): every dependency optimised for size (-11 KB of the
# gzipped wasm), except the ones a validation spends its time in, which keep opt-level 3 (the crate itself
# always does). Measured in one process against an all-opt-level-3 build: the core without RSA within 1%,
# the core's own RSA within 0.2%; with only serde_json and sha2 kept at 3, the core was 6-8% slower.
# Given as --config for that build alone, so native builds and the wasm tests are untouched.
EG_WASM_SIZE_PROFILE=(--config 'profile.release.package."*".opt-level="z"')
for hot in "${EG_WASM_HOT_PACKAGES[@]}"; do
  EG_WASM_SIZE_PROFILE+=(--config "profile.release.package.$hot.opt-level=3")
done
# The wasm build keeps its own target directory so the native (rustup) and Debian compilers never
# invalidate each other's artefacts.
export EG_WASM_TARGET_DIR=target/wasm
