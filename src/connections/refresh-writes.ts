import type { AppDeps } from '../deps';
import { and, eq, sql } from 'drizzle-orm';
import { outboxEvent } from '../webhooks/emit';
import type { EventType } from '../webhooks/schema';
import type { RefreshedTokens } from './parked';
import { connectionEventData } from './render';
import { connections, type ConnectionRow } from './schema';
import { sealAccessToken, sealRefreshToken } from './sealed';
import { safeError } from '../lib/log';

type WriteDeps = Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>;
/** What a refresh sets; `version` is always bumped by the write itself. */
type RowChanges = Partial<Omit<ConnectionRow, 'id' | 'orgId' | 'version'>>;

const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 60 * 60_000;

/**
 * A D1 call that failed is tried once more: D1 failures are mostly brief, and every write here
 * is conditional, so running one again after it had landed (its reply lost) changes nothing.
 */
async function retryOnce<T>(connectionId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    console.warn(JSON.stringify({ level: 'warn', msg: 'connection write failed; trying once more', connection_id: connectionId, ...safeError(err) }));
    return write();
  }
}

interface ChangeEvent {
  type: EventType;
  extra?: Record<string, unknown>;
}

/**
 * Moves the row from the version it was read at to the next, conditional on that version and
 * on the lease when one is held (the lease id stays on the row as the mark of who moved it;
 * `lease_until` null releases it), with the event the change causes in the same batch. The
 * event's id is derived from the move and it is inserted only where the move landed, so however
 * often the batch runs (retried here, or by a later attempt with a parked reply) the change and
 * its event are written once. Null when the condition no longer held: someone else changed the
 * row (a reconnect), or this very change had landed on an attempt whose reply was lost.
 */
async function writeChange(deps: WriteDeps, row: ConnectionRow, leaseId: string | null, set: RowChanges, event?: ChangeEvent): Promise<ConnectionRow | null> {
  const update = () =>
    deps.db
      .update(connections)
      .set({ ...set, version: sql`${connections.version} + 1` })
      .where(and(eq(connections.id, row.id), eq(connections.version, row.version), leaseId === null ? undefined : eq(connections.leaseId, leaseId)))
      .returning();
  if (!event) {
    const [updated] = await retryOnce(row.id, update);
    return updated ?? null;
  }
  // What tells this move from another one off the same version: a reconnect clears the lease
  // id and makes the connection active again.
  const mark = leaseId !== null ? eq(connections.leaseId, leaseId) : set.status ? eq(connections.status, set.status) : undefined;
  const outbox = await outboxEvent(deps, row.orgId, event.type, connectionEventData({ ...row, ...set }, event.extra), {
    change: `connections/${row.id}/v${row.version}/${event.type}`,
    when: sql`exists (select 1 from ${connections} where ${and(eq(connections.id, row.id), eq(connections.version, row.version + 1), mark)})`,
  });
  const [[updated], inserted] = await retryOnce(row.id, () => deps.db.batch([update(), outbox.statement]));
  if (!updated) return null;
  outbox.deliver(inserted);
  return updated;
}

/** The row's new tokens; the reply's refresh token only if it sent one (else ours stays). */
export async function refreshedValues(
  deps: Pick<AppDeps, 'keyring'>,
  row: ConnectionRow,
  tokens: RefreshedTokens,
  receivedAt: number,
  now: number,
): Promise<RowChanges> {
  return {
    accessTokenEnc: await sealAccessToken(deps.keyring, row.id, tokens.accessToken),
    ...(tokens.refreshToken ? { refreshTokenEnc: await sealRefreshToken(deps.keyring, row.id, tokens.refreshToken) } : {}),
    tokenType: tokens.tokenType,
    expiresAt: tokens.expiresAt,
    scopes: tokens.scopes ?? row.scopes,
    metadata: { ...row.metadata, ...tokens.metadata },
    lastRefreshedAt: receivedAt,
    lastRefreshError: null,
    refreshFailures: 0,
    nextRefreshAttemptAt: null,
    leaseUntil: null,
    updatedAt: now,
  };
}

/**
 * Stores refreshed tokens and releases the lease. A refresh that clears a recorded error
 * changes what the API shows beyond the token, so it reports `connection.updated`.
 */
export function storeRefreshedTokens(deps: WriteDeps, row: ConnectionRow, leaseId: string, values: RowChanges): Promise<ConnectionRow | null> {
  const event = row.lastRefreshError === null ? undefined : { type: 'connection.updated' as const, extra: { last_refresh_error: null } };
  return writeChange(deps, row, leaseId, values, event);
}

/** Backs off exponentially: 30 s, 1 min, 2 min … up to an hour. The first failure after a success is reported. */
export async function recordRefreshFailure(deps: WriteDeps, row: ConnectionRow, leaseId: string, message: string, now: number): Promise<ConnectionRow> {
  console.warn(JSON.stringify({ level: 'warn', msg: 'token refresh failed', connection_id: row.id, failures: row.refreshFailures + 1 }));
  const set: RowChanges = {
    lastRefreshError: message,
    refreshFailures: row.refreshFailures + 1,
    nextRefreshAttemptAt: now + Math.min(BACKOFF_BASE_MS * 2 ** row.refreshFailures, BACKOFF_MAX_MS),
    leaseUntil: null,
    updatedAt: now,
  };
  const event = row.lastRefreshError === null ? { type: 'connection.updated' as const, extra: { last_refresh_error: message } } : undefined;
  return (await writeChange(deps, row, leaseId, set, event)) ?? { ...row, ...set };
}

/** Conditional on the lease when we hold it, else on the version we read. */
export async function markNeedsReauth(deps: WriteDeps, row: ConnectionRow, message: string, leaseId: string | null, now: number): Promise<ConnectionRow> {
  const set: RowChanges = { status: 'needs_reauth', lastRefreshError: message, nextRefreshAttemptAt: null, leaseUntil: null, updatedAt: now };
  const updated = await writeChange(deps, row, leaseId, set, { type: 'connection.refresh_failed', extra: { error: 'needs_reauth' } });
  if (!updated) return { ...row, status: 'needs_reauth', lastRefreshError: message };
  console.warn(JSON.stringify({ level: 'warn', msg: 'connection needs reauthorization', connection_id: row.id }));
  return updated;
}

/**
 * Gives up a lease whose UPDATE failed (it may have landed, its reply lost), so the next caller
 * need not wait for it to expire. Best effort: if this fails too, the lease runs out by itself.
 */
export async function releaseLease(deps: WriteDeps, row: ConnectionRow, leaseId: string): Promise<void> {
  try {
    await deps.db
      .update(connections)
      .set({ leaseUntil: null })
      .where(and(eq(connections.id, row.id), eq(connections.version, row.version), eq(connections.leaseId, leaseId)));
  } catch (err) {
    console.warn(JSON.stringify({ level: 'warn', msg: 'releasing a refresh lease failed', connection_id: row.id, ...safeError(err) }));
  }
}
