import { createMcpHandler, withMcpAuth } from 'mcp-handler';
import { protectedResourceMetadataUrl } from 'entra-guard';
import { entraVerifyToken } from 'entra-guard/mcp-handler';

export function mcpHandler(settings, registerTools) { // registerTools(server): server.registerTool(...)
  return withMcpAuth(createMcpHandler(registerTools), entraVerifyToken(settings), {
    required: true, requiredScopes: settings.requiredScopes, resourceUrl: new URL(settings.resource).origin,
    resourceMetadataPath: new URL(protectedResourceMetadataUrl(settings.resource)).pathname,
  }); // a Web (Request) => Response handler: a Next.js route, a Vercel function, any fetch host
}
