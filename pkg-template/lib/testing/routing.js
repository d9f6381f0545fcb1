// entra-guard/testing: routing the REAL Entra and Graph URLs to the loopback stand-in, so that clients keep
// their production configuration (authority https://login.microsoftonline.com/{tenant}, no certificates):
// a fetch for the MCP SDK clients and entra-guard's createRemoteJwks, and an @azure/msal-node INetworkModule.
// Requests to https://login.microsoftonline.com/* and https://graph.microsoft.com/* go to the loopback server
// with the host they were meant for in X-Forwarded-Host, and the server writes its documents' URLs with that
// host. Everything else goes to globalThis.fetch unchanged. TEST TOOL ONLY.

/** The hosts the stand-in answers for. */
export const ROUTED_HOSTS = new Set(['login.microsoftonline.com', 'graph.microsoft.com']);

/**
 * The URL a fetch input names, without touching a Request's body.
 * @param {string | URL | Request} input
 */
function urlOf(input) {
  if (typeof input === 'string') return new URL(input);
  if (input instanceof URL) return input;
  return new URL(input.url);
}

/**
 * A fetch that routes the Entra and Graph hosts to `baseUrl()`.
 * @param {() => string} baseUrl
 * @returns {(input: string | URL | Request, init?: RequestInit) => Promise<Response>}
 */
export function createRoutedFetch(baseUrl) {
  return async function routedFetch(input, init) {
    let url;
    try {
      url = urlOf(input);
    } catch {
      return globalThis.fetch(input, init);
    }
    if (url.protocol !== 'https:' || !ROUTED_HOSTS.has(url.host)) return globalThis.fetch(input, init);
    const request = new Request(input, init);
    const headers = new Headers(request.headers);
    headers.set('x-forwarded-host', url.host);
    headers.set('x-forwarded-proto', 'https');
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    return globalThis.fetch(`${baseUrl()}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body,
      redirect: request.redirect,
      signal: request.signal,
    });
  };
}

/**
 * An @azure/msal-node `INetworkModule` (`system.networkClient`) over `routedFetch`. It answers as msal-node's
 * own HttpClient does: `{ headers (lower-case names), body (the parsed JSON), status }`; a GET's timeout (ms)
 * aborts the request; network failures and non-JSON bodies reject.
 * @param {(input: string | URL | Request, init?: RequestInit) => Promise<Response>} routedFetch
 * @returns {import('../../types/testing.js').MsalNetworkModule}
 */
export function createMsalNetworkClient(routedFetch) {
  /**
   * @param {string} url
   * @param {'GET' | 'POST'} method
   * @param {{ headers?: Record<string, string>, body?: string } | undefined} options
   * @param {number} [timeout]
   */
  async function send(url, method, options, timeout) {
    const controller = new AbortController();
    const timer = timeout ? setTimeout(() => controller.abort(), timeout) : undefined;
    let response;
    try {
      response = await routedFetch(url, {
        method,
        headers: options?.headers ?? {},
        body: method === 'POST' ? options?.body ?? '' : undefined,
        signal: controller.signal,
      });
    } catch (error) {
      const why = error instanceof Error && error.name === 'AbortError' ? 'Request timeout' : `Network request failed: ${error instanceof Error ? error.message : 'unknown'}`;
      throw new Error(why, { cause: error });
    } finally {
      if (timer) clearTimeout(timer);
    }
    /** @type {Record<string, string>} */
    const headers = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    let body;
    try {
      body = await response.json();
    } catch (error) {
      throw new Error(`Failed to parse response: ${error instanceof Error ? error.message : 'unknown'}`, { cause: error });
    }
    return { headers, body, status: response.status };
  }
  return {
    sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, timeout),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}
