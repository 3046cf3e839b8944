import { expect } from 'vitest';
import { call } from '../helpers/api';
import { deletedEventsOf, storedIntegration, type Tenant } from './fixtures';

/** CASCADE_CHUNK_SIZE in vitest.config.ts. */
export const CHUNK = 2;

/**
 * What must hold after any failure of a cascade delete: each connection is there with no
 * `connection.deleted` event, or gone with exactly one; chunks went whole (the deleted ones are
 * the first chunks in id order); and once the delete started, the integration is gone for readers.
 */
export async function expectConsistent(t: Tenant, integrationId: string, connectionIds: string[], where: string) {
  const stored = await storedIntegration(integrationId);
  const events = await deletedEventsOf(connectionIds);
  for (const id of connectionIds) expect(events[id], `${where}: events of ${id}`).toBe(stored.connections.includes(id) ? 0 : 1);
  const sorted = [...connectionIds].sort();
  const gone = sorted.filter((id) => !stored.connections.includes(id));
  expect(gone, `${where}: whole chunks, in order`).toEqual(sorted.slice(0, gone.length));
  expect(gone.length % CHUNK === 0 || gone.length === sorted.length, `${where}: a half-deleted chunk`).toBe(true);
  const read = await call(`/api/v1/integrations/${integrationId}`, { token: t.apiKey });
  if (!stored.exists) expect(stored.connections, where).toEqual([]);
  if (!stored.exists || stored.deleting) expect(read.status, `${where}: visible after the delete started`).toBe(404);
  else {
    expect(read.status, where).toBe(200);
    expect(stored.connections, `${where}: deleted before the delete started`).toHaveLength(connectionIds.length);
  }
  return stored;
}

/** The end every case must reach: no integration, no connection, one event per connection. */
export async function expectFinished(integrationId: string, connectionIds: string[], where: string) {
  expect(await storedIntegration(integrationId), where).toEqual({ exists: false, deleting: false, connections: [] });
  expect(await deletedEventsOf(connectionIds), where).toEqual(Object.fromEntries(connectionIds.map((id) => [id, 1])));
}
