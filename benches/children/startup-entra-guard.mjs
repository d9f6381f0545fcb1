// Child of bench.mjs, scenario 4: import the package (ESM), build a validator, validate one token, and
// print performance.now(), which Node counts from the start of this process.
import { readFileSync } from 'node:fs';
import { EntraValidator } from '../../pkg/node.mjs';

const fixture = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const validator = new EntraValidator({
  tenantId: fixture.tenantId, audience: fixture.audience, jwks: fixture.jwks, requiredScopes: [fixture.scope],
});
validator.validate(fixture.token); // real clock: the token was minted for it
process.stdout.write(JSON.stringify({ ms: performance.now() }));
