import type { AppDeps } from '../deps';
import { and, asc, eq, isNotNull, isNull, lt, lte, or } from 'drizzle-orm';
import { ApiError } from '../lib/errors';
import { CRON_REFRESH_WINDOW_MS, ensureFreshToken } from './refresh';
import { connections } from './schema';

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

/**
 * For the cron: refreshes active connections expiring within 10 minutes whose backoff has
 * passed, at most `limit`, soonest first, a few at a time. The same lease as the token route,
 * so a caller and the cron never both refresh one connection.
 */
export async function refreshDueConnections(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl' | 'waitUntil'>,
  now: number,
  limit: number,
): Promise<RefreshRunCounts> {
  const rows = await deps.db
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
          console.error(
            JSON.stringify({ level: 'error', msg: 'scheduled refresh failed', connection_id: row.id, error: err instanceof Error ? err.name : typeof err }),
          );
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CRON_CONCURRENCY, rows.length) }, worker));
  return counts;
}
