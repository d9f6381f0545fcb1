// Microsoft Entra's constants, in one place for the whole JS layer: clouds and their login hosts, issuer
// templates, tenant aliases, the JWKS size limit. The values are the core's (lib/catalog.js, generated from
// src/policy.rs and src/limits.rs); the hosts are read off the core's v2 issuer templates.
import { CATALOG } from './catalog.js';
import { deepFreeze } from './freeze.js';

/** @typedef {import('../types/api.js').EntraCloud} EntraCloud */

const clouds = /** @type {Record<EntraCloud, { host: string, v1: string, v2: string }>} */ ({});
for (const [name, { v1, v2 }] of Object.entries(CATALOG.clouds)) {
  clouds[/** @type {EntraCloud} */ (name)] = { host: new URL(v2.replace(CATALOG.tenantPlaceholder, 'tenant')).host, v1, v2 };
}

/** @type {typeof import('../types/api.js').ENTRA} */
export const ENTRA = deepFreeze({
  clouds,
  tenantAliases: CATALOG.tenantAliases,
  consumerTenantId: CATALOG.consumerTenantId,
  tenantPlaceholder: CATALOG.tenantPlaceholder,
  limits: CATALOG.limits,
});

// Entra's GUID form for tenant, client and object ids (8-4-4-4-12 hex digits), as the core's is_guid.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `value` is a GUID in Entra's form (tenant, client and object ids).
 * @param {unknown} value
 * @returns {value is string}
 */
export function isGuid(value) {
  return typeof value === 'string' && GUID.test(value);
}

/**
 * A tenant GUID or one of Entra's aliases (`common`, `organizations`, `consumers`).
 * @param {unknown} value
 * @returns {value is string}
 */
export function isTenant(value) {
  return isGuid(value) || (typeof value === 'string' && ENTRA.tenantAliases.includes(value));
}

/**
 * Whether `cloud` names one of Entra's clouds.
 * @param {unknown} cloud
 * @returns {cloud is EntraCloud}
 */
export function isCloud(cloud) {
  return typeof cloud === 'string' && Object.hasOwn(ENTRA.clouds, cloud);
}
