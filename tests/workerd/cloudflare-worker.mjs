// The worker of tests/js/adapter-cloudflare.test.mjs: the quick start examples/quickstarts/cloudflare.mjs
// (@cloudflare/workers-oauth-provider's OAuthResourceServer, agents' createMcpHandler, entra-guard/cloudflare's
// entraValidateToken) with settings made from the worker's bindings, and an SDK v2 McpServer with one tool.
// Bindings: TENANT_ID, CLIENT_ID, RESOURCE (the loopback URL of /mcp: the provider routes only its canonical
// resource), JWKS (JSON text), REQUIRED_SCOPE or REQUIRED_ROLE.
import { McpServer } from '@modelcontextprotocol/server';
import { getMcpAuthContext } from 'agents/mcp/server';
import * as z from 'zod';
import { worker } from '../../examples/quickstarts/cloudflare.mjs';

// Every `env` object the worker was handed: entraValidateToken builds its guard once per `env` (the verified-token
// cache and the key cache live in it), which lasts as long as the isolate only if workerd hands the same object
// to every request.
const envs = new WeakSet();
let envCount = 0;

function settingsOf(env) {
  if (!envs.has(env)) {
    envs.add(env);
    envCount += 1;
  }
  return {
    options: { tenantId: env.TENANT_ID, audience: [env.CLIENT_ID, `api://${env.CLIENT_ID}`] },
    jwks: env.JWKS,
    resource: env.RESOURCE,
    ...(env.REQUIRED_SCOPE ? { requiredScopes: [env.REQUIRED_SCOPE] } : {}),
    ...(env.REQUIRED_ROLE ? { requiredRoles: [env.REQUIRED_ROLE] } : {}),
  };
}

/** whoami: what the tool sees, through the SDK's ctx.http.authInfo and through agents' getMcpAuthContext(). */
function mcpServer() {
  const server = new McpServer({ name: 'entra-guard-cloudflare-workerd', version: '1.0.0' });
  server.registerTool('whoami', { description: "The caller's identity", inputSchema: z.object({}) }, async (_args, ctx) => {
    const authInfo = ctx.http?.authInfo;
    return {
      content: [{
        type: 'text',
        text: JSON.stringify({
          clientId: authInfo?.clientId,
          scopes: authInfo?.scopes,
          resource: authInfo?.resource ? String(authInfo.resource) : null,
          expiresAt: authInfo?.expiresAt,
          token: authInfo?.token,
          extraProps: authInfo?.extra?.props ?? null,
          props: getMcpAuthContext()?.props ?? null,
          runtime: navigator.userAgent,
          envCount,
        }),
      }],
    };
  });
  return server;
}

export default worker(settingsOf, mcpServer);
