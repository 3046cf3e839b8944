// `npm run bench`: bundles the Worker with a bench-only entry (bench/entry.ts: the real app plus
// a `SELECT 1` control route) into .tmp/bench-build, runs it in Miniflare on workerd's own
// socket (not `wrangler dev`'s proxy, which caps every route near the same figure), starts a
// stand-in OAuth provider on 127.0.0.1, seeds connections, and measures in rounds. Per route it
// prints req/s, latency, the CPU time of the workerd processes per 1,000 requests (from /proc)
// and D1 round trips per request (from the Worker's request log), then one verdict line per
// target of issue 12, as ratios against the control measured in the same run, never absolute
// promises.
//
// In each round, a route with a ratio target takes turns with the control in 1 s slices,
// control then route, route then control, and so on (ABBA), and its ratio for the round is its
// CPU per request over the control's in those same slices. This VM's pace moves by up to 40%
// between 10-second windows; slices this short see the same pace, and the ABBA order cancels a
// steady drift; an unmeasured control slice before each route's turns takes what the windows
// before left undone. The control also takes turns with itself ("A/A"): how far from 1.00× that
// lands is the bench's noise floor, printed above the verdicts. The flows and /health run after,
// in whole windows.
//
// Before the first round every route runs once for BENCH_WARMUP seconds (3), unmeasured, so no
// round counts the isolate compiling and optimising a route's code.
//
// BENCH_DURATION (s per route per round, 10), BENCH_SLICE (s, 1), BENCH_ROUNDS (3),
// BENCH_SETTLE_MS (idle before each whole window, 1000; before each slice,
// BENCH_SLICE_SETTLE_MS, 100), BENCH_CONNECTIONS (10000), BENCH_CLIENTS (autocannon
// connections, 16), BENCH_FLOW_CLIENTS (concurrent flows, 4).
// BENCH_ONLY=token,control measures only those routes (by key; verdicts need their routes);
// BENCH_ONLY=s1sess,tsql,token adds two diagnostics (bench/entry.ts): SELECT 1 queried as the
// hot routes query (a session, `.raw()`, the key's hash), and the token route's statement alone.
// BENCH_PROFILE=token takes a V8 CPU profile of one route's window instead (see bench-profile.mjs);
// BENCH_SLICE_TIMES=1 prints when each slice starts and ends, to cut a `perf record` of workerd
// by slice (docs/performance.md).

import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import { profileWhile } from './bench-profile.mjs';
import { api, databaseBytes, startJsonServer, startWorker } from './local-worker.mjs';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10_000);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 1000);
/** A route with a ratio target and the control take turns in slices this long (s). */
const SLICE_S = Number(process.env.BENCH_SLICE ?? 1);
const SLICES = Math.max(2, 2 * Math.round(DURATION_S / SLICE_S / 2));
const SLICE_SETTLE_MS = Number(process.env.BENCH_SLICE_SETTLE_MS ?? 100);
/** With BENCH_SLICE_TIMES, each slice's start and end in seconds since boot: `perf`'s clock, to cut a whole-process profile by slice. */
const sliceTime = (route, what) => {
  if (process.env.BENCH_SLICE_TIMES) log(`slice ${route.key} ${what} at ${readFileSync('/proc/uptime', 'utf8').split(' ')[0]}`);
};
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const FLOW_CLIENTS = Number(process.env.BENCH_FLOW_CLIENTS ?? 4);
/** Connections beyond this many are SQL copies of API-made rows (see seedCopies). */
const API_SEED_MAX = Number(process.env.BENCH_API_SEED ?? 10_000);
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef0123456789';
const CONTROL_PATH = '/__bench/select1';
// The control is always measured: every ratio is against it.
const ONLY = process.env.BENCH_ONLY ? new Set(['control', ...process.env.BENCH_ONLY.split(',')]) : null;
const PROFILE = process.env.BENCH_PROFILE;
const INSPECTOR_PORT = Number(process.env.BENCH_INSPECTOR_PORT ?? 9329);

