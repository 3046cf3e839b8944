// The Worker as `npm run bench` and `npm run capacity` run it: bundled by wrangler as
// `wrangler deploy` would, served by Miniflare on workerd's own socket with local D1 and KV and
// the migrations applied, plus the small JSON server their stand-in providers are made of.

import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';

process.env.WRANGLER_SEND_METRICS = 'false';

/** The same encryption keyring for every local run: these databases are thrown away. */
const KEYS = 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';

function wranglerBin() {
  return join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');
}

/** Bundles `entry` (wrangler.toml's `main` when omitted) with wrangler.toml's settings into `outdir`. */
function bundle(entry, outdir) {
  const args = [wranglerBin(), 'deploy', ...(entry ? [entry] : []), '--dry-run', '--outdir', outdir];
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: process.env });
  if (run.status !== 0) throw new Error('wrangler deploy --dry-run failed');
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

/**
 * Bundles and starts the Worker; `logLines` receives each line it logs. The script is
 * `${buildDir}/${script}`, as wrangler names the bundle of the entry.
 * @param {{ entry?: string, buildDir: string, script: string, adminToken: string, logLines: string[], inspectorPort?: number }} options
 */
export async function startWorker({ entry, buildDir, script, adminToken, logLines, inspectorPort }) {
  bundle(entry, buildDir);
  const compatibilityDate = /compatibility_date\s*=\s*"([^"]+)"/.exec(readFileSync('wrangler.toml', 'utf8'))[1];
  // Miniflare 5 takes a new options shape; it converts the long-documented (v4) one.
  const options = (publicUrl, port) =>
    convertV4MiniflareOptions({
      modules: true,
      scriptPath: `${buildDir}/${script}`,
      compatibilityDate,
      compatibilityFlags: ['nodejs_compat'],
      d1Databases: ['DB'],
      kvNamespaces: ['KV'],
      bindings: { ADMIN_TOKEN: adminToken, ENCRYPTION_KEYS: KEYS, PUBLIC_URL: publicUrl },
      host: '127.0.0.1',
      port,
      ...(inspectorPort ? { inspectorPort } : {}),
      // Miniflare's own access log wraps every response and posts a line to Node per request:
      // work a deployed Worker never does, and Node's share of it competes with the load.
      logRequests: false,
      handleStructuredLogs: (entry) => logLines.push(entry.message),
    });
  const mf = new Miniflare(options('http://127.0.0.1', 0));
  const url = await mf.ready;
  await applyMigrations(await mf.getD1Database('DB'));
  // The Worker must know the address it is reached at: link URLs are built from it.
  await mf.setOptions(options(url.origin, Number(url.port)));
  return { mf, db: await mf.getD1Database('DB'), origin: url.origin };
}

/**
 * A JSON server on 127.0.0.1 for a stand-in provider: `answer` gets the path, the request's
 * body as text and its authorization header, and returns `[status, body]`.
 * @param {(request: { path: string, body: string, authorization: string }) => [number, unknown]} answer
 */
export async function startJsonServer(answer) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const [status, json] = answer({ path: new URL(req.url, 'http://x').pathname, body, authorization: req.headers.authorization ?? '' });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** One call of the Worker's API; throws on a non-2xx answer, with its error body. */
export async function api(origin, path, { token, method = 'GET', body, form, headers = {} } = {}) {
  const res = await fetch(origin + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : form ? new URLSearchParams(form).toString() : undefined,
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The database's size in bytes as D1 reports it (a result's meta.size_after): what its 10 GB limit counts. */
export const databaseBytes = async (db) => (await db.prepare('SELECT 1').run()).meta.size_after;
