#!/usr/bin/env node
// The example Express MCP server (examples/mcp-server/server.mjs, `createApp`) under load, on loopback
// only, driven by autocannon's programmatic API. Three runs, each after a warm-up:
//   1. auth      Entra auth on (requireEntraAuth, twice per request as the example wires it: the second
//                check is a cache hit), POST /mcp tools/call whoami with 50 users' valid tokens in turn.
//                Each user's token repeats: after its first request every check is a cache hit, as in
//                production, where an MCP client sends the same token for up to an hour.
//   2. no-auth   the same server and requests with both guards replaced by pass-throughs, plus a middleware
//                that sets a fixed fake req.auth (the tools read extra.authInfo): the baseline.
//   3. mixed     auth on; each connection cycles a 100-request sequence: the 50 users' valid tokens
//                alternating with bad requests (expired, wrong audience, other tenant, lacking scope
//                [add_note with a read-only token], garbage, no Authorization). Every response is
//                counted per request kind; every bad one must be 401 or 403 as its kind implies.
// The servers run in a child process (this file with --serve), so autocannon and the server do not
// share an event loop; keys are in hand (a test issuer with serve: false), so nothing else touches the
// network. The child also counts the statuses it sent and the CPU time it used.
//
// auth and no-auth are measured in interleaved slices (A B, then B A), so that a change in the machine's
// load (other work on a shared 2-core box) hits both alike; req/s is responses / seconds over all slices,
// latency percentiles over every response of the configuration.
//
//   node benches/load.mjs                10 s per configuration (5 slices of 2 s), + 2 s warm-up each
//   node benches/load.mjs --quick        3 s per configuration (1 slice), + 1 s warm-up each
//   --duration <s>  --slices <n>  --connections <n>  --out <file> (default benches/results/load.json)
//
// Exits non-zero if any run saw a 5xx (client- or server-side), a connection error or timeout, a
// refused valid request in runs 1-2, or a mixed-run response whose status is not its kind's.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const USERS = 50;
const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
const WRONG_AUDIENCE = '00000003-0000-0000-c000-000000000000';
const userOid = (i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;
const FAKE_OID = '00000000-0000-4000-8000-0000000fa4e0';

const rpc = (name, args = {}) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
const WHOAMI = rpc('whoami');
const ADD_NOTE = rpc('add_note', { text: 'load test' });

if (process.argv.includes('--serve')) await serve();
else await drive();

// ── the servers (child process) ─────────────────────────────────────────────────────────────────

async function serve() {
  const { createServer } = await import('node:http');
  const { EntraValidator } = await import('entra-guard');
  const { createTestIssuer } = await import('entra-guard/testing');
  const { createApp } = await import('../examples/mcp-server/server.mjs');

  // Keys in hand: no JWKS server, no remote JWKS cache, no network besides the load itself.
  const issuer = await createTestIssuer({ serve: false });
  const validator = new EntraValidator({ tenantId: issuer.tenantId, audience: [issuer.audience, `api://${issuer.audience}`], jwks: issuer.jwks });
  const full = ['mcp.notes.read', 'mcp.notes.write'];
  const tokens = {
    users: Array.from({ length: USERS }, (_, i) => issuer.mint({ scopes: full, objectId: userOid(i) })),
    expired: issuer.mint({ scopes: full, expiresIn: -3600 }),
    wrongAudience: issuer.mint({ scopes: full, audience: WRONG_AUDIENCE }),
    otherTenant: issuer.mint({ scopes: full, tenantId: OTHER_TENANT }),
    readOnly: issuer.mint({ scopes: ['mcp.notes.read'] }),
  };

  const pass = (_req, _res, next) => next();
  const fakeAuth = (req, _res, next) => {
    req.auth = {
      token: 'no-auth-baseline', clientId: 'cccccccc-dddd-4eee-8fff-000000000001', scopes: full, expiresAt: 4102444800,
      extra: { tenantId: issuer.tenantId, objectId: FAKE_OID, subject: FAKE_OID, roles: [], isAppOnly: false, version: '2.0', issuer: 'none', audience: issuer.audience, claims: {} },
    };
    next();
  };

  const stats = {};
  async function start(name, settings) {
    const server = createServer();
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const resource = `http://127.0.0.1:${server.address().port}/mcp`;
    const app = createApp({ ...settings, resource, tenantId: issuer.tenantId });
    const s = { statuses: {}, unfinished: 0, cpu: process.cpuUsage() };
    stats[name] = s;
    server.on('request', (req, res) => {
      let finished = false;
      res.on('finish', () => {
        finished = true;
        s.statuses[res.statusCode] = (s.statuses[res.statusCode] ?? 0) + 1;
      });
      res.on('close', () => { if (!finished) s.unfinished += 1; });
      app(req, res);
    });
    return { server, url: resource };
  }
  const auth = await start('auth', { validator });
  const noAuth = await start('noAuth', { guards: { authenticated: fakeAuth, toolPermissions: pass } });

  process.on('message', (message) => {
    if (message === 'stats') {
      // Statuses and CPU since the last 'stats' (both servers share this process; one is driven at a time).
      const out = {};
      for (const [name, s] of Object.entries(stats)) {
        const cpu = process.cpuUsage(s.cpu);
        out[name] = { statuses: s.statuses, unfinished: s.unfinished, cpuMs: (cpu.user + cpu.system) / 1000 };
        s.statuses = {};
        s.unfinished = 0;
        s.cpu = process.cpuUsage();
      }
      out.rssMB = process.memoryUsage().rss / 1e6;
      process.send({ stats: out });
    }
  });
  process.on('disconnect', () => {
    for (const { server } of [auth, noAuth]) server.closeAllConnections();
    process.exit(0);
  });
  process.send({ ready: { auth: auth.url, noAuth: noAuth.url, tokens, userOids: Array.from({ length: USERS }, (_, i) => userOid(i)) } });
}

// ── the driver (this process) ───────────────────────────────────────────────────────────────────

async function drive() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      connections: { type: 'string', default: '10' },
      slices: { type: 'string' },
      out: { type: 'string', default: join(HERE, 'results/load.json') },
    },
  });
  const duration = Number(values.duration ?? (values.quick ? 3 : 10));
  const warmUp = values.quick ? 1 : 2;
  const connections = Number(values.connections);
  const slices = Number(values.slices ?? (values.quick ? 1 : 5));
  if (!(duration > 0) || !(connections > 0) || !Number.isInteger(slices) || slices < 1) {
    throw new Error('--duration and --connections must be positive numbers, --slices a positive integer');
  }
  const { default: autocannon } = await import('autocannon');
  const log = (m) => process.stderr.write(`${m}\n`);

  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.ready));
    child.once('exit', (code) => reject(new Error(`server child exited (${code}) before it was ready`)));
  });
  const serverStats = () => new Promise((resolve) => {
    child.once('message', (m) => resolve(m.stats));
    child.send('stats');
  });
  const { tokens, userOids } = ready;
  const failures = [];

  const headers = (token) => ({
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
  });

  // Request kinds: what is sent, and the one status each must get.
  const KINDS = {
    valid: { expect: 200 },
    expired: { expect: 401, token: tokens.expired },
    wrongAudience: { expect: 401, token: tokens.wrongAudience },
    otherTenant: { expect: 401, token: tokens.otherTenant },
    lackingScope: { expect: 403, token: tokens.readOnly, body: ADD_NOTE },
    garbage: { expect: 401, token: 'this-is-not-a-jwt' },
    noAuthorization: { expect: 401, token: undefined },
  };
  const BAD = Object.keys(KINDS).filter((k) => k !== 'valid');

  /** A request entry that counts its responses by status into `counts[kind]`; `check` inspects 200 bodies. */
  function entry(counts, kind, token, body, check) {
    counts[kind] ??= {};
    return {
      method: 'POST', path: '/mcp', headers: headers(token), body,
      onResponse: (status, responseBody) => {
        counts[kind][status] = (counts[kind][status] ?? 0) + 1;
        if (status === 200 && check && !check(responseBody)) counts[kind].wrongBody = (counts[kind].wrongBody ?? 0) + 1;
      },
    };
  }
  // whoami must name the caller: under load, no response may carry another user's identity.
  const names = (oid) => (body) => body.includes(oid);
  const validSequence = (counts, fake) => userOids.map((oid, i) => entry(counts, 'valid', tokens.users[i], WHOAMI, names(fake ? FAKE_OID : oid)));
  function mixedSequence(counts) {
    const out = [];
    userOids.forEach((oid, i) => {
      out.push(entry(counts, 'valid', tokens.users[i], WHOAMI, names(oid)));
      const kind = BAD[i % BAD.length];
      out.push(entry(counts, kind, KINDS[kind].token, KINDS[kind].body ?? WHOAMI));
    });
    return out;
  }

  /** One autocannon run; response times (ms) are collected from its 'response' events. */
  async function runOnce(title, url, requests, seconds) {
    const latencies = [];
    const instance = autocannon({ title, url, connections, duration: seconds, requests });
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
    return { result: await instance, latencies };
  }

  /** Accumulates slices of one configuration: statuses, errors, time, latencies, per-kind counts, server figures. */
  const newTotals = (name, sequenceLength) => ({
    name, sequenceLength, slices: [], seconds: 0, byCode: {}, errors: 0, timeouts: 0, latencies: [], counts: {},
    server: { statuses: {}, unfinished: 0, cpuMs: 0 },
  });
  async function slice(totals, title, url, makeRequests, seconds, serverName) {
    const requests = makeRequests(totals.counts);
    const { result, latencies } = await runOnce(title, url, requests, seconds);
    const server = (await serverStats())[serverName];
    let responses = 0;
    for (const [code, { count }] of Object.entries(result.statusCodeStats)) {
      totals.byCode[code] = (totals.byCode[code] ?? 0) + Number(count);
      responses += Number(count);
    }
    totals.seconds += result.duration;
    totals.errors += result.errors;
    totals.timeouts += result.timeouts;
    for (const t of latencies) totals.latencies.push(t);
    for (const [code, n] of Object.entries(server.statuses)) totals.server.statuses[code] = (totals.server.statuses[code] ?? 0) + n;
    totals.server.unfinished += server.unfinished;
    totals.server.cpuMs += server.cpuMs;
    totals.slices.push({ seconds: result.duration, responses, requestsPerSecond: responses / result.duration, loadavg1: loadavg()[0] });
  }

  const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);
  const round2 = (x) => (x === null ? null : Math.round(x * 100) / 100);
  function summarise(t) {
    const sorted = Float64Array.from(t.latencies).sort();
    const total = Object.values(t.byCode).reduce((a, b) => a + b, 0);
    const klass = (k) => Object.entries(t.byCode).filter(([code]) => code[0] === k).reduce((a, [, n]) => a + n, 0);
    return {
      name: t.name,
      requestsPerSecond: total / t.seconds,
      totalResponses: total,
      seconds: t.seconds,
      slices: t.slices,
      latencyMs: {
        p50: round2(percentile(sorted, 50)), p90: round2(percentile(sorted, 90)), p99: round2(percentile(sorted, 99)),
        max: round2(sorted.length ? sorted[sorted.length - 1] : null), mean: round2(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
      },
      status: { '2xx': klass('2'), '4xx': klass('4'), '5xx': klass('5'), other: klass('1') + klass('3'), byCode: t.byCode },
      errors: t.errors, timeouts: t.timeouts,
      perKind: t.counts,
      server: { ...t.server, cpuUsPerRequest: (t.server.cpuMs * 1000) / Math.max(1, total) },
      sequenceLength: t.sequenceLength,
    };
  }

  function checkCommon(s) {
    const serverFives = Object.entries(s.server.statuses).filter(([code]) => code >= 500).reduce((a, [, n]) => a + n, 0);
    if (s.status['5xx'] > 0 || serverFives > 0) failures.push(`${s.name}: ${s.status['5xx']} 5xx responses (server counted ${serverFives})`);
    if (s.errors > 0 || s.timeouts > 0) failures.push(`${s.name}: ${s.errors} connection errors, ${s.timeouts} timeouts`);
    if (s.totalResponses === 0) failures.push(`${s.name}: no responses at all`);
  }

  const meta = {
    date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model,
    loadavgAtStart: loadavg(), connections, durationSeconds: duration, slices, warmUpSeconds: warmUp, users: USERS,
  };
  log(`load: ${connections} connections, ${duration} s per configuration (auth and no-auth in ${slices} interleaved slices), ` +
    `after ${warmUp} s warm-up each; servers in child pid ${child.pid}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  const configs = {
    auth: { title: 'Entra auth on', url: ready.auth, makeRequests: (c) => validSequence(c, false), sequence: USERS, server: 'auth' },
    noAuth: { title: 'auth off (baseline)', url: ready.noAuth, makeRequests: (c) => validSequence(c, true), sequence: USERS, server: 'noAuth' },
    mixed: { title: 'auth on, mixed valid and bad', url: ready.auth, makeRequests: mixedSequence, sequence: 2 * USERS, server: 'auth' },
  };
  for (const [name, c] of Object.entries(configs)) {
    log(`  warm-up ${name}: ${warmUp} s`);
    await runOnce(`${c.title} (warm-up)`, c.url, c.makeRequests({}), warmUp);
  }
  await serverStats(); // reset the server-side counters after the warm-ups
  const totals = Object.fromEntries(Object.entries(configs).map(([name, c]) => [name, newTotals(name, c.sequence)]));
  // auth and no-auth alternate (A B, B A, ...) so that a change in the machine's load hits both alike.
  for (let round = 0; round < slices; round++) {
    const order = round % 2 === 0 ? ['auth', 'noAuth'] : ['noAuth', 'auth'];
    for (const name of order) {
      const c = configs[name];
      log(`  ${name}: slice ${round + 1}/${slices}, ${duration / slices} s`);
      await slice(totals[name], c.title, c.url, c.makeRequests, duration / slices, c.server);
    }
  }
  log(`  mixed: ${duration} s`);
  await slice(totals.mixed, configs.mixed.title, configs.mixed.url, configs.mixed.makeRequests, duration, 'auth');
  child.disconnect();
  const runs = Object.fromEntries(Object.entries(totals).map(([name, t]) => [name, summarise(t)]));
  for (const s of Object.values(runs)) checkCommon(s);

  // Runs 1-2: every request valid, so every response a 200 naming the right caller.
  for (const name of ['auth', 'noAuth']) {
    const v = runs[name].perKind.valid ?? {};
    const ok = v[200] ?? 0;
    if (ok !== runs[name].totalResponses || v.wrongBody) {
      failures.push(`${name}: ${runs[name].totalResponses - ok} of ${runs[name].totalResponses} valid requests not 200, ${v.wrongBody ?? 0} 200s naming the wrong caller`);
    }
  }

  // Run 3: per kind, every response has the kind's status; and the status totals match the shares the
  // sequence implies. Each connection stops somewhere in its cycle, so a kind's count may be off its
  // exact share by at most one cycle's worth of that kind per connection.
  const mixed = runs.mixed;
  const seq = mixedSequence({});
  // Slots per kind in one cycle of the sequence: 50 valid, the bad kinds in turn in the other 50.
  const slots = { valid: USERS, ...Object.fromEntries(BAD.map((kind) => [kind, 0])) };
  for (let i = 0; i < USERS; i++) slots[BAD[i % BAD.length]] += 1;
  const expectedByStatus = {};
  const kindRows = [];
  for (const [kind, { expect }] of Object.entries(KINDS)) {
    const got = mixed.perKind[kind] ?? {};
    const n = Object.entries(got).filter(([k]) => /^\d+$/.test(k)).reduce((a, [, c]) => a + c, 0);
    const share = slots[kind] / seq.length;
    const expectedN = share * mixed.totalResponses;
    const tolerance = connections * slots[kind] + 1;
    expectedByStatus[expect] = (expectedByStatus[expect] ?? 0) + expectedN;
    const wrong = n - (got[expect] ?? 0);
    if (wrong > 0) failures.push(`mixed: ${wrong} ${kind} responses not ${expect}: ${JSON.stringify(got)}`);
    if (got.wrongBody) failures.push(`mixed: ${got.wrongBody} valid responses naming the wrong caller`);
    if (Math.abs(n - expectedN) > tolerance) failures.push(`mixed: ${kind} got ${n} responses, expected ${expectedN.toFixed(0)} ± ${tolerance}`);
    kindRows.push([kind, String(expect), `${(share * 100).toFixed(1)}%`, expectedN.toFixed(0), String(n), JSON.stringify(Object.fromEntries(Object.entries(got)))]);
  }
  for (const [code, expectedN] of Object.entries(expectedByStatus)) {
    const n = mixed.status.byCode[code] ?? 0;
    const tolerance = connections * seq.length;
    if (Math.abs(n - expectedN) > tolerance) failures.push(`mixed: ${n} responses with status ${code}, expected ${expectedN.toFixed(0)} ± ${tolerance}`);
  }
  const perKindTotal = Object.values(mixed.perKind).reduce((a, got) => a + Object.entries(got).filter(([k]) => /^\d+$/.test(k)).reduce((b, [, c]) => b + c, 0), 0);
  if (perKindTotal !== mixed.totalResponses) failures.push(`mixed: per-kind counts sum to ${perKindTotal}, autocannon counted ${mixed.totalResponses}`);

  // ── report ──
  const f1 = (x) => x.toFixed(1);
  const f0 = (x) => Math.round(x).toLocaleString('en-US');
  const ratio = runs.auth.requestsPerSecond / runs.noAuth.requestsPerSecond;
  // Per round, the auth slice against the no-auth slice next to it; the median resists a burst of load.
  const pairRatios = runs.auth.slices.map((a, i) => a.requestsPerSecond / runs.noAuth.slices[i].requestsPerSecond).sort((a, b) => a - b);
  const medianPairRatio = pairRatios[Math.floor((pairRatios.length - 1) / 2)] / 2 + pairRatios[Math.ceil((pairRatios.length - 1) / 2)] / 2;
  const rows = Object.values(runs).map((s) => [
    s.name, f0(s.requestsPerSecond), f0(s.totalResponses), String(s.latencyMs.p50), String(s.latencyMs.p99), String(s.latencyMs.max),
    f0(s.status['2xx']), f0(s.status['4xx']), f0(s.status['5xx']), String(s.errors + s.timeouts), f1(s.server.cpuUsPerRequest),
  ]);
  const out = [];
  out.push(`Example MCP server under load: POST /mcp tools/call, ${connections} connections, ${duration} s per run, loopback`);
  out.push(`(${meta.cpus} CPUs, ${meta.cpuModel}; node ${meta.node}; autocannon in this process, the server in a child;`);
  out.push(` auth and no-auth in ${slices} interleaved slice(s); load average at start ${meta.loadavgAtStart.map((x) => x.toFixed(2)).join(' ')})`);
  out.push('');
  out.push(table(['run', 'req/s', 'responses', 'p50 ms', 'p99 ms', 'max ms', '2xx', '4xx', '5xx', 'errors', 'server CPU µs/req'], rows));
  out.push('');
  out.push(`auth / no-auth requests per second: ${ratio.toFixed(3)} overall, ${medianPairRatio.toFixed(3)} median of the ${pairRatios.length} ` +
    `adjacent slice pairs [${pairRatios.map((r) => r.toFixed(2)).join(' ')}]; server CPU per request ${f1(runs.auth.server.cpuUsPerRequest)} µs ` +
    `vs ${f1(runs.noAuth.server.cpuUsPerRequest)} µs`);
  for (const name of ['auth', 'noAuth']) out.push(`  ${name} slices: ${runs[name].slices.map((x) => `${f0(x.requestsPerSecond)} req/s (load ${x.loadavg1.toFixed(1)})`).join(', ')}`);
  out.push(`${USERS} distinct users' tokens in turn: each token's first request is a full validation, every repeat (and the example's`);
  out.push('second check per request, for the tool permissions) is a cache hit, as in production where a client reuses its token.');
  out.push('');
  out.push(`Mixed run: per request kind (sequence of ${seq.length} per connection, every other one valid)`);
  out.push(table(['kind', 'must be', 'share', 'expected', 'got', 'statuses'], kindRows));
  out.push('');
  out.push(failures.length ? `FAILED:\n  ${failures.join('\n  ')}` : 'OK: no 5xx, no connection errors, every valid request 200 naming its caller, every bad one its 401/403');
  process.stdout.write(`${out.join('\n')}\n`);

  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify({ meta, ratioAuthToNoAuth: ratio, medianSlicePairRatio: medianPairRatio, slicePairRatios: pairRatios, runs, mixedExpectedShares: Object.fromEntries(Object.entries(slots).map(([k, n]) => [k, n / seq.length])), failures }, null, 1)}\n`);
  log(`results written to ${relative(process.cwd(), values.out) || values.out}`);
  process.exitCode = failures.length ? 1 : 0;
}

function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => String(row[col] ?? '').length)));
  const line = (row) => row.map((v, col) => (col === 0 ? String(v).padEnd(widths[col]) : String(v).padStart(widths[col]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