const log = (msg) => console.log(`[bench] ${msg}`);

const BUILD_DIR = '.tmp/bench-build';

/**
 * A stand-in OAuth provider: the token endpoint grants codes the bench makes up
 * (`bench-code-…`) and answers `invalid_grant` to anything else (which is how integration
 * verification proves the client authenticated); userinfo names the account the code was for;
 * /verify accepts API keys starting `bench-key-`.
 */
function startProvider() {
  return startJsonServer(({ path, body, authorization }) => {
    if (path === '/token') {
      const code = new URLSearchParams(body).get('code') ?? '';
      if (!code.startsWith('bench-code-')) return [400, { error: 'invalid_grant' }];
      const account = code.slice('bench-code-'.length);
      return [
        200,
        { access_token: `bench-at-${account}-${'x'.repeat(40)}`, refresh_token: `bench-rt-${account}`, token_type: 'Bearer', expires_in: 3600, scope: 'read' },
      ];
    }
    if (path === '/userinfo') {
      const account = /^Bearer bench-at-(.+)-x+$/.exec(authorization)?.[1];
      return account ? [200, { sub: account, email: `${account}@bench.test`, name: account }] : [401, { error: 'invalid_token' }];
    }
    if (path === '/verify') {
      const account = /^Bearer bench-key-(.+)$/.exec(authorization)?.[1];
      return account ? [200, { account }] : [401, { error: 'unauthorized' }];
    }
    return [404, { error: 'not_found' }];
  });
}

/**
 * Connections past API_SEED_MAX, inserted straight through Miniflare's D1 binding in batches
 * of 10,000 rows: copies of one API-made row with a new id, end user and account. Their
 * ciphertext is bound to the original row (AAD), so they are never requested: they are there
 * to make the tables and indexes as deep as BENCH_CONNECTIONS says.
 */
async function seedCopies(db, templateId, count) {
  const columns = (await db.prepare('SELECT name FROM pragma_table_info(?)').bind('connections').all()).results.map((r) => r.name);
  const varied = {
    id: "'con_' || lower(hex(randomblob(12)))",
    end_user_id: "'bulk-user-' || n.i",
    provider_account_id: "'bulk-acct-' || n.i",
  };
  const select = columns.map((c) => varied[c] ?? `t.${c}`).join(', ');
  const sql =
    `INSERT INTO connections (${columns.join(', ')}) ` +
    `WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2) ` +
    `SELECT ${select} FROM n, connections t WHERE t.id = ?3`;
  for (let from = 0; from < count; from += 10_000) {
    const to = Math.min(count, from + 10_000) - 1;
    await db.prepare(sql).bind(from, to, templateId).run();
  }
}

const perConnection = (bytes, count) => `${Math.round(bytes / count)} bytes`;

