// `npm run capacity`: measures what one D1 database holds per connection, link and OAuth token,
// for the capacity model in docs/performance.md. It bundles the Worker (src/index.ts, as
// `wrangler deploy` would) into .tmp/capacity-build, runs it in Miniflare with local D1 and KV,
// applies the migrations, and then makes everything through the Worker's own API and pages, with
// a stand-in OAuth provider on 127.0.0.1: an organization, an integration, connections imported
// with tokens of a given size, connections made by real connect flows (link page, callback),
// links, users, and client-credentials tokens of an OAuth application; then forced refreshes.
//
// Two measurements, from D1's own `meta.size_after` (the database's size in bytes, what D1's
// 10 GB limit counts; D1 allows neither `PRAGMA page_count` nor `dbstat`):
// - per step: how much the database grew per thing made, with the rows it added to each table.
//   This is what the API really writes (every table and index it touches, pages as full as
//   inserts in that order leave them);
// - per table: rows, the bytes of their values, and bytes per row of the table and of each of
//   its indexes, from copying the rows into a scratch table (`CREATE TABLE … AS SELECT`, repeated
//   to at least CAPACITY_MIN_COPY_ROWS rows) and rebuilding each index on it. Copies are packed,
//   so these are lower bounds; the steps' figures include the slack of real inserts.
// Then the model: connections per GB, at the 10 GB limit with headroom, and refresh writes per
// second for some token lifetimes against an assumed write rate of the primary.
//
// Settings (environment variables): CAPACITY_CONNECTIONS (imported connections, 2000),
// CAPACITY_JWT_CONNECTIONS (more, with a JWT-sized access token, 500), CAPACITY_FLOWS (connect
// flows, 100), CAPACITY_LINKS (500), CAPACITY_USERS (50), CAPACITY_OAUTH_TOKENS (200),
// CAPACITY_REFRESHES (forced refreshes, 100), CAPACITY_ACCESS_TOKEN_CHARS (200),
// CAPACITY_REFRESH_TOKEN_CHARS (100), CAPACITY_JWT_CHARS (2000), CAPACITY_MIN_COPY_ROWS (2000),
// CAPACITY_HEADROOM (fraction of 10 GB kept free, 0.2), CAPACITY_PRIMARY_QPS (statements per
// second the primary is assumed to sustain for refreshes, 500: an assumption, not a measurement),
// CAPACITY_TOKEN_LIFETIMES (seconds, comma-separated, 1800,3600,43200).

import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { api, databaseBytes, startJsonServer, startWorker } from './local-worker.mjs';

const setting = (name, fallback) => Number(process.env[name] ?? fallback);
const CONNECTIONS = setting('CAPACITY_CONNECTIONS', 2000);
const JWT_CONNECTIONS = setting('CAPACITY_JWT_CONNECTIONS', 500);
const FLOWS = setting('CAPACITY_FLOWS', 100);
const LINKS = setting('CAPACITY_LINKS', 500);
const USERS = setting('CAPACITY_USERS', 50);
const OAUTH_TOKENS = setting('CAPACITY_OAUTH_TOKENS', 200);
const REFRESHES = setting('CAPACITY_REFRESHES', 100);
const ACCESS_CHARS = setting('CAPACITY_ACCESS_TOKEN_CHARS', 200);
const REFRESH_CHARS = setting('CAPACITY_REFRESH_TOKEN_CHARS', 100);
const JWT_CHARS = setting('CAPACITY_JWT_CHARS', 2000);
const MIN_COPY_ROWS = setting('CAPACITY_MIN_COPY_ROWS', 2000);
const HEADROOM = setting('CAPACITY_HEADROOM', 0.2);
const PRIMARY_QPS = setting('CAPACITY_PRIMARY_QPS', 500);
const LIFETIMES_S = (process.env.CAPACITY_TOKEN_LIFETIMES ?? '1800,3600,43200').split(',').map(Number);

/** D1's maximum database size (Workers Paid), in bytes: 10 GB, counted as 10^9 bytes each to be safe. */
const LIMIT_BYTES = 10e9;
/** REFRESH_SKEW_MS in src/connections/refresh.ts: a token is refreshed this long before it expires. */
const REFRESH_SKEW_S = 300;
/**
 * Statements on the primary per refresh, from src/connections/refresh.ts and refresh-writes.ts:
 * the integration and its offering (loadProviderContext), the lease (conditional UPDATE) and the
 * new tokens (conditional UPDATE; its event INSERT joins that batch only when it clears an error).
 */
