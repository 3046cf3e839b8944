import type { AppDeps } from '../deps';
import { sql } from 'drizzle-orm';
import { newId } from '../lib/ids';
import { attemptDelivery, IN_FLIGHT_MS, loadEndpoints } from './delivery';
import { events, webhookEndpoints, type EventType } from './schema';
import { scrubCredentials } from './payload';

/**
 * Records an event for the organization and delivers it to its webhook endpoint in the
 * background. Payloads describe what happened and never carry credentials: keys named like
 * one are removed (and logged by name) before anything is stored or sent.
 *
 * Never throws: the change the event reports has already happened, so a failure to record it
 * is logged rather than turned into an error for the caller's request.
 */
export async function emitEvent(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>,
  orgId: string,
  type: EventType,
  data: Record<string, unknown>,
  now = Date.now(),
): Promise<void> {
  const id = newId('evt');
  const scrubbed = scrubCredentials(data);
  if (scrubbed.removed.length > 0) {
    console.warn(JSON.stringify({ level: 'warn', msg: 'credential-like fields removed from webhook payload', event_id: id, type, fields: scrubbed.removed }));
  }
  const payload = { id, type, created_at: new Date(now).toISOString(), data: scrubbed.data };
  // Whether there is somewhere to send it is decided in the same statement as the insert.
  const hasEndpoint = sql`exists (select 1 from ${webhookEndpoints} where ${webhookEndpoints.orgId} = ${orgId} and ${webhookEndpoints.enabled} = 1)`;
  try {
    const [event] = await deps.db
      .insert(events)
      .values({
        id,
        orgId,
        type,
        payload,
        deliveryStatus: sql`case when ${hasEndpoint} then 'pending' else 'no_endpoint' end`,
        attempts: 0,
        // The first attempt runs now; the cron takes over only if it is lost (see IN_FLIGHT_MS).
        nextAttemptAt: sql`case when ${hasEndpoint} then ${now + IN_FLIGHT_MS} else null end`,
        createdAt: now,
      })
      .returning();
    if (event?.deliveryStatus !== 'pending') return;
    deps.waitUntil(
      (async () => {
        const endpoints = await loadEndpoints(deps, [orgId]);
        await attemptDelivery(deps.db, event, endpoints.get(orgId), Date.now());
      })().catch((err: unknown) => logEmitFailure('webhook delivery failed', id, err)),
    );
  } catch (err) {
    logEmitFailure('recording an event failed', id, err);
  }
}

function logEmitFailure(msg: string, eventId: string, err: unknown): void {
  console.error(JSON.stringify({ level: 'error', msg, event_id: eventId, error: err instanceof Error ? err.name : typeof err }));
}
