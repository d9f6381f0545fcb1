#!/usr/bin/env bash
# The main job: installs what is missing, builds the npm package into pkg/, then runs the example.
# Today the example is a command-line validator (examples/validate-token.mjs); with no arguments it runs
# its demo, and any arguments are passed to it:
#   bash scripts/start.sh --token @token.txt --tenant <tenant-guid> --audience api://<client-id>
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
if [ $# -eq 0 ]; then set -- --demo; fi
exec node examples/validate-token.mjs "$@"
