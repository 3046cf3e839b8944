/**
 * The Worker as `npm run bench` serves it: the real app, plus two bench-only routes.
 * - `/__bench/select1` only makes one D1 round trip (`SELECT 1`). Locally D1 runs inside the
 *   same workerd process, so no D1 route can reach `/health`; this control is the floor a
 *   route that reads D1 once is measured against.
 * - `/__bench/d1-calls` answers how many D1 calls (statements run, batches, execs) the isolate
 *   has made so far, counted here on the binding, outside the app: the bench reads it before
 *   and after a window to check the request log's `d1_round_trips`, including work a request
 *   hands to waitUntil after its log line is written.
 * scripts/bench.mjs bundles this file into its own build directory only; wrangler.toml's
 * `main` stays src/index.ts, so neither route ships.
 */
import { interceptD1 } from '../src/db/client';
import type { CloudflareBindings } from '../src/env';
import worker from '../src/index';

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
    if (pathname === '/__bench/d1-calls') return Response.json({ calls });
    return worker.fetch(request, benchEnv, ctx);
  },
  scheduled: (controller, env, ctx) => worker.scheduled(controller, { ...env, DB: countedDb(env.DB) }, ctx),
} satisfies ExportedHandler<CloudflareBindings>;
