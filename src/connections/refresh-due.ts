import type { AppDeps } from '../deps';
import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, or } from 'drizzle-orm';
import { ApiError } from '../lib/errors';
import { listParkedReplies } from './parked';
import { CRON_REFRESH_WINDOW_MS, ensureFreshToken } from './refresh';
import { connections, type ConnectionRow } from './schema';
import { safeError } from '../lib/log';

export interface RefreshRunCounts {
  selected: number;
  refreshed: number;
  /** Transient failures (backing off) and configuration problems. */
  failed: number;
  needsReauth: number;
  /** Fresh by the time we looked, or being refreshed by someone else. */
  skipped: number;
}

const CRON_CONCURRENCY = 5;
// Their ids are bound one parameter each, and D1 takes at most 100 per query.
const MAX_ABANDONED_PER_RUN = 50;

/**
 * Active connections whose refresh lease ran out with a reply parked under it: refreshed
 * whether their token is due or not, so a parked reply is stored before its TTL ends. Costs a
 * D1 query only when KV lists a parked reply.
 */
async function selectAbandoned(deps: Pick<AppDeps, 'db' | 'kv' | 'keyring' | 'publicUrl' | 'waitUntil'>, now: number, limit: number): Promise<ConnectionRow[]> {
  let parked: { connectionId: string; leaseId: string }[];
  try {
    parked = await listParkedReplies(deps, Math.min(limit, MAX_ABANDONED_PER_RUN));
  } catch (err) {
    console.error(JSON.stringify({ level: 'error', msg: 'listing parked refresh replies failed', ...safeError(err) }));
    return [];
  }
  if (parked.length === 0) return [];
  const leases = new Set(parked.map((p) => `${p.connectionId}:${p.leaseId}`));
  const rows = await deps.db
    .select()
    .from(connections)
    .where(and(inArray(connections.id, [...new Set(parked.map((p) => p.connectionId))]), eq(connections.status, 'active'), lt(connections.leaseUntil, now)));
  return rows.filter((row) => leases.has(`${row.id}:${row.leaseId}`));
}

/**
 * For the cron: refreshes active connections expiring within 10 minutes whose backoff has
 * passed, at most `limit`, soonest first, a few at a time, after any whose lease was abandoned
 * with a reply parked. The same lease as the token route, so a caller and the cron never both
 * refresh one connection.
 */
export async function refreshDueConnections(
  deps: Pick<AppDeps, 'db' | 'kv' | 'keyring' | 'publicUrl' | 'waitUntil'>,
  now: number,
  limit: number,
): Promise<RefreshRunCounts> {
  const abandoned = await selectAbandoned(deps, now, limit);
  const due = await deps.db
    .select()
    .from(connections)
    .where(
      and(
        eq(connections.status, 'active'),
        isNotNull(connections.refreshTokenEnc),
        isNotNull(connections.expiresAt),
        lt(connections.expiresAt, now + CRON_REFRESH_WINDOW_MS),
        or(isNull(connections.nextRefreshAttemptAt), lte(connections.nextRefreshAttemptAt, now)),
        or(isNull(connections.leaseUntil), lt(connections.leaseUntil, now)),
      ),
    )
    .orderBy(asc(connections.expiresAt))
    .limit(limit);
  const seen = new Set(abandoned.map((row) => row.id));
  const rows = [...abandoned, ...due.filter((row) => !seen.has(row.id))].slice(0, limit);
  const counts: RefreshRunCounts = { selected: rows.length, refreshed: 0, failed: 0, needsReauth: 0, skipped: 0 };
  const queue = [...rows];
  const worker = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      try {
        const after = await ensureFreshToken(deps, row, { skewMs: CRON_REFRESH_WINDOW_MS, wait: false });
        if (after.refreshFailures > row.refreshFailures) counts.failed++;
        else if (after.lastRefreshedAt !== row.lastRefreshedAt) counts.refreshed++;
        else counts.skipped++;
      } catch (err) {
        if (err instanceof ApiError && err.code === 'connection_needs_reauth') counts.needsReauth++;
        else counts.failed++;
        if (!(err instanceof ApiError)) {
          console.error(JSON.stringify({ level: 'error', msg: 'scheduled refresh failed', connection_id: row.id, ...safeError(err) }));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CRON_CONCURRENCY, rows.length) }, worker));
  return counts;
}
