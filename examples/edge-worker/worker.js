// An MCP endpoint on Cloudflare Workers / workerd, protected by Microsoft Entra ID with entra-guard.
// The same behaviour as the Express example (examples/mcp-server/server.mjs), without Node or Express:
//
//   POST /mcp                                      JSON-RPC (MCP streamable HTTP, stateless, JSON answers)
//   GET|DELETE /mcp                                405 after authentication (no server-initiated stream)
//   GET /.well-known/oauth-protected-resource/mcp  RFC 9728 metadata naming the tenant's Entra authority
//
// Tools and what each needs (checked on the parsed JSON-RPC body; a missing permission is an HTTP 403
// with WWW-Authenticate: Bearer error="insufficient_scope", scope="..."):
//   whoami       any valid token: the caller's validated identity
//   list_notes   delegated scope  mcp.notes.read
//   add_note     delegated scope  mcp.notes.write
//   purge_notes  app role         Notes.Admin   (an application calling as itself)
//
// Bindings (wrangler.toml [vars], or `text` bindings in a workerd config):
//   TENANT_ID  the tenant GUID                        CLIENT_ID  the API's client id (audience: GUID and api://GUID)
//   RESOURCE   the public URL of /mcp (optional; default: this request's origin + /mcp)
//   JWKS       the keys as JSON text (optional: keys in hand, no network). Without it the keys are fetched
//              from Entra (OpenID discovery for TENANT_ID), or from JWKS_URI when set (local tests).
//
// The MCP side is a small hand-written JSON-RPC responder (initialize, ping, tools/list, tools/call) rather
// than @modelcontextprotocol/sdk: the point here is the authentication, and the worker stays small.
import {
  EntraValidator, EntraTokenError, createRemoteJwks, authenticate, bearerToken, readBody, refusal, toAuthInfo,
  protectedResourceMetadataUrl, protectedResourceMetadataDocument,
} from 'entra-guard';

/** @typedef {import('entra-guard').EntraAuthInfo} AuthInfo */
/** @typedef {import('entra-guard').ValidateOptions} ValidateOptions */
/** @typedef {import('entra-guard').RemoteJwks} RemoteJwks */
/**
 * The worker's bindings.
 * @typedef {object} Env
 * @property {string} [TENANT_ID]
 * @property {string} [CLIENT_ID]
 * @property {string} [RESOURCE]
 * @property {string | object} [JWKS]
 * @property {string} [JWKS_URI]
 */
/** @typedef {{ waitUntil?(promise: Promise<unknown>): void }} Context */
/** @typedef {{ scopes?: string[], roles?: string[] }} Permissions */

/**
 * What each tool needs, as in the Express example.
 * @type {Record<string, Permissions>}
 */
const TOOL_PERMISSIONS = {
  whoami: {},
  list_notes: { scopes: ['mcp.notes.read'] },
  add_note: { scopes: ['mcp.notes.write'] },
  purge_notes: { roles: ['Notes.Admin'] },
};

const TOOLS = [
  { name: 'whoami', description: "The caller's validated Entra identity", inputSchema: { type: 'object', properties: {} } },
  { name: 'list_notes', description: 'List notes (scope mcp.notes.read)', inputSchema: { type: 'object', properties: {} } },
  {
    name: 'add_note',
    description: 'Add a note (scope mcp.notes.write)',
    inputSchema: { type: 'object', properties: { text: { type: 'string', maxLength: 1000 } }, required: ['text'] },
  },
  { name: 'purge_notes', description: 'Delete every note (app role Notes.Admin)', inputSchema: { type: 'object', properties: {} } },
];

const PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_NOTES = 100;
const METADATA_PREFIX = '/.well-known/oauth-protected-resource';

// Demo storage: per isolate, lost whenever the isolate is. A real server would use KV, D1 or a Durable Object.
/** @type {Array<{ text: string, by: string | null }>} */
const notes = [];

