import type { AppDeps } from '../deps';
import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { activeApiKeyCondition } from '../api-keys/service';
import { apiKeys } from '../api-keys/schema';
import { integrations } from '../integrations/schema';
import { notFound } from '../lib/errors';
import { pageWindow, toPage } from '../lib/pagination';
import type { Db } from '../db/client';
import { outboxEvent } from '../webhooks/emit';
import { deletedEvent } from './deleted-event';
import { connectionEventData, renderConnection } from './render';
import type { ConnectionRow } from './schema';
import { revokeBeforeDelete } from './revoke';
import { connections } from './schema';
import type { ListConnectionsQuery, UpdateConnectionBody } from './shapes';

export { renderConnection } from './render';
export type { ConnectionRow } from './schema';
export { ensureFreshToken, REFRESH_SKEW_MS } from './refresh';
export { refreshDueConnections, type RefreshRunCounts } from './refresh-due';
export {
  importConnection,
  saveConnectionFromCredentials,
  saveConnectionFromGrant,
  type CredentialsInput,
  type GrantInput,
  type SavedConnection,
} from './save';
export { renderToken } from './token';

// SQLite's IS / IS NOT compare NULLs as values, as the end-user fields may be null.
const isDistinctFrom = (column: SQLiteColumn, value: string | null): SQL => sql`${column} is not ${value}`;
const isNotDistinctFrom = (column: SQLiteColumn, value: string | null): SQL => sql`${column} is ${value}`;

/** The integration fields a rendered connection needs (offering id, scopes for missing_scopes). */
const integrationView = { offeringId: integrations.offeringId, scopes: integrations.scopes };

export async function listConnections(db: Db, orgId: string, query: ListConnectionsQuery) {
  const { after, orderBy } = pageWindow(connections, query.cursor);
  const rows = await db
    .select({ connection: connections, integration: integrationView })
    .from(connections)
    .leftJoin(integrations, eq(integrations.id, connections.integrationId))
    .where(
      and(
        eq(connections.orgId, orgId),
        query.integration_id ? eq(connections.integrationId, query.integration_id) : undefined,
        query.link_id ? eq(connections.linkId, query.link_id) : undefined,
        query.end_user_id ? eq(connections.endUserId, query.end_user_id) : undefined,
        query.status ? eq(connections.status, query.status) : undefined,
        after,
      ),
    )
    .orderBy(...orderBy)
    .limit(query.limit + 1);
  const paged = rows.map((r) => ({ ...r, id: r.connection.id, createdAt: r.connection.createdAt }));
  return toPage(paged, query.limit, (r) => renderConnection(r.connection, r.integration));
}

/** One read: the connection with what rendering needs of its integration. */
export async function findConnection(db: Db, orgId: string, id: string) {
  const [row] = await db
    .select({ connection: connections, integration: integrationView })
    .from(connections)
    .leftJoin(integrations, eq(integrations.id, connections.integrationId))
    .where(and(eq(connections.id, id), eq(connections.orgId, orgId)))
    .limit(1);
  if (!row) throw notFound('connection', id);
  return row;
}

export async function findConnectionRow(db: Db, orgId: string, id: string): Promise<ConnectionRow> {
  return (await findConnection(db, orgId, id)).connection;
}

/**
 * The token route's whole authentication and lookup in one D1 round trip: the live API key
 * with that secret, and the connection with that id in the key's organization (or null).
 * Undefined when no live key has that secret.
 */
export async function findKeyAndConnection(db: Db, secret: string, connectionId: string) {
  const [row] = await db
    .select({ key: apiKeys, connection: connections })
    .from(apiKeys)
    .leftJoin(connections, and(eq(connections.id, connectionId), eq(connections.orgId, apiKeys.orgId)))
    .where(await activeApiKeyCondition(secret))
    .limit(1);
  return row;
}

export async function updateConnection(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl' | 'waitUntil'>,
  orgId: string,
  id: string,
  patch: UpdateConnectionBody,
  now = Date.now(),
) {
  const { connection: current, integration } = await findConnection(deps.db, orgId, id);
  const endUser = patch.end_user ?? {};
  const next = {
    endUserEmail: endUser.email !== undefined ? endUser.email : current.endUserEmail,
    endUserName: endUser.display_name !== undefined ? endUser.display_name : current.endUserName,
  };
  // Nothing to change (also a retried PATCH whose first reply was lost): no write, no event.
  if (next.endUserEmail === current.endUserEmail && next.endUserName === current.endUserName) return renderConnection(current, integration);
  const ours = and(eq(connections.id, id), eq(connections.orgId, orgId));
  const changed = or(isDistinctFrom(connections.endUserEmail, next.endUserEmail), isDistinctFrom(connections.endUserName, next.endUserName));
  // The event only where this request's UPDATE landed: the row carries its values and its time.
  const landed = and(
    ours,
    isNotDistinctFrom(connections.endUserEmail, next.endUserEmail),
    isNotDistinctFrom(connections.endUserName, next.endUserName),
    eq(connections.updatedAt, now),
  );
  const outbox = await outboxEvent(deps, orgId, 'connection.updated', connectionEventData({ ...current, ...next }), {
    when: sql`exists (select 1 from ${connections} where ${landed})`,
  });
  const [[row], inserted] = await deps.db.batch([
    deps.db
      .update(connections)
      .set({ ...next, updatedAt: now })
      .where(and(ours, changed))
      .returning(),
    outbox.statement,
  ]);
  if (!row) {
    // Someone else set these values between our read and write (or deleted the row).
    return renderConnection((await findConnection(deps.db, orgId, id)).connection, integration);
  }
  outbox.deliver(inserted);
  return renderConnection(row, integration);
}

/** Revokes at the provider where the offering can (best effort, skipped for tokens that no longer decrypt), then deletes the row with its event. */
export async function deleteConnection(deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl' | 'waitUntil'>, orgId: string, id: string) {
  const current = await findConnectionRow(deps.db, orgId, id);
  const { revoked, skipped } = await revokeBeforeDelete(deps, current);
  const outbox = await deletedEvent(deps, current, { revoked_at_provider: revoked });
  const [inserted, [row]] = await deps.db.batch([
    outbox.statement,
    deps.db
      .delete(connections)
      .where(and(eq(connections.id, id), eq(connections.orgId, orgId)))
      .returning(),
  ]);
  if (!row) throw notFound('connection', id);
  outbox.deliver(inserted);
  return { id: row.id, deleted: true as const, revoked_at_provider: revoked, ...(skipped ? { revocation_skipped: skipped } : {}) };
}
