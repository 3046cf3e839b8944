import { and, count, eq } from 'drizzle-orm';
import type { IntegrationConnections } from '../integrations/service';
import { emitEvent } from '../webhooks/emit';
import { connectionEventData } from './render';
import { connections } from './schema';

/** The connections of an integration, as deleting the integration needs them (see IntegrationConnections). */
export const integrationConnections: IntegrationConnections = {
  async count(db, orgId, integrationId) {
    const [row] = await db
      .select({ n: count() })
      .from(connections)
      .where(and(eq(connections.integrationId, integrationId), eq(connections.orgId, orgId)));
    return row?.n ?? 0;
  },
  async deleteWith(deps, orgId, integrationId, deleteIntegration) {
    const [deleted] = await deps.db.batch([
      deps.db
        .delete(connections)
        .where(and(eq(connections.integrationId, integrationId), eq(connections.orgId, orgId)))
        .returning(),
      deleteIntegration,
    ]);
    for (const row of deleted) {
      await emitEvent(deps, orgId, 'connection.deleted', connectionEventData(row, { reason: 'integration_deleted' }));
    }
    return deleted.length;
  },
};