async function seed(db, origin, provider) {
  const org = await api(origin, '/api/v1/admin/organizations', { token: ADMIN_TOKEN, method: 'POST', body: { name: 'Bench' } });
  const key = await api(origin, `/api/v1/admin/organizations/${org.id}/api_keys`, { token: ADMIN_TOKEN, method: 'POST', body: { name: 'bench' } });
  const offering = await api(origin, '/api/v1/admin/offerings', {
    token: ADMIN_TOKEN,
    method: 'POST',
    body: {
      name: 'Bench provider',
      provider: 'bench',
      auth_mode: 'oauth2',
      authorization_url: `${provider.origin}/authorize`,
      token_url: `${provider.origin}/token`,
      userinfo_url: `${provider.origin}/userinfo`,
      account: { id: 'sub', email: 'email', name: 'name' },
    },
  });
  const integration = await api(origin, '/api/v1/integrations', {
    token: key.secret,
    method: 'POST',
    body: { name: 'Bench', offering_id: offering.id, client_id: 'bench', client_secret: 'bench-secret' },
  });
  if (integration.status !== 'configured') throw new Error(`bench integration is ${integration.status}`);
  const keyOffering = await api(origin, '/api/v1/admin/offerings', {
    token: ADMIN_TOKEN,
    method: 'POST',
    body: {
      name: 'Bench API key',
      provider: 'bench-key',
      auth_mode: 'api_key',
      credentials: [{ key: 'api_key', label: 'API key', secret: true }],
      verify: { url: `${provider.origin}/verify`, auth: { type: 'bearer', field: 'api_key' } },
      // Each key names its own account, so submissions add connections rather than race to
      // update one.
      account: { id: 'account' },
    },
  });
  const keyIntegration = await api(origin, '/api/v1/integrations', {
    token: key.secret,
    method: 'POST',
    body: { name: 'Bench key', offering_id: keyOffering.id },
  });

  const ids = [];
  let next = 0;
  const viaApi = Math.min(CONNECTIONS, API_SEED_MAX);
  const pagesBefore = await databaseBytes(db);
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < viaApi) {
        const i = next++;
        const connection = await api(origin, '/api/v1/connections', {
          token: key.secret,
          method: 'POST',
          body: {
            integration_id: integration.id,
            end_user: { id: `user-${i}` },
            provider_account_id: `acct-${i}`,
            access_token: `bench-access-token-${i}-${'x'.repeat(40)}`,
            refresh_token: `bench-refresh-token-${i}`,
            expires_in: 315_000_000,
          },
        });
        ids.push(connection.id);
      }
    }),
  );
  log(`seeded ${ids.length} connections through the API in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const afterApi = await databaseBytes(db);
  log(`database grew ${perConnection(afterApi - pagesBefore, ids.length)} per connection made through the API (with its events and indexes)`);
  if (CONNECTIONS > viaApi) {
    const copyStarted = Date.now();
    await seedCopies(db, ids[0], CONNECTIONS - viaApi);
    log(`inserted ${CONNECTIONS - viaApi} more as SQL copies through the D1 binding in ${((Date.now() - copyStarted) / 1000).toFixed(1)} s`);
    log(
      `database grew ${perConnection((await databaseBytes(db)) - afterApi, CONNECTIONS - viaApi)} per copied connection row (its table row and indexes alone)`,
    );
  }
  log(`connections in D1: ${(await db.prepare('SELECT COUNT(*) AS n FROM connections').first()).n}`);
  const link = await api(origin, '/api/v1/links', {
    token: key.secret,
    method: 'POST',
    body: { name: 'Bench link', end_user: { id: 'user-1' } },
  });
  // The flows get a link of their own: every flow adds a connection to its end user, and the
  // link page reads the end user's connections, so sharing one link would make the link page
  // slower round after round.
  const flowLink = await api(origin, '/api/v1/links', {
    token: key.secret,
    method: 'POST',
    body: { name: 'Bench flows', end_user: { id: 'flow-user' } },
  });
  // An OAuth application of the organization; client credentials give an elk_at_ token.
  const app = await api(origin, '/api/v1/applications', {
    token: key.secret,
    method: 'POST',
    body: { name: 'Bench app', description: 'Calls the API in the bench.', grant_types: ['client_credentials'], scopes: ['connections.read'] },
  });
  const issued = await api(origin, '/oauth/token', {
    method: 'POST',
    form: { grant_type: 'client_credentials', scope: 'connections.read' },
    headers: { authorization: `Basic ${btoa(`${encodeURIComponent(app.client_id)}:${encodeURIComponent(app.client_secret)}`)}` },
  });
  if (!issued.access_token?.startsWith('elk_at_')) throw new Error('no elk_at_ token from client credentials');
  return {
    apiKey: key.secret,
    accessToken: issued.access_token,
    ids,
    linkToken: new URL(link.url).pathname.split('/').pop(),
    flowLinkToken: new URL(flowLink.url).pathname.split('/').pop(),
    integrationId: integration.id,
    keyIntegrationId: keyIntegration.id,
  };
}

/** The workerd processes this bench started (descendants of this process), with their CPU time so far in ms. */
function ourWorkerdProcesses() {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  const procs = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      procs.set(Number(pid), { ppid: Number(fields[1]), name, cpu: (Number(fields[11]) + Number(fields[12])) * tick });
    } catch {
      // The process ended between listing and reading.
    }
  }
  const ours = (pid) => {
    for (let p = procs.get(pid)?.ppid; p; p = procs.get(p)?.ppid) if (p === process.pid) return true;
    return false;
  };
  return [...procs].filter(([pid, proc]) => proc.name.includes('workerd') && ours(pid)).map(([pid, proc]) => ({ pid, cpu: proc.cpu }));
}

/**
 * utime + stime of the workerd processes this bench started, in milliseconds. Other workerd
 * processes on the machine (another checkout's test suite) are not counted.
 */
const workerdCpuMs = () => ourWorkerdProcesses().reduce((total, proc) => total + proc.cpu, 0);

/** The request-log lines of one route (pattern and method), as parsed objects. */
function requestLines(logLines, method, route) {
  const out = [];
  for (const text of logLines) {
    const match = /\{"level":"\w+","msg":"request".*\}/.exec(text);
    if (!match) continue;
    const line = JSON.parse(match[0]);
    if (route === null || (line.route === route && line.method === method)) out.push(line);
  }
  return out;
}

function meanTrips(lines) {
  return lines.length ? sumTrips(lines) / lines.length : Number.NaN;
}

const sumTrips = (lines) => lines.reduce((a, l) => a + l.d1_round_trips, 0);

/** Every request-log line of a window, whatever its route. */
const allRequestLines = (logLines) => requestLines(logLines, null, null);

/** D1 calls the isolate has made so far, counted on the binding by bench/entry.ts. */
async function bindingCalls(origin) {
  return (await (await fetch(`${origin}/__bench/d1-calls`)).json()).calls;
}

/** One autocannon window on one route. */
async function load(logLines, origin, { route, method = 'GET', requests }, seconds = DURATION_S) {
  logLines.length = 0;
  const callsBefore = await bindingCalls(origin);
  const cpuBefore = workerdCpuMs();
  const result = await autocannon({ connections: CLIENTS, duration: seconds, requests, url: requests[0].url });
  const cpuMs = workerdCpuMs() - cpuBefore;
  const calls = (await bindingCalls(origin)) - callsBefore;
  const total = result.requests.total;
  const served = requestLines(logLines, method, route);
  const sums = { seconds, cpuMs, total, served: served.length, trips: sumTrips(served), allTrips: sumTrips(allRequestLines(logLines)), calls };
  return { ...fromSums(sums), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx, sums };
}

/** A window's figures from its sums: CPU and round trips per request. */
function fromSums({ seconds, cpuMs, total, served, trips, allTrips, calls }) {
  return {
    rps: total / seconds,
    cpuPer1000: total ? (cpuMs / total) * 1000 : Number.NaN,
    d1: served ? trips / served : Number.NaN,
    // Per request the Worker served (autocannon's total leaves out those in flight at the end).
    logTrips: served ? allTrips / served : Number.NaN,
    bindingCalls: served ? calls / served : Number.NaN,
    total,
  };
}

/**
 * Slices of one route as one window: their sums added up; latency is the median of the
 * slices' p50 and the highest of their p99.
 */
function combine(slices) {
  const sums = {};
  for (const slice of slices) for (const [k, v] of Object.entries(slice.sums)) sums[k] = (sums[k] ?? 0) + v;
  return {
    ...fromSums(sums),
    p50: median(slices.map((x) => x.p50)),
    p99: Math.max(...slices.map((x) => x.p99)),
    errors: slices.reduce((a, x) => a + x.errors, 0),
    sums,
  };
}

/**
 * A sequence measured as a loop rather than with autocannon: `step(i)` runs one iteration
 * (several requests), FLOW_CLIENTS at a time, for the window. CPU and rates are per
 * iteration; round trips are those of `tripsOf` (the request that matters).
 */
async function loop(logLines, origin, { step, tripsOf }, seconds = DURATION_S) {
  logLines.length = 0;
  const callsBefore = await bindingCalls(origin);
  const cpuBefore = workerdCpuMs();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const latencies = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: FLOW_CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        try {
          await step();
          latencies.push(performance.now() - t);
        } catch (err) {
          if (errors++ === 0) log(`flow failed: ${err.message}`);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpuMs = workerdCpuMs() - cpuBefore;
  const calls = (await bindingCalls(origin)) - callsBefore;
  const total = latencies.length;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(total - 1, Math.floor(q * total))] ?? Number.NaN;
  return {
    rps: total / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    cpuPer1000: total ? (cpuMs / total) * 1000 : Number.NaN,
    d1: meanTrips(tripsOf(logLines)),
    logTrips: total + errors ? sumTrips(allRequestLines(logLines)) / (total + errors) : Number.NaN,
    bindingCalls: total + errors ? calls / (total + errors) : Number.NaN,
    errors,
    total,
  };
}

function routes(origin, provider, s) {
  const sample = s.ids.filter((_, i) => i % Math.ceil(s.ids.length / 200) === 0);
  const get = (pathOf, headers = {}) => sample.map((id) => ({ method: 'GET', path: pathOf(id), headers, url: origin + pathOf(id) }));
  const sameOrigin = { origin, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' };
  const connectPath = (integrationId) => `/link/${s.flowLinkToken}/connect/${integrationId}`;
  let n = 0;
  const runId = Date.now().toString(36);

  /** Connect on the link page (a fresh state), then the provider's redirect back with a code. */
  async function callbackFlow() {
    const account = `${runId}-${n++}`;
    const start = await fetch(origin + connectPath(s.integrationId), { method: 'POST', headers: sameOrigin, body: '', redirect: 'manual' });
    const location = start.headers.get('location');
    if (start.status !== 302 || !location?.startsWith(provider.origin)) throw new Error(`flow start: ${start.status}`);
    const state = new URL(location).searchParams.get('state');
    const cookie = start.headers.get('set-cookie').split(';')[0];
    const back = await fetch(`${origin}/api/v1/oauth/callback?${new URLSearchParams({ code: `bench-code-${account}`, state })}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    const page = await back.text();
    if (back.status !== 200 || !/connected/i.test(page)) throw new Error(`callback: ${back.status}`);
  }

  /** The credentials form of an API-key offering, verified at the stand-in provider. */
  async function keyForm() {
    const res = await fetch(origin + connectPath(s.keyIntegrationId), {
      method: 'POST',
      headers: sameOrigin,
      body: new URLSearchParams({ api_key: `bench-key-${runId}-${n++}` }).toString(),
      redirect: 'manual',
    });
    const page = await res.text();
    if (res.status !== 200 || !/is connected/.test(page)) throw new Error(`API-key form: ${res.status}`);
  }

  return [
    { key: 'health', name: 'GET /health', run: (l, seconds) => load(l, origin, { route: '/health', requests: [{ url: `${origin}/health` }] }, seconds) },
    {
      key: 'control',
      name: 'SELECT 1 control',
      run: (l, seconds) => load(l, origin, { route: CONTROL_PATH, requests: [{ url: origin + CONTROL_PATH, path: CONTROL_PATH }] }, seconds),
    },
    {
      // The control in a route's place: how far from 1.00× the bench puts a route that costs
      // exactly what the control does, so each verdict can be read against that noise.
      key: 'same',
      paired: true,
      name: 'SELECT 1 as a route (A/A)',
      run: (l, seconds) => load(l, origin, { route: CONTROL_PATH, requests: [{ url: origin + CONTROL_PATH, path: CONTROL_PATH }] }, seconds),
    },
    {
      key: 's1sess',
      paired: true,
      name: 'SELECT 1, hot-path query',
      // A diagnostic, not a target: measured only when BENCH_ONLY names it.
      diagnostic: true,
      run: (l, seconds) =>
        load(
          l,
          origin,
          { route: '/__bench/session-select1', requests: get((id) => `/__bench/session-select1/${id}`, { authorization: `Bearer ${s.apiKey}` }) },
          seconds,
        ),
    },
    {
      key: 'tsql',
      paired: true,
      name: 'token SQL only',
      // A diagnostic, not a target: measured only when BENCH_ONLY names it.
      diagnostic: true,
      run: (l, seconds) =>
        load(l, origin, { route: '/__bench/token-sql', requests: get((id) => `/__bench/token-sql/${id}`, { authorization: `Bearer ${s.apiKey}` }) }, seconds),
    },
    {
      key: 'token',
      paired: true,
      name: 'token route, API key',
      run: (l, seconds) =>
        load(
          l,
          origin,
          {
            route: '/api/v1/connections/:id/token',
            requests: get((id) => `/api/v1/connections/${id}/token`, { authorization: `Bearer ${s.apiKey}` }),
          },
          seconds,
        ),
    },
    {
      key: 'access',
      paired: true,
      name: 'GET connection, elk_at_',
      run: (l, seconds) =>
        load(
          l,
          origin,
          { route: '/api/v1/connections/:id', requests: get((id) => `/api/v1/connections/${id}`, { authorization: `Bearer ${s.accessToken}` }) },
          seconds,
        ),
    },
    {
      key: 'link',
      paired: true,
      name: 'link page',
      run: (l, seconds) =>
        load(l, origin, { route: '/link/:token', requests: [{ url: `${origin}/link/${s.linkToken}`, path: `/link/${s.linkToken}` }] }, seconds),
    },
    {
      key: 'callback',
      name: 'callback flow (per flow)',
      run: (l, seconds) => loop(l, origin, { step: callbackFlow, tripsOf: (lines) => requestLines(lines, 'GET', '/api/v1/oauth/callback') }, seconds),
      perFlow: true,
    },
    {
      key: 'keyForm',
      name: 'API-key connect form',
      run: (l, seconds) => loop(l, origin, { step: keyForm, tripsOf: (lines) => requestLines(lines, 'POST', '/link/:token/connect/:integrationId') }, seconds),
      perFlow: true,
    },
  ];
}

