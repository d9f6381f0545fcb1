// For the type check only: the part of @cloudflare/workers-oauth-provider that entra-guard/cloudflare uses.
// The real declarations need the Workers runtime's own types (cloudflare:workers, the Cloudflare namespace),
// which clash with the DOM library the rest of the package is checked against; the adapter's behaviour is
// tested against the real package under real workerd (tests/js/adapters-cloudflare.test.mjs).
export declare class OAuthError extends Error {
  constructor(code: string, options: {
    description: string;
    statusCode?: number;
    headers?: Record<string, string>;
    requiredScopes?: string[];
  });
  readonly code: string;
}
