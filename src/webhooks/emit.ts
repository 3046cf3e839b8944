import type { AppDeps } from '../deps';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { valuesWhere } from '../db/conditional-insert';
import { sha256Bytes } from '../lib/crypto';
import { newId } from '../lib/ids';
import { attemptDelivery, IN_FLIGHT_MS, loadEndpoints } from './delivery';
import { events, webhookEndpoints, type EventType } from './schema';
import { scrubCredentials } from './payload';
import { safeError } from '../lib/log';

type EventRow = typeof events.$inferSelect;
/**
 * The event's row: payload scrubbed of anything named like a credential (removed fields are
 * logged by name), and whether there is somewhere to send it decided in the insert itself.
 */
function eventValues(id: string, orgId: string, type: EventType, data: Record<string, unknown>, now: number) {
  const scrubbed = scrubCredentials(data);
  if (scrubbed.removed.length > 0) {
    console.warn(JSON.stringify({ level: 'warn', msg: 'credential-like fields removed from webhook payload', event_id: id, type, fields: scrubbed.removed }));
  }
  const hasEndpoint = sql`exists (select 1 from ${webhookEndpoints} where ${webhookEndpoints.orgId} = ${orgId} and ${webhookEndpoints.enabled} = 1)`;
  return {
    id,
    orgId,
    type,
    payload: { id, type, created_at: new Date(now).toISOString(), data: scrubbed.data },
    deliveryStatus: sql`case when ${hasEndpoint} then 'pending' else 'no_endpoint' end`,
    attempts: 0,
    // The first attempt runs now; the cron takes over only if it is lost (see IN_FLIGHT_MS).
    nextAttemptAt: sql`case when ${hasEndpoint} then ${now + IN_FLIGHT_MS} else null end`,
    createdAt: now,
  };
}

/** The first delivery attempt of a just-recorded event, after the response (waitUntil). */
function deliverInBackground(deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>, event: EventRow | undefined): void {
  if (event?.deliveryStatus !== 'pending') return;
  deps.waitUntil(
    (async () => {
      const endpoints = await loadEndpoints(deps, [event.orgId]);
      await attemptDelivery(deps.db, event, endpoints.get(event.orgId), Date.now());
    })().catch((err: unknown) => logEmitFailure('webhook delivery failed', event.id, err)),
  );
}

const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * An event id that is a function of what the event reports (e.g. one connection's move from one
 * version to the next), shaped like any other: a batch that is retried, or a second attempt at
 * the same change, can then insert that event at most once.
 */
export async function eventIdFor(change: string): Promise<string> {
  const digest = await sha256Bytes(`events/${change}`);
  let out = '';
  for (const b of digest.subarray(0, 24)) out += ID_ALPHABET[b & 31];
  return `evt_${out}`;
}

export interface OutboxEvent {
  id: string;
  /** The event's insert, for the batch that makes the change it reports. */
  statement: ReturnType<typeof insertEvent>;
  /** Call once the batch committed, with the statement's result: delivers the event if it was inserted. */
  deliver: (inserted: EventRow[]) => void;
}

const insertEvent = (db: Db, values: ReturnType<typeof eventValues>, when: SQL) =>
  db
    .insert(events)
    .select(valuesWhere(events, values, when))
    .onConflictDoNothing()
    .returning();

interface OutboxOptions {
  /** Derive the id from the change (see eventIdFor) so a retried batch cannot insert it twice. */
  change?: string;
  /**
   * Inserted only where this holds when the statement runs, e.g. that the batch's conditional
   * UPDATE landed: a change that did not happen is never reported.
   */
  when?: SQL;
  now?: number;
}

/**
 * An event written in the same `db.batch` as the change it reports (an outbox row), delivered
 * after the batch committed. It throws with the batch: the change and its event land together
 * or not at all.
 */
export async function outboxEvent(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>,
  orgId: string,
  type: EventType,
  data: Record<string, unknown>,
  options: OutboxOptions = {},
): Promise<OutboxEvent> {
  const id = options.change === undefined ? newId('evt') : await eventIdFor(options.change);
  const values = eventValues(id, orgId, type, data, options.now ?? Date.now());
  const statement = insertEvent(deps.db, values, options.when ?? sql`1`);
  return { id, statement, deliver: (inserted) => deliverInBackground(deps, inserted[0]) };
}

function logEmitFailure(msg: string, eventId: string, err: unknown): void {
  console.error(JSON.stringify({ level: 'error', msg, event_id: eventId, ...safeError(err) }));
}
