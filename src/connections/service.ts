import type { AppDeps } from '../deps';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { activeApiKeyCondition } from '../api-keys/service';
import { apiKeys } from '../api-keys/schema';
import { integrations } from '../integrations/schema';
import { ApiError, notFound } from '../lib/errors';
import { hasTags, type TagIndex } from '../lib/tags';
import { validationError } from '../lib/validate';
import { pageWindow, toPage } from '../lib/pagination';
import type { Db } from '../db/client';
import { outboxEvent } from '../webhooks/emit';
import { deletedEvent } from './deleted-event';
import { connectionEventData, renderConnection } from './render';
import type { ConnectionRow } from './schema';
import { revokeBeforeDelete } from './revoke';
import { connections, connectionTags } from './schema';
import { type ListConnectionsQuery, MAX_METADATA_BYTES, METADATA_TOO_LARGE, metadataBytes, type UpdateConnectionBody } from './shapes';

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

// SQLite's IS compares NULLs as values, as the end-user fields may be null.
const isNotDistinctFrom = (column: SQLiteColumn, value: string | null): SQL => sql`${column} is ${value}`;

const tagIndex: TagIndex = {
  table: connectionTags,
  owner: connectionTags.connectionId,
  orgId: connectionTags.orgId,
  key: connectionTags.key,
  value: connectionTags.value,
};

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
        hasTags(connections.id, tagIndex, orgId, query.tag),
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

/** The metadata a PATCH asks for: replaced, cleared (null), or merged shallowly (null deletes a key). */
function nextMetadata(current: Record<string, unknown>, patch: UpdateConnectionBody): Record<string, unknown> {
  if (patch.metadata === undefined) return current;
  if (patch.metadata === null) return {};
  if (patch.metadata_mode === 'replace') return patch.metadata;
  const merged = { ...current };
  for (const [key, value] of Object.entries(patch.metadata)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  if (metadataBytes(merged) > MAX_METADATA_BYTES) {
    throw validationError([{ location: 'body', field: 'metadata', message: `${METADATA_TOO_LARGE} once merged (it would be ${metadataBytes(merged)})` }]);
  }
  return merged;
}

type EditableFields = Pick<ConnectionRow, 'endUserEmail' | 'endUserName' | 'userMetadata' | 'tags'>;

function nextFields(current: ConnectionRow, patch: UpdateConnectionBody): EditableFields {
  const endUser = patch.end_user ?? {};
  return {
    endUserEmail: endUser.email !== undefined ? endUser.email : current.endUserEmail,
    endUserName: endUser.display_name !== undefined ? endUser.display_name : current.endUserName,
    userMetadata: nextMetadata(current.userMetadata, patch),
    tags: patch.tags ?? current.tags,
  };
}

// JSON columns compared as the text drizzle stores (JSON.stringify of the value).
const jsonText = (value: unknown) => JSON.stringify(value);
const sameFields = (a: EditableFields, b: EditableFields) =>
  a.endUserEmail === b.endUserEmail &&
  a.endUserName === b.endUserName &&
  jsonText(a.userMetadata) === jsonText(b.userMetadata) &&
  jsonText(a.tags) === jsonText(b.tags);

/** The row holds exactly these values. */
const holds = (fields: EditableFields): SQL =>
  and(
    isNotDistinctFrom(connections.endUserEmail, fields.endUserEmail),
    isNotDistinctFrom(connections.endUserName, fields.endUserName),
    sql`${connections.userMetadata} = ${jsonText(fields.userMetadata)}`,
    sql`${connections.tags} = ${jsonText(fields.tags)}`,
  )!;

/**
 * PATCH /connections/{id}: end-user details, metadata (replace or merge) and tags, with one
 * `connection.updated` event. The UPDATE is conditional on the row still holding what the new
 * values were computed from (a merge must not drop a concurrent writer's keys); a miss reads
 * and computes once more.
 */
export async function updateConnection(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl' | 'waitUntil'>,
  orgId: string,
  id: string,
  patch: UpdateConnectionBody,
  now = Date.now(),
) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const { connection: current, integration } = await findConnection(deps.db, orgId, id);
    const next = nextFields(current, patch);
    // Nothing to change (also a retried PATCH whose first reply was lost): no write, no event.
    if (sameFields(next, current)) return renderConnection(current, integration);
    const ours = and(eq(connections.id, id), eq(connections.orgId, orgId));
    // The event only where this request's UPDATE landed: the row carries its values and its time.
    const landed = and(ours, holds(next), eq(connections.updatedAt, now));
    const outbox = await outboxEvent(deps, orgId, 'connection.updated', connectionEventData({ ...current, ...next }), {
      when: sql`exists (select 1 from ${connections} where ${landed})`,
    });
    const [[row], inserted] = await deps.db.batch([
      deps.db
        .update(connections)
        .set({ ...next, updatedAt: now })
        .where(and(ours, holds(current)))
        .returning(),
      outbox.statement,
    ]);
    if (row) {
      outbox.deliver(inserted);
      return renderConnection(row, integration);
    }
  }
  throw new ApiError(409, 'conflict', 'The connection changed while it was being updated; try again.');
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
