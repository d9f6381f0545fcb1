import { makeKey, mintMany, TENANT, AUDIENCE, ISSUER } from '/work/main/benches/lib/tokens.mjs';
import { EntraValidator } from '/work/main/pkg/node.mjs';
import * as jose from 'jose';
import { createVerifier } from 'fast-jwt';
import jwt from 'jsonwebtoken';
const now = Math.floor(Date.now()/1000);
for (const bits of [2048, 3072, 4096]) {
  let t = performance.now(); const key = makeKey(bits); const kg = performance.now()-t;
  t = performance.now(); const toks = mintMany(key, now, 200); const mt = (performance.now()-t)/200;
  const v = new EntraValidator({ tenantId: TENANT, audience: AUDIENCE, jwks: key.jwks, requiredScopes: ['mcp.tools.read'] });
  v.validate(toks[0], { now });
  t = performance.now(); for (const x of toks) v.validate(x, { now }); const eg = (performance.now()-t)/200*1000;
  const set = jose.createLocalJWKSet(key.jwks);
  await jose.jwtVerify(toks[0], set, { issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(now*1000) });
  t = performance.now(); for (const x of toks) await jose.jwtVerify(x, set, { issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(now*1000) }); const jo = (performance.now()-t)/200*1000;
  const fv = createVerifier({ key: key.pem, algorithms: ['RS256'], allowedIss: ISSUER, allowedAud: AUDIENCE, clockTimestamp: now*1000, cache: false });
  t = performance.now(); for (const x of toks) fv(x); const fj = (performance.now()-t)/200*1000;
  t = performance.now(); for (const x of toks) jwt.verify(x, key.pem, { algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE, clockTimestamp: now }); const jw = (performance.now()-t)/200*1000;
  t = performance.now(); for (const x of toks) jwt.verify(x, key.publicKey, { algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE, clockTimestamp: now }); const jwk = (performance.now()-t)/200*1000;
  console.log({ bits, keygenMs: kg.toFixed(0), mintMs: mt.toFixed(2), len: toks[0].length, eg, jo, fj, jw, jwk });
}