// ---------------------------------------------------------------------------------------------------
// The validator and the remote key cache: built once per isolate, on first use, and kept while the
// bindings stay the same. Building them per request would throw away the verified-token cache (a repeated
// token is then a lookup, not an RSA verification) and refetch the keys from Entra on every request.

/** @type {{ key: unknown[], validator: EntraValidator, jwks: RemoteJwks | undefined } | null} */
let guard = null;

/** @param {Env} env */
function guardFor(env) {
  // JWKS is usually text (a var or a secret); a JSON-object binding is compared by its JSON text.
  const jwksText = env.JWKS === undefined || typeof env.JWKS === 'string' ? env.JWKS : JSON.stringify(env.JWKS);
  const key = [env.TENANT_ID, env.CLIENT_ID, jwksText, env.JWKS_URI];
  const current = guard;
  if (current !== null && key.every((value, i) => value === current.key[i])) return current;
  const clientId = env.CLIENT_ID;
  const audience = typeof clientId === 'string' && !clientId.includes('://') ? [clientId, `api://${clientId}`] : clientId;
  // Construction checks the options (and the keys); it throws EntraTokenError config_invalid / jwks_invalid.
  // Not cached then: the next request tries again and reports the same misconfiguration.
  const validator = new EntraValidator({
    tenantId: env.TENANT_ID, audience: audience ?? [], ...(env.JWKS ? { jwks: /** @type {string} */ (env.JWKS) } : {}),
  });
  /** @type {RemoteJwks | undefined} */
  let jwks;
  if (!env.JWKS) {
    // No I/O here: the first authenticate() fetches the keys (workerd allows I/O only inside a request).
    jwks = createRemoteJwks(env.JWKS_URI ? { jwksUri: env.JWKS_URI } : { tenantId: env.TENANT_ID }).attach(validator);
  }
  // The previous validator (if the bindings changed) is left to garbage collection: a request still in
  // flight may be using it.
  guard?.jwks?.detach(guard.validator);
  guard = { key, validator, jwks };
  return guard;
}

// ---------------------------------------------------------------------------------------------------
// HTTP helpers

/**
 * @param {Request} request
 * @param {Env} env
 */
function resourceOf(request, env) {
  return env.RESOURCE || `${new URL(request.url).origin}/mcp`;
}

/**
 * @param {EntraTokenError | null} error
 * @param {string} [resourceMetadataUrl]
 */
function refuse(error, resourceMetadataUrl) {
  const { status, headers, body } = refusal(error, { resourceMetadataUrl });
  return Response.json(body, { status, headers });
}

/**
 * A non-EntraTokenError: a bug or a platform failure. Logged; the client learns nothing more.
 * @param {unknown} error
 */
function internalError(error) {
  console.error('edge-worker: internal error', error);
  return Response.json({ error: 'server_error', error_description: 'internal error' }, { status: 500, headers: { 'cache-control': 'no-store' } });
}

/**
 * The Bearer token's identity, or a Response refusing the request. `call` carries a tool's requirements;
 * for a token already verified moments ago this is a cache hit in the core.
 * @param {Request} request
 * @param {Env} env
 * @param {Context | undefined} ctx
 * @param {ValidateOptions} call
 * @param {string} resourceMetadataUrl
 * @returns {Promise<{ response: Response, auth?: undefined } | { response?: undefined, auth: AuthInfo }>}
 */
