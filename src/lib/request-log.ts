import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from '../env';
import { countingRoundTrips } from '../db/client';
import { randomToken } from './crypto';

/** The route pattern that answered (`/api/v1/api_keys/:id`), never the raw path with its ids or tokens. */
function answeringRoute(c: Parameters<typeof matchedRoutes>[0]): string {
  const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL');
  return route?.path ?? '(unmatched)';
}

/**
 * Gives every response an `x-request-id` and writes one JSON log line per request. The line
 * holds no header, query or body, so no token or secret can reach the logs through it.
 */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const requestId = `req_${randomToken(12)}`;
  c.set('requestId', requestId);
  c.set('caller', null);
  const trips = { count: 0 };
  c.set('d1', trips);
  await countingRoundTrips(trips, next);
  c.header('x-request-id', requestId);
  const caller = c.var.caller;
  console.log(
    JSON.stringify({
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      request_id: requestId,
      method: c.req.method,
      route: answeringRoute(c),
      status: c.res.status,
      duration_ms: Date.now() - started,
      d1_round_trips: c.var.d1.count,
      org_id: caller && 'orgId' in caller ? caller.orgId : null,
      caller: caller?.kind ?? null,
    }),
  );
});
