// createRemoteJwks (through `authenticate`, as the middleware uses it) against a JWKS endpoint that
// misbehaves: real node:http servers on 127.0.0.1, one per fault, switched from a good key set to the
// fault and back. For every fault, after a good first load of key A:
//   (a) tokens signed by A keep validating: 200 `authenticate` calls interleaved with refreshes that hit
//       the fault, every one succeeds, and none waits for a refresh in flight;
//   (b) an unknown-kid storm (500 concurrent `authenticate` calls) makes at most one JWKS request per
//       cooldown window (counted at the server, time moved by the injected `now` clock), and every call
//       ends in EntraTokenError key_not_found: no other error class, no unhandled rejection;
//   (c) `lastError` says what failed, and names the JWKS URL (as types/remote-jwks.d.ts promises);
//   then recovery: the server publishes key B only, and a B token validates once the cooldown is over.
// Timeouts are 150 ms, so the whole file takes a few seconds.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { EntraValidator, EntraTokenError, createRemoteJwks, authenticate } from 'entra-guard';
import { API_CLIENT_ID, NOW, TENANT, testIssuer, v2User } from './helpers.mjs';

const TIMEOUT = 150;
const COOLDOWN = 5 * 60 * 1000;
const MAX_BYTES = 512 * 1024; // the default maxBytes, which these tests leave in force
const STORM = 500;
const HUGE = 10 * 1024 * 1024;

// Three keys of one test issuer (the package's minter): the servers publish A, then B; C never.
const issuer = await testIssuer({ keys: 3 });
const [keyA, keyB, keyC] = issuer.keys;
const setA = JSON.stringify({ keys: [keyA.publicJwk] });
const setB = JSON.stringify({ keys: [keyB.publicJwk] });
// Several distinct A tokens (different users), so the validations are not one token over and over.
const tokensA = Array.from({ length: 20 }, (_, i) =>
  issuer.mint(v2User({ kid: keyA.kid, objectId: `a1b2c3d4-0000-4000-8000-${String(i).padStart(12, '0')}` })));
const tokenB = issuer.mint(v2User({ kid: keyB.kid }));
// Tokens naming kids nobody publishes (signed by C; the signature is never reached).
const unknownKidTokens = Array.from({ length: 50 }, (_, i) =>
  issuer.mint(v2User({ kid: keyC.kid, header: { kid: `unknown-kid-${i}` } })));

const call = { now: NOW };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const yieldToIo = () => new Promise((resolve) => setImmediate(resolve));

// Every rejection nobody handled, anywhere in this file: each fault must leave this empty.
const unhandled = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

const servers = [];
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

