// The hand-written declarations (pkg-template/types/) against the code (pkg-template/lib/): `tsc -p .`
// fails when a declared export is missing from the code or has an incompatible type, and when the code
// exports something the declarations do not mention. The code's own types come from its JSDoc.
import * as code from '../../pkg-template/lib/index.js';
import * as testingCode from '../../pkg-template/lib/testing.js';
import type * as declared from '../../pkg-template/types/index.js';
import type * as testingDeclared from '../../pkg-template/types/testing.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(_proof?: T): void => undefined;

// Every declared export exists in the code, with a type the declaration accepts.
export const api: typeof declared = code;
export const testing: typeof testingDeclared = testingCode;

// Nothing exported without a declaration.
same<Same<keyof typeof code, keyof typeof declared>>();
same<Same<keyof typeof testingCode, keyof typeof testingDeclared>>();

// Every adapter subpath: its module against its declarations, both ways.
import * as mcpCode from '../../pkg-template/lib/adapters/mcp.js';
import type * as mcpDeclared from '../../pkg-template/types/adapters/mcp.js';
import * as honoCode from '../../pkg-template/lib/adapters/hono.js';
import type * as honoDeclared from '../../pkg-template/types/adapters/hono.js';
import * as fastifyCode from '../../pkg-template/lib/adapters/fastify.js';
import type * as fastifyDeclared from '../../pkg-template/types/adapters/fastify.js';
import * as mcpHandlerCode from '../../pkg-template/lib/adapters/mcp-handler.js';
import type * as mcpHandlerDeclared from '../../pkg-template/types/adapters/mcp-handler.js';
import * as fastmcpCode from '../../pkg-template/lib/adapters/fastmcp.js';
import type * as fastmcpDeclared from '../../pkg-template/types/adapters/fastmcp.js';
import * as cloudflareCode from '../../pkg-template/lib/adapters/cloudflare.js';
import type * as cloudflareDeclared from '../../pkg-template/types/adapters/cloudflare.js';

// The adapters' modules export one function each (mcp also its OAuthError helper for mcp-handler).
export const mcp: typeof mcpDeclared = mcpCode;
export const hono: typeof honoDeclared = honoCode;
export const fastify: typeof fastifyDeclared = fastifyCode;
export const mcpHandler: typeof mcpHandlerDeclared = mcpHandlerCode;
export const fastmcp: typeof fastmcpDeclared = fastmcpCode;
export const cloudflare: typeof cloudflareDeclared = cloudflareCode;
same<Same<Exclude<keyof typeof mcpCode, 'sdkOAuthError'>, keyof typeof mcpDeclared>>();
same<Same<keyof typeof honoCode, keyof typeof honoDeclared>>();
same<Same<keyof typeof fastifyCode, keyof typeof fastifyDeclared>>();
same<Same<keyof typeof mcpHandlerCode, keyof typeof mcpHandlerDeclared>>();
same<Same<keyof typeof fastmcpCode, keyof typeof fastmcpDeclared>>();
same<Same<keyof typeof cloudflareCode, keyof typeof cloudflareDeclared>>();
import * as oboCode from '../../pkg-template/lib/adapters/obo.js';
import type * as oboDeclared from '../../pkg-template/types/adapters/obo.js';
export const obo: typeof oboDeclared = oboCode;
same<Same<keyof typeof oboCode, keyof typeof oboDeclared>>();
