import { createMcpFastifyApp } from '@modelcontextprotocol/fastify';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { entraAuth } from 'entra-guard/fastify';

export function fastifyApp(settings, mcpServer) {
  const app = createMcpFastifyApp();
  app.post('/mcp', { preHandler: entraAuth(settings) }, async (request, reply) => {
    const server = await mcpServer(), transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    reply.hijack();
    await transport.handleRequest(request.raw, reply.raw, request.body); // reads request.raw.auth
  });
  return app;
}
