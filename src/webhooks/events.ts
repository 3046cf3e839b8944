import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { notFound } from '../lib/errors';
import { pageWindow, toPage } from '../lib/pagination';
import { iso } from '../lib/shapes';
import { events } from './schema';
import type { EventObject, ListEventsQuery } from './shapes';

type EventRow = typeof events.$inferSelect;

export function renderEvent(row: EventRow): EventObject {
  return {
    id: row.id,
    type: row.type,
    created_at: iso(row.createdAt)!,
    payload: row.payload as EventObject['payload'],
    delivery_status: row.deliveryStatus,
    attempts: row.attempts,
    last_attempt_at: iso(row.lastAttemptAt),
    last_response_status: row.lastResponseStatus,
    last_error: row.lastError,
    next_attempt_at: row.deliveryStatus === 'pending' ? iso(row.nextAttemptAt) : null,
  };
}

export async function listEvents(db: Db, orgId: string, query: ListEventsQuery) {
  const { after, orderBy } = pageWindow(events, query.cursor);
  const rows = await db
    .select()
    .from(events)
    .where(
      and(
        eq(events.orgId, orgId),
        query.type ? eq(events.type, query.type) : undefined,
        query.delivery_status ? eq(events.deliveryStatus, query.delivery_status) : undefined,
        after,
      ),
    )
    .orderBy(...orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, renderEvent);
}

export async function findEvent(db: Db, orgId: string, id: string): Promise<EventObject> {
  const row = await db.query.events.findFirst({ where: and(eq(events.id, id), eq(events.orgId, orgId)) });
  if (!row) throw notFound('event', id);
  return renderEvent(row);
}