const REFRESH_WRITES = 2;
const REFRESH_READS = 2;
const PARALLEL = 8;
/** Below this a step's growth says little: the empty tables' first pages absorbed its rows. */
const SMALL_GROWTH = 64 * 1024;
const ADMIN_TOKEN = 'capacity-admin-token-0123456789abcdef0123456789';
const BUILD_DIR = '.tmp/capacity-build';

const log = (msg) => console.log(`[capacity] ${msg}`);

/** Random base64url text of exactly `chars` characters after `prefix`, so tokens have the size asked for. */
const filler = (prefix, chars) =>
  prefix +
  randomBytes(chars)
    .toString('base64url')
    .slice(0, Math.max(0, chars - prefix.length));

/**
 * A stand-in OAuth provider: codes `cap-code-{account}` are granted, a refresh token is always
 * accepted, anything else is `invalid_grant` (how integration verification proves the client
 * authenticated); userinfo names the account an access token was issued for.
 */
function startProvider() {
  return startJsonServer(({ path, body, authorization }) => {
    if (path === '/token') {
      const form = new URLSearchParams(body);
      const code = form.get('code') ?? '';
      const account = form.get('grant_type') === 'refresh_token' ? 'refreshed' : code.startsWith('cap-code-') ? code.slice('cap-code-'.length) : null;
      if (account === null) return [400, { error: 'invalid_grant' }];
      return [
        200,
        {
          access_token: filler(`cap-at-${account}.`, ACCESS_CHARS),
          refresh_token: filler('cap-rt-', REFRESH_CHARS),
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'read write',
        },
      ];
    }
    if (path === '/userinfo') {
      const account = /^Bearer cap-at-([^.]+)\./.exec(authorization)?.[1];
      return account ? [200, { sub: account, email: `${account}@example.com`, name: `Account ${account}` }] : [401, { error: 'invalid_token' }];
    }
    return [404, { error: 'not_found' }];
  });
}

/** Runs `run(i)` for i < count, PARALLEL at a time. */
async function inParallel(count, run) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL, count) }, async () => {
      while (next < count) await run(next++);
    }),
  );
}

// ---- sizes, as D1 reports them ----

async function tableNames(db) {
  const rows = await db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'cap_%' ORDER BY name",
    )
    .all();
  return rows.results.map((r) => r.name);
}

async function rowCounts(db, tables) {
  const counts = await db.batch(tables.map((t) => db.prepare(`SELECT COUNT(*) AS n FROM "${t}"`)));
  return Object.fromEntries(tables.map((t, i) => [t, counts[i].results[0].n]));
}

/**
 * A step of the seeding, measured: what the database grew by and the rows it added per table.
 * `count` is how many of `unit` the step made.
 */
async function step(db, tables, name, unit, count, run) {
  const sizeBefore = await databaseBytes(db);
  const rowsBefore = await rowCounts(db, tables);
  const started = Date.now();
  await run();
  const seconds = (Date.now() - started) / 1000;
  const sizeAfter = await databaseBytes(db);
  const rowsAfter = await rowCounts(db, tables);
  const added = Object.fromEntries(tables.map((t) => [t, rowsAfter[t] - rowsBefore[t]]).filter(([, n]) => n !== 0));
  log(`${name}: ${count} ${unit} in ${seconds.toFixed(1)} s`);
  return { name, unit, count, growth: sizeAfter - sizeBefore, added };
}

/** The bytes a value takes in SQLite's record format (without its header byte), as SQL. */
function valueBytes(column) {
  const c = `"${column}"`;
  return (
    `(CASE typeof(${c}) WHEN 'null' THEN 0 WHEN 'real' THEN 8 WHEN 'integer' THEN ` +
    `(CASE WHEN ${c} IN (0, 1) THEN 0 WHEN abs(${c}) < 128 THEN 1 WHEN abs(${c}) < 32768 THEN 2 WHEN abs(${c}) < 8388608 THEN 3 ` +
    `WHEN abs(${c}) < 2147483648 THEN 4 WHEN abs(${c}) < 140737488355328 THEN 6 ELSE 8 END) ` +
    `ELSE length(CAST(${c} AS BLOB)) END)`
  );
}

