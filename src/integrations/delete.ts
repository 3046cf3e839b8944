import type { AppDeps } from '../deps';
import { and, asc, eq, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { conflict, notFound } from '../lib/errors';
import { integrations } from './schema';

/** Chunks one DELETE request runs before it answers 202 and leaves the rest to retries and the cron. */
export const INLINE_CHUNKS = 4;
/** Chunks one cron run spends on integrations being deleted, oldest first. */
export const CHUNKS_PER_RUN = 8;

/** The integration's own DELETE, for the batch of a cascade's chunk; it returns the row's id when the row went. */
export type IntegrationDelete = ReturnType<typeof integrationDelete>;

/**
 * What deleting an integration asks of the connections that hang on it. The connections
 * feature answers (it imports integrations, never the other way round); deps.ts wires it in.
 */
export interface IntegrationConnections {
  count(db: Db, orgId: string, integrationId: string): Promise<number>;
  /** Holds while no connection hangs on the integration: its row may go only then. */
  noneLeft(integrationId: string): SQL;
  /**
   * Deletes the next chunk of the integration's connections in one batch, with a
   * `connection.deleted` event for each connection that batch deleted, and runs
   * `deleteIntegration` (conditional on none being left) last in the same batch.
   */
  deleteChunk(
    deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>,
    orgId: string,
    integrationId: string,
    deleteIntegration: IntegrationDelete,
  ): Promise<{ deleted: number; integrationDeleted: boolean }>;
}

type DeleteDeps = Pick<AppDeps, 'db' | 'keyring' | 'waitUntil' | 'dependents'>;

/** Deleting the row takes its connections along by foreign key, unannounced: so only once none is left. */
function integrationDelete(deps: Pick<AppDeps, 'db' | 'dependents'>, orgId: string, id: string) {
  return deps.db
    .delete(integrations)
    .where(and(eq(integrations.id, id), eq(integrations.orgId, orgId), deps.dependents.connectionsOfIntegration.noneLeft(id)))
    .returning({ id: integrations.id });
}

/** Up to `maxChunks` chunks of the integration's connections: whether its row went too, how many connections went, chunks spent. */
async function deleteInChunks(deps: DeleteDeps, orgId: string, id: string, maxChunks: number) {
  let deleted = 0;
  let chunks = 0;
  while (chunks < maxChunks) {
    const chunk = await deps.dependents.connectionsOfIntegration.deleteChunk(deps, orgId, id, integrationDelete(deps, orgId, id));
    chunks++;
    deleted += chunk.deleted;
    if (chunk.integrationDeleted) return { finished: true, deleted, chunks };
    // Nothing was left to delete, yet the row stayed: another request is finishing it, or a connection just arrived.
    if (chunk.deleted === 0) break;
  }
  return { finished: false, deleted, chunks };
}

/**
 * Refuses while connections exist, unless asked to delete them too. A cascade first marks the
 * integration `deleting_at` (from then on every reader treats it as gone), then deletes its
 * connections in chunks, each chunk one batch with an event per deleted connection, the row
 * itself with the last. What a request does not finish, a retry or the cron does; a DELETE of
 * an integration already being deleted resumes it. Provider-side revocation is left to single
 * deletes: a cascade may cover thousands.
 */
export async function deleteIntegration(
  deps: DeleteDeps,
  orgId: string,
  id: string,
  cascade: boolean,
  now = Date.now(),
): Promise<{ finished: boolean; deletedConnections: number }> {
  // Without connections: this one statement, cascade or not.
  const [gone] = await integrationDelete(deps, orgId, id);
  if (gone) return { finished: true, deletedConnections: 0 };
  if (cascade) {
    const [marked] = await deps.db
      .update(integrations)
      .set({ deletingAt: sql`coalesce(${integrations.deletingAt}, ${now})` })
      .where(and(eq(integrations.id, id), eq(integrations.orgId, orgId)))
      .returning({ id: integrations.id });
    if (!marked) throw notFound('integration', id);
  } else {
    const row = await deps.db.query.integrations.findFirst({
      columns: { deletingAt: true },
      where: and(eq(integrations.id, id), eq(integrations.orgId, orgId)),
    });
    if (!row) throw notFound('integration', id);
    if (row.deletingAt === null) {
      const n = await deps.dependents.connectionsOfIntegration.count(deps.db, orgId, id);
      throw conflict(`This integration has ${n} connection(s). Delete them first, or repeat with ?cascade=true to delete them too.`);
    }
  }
  const { finished, deleted } = await deleteInChunks(deps, orgId, id, INLINE_CHUNKS);
  return { finished, deletedConnections: deleted };
}

/** The cron's part: continues the deletes that requests left unfinished, oldest first, within `maxChunks` chunks in all. */
export async function finishIntegrationDeletes(deps: DeleteDeps, maxChunks = CHUNKS_PER_RUN) {
  const pending = await deps.db
    .select({ id: integrations.id, orgId: integrations.orgId })
    .from(integrations)
    .where(isNotNull(integrations.deletingAt))
    .orderBy(asc(integrations.deletingAt), asc(integrations.id))
    .limit(maxChunks);
  let budget = maxChunks;
  const counts = { integrations: 0, connections: 0 };
  for (const row of pending) {
    if (budget <= 0) break;
    const result = await deleteInChunks(deps, row.orgId, row.id, budget);
    budget -= result.chunks;
    counts.connections += result.deleted;
    if (result.finished) counts.integrations++;
  }
  return counts;
}
