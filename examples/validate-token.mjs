#!/usr/bin/env node
// Validates an Entra access token with the built package (pkg/), or, with --demo, shows what the
// validator says about a good, an expired, a wrong-audience and a tampered token signed by a fresh key.
//
//   node examples/validate-token.mjs --demo
//   node examples/validate-token.mjs --token <jwt | @file> --tenant <tenant-guid> --audience <aud> [--audience <aud>]
//        [--jwks <file>] [--now <seconds>] [--scope <scope>]... [--role <role>]...
//
// Without --jwks, the tenant's keys are fetched from Entra (the only network use, and only in this CLI;
// the validator itself never touches the network).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ENTRA, EntraValidator, EntraTokenError } from 'entra-guard';
import { createTestIssuer, decodeToken } from 'entra-guard/testing';

const { values } = parseArgs({
  options: {
    demo: { type: 'boolean' },
    token: { type: 'string' },
    tenant: { type: 'string' },
    audience: { type: 'string', multiple: true },
    jwks: { type: 'string' },
    now: { type: 'string' },
    scope: { type: 'string', multiple: true },
    role: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
});

/**
 * The header and claims, unverified, for display only.
 * @param {string} token
 */
function decodeUnverified(token) {
  try {
    return decodeToken(token);
  } catch {
    return { header: '(not decodable)', claims: '(not decodable)' };
  }
}

/**
 * Validates and prints what the validator says.
 * @param {string} label
 * @param {EntraValidator} validator
 * @param {string} token
 * @param {import('entra-guard').ValidateOptions} [call]
 */
function report(label, validator, token, call) {
  console.log(`\n── ${label}`);
  const { header, claims } = decodeUnverified(token);
  console.log('header (unverified):', JSON.stringify(header));
  console.log('claims (unverified):', JSON.stringify(claims));
  try {
    const who = validator.validate(token, call);
    console.log('✔ VALID', JSON.stringify({ tenantId: who.tenantId, objectId: who.objectId, clientId: who.clientId, scopes: who.scopes, roles: who.roles, isAppOnly: who.isAppOnly, version: who.version }));
    return true;
  } catch (err) {
    if (!(err instanceof EntraTokenError)) throw err;
    console.log(`✘ ${err.code} (check ${err.check}, HTTP ${err.status}${err.claim ? `, claim ${err.claim}` : ''}): ${err.message}`);
    return false;
  }
}

async function demo() {
  // The package's own test issuer (entra-guard/testing) mints Entra-shaped v1 tokens with a fresh key.
  const issuer = await createTestIssuer({ serve: false, version: '1.0' });
  const audience = `api://${issuer.audience}`;
  const validator = new EntraValidator({ tenantId: issuer.tenantId, audience, jwks: issuer.jwks });
  console.log(`demo tenant ${issuer.tenantId}, audience ${audience}, one fresh RSA-2048 key`);
  const good = issuer.mint({ scopes: ['mcp.tools.read'] });
  const { claims } = decodeToken(good);
  const tampered = good.replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ ...claims, scp: 'mcp.admin' })).toString('base64url')}.`);
  const results = [
    report('a valid token', validator, good, { requiredScopes: ['mcp.tools.read'] }),
    report('the same token, but the call needs mcp.admin', validator, good, { requiredScopes: ['mcp.admin'] }),
    report('an expired token', validator, issuer.mint({ scopes: ['mcp.tools.read'], expiresIn: -3600 })),
    report('a token for another API', validator, issuer.mint({ audience: 'api://another-api' })),
    report('a tampered token (scope edited after signing)', validator, tampered),
    report('a Microsoft Graph token (header nonce)', validator, issuer.mint({ audience: 'https://graph.microsoft.com', header: { nonce: 'x' } })),
  ];
  validator.free();
  await issuer.close();
  return results[0] && !results.slice(1).some(Boolean);
}

/** @param {string} given the --token value: the token, or @file */
async function validateOne(given) {
  const token = given.startsWith('@') ? readFileSync(given.slice(1), 'utf8').trim() : given.trim();
  let jwks;
  if (values.jwks) {
    jwks = readFileSync(values.jwks, 'utf8');
  } else {
    const url = `https://${ENTRA.clouds.public.host}/${encodeURIComponent(values.tenant ?? '')}/discovery/v2.0/keys`;
    console.log(`fetching ${url}`);
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`JWKS fetch failed: HTTP ${response.status}`);
    jwks = await response.text();
  }
  const validator = new EntraValidator({ tenantId: values.tenant, audience: values.audience ?? [], jwks });
  const call = { now: values.now === undefined ? undefined : Number(values.now), requiredScopes: values.scope, requiredRoles: values.role };
  return report('token', validator, token.replace(/^Bearer\s+/i, ''), call);
}

if (values.help || (!values.demo && !values.token)) {
  console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1, 10).join('\n').replace(/^\/\/ ?/gm, ''));
  process.exit(values.help ? 0 : 2);
}
const ok = values.demo ? await demo() : await validateOne(values.token ?? '');
process.exit(ok ? 0 : 1);
