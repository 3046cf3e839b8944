// `npm run bench`: bundles the Worker (`wrangler deploy --dry-run`) and runs it in Miniflare,
// loading workerd's own socket rather than `wrangler dev`'s proxy (which caps every route near
// the same figure and hides the differences), seeds 10,000
// connections through the API, loads three routes from this process with autocannon, and
// prints throughput, latency, runtime CPU per 1,000 requests and D1 round trips per request.
// Figures are ratios against /health measured in the same run, never absolute promises.

import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';

process.env.WRANGLER_SEND_METRICS = 'false';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10_000);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef0123456789';
const KEYS = 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';

const log = (msg) => console.log(`[bench] ${msg}`);

const BUILD_DIR = '.tmp/bench-build';

/** Bundles exactly what `wrangler deploy` would upload. */
function bundle() {
  const run = spawnSync(process.execPath, [wranglerBin(), 'deploy', '--dry-run', '--outdir', BUILD_DIR], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  if (run.status !== 0) throw new Error('wrangler deploy --dry-run failed');
}

function wranglerBin() {
  return join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');
}

async function applyMigrations(db) {
  for (const file of readdirSync('migrations')
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    const statements = readFileSync(`migrations/${file}`, 'utf8')
      .split('--> statement-breakpoint')
      .map((s) => s.trim())
      .filter(Boolean);
    await db.batch(statements.map((sql) => db.prepare(sql)));
  }
}

async function startWorker(logLines) {
  bundle();
  const config = readFileSync('wrangler.toml', 'utf8');
  const compatibilityDate = /compatibility_date\s*=\s*"([^"]+)"/.exec(config)[1];
  // Miniflare 5 takes a new options shape; it converts the long-documented (v4) one.
  const options = (publicUrl, port) =>
    convertV4MiniflareOptions({
      modules: true,
      scriptPath: `${BUILD_DIR}/index.js`,
      compatibilityDate,
      compatibilityFlags: ['nodejs_compat'],
      d1Databases: ['DB'],
      kvNamespaces: ['KV'],
      bindings: { ADMIN_TOKEN, ENCRYPTION_KEYS: KEYS, PUBLIC_URL: publicUrl },
      host: '127.0.0.1',
      port,
      handleStructuredLogs: (entry) => logLines.push(entry.message),
    });
  const mf = new Miniflare(options('http://127.0.0.1', 0));
  const url = await mf.ready;
  await applyMigrations(await mf.getD1Database('DB'));
  // The Worker must know the address it is reached at: link URLs are built from it.
  await mf.setOptions(options(url.origin, Number(url.port)));
  return { mf, origin: url.origin };
}

async function api(origin, path, { token, method = 'GET', body } = {}) {
  const res = await fetch(origin + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function seed(origin) {
  const org = await api(origin, '/api/v1/admin/organizations', { token: ADMIN_TOKEN, method: 'POST', body: { name: 'Bench' } });
  const key = await api(origin, `/api/v1/admin/organizations/${org.id}/api_keys`, { token: ADMIN_TOKEN, method: 'POST', body: { name: 'bench' } });
  // A provider nobody can reach: the bench measures Edgelink, and tokens never need refreshing.
  const offering = await api(origin, '/api/v1/admin/offerings', {
    token: ADMIN_TOKEN,
    method: 'POST',
    body: {
      name: 'Bench provider',
      provider: 'bench',
      auth_mode: 'oauth2',
      authorization_url: 'http://127.0.0.1:9/authorize',
      token_url: 'http://127.0.0.1:9/token',
    },
  });
  const integration = await api(origin, '/api/v1/integrations', {
    token: key.secret,
    method: 'POST',
    body: { name: 'Bench', offering_id: offering.id, client_id: 'bench', client_secret: 'bench-secret' },
  });
  const ids = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < CONNECTIONS) {
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
  log(`seeded ${ids.length} connections in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const link = await api(origin, '/api/v1/links', {
    token: key.secret,
    method: 'POST',
    body: { name: 'Bench link', end_user: { id: 'user-1' } },
  });
  return { apiKey: key.secret, ids, linkPath: new URL(link.url).pathname };
}

/** utime + stime of every workerd process, in milliseconds. */
function workerdCpuMs() {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('workerd')) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      // The process ended between listing and reading.
    }
  }
  return total;
}

function d1PerRequest(logLines, route) {
  const trips = [];
  for (const text of logLines) {
    const match = /\{"level":"\w+","msg":"request".*\}/.exec(text);
    if (!match) continue;
    const line = JSON.parse(match[0]);
    if (line.route === route) trips.push(line.d1_round_trips);
  }
  return trips.length ? trips.reduce((a, b) => a + b, 0) / trips.length : NaN;
}

async function load(logLines, name, route, requests) {
  logLines.length = 0;
  const cpuBefore = workerdCpuMs();
  const result = await autocannon({ connections: CLIENTS, duration: DURATION_S, requests, url: requests[0].url });
  const cpuMs = workerdCpuMs() - cpuBefore;
  const total = result.requests.total;
  const non2xx = result.non2xx;
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuPer1000: total ? (cpuMs / total) * 1000 : NaN,
    d1: d1PerRequest(logLines, route),
    errors: result.errors + non2xx,
    total,
  };
}

async function main() {
  log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  const logLines = [];
  const { mf, origin } = await startWorker(logLines);
  try {
    const { apiKey, ids, linkPath } = await seed(origin);
    const auth = { authorization: `Bearer ${apiKey}` };
    const sample = ids.filter((_, i) => i % Math.ceil(ids.length / 200) === 0);
    const rows = [];
    rows.push(await load(logLines, 'GET /health', '/health', [{ url: `${origin}/health` }]));
    rows.push(
      await load(
        logLines,
        'GET /connections/{id}/token',
        '/api/v1/connections/:id/token',
        sample.map((id) => ({ url: `${origin}/api/v1/connections/${id}/token`, method: 'GET', headers: auth, path: `/api/v1/connections/${id}/token` })),
      ),
    );
    rows.push(await load(logLines, 'GET /link/{token}', '/link/:token', [{ url: origin + linkPath, path: linkPath }]));

    const health = rows[0];
    console.log('');
    console.log(`route                          req/s    p50 ms  p99 ms  CPU ms/1k req  D1 trips/req  vs /health  errors`);
    for (const r of rows) {
      console.log(
        [
          r.name.padEnd(29),
          r.rps.toFixed(0).padStart(7),
          r.p50.toFixed(1).padStart(8),
          r.p99.toFixed(1).padStart(7),
          r.cpuPer1000.toFixed(0).padStart(14),
          (Number.isNaN(r.d1) ? '-' : r.d1.toFixed(2)).padStart(13),
          `${(r.rps / health.rps).toFixed(2)}×`.padStart(11),
          String(r.errors).padStart(7),
        ].join(' '),
      );
    }
    const token = rows[1];
    console.log('');
    console.log(
      `budget: token route D1 round trips ${token.d1.toFixed(2)} (≤ 1) ${token.d1 <= 1 ? 'OK' : 'OVER'}; ` +
        `throughput ${(token.rps / health.rps).toFixed(2)}× /health (≥ 0.5) ${token.rps / health.rps >= 0.5 ? 'OK' : 'UNDER'}`,
    );
  } finally {
    await mf.dispose();
  }
}

await main();