/** Writes `total` bytes of JSON-looking padding in 64 KiB chunks, honouring back-pressure, until done or closed. */
function stream(res, total, sent) {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let written = 0;
  const pump = () => {
    while (written < total && !res.destroyed) {
      written += chunk.length;
      sent.bytes += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  res.on('close', () => res.removeListener('drain', pump));
  pump();
}

/**
 * The faults. `answer(req, res, ctx)` produces one; `slow` ones last until the client's timeout;
 * `says` is what lastError must say (ctx gives the redirect target's URL).
 */
const FAULTS = [
  {
    name: 'no headers ever (the request hangs)',
    slow: true,
    answer: () => {},
    says: () => new RegExp(`no complete answer within ${TIMEOUT} ms \\(timeout\\)`),
  },
  {
    name: 'headers sent, then the body stalls',
    slow: true,
    answer: (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(setA.slice(0, 40));
    },
    says: () => new RegExp(`no complete answer within ${TIMEOUT} ms \\(timeout\\)`),
  },
  {
    name: 'HTTP 500',
    answer: (req, res) => send(res, 500, '{"error":"boom"}'),
    says: () => /answered HTTP 500, expected 200/,
  },
  {
    name: 'HTTP 503 with Retry-After',
    answer: (req, res) => send(res, 503, 'busy', { 'retry-after': '120', 'content-type': 'text/plain' }),
    says: () => /answered HTTP 503, expected 200/,
  },
  {
    name: 'invalid JSON',
    answer: (req, res) => send(res, 200, setA.slice(0, -3)),
    says: () => /body is not JSON/,
  },
  {
    name: 'a 10 MB body, streamed (no Content-Length)',
    answer: (req, res, ctx) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      stream(res, HUGE, ctx.sent);
    },
    says: () => new RegExp(`body is larger than ${MAX_BYTES} bytes \\(at least \\d+ bytes received\\)`),
  },
  {
    name: 'a 10 MB body, announced by Content-Length',
    answer: (req, res, ctx) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': HUGE });
      stream(res, HUGE, ctx.sent);
    },
    says: () => new RegExp(`body is larger than ${MAX_BYTES} bytes \\(Content-Length ${HUGE}\\)`),
  },
  {
    name: 'a 302 redirect to another loopback server',
    answer: (req, res, ctx) => send(res, 302, '', { location: ctx.redirectTarget }),
    says: (ctx) => new RegExp(`answered a redirect \\(HTTP 302 to ${escape(ctx.redirectTarget)}\\); redirects are not followed`),
  },
  {
    name: 'connection closed before any headers',
    answer: (req, res) => res.socket.destroy(),
    says: () => /request failed: fetch failed \((UND_ERR_SOCKET|ECONNRESET)\)/,
  },
  {
    name: 'connection reset mid-body (half the JSON, then socket.destroy())',
    answer: (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(setA.slice(0, setA.length >> 1), () => res.socket.destroy());
    },
    says: () => /terminated \((UND_ERR_SOCKET|ECONNRESET)\)/,
  },
  {
    name: 'TCP RST mid-body (half the JSON, then socket.resetAndDestroy())',
    answer: (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(setA.slice(0, setA.length >> 1), () => res.socket.resetAndDestroy());
    },
    says: () => /terminated \((ECONNRESET|UND_ERR_SOCKET)\)/,
  },
  {
    name: 'body closes early (Content-Length promises more; FIN after half)',
    answer: (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(setA) });
      res.write(setA.slice(0, setA.length >> 1), () => res.socket.end());
    },
    says: () => /terminated \((UND_ERR_SOCKET|ECONNRESET)\)/,
  },
];


function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function assertKeyNotFound(outcome, i) {
  assert.equal(outcome.status, 'rejected', `storm call ${i} resolved`);
  const err = outcome.reason;
  assert.ok(err instanceof EntraTokenError, `storm call ${i}: expected EntraTokenError, got ${err?.constructor?.name}: ${err}`);
  assert.equal(err.code, 'key_not_found', `storm call ${i}: ${err.message}`);
  assert.equal(err.status, 401);
}

/** 500 concurrent authenticate calls with unknown kids; returns how many JWKS requests it made. */
async function storm(ctx) {
  const before = ctx.hits();
  const outcomes = await Promise.allSettled(
    Array.from({ length: STORM }, (_, i) => authenticate(ctx.validator, unknownKidTokens[i % unknownKidTokens.length], call, ctx.remote)),
  );
  outcomes.forEach(assertKeyNotFound);
  return ctx.hits() - before;
}

