import { and, eq, inArray, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { organizations } from '../organizations/schema';
import { events } from './schema';

/** How long `GET /events` can show an event and its delivery. */
export const EVENT_RETENTION_MS = 30 * 24 * 60 * 60_000;

/** For the scheduled purge: deletes at most `limit` events past retention. */
export async function purgeOldEvents(db: Db, now: number, limit: number): Promise<number> {
  // events has no index on created_at alone. Walking organizations lets each one's range use
  // (org_id, created_at), so a run reads what it deletes instead of every event; SQLite
  // keeps the written order of a CROSS JOIN, where it would pick a full scan for a plain join.
  const expired = db
    .select({ id: events.id })
    .from(organizations)
    .crossJoin(events)
    .where(and(eq(events.orgId, organizations.id), lt(events.createdAt, now - EVENT_RETENTION_MS)))
    .limit(limit);
  const deleted = await db.delete(events).where(inArray(events.id, expired)).returning({ id: events.id });
  return deleted.length;
}
