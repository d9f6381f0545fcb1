import { Hono } from 'hono';
import { StreamableHTTPTransport } from '@hono/mcp';
import { entraAuth } from 'entra-guard/hono';

export function honoApp(settings, mcpServer) {
  const app = new Hono();
  app.all('/mcp', entraAuth(settings), async (c) => {
    const transport = new StreamableHTTPTransport(); // reads c.get('auth'), which entraAuth set
    await (await mcpServer()).connect(transport);
    return transport.handleRequest(c);
  });
  return app;
}
