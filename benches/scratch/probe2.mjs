import { makeKey, mintMany, TENANT, AUDIENCE } from '../lib/tokens.mjs';
import { EntraValidator } from '../../pkg/node.mjs';
const now = Math.floor(Date.now()/1000);
const key = makeKey(2048);
const toks = mintMany(key, now, 500);
const v = new EntraValidator({ tenantId: TENANT, audience: AUDIENCE, jwks: key.jwks, requiredScopes: ['mcp.tools.read'] });
for (let r = 0; r < 12; r++) {
  const t = performance.now(); for (const x of toks) v.validate(x, { now }); console.log(r, ((performance.now()-t)/500*1000).toFixed(1));
}
