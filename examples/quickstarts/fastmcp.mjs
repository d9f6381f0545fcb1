import { FastMCP } from 'fastmcp';
import { entraAuthenticate } from 'entra-guard/fastmcp';

export function fastMcpServer(settings) {
  const server = new FastMCP({ name: 'my-server', version: '1.0.0', authenticate: entraAuthenticate(settings) });
  server.addTool({ name: 'whoami', description: "The caller's identity",
    execute: async (_args, { session }) => JSON.stringify({ clientId: session?.clientId, scopes: session?.scopes,
      tenantId: session?.extra?.tenantId, resource: String(session?.resource) }) });
  return server; // await server.start({ transportType: 'httpStream', httpStream: { port: 8080, endpoint: '/mcp' } })
}
