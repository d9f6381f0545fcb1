// Where a first-seen validation spends its time (issue 12): the whole validation and its parts, each timed
// as its own contender in the same interleaved rounds, then the differences. The parts reach into the
// package's internals (the wasm-bindgen class, the host's key copies, the freezer): they measure what the
// public `validate` does, piece by piece, on the same tokens and the same policy.
import { verify } from 'node:crypto';
import { AUDIENCE, REQUIRED_SCOPE, TENANT, freshCopies } from './tokens.mjs';

const LEEWAY_S = 300;

/**
 * The stage contenders for one key and its tokens. Each has its own `batch()` of prepared inputs (bytes,
 * result texts, parsed results), made outside the clock; `validate(input)` does that one stage.
 * Call after loadEntraGuard() (pkg/node.mjs has initialised the wasm).
 */
export async function stageContenders(key, now, tokens) {
  const { WasmValidator } = await import('../../pkg/wasm/entra_guard.js');
  const { HostKeys } = await import('../../pkg/lib/host-crypto.js');
  const { answerEnvelope, validatedToken } = await import('../../pkg/lib/result.js');
  const { tokenBytes } = await import('../../pkg/lib/token-bytes.js');
  const { EntraValidator } = await import('../../pkg/node.mjs');
  const nodeCrypto = await import('node:crypto');

  const policy = { tenantId: TENANT, audience: AUDIENCE, clockToleranceSeconds: LEEWAY_S, requiredScopes: [REQUIRED_SCOPE], cacheSize: 0 };
  const utf8 = new TextEncoder();
  const core = (host) => {
    const validator = new WasmValidator(JSON.stringify(policy));
    JSON.parse(validator.setJwks(JSON.stringify(key.jwks)));
    if (host) {
      host.load?.(validator);
      validator.setHostCrypto(host);
    }
    return validator;
  };
  const answersValid = core({ verify: () => 1 });
  const withHost = core(new HostKeys(nodeCrypto));
  const ownRsa = core(null);
  const encoded = tokens.map((t) => utf8.encode(t));
  const resultTexts = encoded.map((bytes) => {
    const text = answersValid.validate(bytes, now, 0);
    if (!answerEnvelope(text).ok) throw new Error(`breakdown: the core refused a benchmark token: ${text}`);
    return text;
  });
  const split = tokens.map((t) => {
    const dot = t.lastIndexOf('.');
    return [Buffer.from(t.slice(0, dot)), Buffer.from(t.slice(dot + 1), 'base64url')];
  });
  const coreCall = (validator) => (bytes) => {
    if (validator.validate(bytes, now, 0).charCodeAt(2) !== 111 /* {"ok" */) throw new Error('breakdown: the core refused a token');
  };
  const publicApi = (crypto) => {
    const validator = new EntraValidator({ ...policy, jwks: key.jwks, crypto });
    return (token) => validator.validate(token, { now });
  };

  return [
    // Token batches are fresh string copies each round (freshCopies), as from request headers.
    { name: 'validate(), crypto auto: all of it', batch: () => freshCopies(tokens), validate: publicApi('auto') },
    { name: "validate(), crypto 'wasm': all of it", batch: () => freshCopies(tokens), validate: publicApi('wasm') },
    { name: 'tokenBytes(token): UTF-8 into the shared buffer', batch: () => freshCopies(tokens), validate: (t) => tokenBytes(t) },
    { name: 'core call, host answering valid (no RSA)', batch: () => encoded, validate: coreCall(answersValid) },
    { name: 'core call, node:crypto as host', batch: () => encoded, validate: coreCall(withHost) },
    { name: "core call, the core's own RSA", batch: () => encoded, validate: coreCall(ownRsa) },
    {
      name: 'node:crypto verify alone (SHA-256 + RSA)',
      batch: () => split,
      validate: ([input, signature]) => {
        if (!verify('sha256', input, key.publicKey, signature)) throw new Error('breakdown: signature');
      },
    },
    {
      name: 'the result from the answer (lib/result.js)',
      batch: () => resultTexts,
      validate: (text) => validatedToken(answerEnvelope(text).ok, text),
    },
    {
      name: 'reading claims the first time (JSON.parse, deepFreeze)',
      batch: () => resultTexts.map((text) => validatedToken(answerEnvelope(text).ok, text)),
      validate: (result) => result.claims,
    },
  ];
}

/** The parts, from the stages' medians (µs): what each step costs, and what is left for the JS layer. */
export function parts(results) {
  const m = (name) => results[name].median;
  const all = m('validate(), crypto auto: all of it');
  const noRsa = m('core call, host answering valid (no RSA)');
  const host = m('core call, node:crypto as host');
  const openssl = m('node:crypto verify alone (SHA-256 + RSA)');
  const encode = m('tokenBytes(token): UTF-8 into the shared buffer');
  const result = m('the result from the answer (lib/result.js)');
  const rows = [
    ['RSA + SHA-256 in OpenSSL (node:crypto verify)', openssl],
    ['calling the host from wasm and back (views, KeyObject lookup)', host - noRsa - openssl],
    ['the core without RSA: split, base64url, JSON, key, claims, result text, copies in and out', noRsa],
    ['JS: the token as UTF-8 (encodeInto a shared buffer)', encode],
    ['JS: the result from the answer (JSON.parse of the envelope, the frozen object)', result],
    ['JS: the rest of validate() (options, cache mirror, wrapper)', all - host - encode - result],
  ];
  return {
    totalUs: all,
    // Not part of validate(): what a caller that reads `claims` pays, once per result.
    claimsFirstReadUs: m('reading claims the first time (JSON.parse, deepFreeze)'),
    wasmPathUs: m("validate(), crypto 'wasm': all of it"),
    coreOwnRsaUs: m("core call, the core's own RSA") - noRsa,
    rows: rows.map(([part, us]) => ({ part, us, share: us / all })),
  };
}
