// The worker of tests/js/rsa-paths.test.mjs: which RSA a validator uses in workerd (pkg/workerd.js), with
// and without the nodejs_compat flag. GET /?token=… validates at NOW with `crypto` from the query (default
// 'auto') and answers { signatureVerifiedBy } or { code }, plus whether the isolate has node:crypto.
// Bindings: TENANT_ID, CLIENT_ID, JWKS (JSON text), NOW (seconds).
import { EntraValidator } from 'entra-guard';

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const crypto = url.searchParams.get('crypto') ?? 'auto';
    const hasNodeCrypto = typeof globalThis.process?.getBuiltinModule === 'function'
      && Boolean(globalThis.process.getBuiltinModule('node:crypto'));
    try {
      const validator = new EntraValidator({ tenantId: env.TENANT_ID, audience: env.CLIENT_ID, jwks: env.JWKS, crypto, cacheSize: 0 });
      const result = validator.validate(url.searchParams.get('token') ?? '', { now: Number(env.NOW) });
      return Response.json({ hasNodeCrypto, signatureVerifiedBy: result.signatureVerifiedBy });
    } catch (error) {
      return Response.json({ hasNodeCrypto, code: error.code ?? String(error) });
    }
  },
};
