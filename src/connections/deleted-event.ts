import type { AppDeps } from '../deps';
import { and, eq, sql } from 'drizzle-orm';
import { outboxEvent } from '../webhooks/emit';
import { connectionEventData } from './render';
import { connections, type ConnectionRow } from './schema';

/**
 * The `connection.deleted` event of one connection, for the batch that deletes it, placed before
 * the DELETE: inserted only while the row still exists, so only by the batch that deletes it.
 * Its id is derived from the connection alone, so a retried batch, a cascade chunk and a single
 * DELETE of the same connection racing each other report it exactly once between them.
 */
export function deletedEvent(deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>, row: ConnectionRow, extra: Record<string, unknown>) {
  return outboxEvent(deps, row.orgId, 'connection.deleted', connectionEventData(row, extra), {
    change: `connection/${row.id}/deleted`,
    when: sql`exists (select 1 from ${connections} where ${and(eq(connections.id, row.id), eq(connections.orgId, row.orgId))})`,
  });
}