async function authenticated(request, env, ctx, call, resourceMetadataUrl) {
  let token;
  let result;
  try {
    const { validator, jwks } = guardFor(env);
    token = bearerToken(request.headers.get('authorization'));
    if (token === null) return { response: refuse(null, resourceMetadataUrl) };
    const pending = authenticate(validator, token, call, jwks);
    // A key fetch started here is shared with concurrent requests of this isolate. Workers cancel a
    // request's pending I/O when its client disconnects; waitUntil lets the fetch finish (up to 30 s) so
    // the other requests waiting on it are not left with a dead promise.
    ctx?.waitUntil?.(pending.catch(() => {}));
    result = await pending;
  } catch (error) {
    if (error instanceof EntraTokenError) {
      // config_invalid / jwks_invalid are the server's fault (500): worth a log line.
      if (error.status >= 500) console.error(`edge-worker: ${error.code}: ${error.message}`);
      return { response: refuse(error, resourceMetadataUrl) };
    }
    return { response: internalError(error) };
  }
  return { auth: toAuthInfo(token, result) };
}

/** @typedef {string | number | null | undefined} RpcId */

/**
 * @param {RpcId} id
 * @param {number} code
 * @param {string} message
 * @param {number} [status]
 */
const rpcError = (id, code, message, status = 200) =>
  Response.json({ jsonrpc: '2.0', id: id ?? null, error: { code, message } }, { status, headers: { 'cache-control': 'no-store' } });
/**
 * @param {RpcId} id
 * @param {unknown} result
 */
const rpcResult = (id, result) => Response.json({ jsonrpc: '2.0', id, result }, { headers: { 'cache-control': 'no-store' } });
/** @param {string | object} value */
const toolText = (value) => ({
  content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) }],
  ...(typeof value === 'object' ? { structuredContent: value } : {}),
});

const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-allow-headers': '*' };

/**
 * RFC 9728 protected-resource metadata: the tenant's Entra v2 authority issues tokens for this resource.
 * @param {Request} request
 * @param {Env} env
 * @param {string} resource
 */
function serveMetadata(request, env, resource) {
  if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS });
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return Response.json({ error: 'method_not_allowed' }, { status: 405, headers: { allow: 'GET, HEAD, OPTIONS' } });
  }
  // Entra wants resource-qualified scopes in an authorization request: api://<client-id>/<scope>.
  const api = typeof env.CLIENT_ID === 'string' && !env.CLIENT_ID.includes('://') ? `api://${env.CLIENT_ID}` : env.CLIENT_ID;
  let document;
  try {
    document = protectedResourceMetadataDocument({
      resource,
      tenantId: env.TENANT_ID,
      scopesSupported: api ? ['mcp.notes.read', 'mcp.notes.write'].map((scope) => `${api}/${scope}`) : undefined,
      resourceName: 'entra-guard edge-worker example',
    });
  } catch (error) {
    if (!(error instanceof EntraTokenError)) throw error;
    console.error(`edge-worker: ${error.code}: ${error.message}`);
    return refuse(error);
  }
  const headers = { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600', ...CORS };
  return new Response(request.method === 'HEAD' ? null : JSON.stringify(document), { headers });
}

// ---------------------------------------------------------------------------------------------------
// MCP over JSON-RPC

/**
 * @param {string} name
 * @param {{ text?: unknown } | undefined} args
 * @param {AuthInfo} auth
 */
function callTool(name, args, auth) {
  switch (name) {
    case 'whoami': {
      const { clientId, scopes } = auth;
      const extra = /** @type {NonNullable<AuthInfo['extra']>} */ (auth.extra);
      return toolText({ tenantId: extra.tenantId, objectId: extra.objectId, clientId, scopes, roles: extra.roles, isAppOnly: extra.isAppOnly, version: extra.version });
    }
    case 'list_notes':
      return toolText({ notes: [...notes] });
    case 'add_note': {
      if (typeof args?.text !== 'string' || args.text.length > 1000) return null;
      if (notes.length >= MAX_NOTES) notes.shift();
      notes.push({ text: args.text, by: auth.extra?.objectId ?? null });
      return toolText(`${notes.length} notes`);
    }
    case 'purge_notes':
      notes.length = 0;
      return toolText('purged');
    default:
      return null;
  }
}

/**
 * @param {Request} request
 * @param {Env} env
 * @param {Context | undefined} ctx
 * @param {string} resourceMetadataUrl
 */
