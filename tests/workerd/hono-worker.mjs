// The worker of tests/js/adapter-hono-workerd.test.mjs: entra-guard/hono in a Hono app under workerd
// (bundled with the `workerd` condition: pkg/adapters/hono/workerd.js, the wasm as a module).
//   POST /whoami  entraAuth(settings): answers c.get('auth') as JSON
//   POST /admin   entraAuth(adminSettings), the app role instead of the scope
//   ALL  /mcp     @modelcontextprotocol/hono's app, entraAuth(settings), the SDK v2 transport with
//                 authInfo: c.get('auth'); one tool, whoami (what ctx.http.authInfo holds)
// Bindings: TENANT_ID, CLIENT_ID, RESOURCE, JWKS (JSON text), REQUIRED_SCOPE, ADMIN_ROLE. The app is made once
// per isolate, on the first request (module workers see their bindings only then).
import { Hono } from 'hono';
import { createMcpHonoApp } from '@modelcontextprotocol/hono';
import { McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { entraAuth } from 'entra-guard/hono';
import * as z from 'zod';

function settingsOf(env) {
  return {
    options: { tenantId: env.TENANT_ID, audience: [env.CLIENT_ID, `api://${env.CLIENT_ID}`] },
    jwks: env.JWKS,
    resource: env.RESOURCE,
  };
}

function mcpServer() {
  const server = new McpServer({ name: 'entra-guard-hono-workerd', version: '1.0.0' });
  server.registerTool('whoami', { description: "The caller's identity", inputSchema: z.object({}) }, async (_args, ctx) => {
    const authInfo = ctx.http?.authInfo;
    return {
      content: [{
        type: 'text',
        text: JSON.stringify({
          clientId: authInfo?.clientId, scopes: authInfo?.scopes, tenantId: authInfo?.extra?.tenantId,
          resource: authInfo?.resource ? String(authInfo.resource) : null, runtime: navigator.userAgent,
        }),
      }],
    };
  });
  return server;
}

function appFor(env) {
  const settings = { ...settingsOf(env), requiredScopes: [env.REQUIRED_SCOPE] };
  const adminSettings = { ...settingsOf(env), requiredRoles: [env.ADMIN_ROLE] };
  const app = new Hono();
  app.post('/whoami', entraAuth(settings), (c) => c.json({ auth: c.get('auth'), runtime: navigator.userAgent }));
  app.post('/admin', entraAuth(adminSettings), (c) => c.json({ ok: true }));
  const mcp = createMcpHonoApp();
  mcp.all('/mcp', entraAuth(settings), async (c) => {
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await mcpServer().connect(transport);
    return transport.handleRequest(c.req.raw, { parsedBody: c.get('parsedBody'), authInfo: c.get('auth') });
  });
  app.route('/', mcp);
  return app;
}

let app;
export default {
  fetch(request, env, ctx) {
    app ??= appFor(env);
    return app.fetch(request, env, ctx);
  },
};
