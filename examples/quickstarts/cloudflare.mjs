import { OAuthResourceServer } from '@cloudflare/workers-oauth-provider';
import { createMcpHandler } from 'agents/mcp/server';
import { protectedResourceMetadataDocument } from 'entra-guard';
import { entraValidateToken } from 'entra-guard/cloudflare';

export function worker(settingsOf, mcpServer) { // settingsOf(env): the settings, from the worker's bindings
  const mcp = createMcpHandler(mcpServer, { route: '/mcp' }), validateToken = entraValidateToken(settingsOf);
  let server; // once per isolate: the verified-token cache and the key cache live across requests
  return { fetch(request, env, ctx) {
    const { resource, requiredScopes, options: { tenantId } } = settingsOf(env); // scopes advertised as {resource}/{scope}
    server ??= new OAuthResourceServer({ resourceMetadata: protectedResourceMetadataDocument({ resource, tenantId, scopesSupported: requiredScopes }),
      validateToken, handler: { fetch: (req, e, c) => mcp(req, e, c) } });
    return server.fetch(request, env, ctx);
  } };
}
