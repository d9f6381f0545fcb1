#!/usr/bin/env bash
# The main job: installs what is missing, builds the npm package into pkg/, then serves
#   - the demo page (www/) on http://127.0.0.1:${DEMO_PORT:-8080}: paste a token or mint one for a demo tenant;
#   - the example Entra-protected MCP server on http://127.0.0.1:${PORT:-3001}/mcp. Without ENTRA_TENANT_ID /
#     ENTRA_CLIENT_ID it runs offline: a local test issuer mints demo tokens (printed) and serves the keys.
#   ENTRA_TENANT_ID=<tenant> ENTRA_CLIENT_ID=<api client id> bash scripts/start.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
node scripts/serve.mjs --port "${DEMO_PORT:-8080}" --host "${HOST:-127.0.0.1}" &
demo=$!
trap 'kill "$demo" 2>/dev/null || true' EXIT INT TERM
node examples/mcp-server/server.mjs
