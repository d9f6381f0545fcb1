// Test helpers: tokens from the package's own minter (`entra-guard/testing`: RSA keys made and tokens
// signed by node:crypto, i.e. OpenSSL, independent of the wasm verifier), mint options for the
// Entra-shaped tokens the tests compare claim by claim, and access to the shared real-token fixtures.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestIssuer } from 'entra-guard/testing';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
export const API_CLIENT_ID = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
export const API_APP_ID_URI = `api://${API_CLIENT_ID}`;
export const CALLER_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
export const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

export const PKG_DIR = fileURLToPath(new URL('../../pkg/', import.meta.url));
export const SHARED_DIR = fileURLToPath(new URL('../../../shared/', import.meta.url));

/**
 * A test issuer (`entra-guard/testing`) for TENANT, whose tokens are for API_CLIENT_ID (v2) or
 * API_APP_ID_URI (v1), with its keys in hand and no HTTP server unless `serve: true` is passed.
 */
export function testIssuer(options = {}) {
  return createTestIssuer({ tenantId: TENANT, audience: API_CLIENT_ID, serve: false, ...options });
}

/**
 * Mint options for a delegated v2.0 token valid at NOW (iat = nbf = NOW - 60, exp = NOW + 3600), from
 * CALLER_CLIENT_ID, with fixed oid, sub and scopes: the values the tests compare. `options` are merged
 * over them (any mint option: `claims`, `header`, `kid`, `key`...).
 */
export function v2User(options = {}) {
  return {
    version: '2.0', type: 'user', now: NOW - 60, expiresIn: 3660, clientId: CALLER_CLIENT_ID,
    objectId: 'a1b2c3d4-0000-4000-8000-000000000001', subject: 'pairwise-subject', scopes: ['mcp.tools.read', 'mcp.tools.write'],
    ...options,
  };
}

/** Mint options for an app-only v1.0 token valid at NOW, with the role Tools.ReadWrite.All (see v2User). */
export function v1App(options = {}) {
  return {
    version: '1.0', type: 'app', now: NOW - 60, expiresIn: 3660, clientId: CALLER_CLIENT_ID,
    objectId: 'b0b0b0b0-0000-4000-8000-000000000002', roles: ['Tools.ReadWrite.All'],
    ...options,
  };
}

/** Whether this is a CI run (`CI` set, other than to `false` or `0`): there, ../shared must be present. */
export const IN_CI = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

/**
 * `../shared/<relative>` beside the repository (real Entra fixtures, test vectors), or null when it is
 * absent: the test then says it skipped. Under CI its absence fails the test instead, so a green CI always
 * means these tests ran.
 */
export function sharedPath(relative, t) {
  const path = `${SHARED_DIR}${relative}`;
  if (existsSync(path)) return path;
  if (IN_CI) assert.fail(`CI is set but ${path} is missing: the tests that need ../shared/${relative} cannot run`);
  t.skip(`../shared/${relative} not present: not run`);
  return null;
}

/** A real-token fixture, or null (and the test says it skipped) when ../shared is absent. */
export function fixture(name, t) {
  const path = sharedPath(`entra-fixtures/${name}.json`, t);
  return path === null ? null : JSON.parse(readFileSync(path, 'utf8'));
}
