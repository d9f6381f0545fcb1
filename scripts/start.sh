#!/usr/bin/env bash
# The main job: installs what is missing, builds the npm package into pkg/, then serves
#   - the demo page (www/) on http://127.0.0.1:${DEMO_PORT:-8080}: paste a token or mint one for a demo tenant;
#   - the example Entra-protected MCP server on http://127.0.0.1:${PORT:-3001}/mcp.
# Without ENTRA_TENANT_ID / ENTRA_CLIENT_ID it runs offline: a loopback Entra (entra-guard/testing) with a demo
# tenant's app registrations on 127.0.0.1:${ENTRA_PORT:-3002}, and once the server is up the demo client runs
# the whole MCP authorization flow against it (client credentials, then authorization code + PKCE and
# on-behalf-of to Graph) with the real MCP SDK clients. The servers then keep running until Ctrl-C.
#   ENTRA_TENANT_ID=<tenant> ENTRA_CLIENT_ID=<api client id> [ENTRA_CLIENT_SECRET=<api secret>] bash scripts/start.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
host=${HOST:-127.0.0.1}
port=${PORT:-3001}
node scripts/serve.mjs --port "${DEMO_PORT:-8080}" --host "$host" &
demo=$!
node examples/mcp-server/server.mjs &
mcp=$!
trap 'kill "$demo" "$mcp" 2>/dev/null || true' EXIT INT TERM

# Wait for the MCP server's protected-resource metadata (up to 30 s), then, offline, run the flow once.
metadata="http://$host:$port/.well-known/oauth-protected-resource/mcp"
for _ in $(seq 60); do
  if node -e "fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "$metadata"; then break; fi
  kill -0 "$mcp" 2>/dev/null || { echo "the MCP server exited" >&2; exit 1; }
  sleep 0.5
done
if [[ -z "${ENTRA_TENANT_ID:-}" ]]; then
  node examples/mcp-server/demo-client.mjs "http://$host:$port/mcp" || echo "the demo client failed (see above); the servers keep running" >&2
fi
echo "demo page on http://$host:${DEMO_PORT:-8080}, MCP server on http://$host:$port/mcp (Ctrl-C stops both)"
wait "$mcp"
