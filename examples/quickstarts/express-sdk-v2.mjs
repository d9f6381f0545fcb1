import { createMcpExpressApp, requireBearerAuth } from '@modelcontextprotocol/express';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { protectedResourceMetadataUrl } from 'entra-guard';
import { entraTokenVerifier } from 'entra-guard/mcp';

export function expressApp(settings, mcpServer) {
  const app = createMcpExpressApp();
  app.post('/mcp', requireBearerAuth({ verifier: entraTokenVerifier(settings), requiredScopes: settings.requiredScopes,
    expectedResource: new URL(settings.resource), resourceMetadataUrl: protectedResourceMetadataUrl(settings.resource) }),
  async (req, res) => {
    const server = await mcpServer(), transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body); // the transport reads req.auth
  });
  return app;
}