async function handleMcp(request, env, ctx, resourceMetadataUrl) {
  // 1. Authenticate before reading the body: an anonymous client cannot make the worker parse 1 MB of JSON.
  const first = await authenticated(request, env, ctx, {}, resourceMetadataUrl);
  if (first.response) return first.response;
  if (request.method !== 'POST') {
    return Response.json({ error: 'method_not_allowed' }, { status: 405, headers: { allow: 'POST' } });
  }

  // 2. Parse the JSON-RPC message (the package's bounded reader: the limit is counted as bytes arrive).
  let message;
  try {
    const text = await readBody(request, MAX_BODY_BYTES);
    if (text === null) return rpcError(null, -32600, `request body larger than ${MAX_BODY_BYTES} bytes`, 413);
    message = JSON.parse(text);
  } catch {
    return rpcError(null, -32700, 'Parse error: the body is not UTF-8 JSON', 400);
  }
  // Batches are refused (MCP 2025-06-18 removed them): permissions are checked per message, and a batch
  // must not carry a tools/call past the check that looks at one message.
  if (Array.isArray(message)) return rpcError(null, -32600, 'Invalid Request: JSON-RPC batches are not supported', 400);
  if (message === null || typeof message !== 'object' || message.jsonrpc !== '2.0' || typeof message.method !== 'string') {
    return rpcError(message?.id, -32600, 'Invalid Request: expected a JSON-RPC 2.0 request', 400);
  }
  const { id, method, params } = message;
  if (id === undefined) return new Response(null, { status: 202 }); // a notification (notifications/initialized...)

  // 3. The called tool's permissions: the same token again, now with requirements (a cache hit).
  let auth = first.auth;
  if (method === 'tools/call') {
    const permissions = Object.hasOwn(TOOL_PERMISSIONS, params?.name) ? TOOL_PERMISSIONS[String(params.name)] : undefined;
    if (permissions === undefined) return rpcError(id, -32602, `Unknown tool: ${String(params?.name).slice(0, 100)}`);
    if (permissions.scopes || permissions.roles) {
      const second = await authenticated(request, env, ctx, { requiredScopes: permissions.scopes, requiredRoles: permissions.roles }, resourceMetadataUrl);
      if (second.response) return second.response;
      auth = second.auth;
    }
  }

  // 4. Answer.
  switch (method) {
    case 'initialize': {
      const asked = params?.protocolVersion;
      return rpcResult(id, {
        protocolVersion: PROTOCOL_VERSIONS.includes(asked) ? asked : PROTOCOL_VERSIONS[0],
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: 'entra-guard-edge-worker', version: '1.0.0' },
      });
    }
    case 'ping':
      return rpcResult(id, {});
    case 'tools/list':
      return rpcResult(id, { tools: TOOLS });
    case 'tools/call': {
      const result = callTool(params.name, params.arguments, auth);
      return result === null ? rpcError(id, -32602, `Invalid arguments for tool ${params.name}`) : rpcResult(id, result);
    }
    default:
      return rpcError(id, -32601, `Method not found: ${method.slice(0, 100)}`);
  }
}

export default {
  /**
   * @param {Request} request
   * @param {Env} env
   * @param {Context} [ctx]
   */
  async fetch(request, env, ctx) {
    try {
      const url = new URL(request.url);
      const resource = resourceOf(request, env);
      const resourceMetadataUrl = protectedResourceMetadataUrl(resource);
      if (url.pathname === new URL(resourceMetadataUrl).pathname || url.pathname === METADATA_PREFIX) {
        return serveMetadata(request, env, resource);
      }
      if (url.pathname === new URL(resource).pathname) return await handleMcp(request, env, ctx, resourceMetadataUrl);
      return Response.json({ error: 'not_found' }, { status: 404 });
    } catch (error) {
      return internalError(error);
    }
  },
};
