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
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EntraValidator, EntraTokenError } from '../pkg/node.mjs';

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

function decodeUnverified(token) {
  const [header, payload] = token.split('.');
  const part = (s) => {
    try {
      return JSON.parse(Buffer.from(s ?? '', 'base64url').toString('utf8'));
    } catch {
      return '(not decodable)';
    }
  };
  return { header: part(header), claims: part(payload) };
}

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
    console.log(`✘ ${err.code} (HTTP ${err.status}${err.claim ? `, claim ${err.claim}` : ''}): ${err.message}`);
    return false;
  }
}

async function demo() {
  const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const audience = 'api://6e74172b-be56-4843-9ff4-e66a39bb12e3';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'demo-key', use: 'sig' };
  const mint = (claims, header = { typ: 'JWT', alg: 'RS256', kid: 'demo-key' }) => {
    const input = [header, claims].map((p) => Buffer.from(JSON.stringify(p)).toString('base64url')).join('.');
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  };
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    aud: audience, iss: `https://sts.windows.net/${tenant}/`, iat: now, nbf: now, exp: now + 3600, ver: '1.0',
    tid: tenant, oid: '00000000-0000-4000-8000-000000000001', appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', scp: 'mcp.tools.read',
  };
  const validator = new EntraValidator({ tenantId: tenant, audience, jwks: { keys: [jwk] } });
  console.log(`demo tenant ${tenant}, audience ${audience}, one fresh RSA-2048 key`);
  const good = mint(claims);
  const results = [
    report('a valid token', validator, good, { requiredScopes: ['mcp.tools.read'] }),
    report('the same token, but the call needs mcp.admin', validator, good, { requiredScopes: ['mcp.admin'] }),
    report('an expired token', validator, mint({ ...claims, exp: now - 3600 })),
    report('a token for another API', validator, mint({ ...claims, aud: 'api://another-api' })),
    report('a tampered token (scope edited after signing)', validator, good.replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ ...claims, scp: 'mcp.admin' })).toString('base64url')}.`)),
    report('a Microsoft Graph token (header nonce)', validator, mint({ ...claims, aud: 'https://graph.microsoft.com' }, { alg: 'RS256', kid: 'demo-key', nonce: 'x' })),
  ];
  validator.free();
  return results[0] && !results.slice(1).some(Boolean);
}

async function validateOne() {
  const token = values.token.startsWith('@') ? readFileSync(values.token.slice(1), 'utf8').trim() : values.token.trim();
  let jwks;
  if (values.jwks) {
    jwks = readFileSync(values.jwks, 'utf8');
  } else {
    const url = `https://login.microsoftonline.com/${encodeURIComponent(values.tenant)}/discovery/v2.0/keys`;
    console.log(`fetching ${url}`);
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`JWKS fetch failed: HTTP ${response.status}`);
    jwks = await response.text();
  }
  const validator = new EntraValidator({ tenantId: values.tenant, audience: values.audience, jwks });
  const call = { now: values.now === undefined ? undefined : Number(values.now), requiredScopes: values.scope, requiredRoles: values.role };
  return report('token', validator, token.replace(/^Bearer\s+/i, ''), call);
}

if (values.help || (!values.demo && !values.token)) {
  console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1, 10).join('\n').replace(/^\/\/ ?/gm, ''));
  process.exit(values.help ? 0 : 2);
}
const ok = values.demo ? await demo() : await validateOne();
process.exit(ok ? 0 : 1);