const median = (xs) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const range = (xs, digits = 0) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const fmt = (x, digits = 0) => (Number.isNaN(x) ? '-' : x.toFixed(digits));

function summarize(measured, results) {
  const rows = measured.map((r) => {
    const runs = results[r.key];
    return {
      ...r,
      cpu: median(runs.map((x) => x.cpuPer1000)),
      cpuRange: range(runs.map((x) => x.cpuPer1000)),
      rps: median(runs.map((x) => x.rps)),
      rpsRange: range(runs.map((x) => x.rps)),
      p50: median(runs.map((x) => x.p50)),
      p99: median(runs.map((x) => x.p99)),
      d1: median(runs.map((x) => x.d1)),
      logTrips: median(runs.map((x) => x.logTrips)),
      bindingCalls: median(runs.map((x) => x.bindingCalls)),
      errors: runs.reduce((a, x) => a + x.errors, 0),
      total: runs.reduce((a, x) => a + x.total, 0),
    };
  });
  const by = Object.fromEntries(rows.map((r) => [r.key, r]));
  const control = by.control.cpu;
  console.log('');
  console.log(
    `${ROUNDS} round(s); per round ${DURATION_S} s per route, a route with a target in ${SLICES} slices of ${SLICE_S} s taking turns with the control; medians, with min–max over rounds.`,
  );
  console.log(
    'Verdicts use the median of per-round ratios, each route against the control slices it took turns with (p50: median of slices, p99: the highest).',
  );
  console.log('The two flows are counted per iteration: the callback flow is the POST that starts it plus the callback.');
  console.log('D1 trips: of the measured request, from its request-log line; per iteration: all request-log lines | calls counted on the binding.');
  console.log('route                       CPU ms/1k (min–max)         req/s (min–max)       p50 ms  p99 ms  D1 trips  per iteration  vs control  errors');
  for (const r of rows) {
    console.log(
      [
        r.name.padEnd(27),
        `${fmt(r.cpu).padStart(6)} (${r.cpuRange})`.padEnd(27),
        `${fmt(r.rps).padStart(6)} (${r.rpsRange})`.padEnd(21),
        fmt(r.p50, 1).padStart(7),
        fmt(r.p99, 1).padStart(7),
        fmt(r.d1, 2).padStart(9),
        `${fmt(r.logTrips, 2)} | ${fmt(r.bindingCalls, 2)}`.padStart(14),
        `${fmt(r.cpu / control, 2)}×`.padStart(11),
        `${r.errors}/${r.total}`.padStart(7),
      ].join(' '),
    );
  }
  for (const r of rows) {
    if (Math.abs(r.logTrips - r.bindingCalls) > 0.05) {
      console.log(`note: ${r.name}: the binding saw ${fmt(r.bindingCalls, 2)} D1 calls per iteration, the request log ${fmt(r.logTrips, 2)}`);
    }
  }
  const verdict = (ok, text) => console.log(`${ok ? 'met    ' : 'NOT met'}  ${text}`);
  // With BENCH_ONLY, a target is judged only when its routes were measured.
  const judged = (...keys) => keys.every((k) => by[k]);
  // The median of per-round ratios, each route's slices against the control slices it took
  // turns with; a ratio between two routes compares their ratios to those controls.
  const toControl = (x) => x.cpuPer1000 / x.controlCpu;
  const perRound = (a, b) => results[a.key].map((x, i) => (b.key === 'control' ? toControl(x) : toControl(x) / toControl(results[b.key][i])));
  const ratio = (a, b) => median(perRound(a, b));
  const spread = (a, b) => `per round ${range(perRound(a, b), 2)}`;
  console.log('');
  if (judged('same')) {
    console.log(`noise    the control against itself: ${fmt(ratio(by.same, by.control), 2)}× (${spread(by.same, by.control)}); no verdict is finer than this`);
  }
  if (judged('token')) {
    const tokenRatio = ratio(by.token, by.control);
    verdict(
      tokenRatio <= 1.15 && by.token.d1 === 1,
      `token route: CPU ${fmt(tokenRatio, 2)}× control (${spread(by.token, by.control)}; target ≤ 1.15×), ${fmt(by.token.d1, 2)} D1 round trips (target 1)`,
    );
  }
  // The diagnostics split a route's cost; no target, so no verdict.
  for (const d of measured.filter((r) => r.diagnostic)) {
    console.log(`diag     ${d.name}: ${fmt(ratio(d, by.control), 2)}× control (${spread(d, by.control)})`);
  }
  if (judged('tsql', 'token')) {
    console.log(`diag     token route over its own statement: ${fmt(ratio(by.token, by.tsql), 2)}× (${spread(by.token, by.tsql)})`);
  }
  if (judged('access', 'token')) {
    const accessRatio = ratio(by.access, by.token);
    verdict(
      accessRatio <= 1.2 && by.access.d1 === 1,
      `elk_at_ route: ${fmt(by.access.d1, 2)} D1 round trips (target 1), CPU ${fmt(accessRatio, 2)}× token route (${spread(by.access, by.token)}; target ≤ 1.2×)`,
    );
  }
  if (judged('link')) {
    const linkRatio = ratio(by.link, by.control);
    verdict(linkRatio <= 1.4, `link page: CPU ${fmt(linkRatio, 2)}× control (${spread(by.link, by.control)}; target ≤ 1.4×)`);
  }
  if (judged('callback')) {
    verdict(by.callback.d1 <= 4, `OAuth callback: ${fmt(by.callback.d1, 2)} D1 round trips (target ≤ 4); CPU ${fmt(by.callback.cpu / 1000, 2)} ms per flow`);
  }
  if (judged('keyForm')) {
    verdict(
      by.keyForm.d1 <= 4,
      `API-key connect form: ${fmt(by.keyForm.d1, 2)} D1 round trips (target ≤ 4); CPU ${fmt(by.keyForm.cpu / 1000, 2)} ms per submission`,
    );
  }
}

