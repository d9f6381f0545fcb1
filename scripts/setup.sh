#!/usr/bin/env bash
# Installs everything the build and the tests need, idempotently; a second run only checks.
#   - a Rust toolchain that can target wasm32-unknown-unknown (rustup's target if present, else Debian's
#     rustc-web + rust-web-src with -Zbuild-std, and rust-web-clippy for the wasm32 lint; see scripts/env.sh),
#   - wasm-bindgen-cli pinned to the wasm-bindgen version in Cargo.lock,
#   - Chromium for the browser tests (wasm-opt comes from npm's binaryen: Debian's 108 breaks externref tables),
#   - the npm dev dependencies from package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

apt_packages=()
need_apt() { dpkg -s "$1" >/dev/null 2>&1 || apt_packages+=("$1"); }

if [ "$EG_WASM_TOOLCHAIN" = debian ]; then
  need_apt rustc-web; need_apt cargo-web; need_apt rust-web-src; need_apt rust-web-clippy; need_apt lld-22
fi
need_apt chromium
if [ ${#apt_packages[@]} -gt 0 ]; then
  say "installing Debian packages: ${apt_packages[*]}"
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi
# Re-detect: the Debian toolchain may just have arrived.
source scripts/env.sh

wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$wb_version" ]; then
  echo "setup: cannot read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  say "installing wasm-bindgen-cli $wb_version into $EG_TOOLS (a few minutes, once)"
  # Not --locked: the CLI's own lockfile pins a crate release the registry no longer serves.
  cargo install --quiet --root "$EG_TOOLS" wasm-bindgen-cli --version "$wb_version" --force
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies"
  # The versions come from package-lock.json. Not `npm ci`: workerd lists its macOS and Windows binaries as
  # optional dependencies, the registry reachable here does not serve them, and `npm ci` then calls the
  # lock file out of sync; `npm install --no-save` installs the locked tree and leaves the files alone.
  npm install --no-save --no-audit --no-fund --loglevel=error
fi
say "ready (wasm toolchain: $EG_WASM_TOOLCHAIN; wasm-bindgen $wb_version; $(node_modules/.bin/wasm-opt --version | head -1))"
