// Child of bench.mjs, scenario 4: the same as startup-entra-guard.mjs, with jose.
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify } from 'jose';

const fixture = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const jwks = createLocalJWKSet(fixture.jwks);
const { payload } = await jwtVerify(fixture.token, jwks, {
  algorithms: ['RS256'], issuer: fixture.issuer, audience: fixture.audience, requiredClaims: ['exp'],
});
if (!payload.scp.split(' ').includes(fixture.scope)) throw new Error('scope missing');
process.stdout.write(JSON.stringify({ ms: performance.now() }));
