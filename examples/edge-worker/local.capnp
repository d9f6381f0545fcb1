# Runs the worker with the bare workerd binary (no wrangler, no miniflare). See README.md "Run locally":
#   1. bundle:  npx esbuild worker.js --bundle --format=esm --platform=neutral --conditions=workerd,worker,browser \
#                 --main-fields=module,main '--external:*.wasm' --outfile=dist/worker.js
#   2. serve:   npx workerd serve local.capnp        (listens on 127.0.0.1:8787)
# Paths are relative to this file; node_modules/entra-guard is the installed package.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mcpWorker),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "main"),
  ],
);

const mcpWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "dist/worker.js"),
    # The bundle keeps entra-guard's `import wasmModule from './wasm/entra_guard_bg.wasm'`; workerd resolves
    # it against the importing module's name and compiles this module ahead of time.
    (name = "wasm/entra_guard_bg.wasm", wasm = embed "node_modules/entra-guard/wasm/entra_guard_bg.wasm"),
  ],
  compatibilityDate = "2026-11-01",
  bindings = [
    # Your tenant GUID and the API's client id (tokens for it carry aud = CLIENT_ID or api://CLIENT_ID).
    (name = "TENANT_ID", text = "00000000-0000-0000-0000-000000000000"),
    (name = "CLIENT_ID", text = "00000000-0000-0000-0000-000000000000"),
    # Optional: the public URL of /mcp; keys pinned as JSON text instead of fetched from Entra.
    # (name = "RESOURCE", text = "https://mcp.contoso.com/mcp"),
    # (name = "JWKS", text = embed "keys.json"),
  ],
  # Keys are fetched from login.microsoftonline.com through workerd's default "internet" service
  # (public addresses only), the global fetch() of the worker.
);
