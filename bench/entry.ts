/**
 * The Worker as `npm run bench` serves it: the real app, plus one control route that only
 * makes a D1 round trip (`SELECT 1`). Locally D1 runs inside the same workerd process, so
 * no D1 route can reach `/health`; the control is the floor a route reading D1 once is
 * measured against (scripts/bench.mjs requests the same path). scripts/bench.mjs bundles this file into its own build directory only:
 * wrangler.toml's `main` stays src/index.ts, so the control never ships.
 */
import worker from '../src/index';
import type { CloudflareBindings } from '../src/env';

const CONTROL_PATH = '/__bench/select1';

export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === CONTROL_PATH) {
      const row = await env.DB.prepare('SELECT 1 AS one').first<{ one: number }>();
      // The same request-log line the app writes, so the bench reads round trips the same way.
      console.log(JSON.stringify({ level: 'info', msg: 'request', method: request.method, route: CONTROL_PATH, status: 200, d1_round_trips: 1 }));
      return Response.json({ ok: row?.one === 1 });
    }
    return worker.fetch(request, env, ctx);
  },
  scheduled: worker.scheduled,
} satisfies ExportedHandler<CloudflareBindings>;