for (const fault of FAULTS) {
  describe(`JWKS fault: ${fault.name}`, () => {
    const ctx = { mode: 'good', body: setA, sent: { bytes: 0 }, time: 1_700_000_000_000 };
    let unhandledBefore;

    before(async () => {
      unhandledBefore = unhandled.length;
      // The redirect target counts every request: it must never see one.
      const target = await listen((req, res) => {
        ctx.targetHits += 1;
        send(res, 200, setB);
      });
      ctx.targetHits = 0;
      ctx.redirectTarget = `${target.base}/keys`;
      let hits = 0;
      const { base } = await listen((req, res) => {
        if (new URL(req.url, 'http://x').pathname !== '/keys') return send(res, 404, '{}');
        hits += 1;
        if (ctx.mode === 'fault') fault.answer(req, res, ctx);
        else send(res, 200, ctx.body);
      });
      ctx.hits = () => hits;
      ctx.url = `${base}/keys`;
      ctx.validator = new EntraValidator({ tenantId: TENANT, audience: API_CLIENT_ID, cacheSize: 0 });
      ctx.remote = createRemoteJwks({ jwksUri: ctx.url, timeout: TIMEOUT, now: () => ctx.time }).attach(ctx.validator);
      await ctx.remote.ready();
      assert.equal(hits, 1);
      assert.equal((await authenticate(ctx.validator, tokensA[0], call, ctx.remote)).keyId, keyA.kid);
      ctx.mode = 'fault';
    });

    test('(a) key A keeps validating: 200 authenticate calls interleaved with refreshes that fail', async () => {
      let validated = 0;
      for (let round = 0; round < 4; round++) {
        ctx.time += COOLDOWN;
        const hitsBefore = ctx.hits();
        let settled = false;
        const refresh = ctx.remote.refreshForUnknownKey().finally(() => { settled = true; });
        let duringFlight = 0;
        for (let i = 0; i < 50; i++) {
          const result = await authenticate(ctx.validator, tokensA[(round * 50 + i) % tokensA.length], call, ctx.remote);
          assert.equal(result.keyId, keyA.kid);
          if (!settled) duringFlight += 1;
          validated += 1;
          if (i % 10 === 9) await yieldToIo();
        }
        assert.equal(await refresh, false, 'a failed refresh reports no change');
        assert.equal(ctx.hits() - hitsBefore, 1, 'one JWKS request per refresh');
        assert.ok(ctx.remote.lastError instanceof EntraTokenError);
        // A refresh that lasts until the timeout is still in flight while validations complete: they do not
        // wait for it (all 50 normally; at least 10 leaves room for a very busy machine).
        if (fault.slow) assert.ok(duringFlight >= 10, `only ${duringFlight} validations completed while the slow refresh was in flight`);
      }
      assert.equal(validated, 200);
      // The keys in force are still A's, in the validator and in the cache.
      assert.deepEqual(JSON.stringify(await ctx.remote.get()), setA);
      assert.equal(ctx.validator.validate(tokensA[0], call).keyId, keyA.kid);
    });

    test(`(b) an unknown-kid storm (${STORM} concurrent calls) fetches at most once per cooldown window`, async () => {
      ctx.time += COOLDOWN;
      assert.equal(await storm(ctx), 1, 'first window: exactly one JWKS request');
      ctx.time += COOLDOWN - 1;
      assert.equal(await storm(ctx), 0, 'same window (cooldown - 1 ms later): none');
      ctx.time += 1;
      assert.equal(await storm(ctx), 1, 'next window: exactly one more');
      // Known tokens are unaffected by the storms.
      assert.equal((await authenticate(ctx.validator, tokensA[1], call, ctx.remote)).keyId, keyA.kid);
      await sleep(20); // late rejections, if any, surface now
      assert.deepEqual(unhandled.slice(unhandledBefore).map(String), [], 'unhandled rejections');
    });

    test('(c) lastError is jwks_invalid and says what failed', () => {
      const err = ctx.remote.lastError;
      assert.ok(err instanceof EntraTokenError, `lastError: ${err}`);
      assert.equal(err.code, 'jwks_invalid');
      assert.equal(err.status, 500);
      assert.match(err.message, fault.says(ctx));
    });

    test('(c) lastError names the JWKS URL (types/remote-jwks.d.ts: "names the URL and what failed")', () => {
      assert.ok(ctx.remote.lastError.message.startsWith(`JWKS ${ctx.url}: `), ctx.remote.lastError.message);
    });

    if (fault.name.includes('redirect')) {
      test('the redirect target was never requested', () => {
        assert.equal(ctx.targetHits, 0);
      });
    }

    test('recovery: the server publishes key B only; a B token validates once the cooldown is over', async () => {
      ctx.mode = 'good';
      ctx.body = setB;
      // Still inside the window of the last storm: no request, B is unknown.
      const hitsBefore = ctx.hits();
      await assert.rejects(authenticate(ctx.validator, tokenB, call, ctx.remote), (err) => err instanceof EntraTokenError && err.code === 'key_not_found');
      assert.equal(ctx.hits(), hitsBefore);
      ctx.time += COOLDOWN;
      const result = await authenticate(ctx.validator, tokenB, call, ctx.remote);
      assert.equal(result.keyId, keyB.kid);
      assert.equal(ctx.hits(), hitsBefore + 1);
      assert.equal(ctx.remote.lastError, null);
      // A is gone from the published set, so from the validator too.
      assert.throws(() => ctx.validator.validate(tokensA[0], call), (err) => err instanceof EntraTokenError && err.code === 'key_not_found');
      await sleep(10);
      assert.deepEqual(unhandled.slice(unhandledBefore).map(String), [], 'unhandled rejections');
    });
  });
}
