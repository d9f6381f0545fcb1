// The demo page's entry: validates a pasted (or demo-minted) Entra access token with the entra-guard package,
// in WebAssembly in this tab, and shows every check in order. No framework and no build step: ES modules,
// with the package imported by name ('entra-guard', which the import map in index.html maps to
// /pkg/browser.js). The modules, by concern:
//   checks.js       the checks in order and their states (pass / fail / not reached, from error.check)
//   result.js       the verdict, identity, HTTP answer, timing and decoded token
//   demo-tenant.js  the demo tenant: a WebCrypto key, its JWKS, minted tokens
//   wiring.js       reading the page, validating, fetching tenant keys, and the DOM events
//   dom.js          small DOM helpers
// This file loads the package first, on its own: a missing build (or a blocked import map) then gets a
// message on the page instead of a module graph that silently fails to link.

const loadStatus = document.getElementById('load-status');

try {
  await import('entra-guard');
} catch (error) {
  if (loadStatus) {
    loadStatus.textContent = `Could not load the validator ('entra-guard', which the import map maps to /pkg/browser.js: ${error instanceof Error ? error.message : String(error)}). Build the package with "bash scripts/build.sh" and serve it with "node scripts/serve.mjs".`;
    loadStatus.classList.add('load-error');
  }
  document.body.dataset.ready = 'error';
  for (const button of document.querySelectorAll('button')) button.disabled = true;
  throw error;
}

if (loadStatus) {
  loadStatus.textContent = 'Validator loaded: WebAssembly, running in this tab.';
  loadStatus.classList.add('load-ok');
}
await import('./wiring.js');
