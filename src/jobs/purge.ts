import { and, eq, inArray, lt } from 'drizzle-orm';
import { usedStates } from '../connect/schema';
import type { Db } from '../db/client';
import { organizations } from '../organizations/schema';
import { events } from '../webhooks/schema';

const DAY_MS = 24 * 60 * 60_000;
/** A state lives 600 s in KV; its used-state row only has to outlive that. */
export const USED_STATE_RETENTION_MS = DAY_MS;
export const EVENT_RETENTION_MS = 30 * DAY_MS;

export interface PurgeCounts {
  used_states: number;
  events: number;
}

/**
 * Deletes at most `limit` rows of each kind past retention. D1's SQLite has no
 * DELETE … LIMIT, so the bound is a subquery that an index answers.
 */
export async function purgeExpiredRows(db: Db, now: number, limit: number): Promise<PurgeCounts> {
  const [states, oldEvents] = await db.batch([
    db
      .delete(usedStates)
      .where(
        inArray(
          usedStates.stateHash,
          db.select({ key: usedStates.stateHash }).from(usedStates).where(lt(usedStates.createdAt, now - USED_STATE_RETENTION_MS)).orderBy(usedStates.createdAt).limit(limit),
        ),
      )
      .returning({ key: usedStates.stateHash }),
    db
      .delete(events)
      .where(
        inArray(
          events.id,
          // events has no index on created_at alone. Walking organizations lets each one's range use
          // (org_id, created_at), so a run reads what it deletes instead of every event; SQLite
          // keeps the written order of a CROSS JOIN, where it would pick a full scan for a plain join.
          db
            .select({ id: events.id })
            .from(organizations)
            .crossJoin(events)
            .where(and(eq(events.orgId, organizations.id), lt(events.createdAt, now - EVENT_RETENTION_MS)))
            .limit(limit),
        ),
      )
      .returning({ id: events.id }),
  ]);
  return { used_states: states.length, events: oldEvents.length };
}
