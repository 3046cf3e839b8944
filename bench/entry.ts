/**
 * The Worker as `npm run bench` serves it: the real app, plus three bench-only routes.
 * - `/__bench/select1` only makes one D1 round trip (`SELECT 1`). Locally D1 runs inside the
 *   same workerd process, so no D1 route can reach `/health`; this control is the floor a
 *   route that reads D1 once is measured against.
 * - `/__bench/token-sql/{id}` (measured only when BENCH_ONLY names `tsql`) runs the token
 *   route's one statement for the API key it is given, hash included, and answers a bare JSON:
 *   how much of the token route is its round trip rather than the rest of its code.
 *   `/__bench/session-select1/{id}` (`s1sess`) does the same with `SELECT 1` as the statement:
 *   what the hot path's way of querying (a session, `.raw()`, the hash) costs over the control.
 * - `/__bench/d1-calls` answers how many D1 calls (statements run, batches, execs) the isolate
 *   has made so far, counted here on the binding, outside the app: the bench reads it before
 *   and after a window to check the request log's `d1_round_trips`, including work a request
 *   hands to waitUntil after its log line is written.
 * scripts/bench.mjs bundles this file into its own build directory only; wrangler.toml's
 * `main` stays src/index.ts, so none of them ships.
 */
import { interceptD1 } from '../src/db/client';
import type { CloudflareBindings } from '../src/env';
import { apiKeyJoined } from '../src/api-keys/joined';
import { callerAndTokenRow } from '../src/connections/hot-sql';
import { sha256Hex } from '../src/lib/crypto';
import worker from '../src/index';

const TOKEN_SQL = /^\/__bench\/(token-sql|session-select1)\/(.+)$/;
let calls = 0;
const counted = new WeakMap<D1Database, D1Database>();

/** One counting wrapper per binding (per isolate), so the app's per-binding caches still hit. */
function countedDb(d1: D1Database): D1Database {
  let db = counted.get(d1);
  if (!db) {
    db = interceptD1(d1, (run) => {
      calls++;
      return run();
    });
    counted.set(d1, db);
  }
  return db;
}

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    const benchEnv = { ...env, DB: countedDb(env.DB) };
    if (pathname === '/__bench/select1') {
      const row = await benchEnv.DB.prepare('SELECT 1 AS one').first<{ one: number }>();
      // A request-log line as the app writes one, so the bench reads every route the same way.
      console.log(JSON.stringify({ level: 'info', msg: 'request', method: request.method, route: pathname, status: 200, d1_round_trips: 1 }));
      return Response.json({ ok: row?.one === 1 });
    }
    const tokenSql = TOKEN_SQL.exec(pathname);
    if (tokenSql) {
      // The token route's statement (or SELECT 1) queried as the hot path queries, hash included.
      const session = benchEnv.DB.withSession('first-unconstrained');
      const secret = request.headers.get('authorization')?.slice('Bearer '.length) ?? '';
      const query = (sql: string, ...binds: unknown[]) =>
        session
          .prepare(sql)
          .bind(...binds)
          .raw();
      const [, route, id] = tokenSql;
      const hash = await sha256Hex(secret);
      const ok =
        route === 'token-sql'
          ? (await callerAndTokenRow(query, apiKeyJoined, hash, Date.now(), id!))?.resource != null
          : (await query('SELECT 1 AS one'))[0]?.[0] === 1;
      console.log(JSON.stringify({ level: 'info', msg: 'request', method: request.method, route: `/__bench/${route}`, status: 200, d1_round_trips: 1 }));
      return Response.json({ ok });
    }
    if (pathname === '/__bench/d1-calls') return Response.json({ calls });
    return worker.fetch(request, benchEnv, ctx);
  },
  scheduled: (controller, env, ctx) => worker.scheduled(controller, { ...env, DB: countedDb(env.DB) }, ctx),
} satisfies ExportedHandler<CloudflareBindings>;