/** The statement that builds `index` of `table` on the scratch copy (never unique: the copy repeats rows). */
async function indexOnCopy(db, table, index) {
  if (index.origin === 'c') {
    const { sql } = await db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").bind(index.name).first();
    return sql.replace(/^CREATE\s+(UNIQUE\s+)?INDEX\s+\S+\s+ON\s+\S+/i, 'CREATE INDEX cap_index ON cap_copy');
  }
  // A PRIMARY KEY or UNIQUE constraint's own index (sqlite_autoindex_…): the same columns.
  const columns = (await db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').bind(index.name).all()).results.map((r) => `"${r.name}"`);
  if (columns.length === 0) throw new Error(`no columns for ${table}.${index.name}`);
  return `CREATE INDEX cap_index ON cap_copy (${columns.join(', ')})`;
}

/**
 * One table's bytes per row (or those of its rows matching `where`): its values, and the packed
 * size of the table and of each index, from a scratch copy repeated to at least MIN_COPY_ROWS rows.
 */
async function measureTable(db, table, { where, label = table } = {}) {
  const filter = where ? ` WHERE ${where}` : '';
  const { n: rows } = await db.prepare(`SELECT COUNT(*) AS n FROM "${table}"${filter}`).first();
  if (rows === 0) return null;
  const columns = (await db.prepare('SELECT name FROM pragma_table_info(?)').bind(table).all()).results.map((r) => r.name);
  const { b: valueSum } = await db.prepare(`SELECT SUM(${columns.map(valueBytes).join(' + ')}) AS b FROM "${table}"${filter}`).first();
  const copies = Math.ceil(MIN_COPY_ROWS / rows);
  const copied = rows * copies;
  const start = await databaseBytes(db);
  await db
    .prepare(
      `CREATE TABLE cap_copy AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${copies}) ` +
        `SELECT t.* FROM n, "${table}" t${filter}`,
    )
    .run();
  let size = await databaseBytes(db);
  const tableBytes = size - start;
  const indexes = [];
  try {
    const list = (await db.prepare('SELECT name, origin FROM pragma_index_list(?) ORDER BY name').bind(table).all()).results;
    for (const index of list) {
      await db.prepare(await indexOnCopy(db, table, index)).run();
      const after = await databaseBytes(db);
      indexes.push({ name: index.name, perRow: (after - size) / copied });
      size = after;
      await db.prepare('DROP INDEX cap_index').run();
      size = await databaseBytes(db);
    }
  } finally {
    await db.prepare('DROP TABLE cap_copy').run();
  }
  const indexPerRow = indexes.reduce((a, i) => a + i.perRow, 0);
  return { label, rows, values: valueSum / rows, table: tableBytes / copied, index: indexPerRow, total: tableBytes / copied + indexPerRow, indexes };
}

// ---- what gets made ----

async function setUp(origin, provider) {
  const org = await api(origin, '/api/v1/admin/organizations', { token: ADMIN_TOKEN, method: 'POST', body: { name: 'Capacity' } });
  const key = await api(origin, `/api/v1/admin/organizations/${org.id}/api_keys`, { token: ADMIN_TOKEN, method: 'POST', body: { name: 'capacity' } });
  const offering = await api(origin, '/api/v1/admin/offerings', {
    token: ADMIN_TOKEN,
    method: 'POST',
    body: {
      name: 'Capacity provider',
      provider: 'capacity',
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
    body: { name: 'Capacity', offering_id: offering.id, client_id: 'capacity', client_secret: 'capacity-secret', scopes: ['read', 'write'] },
  });
  if (integration.status !== 'configured') throw new Error(`the integration is ${integration.status}`);
  return { orgId: org.id, apiKey: key.secret, integrationId: integration.id };
}

/** Connections imported through POST /connections, with an access token of `accessChars`. */
function importConnections(origin, s, count, prefix, accessChars, ids) {
  return inParallel(count, async (i) => {
    const connection = await api(origin, '/api/v1/connections', {
      token: s.apiKey,
      method: 'POST',
      body: {
        integration_id: s.integrationId,
        end_user: { id: `${prefix}-user-${i}`, email: `user${i}@customer.example`, display_name: `End User ${i}` },
        provider_account_id: `${prefix}-acct-${i}`,
        account: { email: `user${i}@provider.example`, name: `Account ${i}` },
        access_token: filler('at-', accessChars),
        refresh_token: filler('rt-', REFRESH_CHARS),
        expires_in: 3600,
      },
    });
    ids.push(connection.id);
  });
}

/** Connect flows as an end user makes them: the link page's Connect, then the provider's redirect back. */
async function connectFlows(origin, provider, s, count) {
  const link = await api(origin, '/api/v1/links', { token: s.apiKey, method: 'POST', body: { name: 'Flows', end_user: { id: 'flow-user' } } });
  const token = new URL(link.url).pathname.split('/').pop();
  const headers = { origin, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' };
  await inParallel(count, async (i) => {
    const start = await fetch(`${origin}/link/${token}/connect/${s.integrationId}`, { method: 'POST', headers, body: '', redirect: 'manual' });
    const location = start.headers.get('location');
    if (start.status !== 302 || !location?.startsWith(provider.origin)) throw new Error(`flow start: ${start.status}`);
    const state = new URL(location).searchParams.get('state');
    const cookie = start.headers.get('set-cookie').split(';')[0];
    const back = await fetch(`${origin}/api/v1/oauth/callback?${new URLSearchParams({ code: `cap-code-flow${i}`, state })}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    const page = await back.text();
    if (back.status !== 200 || !/connected/i.test(page)) throw new Error(`callback: ${back.status}`);
  });
}

function makeLinks(origin, s, count) {
  return inParallel(count, (i) =>
    api(origin, '/api/v1/links', {
      token: s.apiKey,
      method: 'POST',
      body: { name: `Link for end user ${i}`, end_user: { id: `link-user-${i}`, email: `user${i}@customer.example`, display_name: `End User ${i}` } },
    }),
  );
}

function makeUsers(origin, s, count) {
  return inParallel(count, (i) =>
    api(origin, `/api/v1/admin/organizations/${s.orgId}/users`, {
      token: ADMIN_TOKEN,
      method: 'POST',
      body: { email: `person${i}@capacity.example`, name: `Person ${i}`, role: 'member' },
    }),
  );
}

/** An OAuth application of the organization, then client-credentials tokens (a grant and a token each). */
async function issueTokens(origin, s, count) {
  const app = await api(origin, '/api/v1/applications', {
    token: s.apiKey,
    method: 'POST',
    body: { name: 'Capacity app', description: 'Calls the API.', grant_types: ['client_credentials'], scopes: ['connections.read'] },
  });
  const basic = `Basic ${btoa(`${encodeURIComponent(app.client_id)}:${encodeURIComponent(app.client_secret)}`)}`;
  await inParallel(count, () =>
    api(origin, '/oauth/token', { method: 'POST', form: { grant_type: 'client_credentials', scope: 'connections.read' }, headers: { authorization: basic } }),
  );
}

/** Forced refreshes (POST /connections/{id}/refresh); their D1 round trips from the request log. */
async function refresh(origin, s, ids, count, logLines) {
  logLines.length = 0;
  await inParallel(count, (i) => api(origin, `/api/v1/connections/${ids[i % ids.length]}/refresh`, { token: s.apiKey, method: 'POST' }));
  const trips = [];
  for (const text of logLines) {
    const match = /\{"level":"\w+","msg":"request".*\}/.exec(text);
    if (!match) continue;
    const line = JSON.parse(match[0]);
    if (line.route === '/api/v1/connections/:id/refresh') trips.push(line.d1_round_trips);
  }
  return trips.length ? trips.reduce((a, b) => a + b, 0) / trips.length : Number.NaN;
}

// ---- report ----

const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-');
const fixed = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const millions = (x) => `${(x / 1e6).toFixed(2)} M`;

function printSteps(steps) {
  console.log('');
  console.log('What the API wrote, per thing made (database growth from D1 size_after, all tables and indexes the step touched):');
  console.log(`${'step'.padEnd(44)}${'made'.padStart(7)}${'bytes each'.padStart(12)}  rows added per table`);
  for (const s of steps) {
    const added = Object.entries(s.added)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ');
    // A new table's first pages exist from its migration: a few rows fill them without growing the file.
    const note = s.growth < SMALL_GROWTH ? ' (too little growth to read: use the per-table figures)' : '';
    console.log(`${s.name.padEnd(44)}${String(s.count).padStart(7)}${int(s.growth / s.count).padStart(12)}  ${added}${note}`);
  }
}

function printTables(measured) {
  console.log('');
  console.log(`Per table, bytes per row (values: SQLite record values; table and indexes: packed copies of at least ${MIN_COPY_ROWS} rows):`);
  console.log(
    `${'table'.padEnd(34)}${'rows'.padStart(7)}${'values'.padStart(8)}${'table'.padStart(8)}${'indexes'.padStart(9)}${'total'.padStart(8)}  indexes (bytes/row)`,
  );
  for (const m of measured) {
    const each = m.indexes.map((i) => `${i.name.replace('sqlite_autoindex_', 'pk/unique:')} ${fixed(i.perRow, 0)}`).join(', ');
    console.log(
      `${m.label.padEnd(34)}${String(m.rows).padStart(7)}${fixed(m.values, 0).padStart(8)}${fixed(m.table, 0).padStart(8)}${fixed(m.index, 0).padStart(9)}${fixed(m.total, 0).padStart(8)}  ${each}`,
    );
  }
}

function printModel(steps, measured, refreshTrips, refreshGrowth) {
  const by = Object.fromEntries(steps.map((s) => [s.name, s]));
  const perEach = (name) => by[name].growth / by[name].count;
  const usable = LIMIT_BYTES * (1 - HEADROOM);
  const connection = perEach('connections imported');
  const jwt = JWT_CONNECTIONS > 0 ? perEach('connections imported, JWT access token') : Number.NaN;
  const flow = FLOWS > 0 ? perEach('connections by connect flow') : Number.NaN;
  const link = LINKS > 0 ? perEach('links') : Number.NaN;
  const packed = measured.find((m) => m.label === 'connections (imported)');
  console.log('');
  console.log(`Capacity model (D1: 10 GB per database, counted as 10^9 bytes each; ${HEADROOM * 100}% kept free → ${(usable / 1e9).toFixed(1)} GB usable):`);
  const line = (what, bytes) =>
    console.log(
      `  ${what.padEnd(58)}${int(bytes).padStart(7)} B  ${millions(1e9 / bytes).padStart(9)} per GB  ${millions(usable / bytes).padStart(9)} per database`,
    );
  line(`connection, ${ACCESS_CHARS}-char access token (imported)`, connection);
  if (packed) line('  the connection row alone, packed (events go after 30 days)', packed.total);
  if (FLOWS > 0) line('connection made by a connect flow', flow);
  if (JWT_CONNECTIONS > 0) line(`connection, ${JWT_CHARS}-char access token (a JWT)`, jwt);
  if (LINKS > 0) line('connection plus one link of its own', connection + link);
  console.log('');
  console.log(
    `One refresh writes ${REFRESH_WRITES} statements on the primary (lease UPDATE, then the new tokens' UPDATE) and reads ${REFRESH_READS} ` +
      `there (integration, offering); measured: a forced refresh (POST /connections/{id}/refresh) made ${fixed(refreshTrips, 2)} D1 round trips ` +
      `with its authentication and connection read, and the database grew ${int(refreshGrowth)} bytes over ${REFRESHES} of them (rows are updated in place).`,
  );
  console.log(
    `Refreshes of connections whose tokens are asked for, each refreshed ${REFRESH_SKEW_S} s before expiry; primary budget ${PRIMARY_QPS} statements/s (ASSUMED):`,
  );
  console.log(
    `${'  token lifetime'.padEnd(18)}${'refresh every'.padStart(15)}${'writes/s per 100k'.padStart(19)}${'primary stmts/s per 100k'.padStart(26)}${'connections at budget'.padStart(23)}${'storage bound'.padStart(15)}`,
  );
  for (const lifetime of LIFETIMES_S) {
    const every = lifetime - REFRESH_SKEW_S;
    const perSecond = 100_000 / every;
    const atBudget = (PRIMARY_QPS * every) / (REFRESH_WRITES + REFRESH_READS);
    console.log(
      `${`  ${lifetime / 60} min`.padEnd(18)}${`${fixed(every / 60, 0)} min`.padStart(15)}${fixed(perSecond * REFRESH_WRITES).padStart(19)}${fixed(perSecond * (REFRESH_WRITES + REFRESH_READS)).padStart(26)}${millions(atBudget).padStart(23)}${millions(usable / connection).padStart(15)}`,
    );
  }
  // Where both bounds meet: budget × (lifetime − skew) / statements = usable / bytes per connection.
  const crossover = ((REFRESH_WRITES + REFRESH_READS) * (usable / connection)) / PRIMARY_QPS + REFRESH_SKEW_S;
  console.log(`  Refresh writes bind first for token lifetimes under ${fixed(crossover / 3600)} h (every connection in use); storage binds for longer ones.`);
}

async function main() {
  log(
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const logLines = [];
  const provider = await startProvider();
  const { mf, db, origin } = await startWorker({ buildDir: BUILD_DIR, script: 'index.js', adminToken: ADMIN_TOKEN, logLines });
  try {
    const tables = await tableNames(db);
    log(`empty database after migrations: ${int(await databaseBytes(db))} bytes, ${tables.length} tables`);
    const steps = [];
    let s;
    steps.push(await step(db, tables, 'organization, API key, offering, integration', 'set', 1, async () => (s = await setUp(origin, provider))));
    const ids = [];
    steps.push(
      await step(db, tables, 'connections imported', 'connections', CONNECTIONS, () => importConnections(origin, s, CONNECTIONS, 'cap', ACCESS_CHARS, ids)),
    );
    if (JWT_CONNECTIONS > 0) {
      steps.push(
        await step(db, tables, 'connections imported, JWT access token', 'connections', JWT_CONNECTIONS, () =>
          importConnections(origin, s, JWT_CONNECTIONS, 'jwt', JWT_CHARS, []),
        ),
      );
    }
    if (FLOWS > 0) steps.push(await step(db, tables, 'connections by connect flow', 'flows', FLOWS, () => connectFlows(origin, provider, s, FLOWS)));
    if (LINKS > 0) steps.push(await step(db, tables, 'links', 'links', LINKS, () => makeLinks(origin, s, LINKS)));
    if (USERS > 0) steps.push(await step(db, tables, 'users added to the organization', 'users', USERS, () => makeUsers(origin, s, USERS)));
    if (OAUTH_TOKENS > 0) {
      steps.push(await step(db, tables, 'client-credentials tokens (and their app)', 'tokens', OAUTH_TOKENS, () => issueTokens(origin, s, OAUTH_TOKENS)));
    }
    let refreshTrips = Number.NaN;
    let refreshGrowth = Number.NaN;
    if (REFRESHES > 0) {
      const before = await databaseBytes(db);
      refreshTrips = await refresh(origin, s, ids, REFRESHES, logLines);
      refreshGrowth = (await databaseBytes(db)) - before;
      log(`${REFRESHES} forced refreshes: ${fixed(refreshTrips, 2)} D1 round trips each`);
    }

    log('measuring each table on packed copies');
    const measured = [];
    for (const table of tables) {
      if (table === 'connections') {
        // Each kind of connection on its own: token size is most of a row.
        for (const [where, label] of [
          ["end_user_id LIKE 'cap-user-%'", 'connections (imported)'],
          ["end_user_id LIKE 'jwt-user-%'", 'connections (JWT access token)'],
          ["end_user_id = 'flow-user'", 'connections (connect flow)'],
        ]) {
          const m = await measureTable(db, table, { where, label });
          if (m) measured.push(m);
        }
        continue;
      }
      const m = await measureTable(db, table);
      if (m) measured.push(m);
    }
    const total = await databaseBytes(db);
    const counts = await rowCounts(db, tables);
    printSteps(steps);
    printTables(measured);
    const packedSum = measured.reduce((a, m) => a + m.total * m.rows, 0);
    console.log(
      `Database now ${int(total)} bytes; the packed estimates add up to ${int(packedSum)} (${fixed((packedSum / total) * 100, 0)}%): the rest is page slack ` +
        `from inserts in key order other than the table's, and the tables' first pages. Rows: ${Object.values(counts).reduce((a, b) => a + b, 0)}.`,
    );
    printModel(steps, measured, refreshTrips, refreshGrowth);
  } finally {
    await mf.dispose();
    provider.server.close();
  }
}

await main();
