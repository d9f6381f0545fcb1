#!/usr/bin/env bash
# The main job: installs what is missing, builds the npm package into pkg/, then serves the example
# Entra-protected MCP server on http://127.0.0.1:${PORT:-3001}/mcp. Without ENTRA_TENANT_ID / ENTRA_CLIENT_ID
# it runs offline: a local test issuer mints demo tokens (printed) and serves the keys on loopback.
#   bash scripts/start.sh                                   # offline demo
#   ENTRA_TENANT_ID=<tenant> ENTRA_CLIENT_ID=<api client id> bash scripts/start.sh
# `node examples/validate-token.mjs --demo` shows the validator's verdicts on the command line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
node examples/validate-token.mjs --demo | grep -E '^(──|✔|✘)' || true
exec node examples/mcp-server/server.mjs
