// The worker of benches/workerd.mjs: GET /?c=<contender>&n=<count> validates the first `count` tokens of the
// TOKENS binding with one contender and answers how they were verified. The timing is taken outside, by the
// benchmark, per request (workerd's clocks do not advance while a request computes); c=none is the empty
// request, subtracted from the others. Bindings: TENANT_ID, AUDIENCE, ISSUER, SCOPE, JWKS, TOKENS (JSON), NOW.
import { EntraValidator } from 'entra-guard';
import { createLocalJWKSet, jwtVerify } from 'jose';

let state;
function stateOf(env) {
  if (!state) {
    const jwks = JSON.parse(env.JWKS);
    const now = Number(env.NOW);
    state = {
      tokens: JSON.parse(env.TOKENS),
      now,
      options: { tenantId: env.TENANT_ID, audience: env.AUDIENCE, jwks, clockToleranceSeconds: 300, requiredScopes: [env.SCOPE], cacheSize: 0 },
      joseJwks: createLocalJWKSet(jwks),
      joseOptions: { algorithms: ['RS256'], issuer: env.ISSUER, audience: env.AUDIENCE, requiredClaims: ['exp'], currentDate: new Date(now * 1000), clockTolerance: 300 },
      scope: env.SCOPE,
    };
  }
  return state;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const s = stateOf(env);
    const batch = s.tokens.slice(0, Number(url.searchParams.get('n') ?? s.tokens.length));
    const contender = url.searchParams.get('c');
    const by = new Set();
    if (contender === 'eg-auto' || contender === 'eg-wasm') {
      const validator = new EntraValidator({ ...s.options, crypto: contender === 'eg-wasm' ? 'wasm' : 'auto' });
      for (const token of batch) by.add(validator.validate(token, { now: s.now }).signatureVerifiedBy);
      validator.free();
    } else if (contender === 'jose') {
      for (const token of batch) {
        const { payload } = await jwtVerify(token, s.joseJwks, s.joseOptions);
        if (!String(payload.scp).split(' ').includes(s.scope)) throw new Error('scope');
      }
      by.add('webcrypto');
    } else if (contender !== 'none') {
      return new Response('unknown contender', { status: 400 });
    }
    return Response.json({ n: contender === 'none' ? 0 : batch.length, by: [...by] });
  },
};