async function main() {
  log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const logLines = [];
  const provider = await startProvider();
  const { mf, db, origin } = await startWorker({
    entry: 'bench/entry.ts',
    buildDir: BUILD_DIR,
    script: 'entry.js',
    adminToken: ADMIN_TOKEN,
    logLines,
    inspectorPort: PROFILE ? INSPECTOR_PORT : undefined,
  });
  try {
    const seeded = await seed(db, origin, provider);
    const all = routes(origin, provider, seeded);
    if (PROFILE) {
      const route = all.find((r) => r.key === PROFILE);
      if (!route) throw new Error(`BENCH_PROFILE: no route ${PROFILE}; one of ${all.map((r) => r.key).join(', ')}`);
      await route.run(logLines); // warm: the isolate compiles and caches before the profile
      await profileWhile(INSPECTOR_PORT, `${BUILD_DIR}/entry.js`, `.tmp/bench-${PROFILE}.cpuprofile`, () => route.run(logLines));
      return;
    }
    const measured = all.filter((r) => (ONLY ? ONLY.has(r.key) : !r.diagnostic));
    const results = Object.fromEntries(measured.map((r) => [r.key, []]));
    if (WARMUP_S > 0) {
      for (const r of measured) await r.run(logLines, WARMUP_S);
      log(`warmed up: every route for ${WARMUP_S} s, not counted`);
    }
    const control = measured.find((r) => r.key === 'control');
    const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const measure = async (r, round) => {
      // Requests still in flight and work handed to waitUntil finish before this window's CPU
      // count starts (a garbage collection the last window made due may still land in it).
      await pause(SETTLE_MS);
      const result = await r.run(logLines);
      results[r.key].push(result);
      log(`round ${round}: ${r.name}: ${fmt(result.cpuPer1000)} CPU ms/1k, ${fmt(result.rps)}/s, ${fmt(result.d1, 2)} D1 trips, ${result.errors} errors`);
      return result;
    };
    const paired = measured.filter((r) => r.paired);
    for (let round = 1; round <= ROUNDS; round++) {
      // A route with a ratio target and the control take turns in short slices, control first
      // then route, route then control, and so on (ABBA): this machine's pace moves by ±40%
      // between 10-second windows, and turns this short see the same pace, while the ABBA
      // order cancels a steady drift within the round.
      for (const r of paired) {
        const slices = { [control.key]: [], [r.key]: [] };
        // An unmeasured control slice first: it takes whatever the windows before left to do
        // (garbage to collect, waitUntil work), which would otherwise land in the first
        // measured slice, the control's; the A/A pair read 0.90–0.98× without it.
        await pause(SLICE_SETTLE_MS);
        await control.run(logLines, SLICE_S);
        for (let k = 0; k < SLICES; k++) {
          for (const q of k % 2 === 0 ? [control, r] : [r, control]) {
            await pause(SLICE_SETTLE_MS);
            sliceTime(q, 'starts');
            slices[q.key].push(await q.run(logLines, SLICE_S));
            sliceTime(q, 'ends');
          }
        }
        const c = combine(slices[control.key]);
        const x = combine(slices[r.key]);
        x.controlCpu = c.cpuPer1000;
        results[control.key].push(c);
        results[r.key].push(x);
        log(
          `round ${round}: ${r.name}: ${fmt(x.cpuPer1000)} CPU ms/1k against the control's ${fmt(c.cpuPer1000)} in its turns (${fmt(x.cpuPer1000 / c.cpuPer1000, 2)}×), ${fmt(x.rps)}/s, ${fmt(x.d1, 2)} D1 trips, ${x.errors} errors`,
        );
      }
      if (!paired.length) await measure(control, round);
      for (const r of measured.filter((r) => r !== control && !r.paired)) await measure(r, round);
    }
    summarize(measured, results);
  } finally {
    await mf.dispose();
    provider.server.close();
  }
}

await main();
