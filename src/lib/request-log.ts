import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { Caller } from '../auth/caller';
import type { AppEnv } from '../env';
import type { RoundTrips } from '../db/client';
import { randomToken } from './crypto';
import { type ReplicaRetry, replicaRetryOf } from './d1-session';

/** The route pattern that answered (`/api/v1/api_keys/:id`), never the raw path with its ids or tokens. */
function answeringRoute(c: Parameters<typeof matchedRoutes>[0]): string {
  const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL');
  return route?.path ?? '(unmatched)';
}

export const newRequestId = () => `req_${randomToken(12)}`;

export interface RequestLine {
  requestId: string;
  method: string;
  /** The route pattern, never the path: ids and tokens stay out of the logs. */
  route: string;
  status: number;
  started: number;
  trips: RoundTrips;
  caller: Caller | null;
  /** Set when a GET a replica answered 404 is asked again of the primary (see servedWhereWritten): one line per try. */
  retry?: ReplicaRetry | null;
}

/**
 * One JSON log line per request, for the app and for the hot routes that answer without it
 * (see hot-routes.ts), so both read the same. It holds no header, query or body, so no token or
 * secret can reach the logs through it.
 */
export function logRequest(line: RequestLine): void {
  const caller = line.caller;
  console.log(
    JSON.stringify({
      level: line.status >= 500 ? 'error' : 'info',
      msg: 'request',
      request_id: line.requestId,
      method: line.method,
      route: line.route,
      status: line.status,
      duration_ms: Date.now() - line.started,
      d1_round_trips: line.trips.count,
      org_id: caller && 'orgId' in caller ? caller.orgId : null,
      caller: caller?.kind ?? null,
      ...(line.retry ? { retry: line.retry } : {}),
    }),
  );
}

/** Gives every response an `x-request-id` and writes its log line; d1Session counts the round trips into `c.var.d1`. */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const requestId = newRequestId();
  c.set('requestId', requestId);
  c.set('caller', null);
  const trips = { count: 0 };
  c.set('d1', trips);
  await next();
  c.header('x-request-id', requestId);
  const retry = replicaRetryOf(c.req.raw);
  logRequest({ requestId, method: c.req.method, route: answeringRoute(c), status: c.res.status, started, trips, caller: c.var.caller, retry });
});
