import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { IntegrationConnections } from '../integrations/delete';
import { deletedEvent } from './deleted-event';
import { connections } from './schema';

/**
 * Connections per chunk of a cascade delete. D1 binds at most 100 parameters a statement: the
 * chunk's DELETE binds its ids and two more, and its batch holds one event insert per id.
 */
export const MAX_CHUNK_SIZE = 50;

/** The connections of an integration, as deleting the integration needs them (see IntegrationConnections). */
export function integrationConnections(chunkSize = MAX_CHUNK_SIZE): IntegrationConnections {
  const size = Math.min(Math.max(1, Math.floor(chunkSize)), MAX_CHUNK_SIZE);
  return {
    async count(db, orgId, integrationId) {
      const [row] = await db
        .select({ n: count() })
        .from(connections)
        .where(and(eq(connections.integrationId, integrationId), eq(connections.orgId, orgId)));
      return row?.n ?? 0;
    },
    noneLeft: (integrationId) => sql`not exists (select 1 from ${connections} where ${eq(connections.integrationId, integrationId)})`,
    async deleteChunk(deps, orgId, integrationId, deleteIntegration) {
      const rows = await deps.db
        .select()
        .from(connections)
        .where(and(eq(connections.integrationId, integrationId), eq(connections.orgId, orgId)))
        .orderBy(asc(connections.id))
        .limit(size);
      if (rows.length === 0) return { deleted: 0, integrationDeleted: (await deleteIntegration).length > 0 };
      // Each event goes in before the DELETE, while its row still exists (see deletedEvent). They are
      // not delivered from here: a chunk would send one webhook per connection from one request, so
      // the webhook job delivers them (they are recorded pending).
      const events = await Promise.all(rows.map((row) => deletedEvent(deps, row, { reason: 'integration_deleted' })));
      const ids = rows.map((row) => row.id);
      const [first, ...rest] = events.map((event) => event.statement);
      const [, ...results] = await deps.db.batch([
        first!,
        ...rest,
        deps.db
          .delete(connections)
          .where(and(inArray(connections.id, ids), eq(connections.integrationId, integrationId), eq(connections.orgId, orgId)))
          .returning({ id: connections.id }),
        deleteIntegration,
      ]);
      const [deleted, integrationRow] = results.slice(-2);
      return { deleted: deleted!.length, integrationDeleted: integrationRow!.length > 0 };
    },
  };
}
