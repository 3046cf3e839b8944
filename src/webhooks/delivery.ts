import type { AppDeps } from '../deps';
import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { Db } from '../db/client';
import { CryptoError } from '../lib/crypto';
import { fetchOutbound } from '../lib/http';
import { checkOutboundUrl, LOCAL_DEVELOPMENT_POLICY } from '../lib/outbound-url';
import { decryptWebhookSecret } from './endpoint';
import { events, webhookEndpoints } from './schema';
import { deliveryHeaders } from './signature';

type EventRow = typeof events.$inferSelect;

export const DELIVERY_TIMEOUT_MS = 5_000;
/** Attempts in all, the first included; after the last failure the event is `failed`. */
export const MAX_ATTEMPTS = 8;
const BASE_DELAY_MS = 60_000;
const MAX_DELAY_MS = 6 * 60 * 60_000;
/**
 * While an attempt is in flight its event is pushed this far into the future, so the cron (or a
 * second cron run) cannot pick it up and send it twice; if the isolate dies mid-attempt, the
 * cron retries once this has passed.
 */
export const IN_FLIGHT_MS = 60_000;
const RETRY_CONCURRENCY = 10;

/** Wait before the next attempt after `failedAttempts` failures: 1, 2, 4 … minutes, at most 6 h. */
export function retryDelay(failedAttempts: number): number {
  return Math.min(BASE_DELAY_MS * 2 ** Math.max(0, failedAttempts - 1), MAX_DELAY_MS);
}

export type AttemptOutcome = 'delivered' | 'retrying' | 'failed' | 'superseded';

interface Endpoint {
  url: string;
  secret: string;
}

/** An organization's endpoint ready to send to, or why its events cannot be sent. */
export type EndpointLookup = Endpoint | { unusable: string };

const NO_ENDPOINT = 'The webhook endpoint was disabled or removed before delivery.';
const UNREADABLE_SECRET = 'The signing secret could not be decrypted; rotate it with POST /api/v1/webhook/rotate_secret.';

type Reply = { status: number | null; error: string | null };

/** What the endpoint did, in words safe to store: a status, never its body or our secret. */
async function send(endpoint: Endpoint, event: EventRow): Promise<Reply & { ok: boolean }> {
  const body = JSON.stringify(event.payload);
  // The signed timestamp is the wall clock: receivers compare it with theirs to refuse replays.
  const headers = await deliveryHeaders(endpoint.secret, event.id, event.type, body, Date.now());
  const result = await fetchOutbound(endpoint.url, { method: 'POST', headers, body }, DELIVERY_TIMEOUT_MS);
  if (!result.ok) {
    const error =
      result.failure.kind === 'timeout'
        ? `The endpoint did not answer within ${DELIVERY_TIMEOUT_MS / 1000} s.`
        : // A network error may quote the URL, whose query can hold the receiver's own token.
          `The endpoint could not be reached (${result.failure.reason.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S*/gi, '[url]')}).`;
    return { ok: false, status: null, error };
  }
  if (result.status >= 200 && result.status < 300) return { ok: true, status: result.status, error: null };
  const redirect = result.status >= 300 && result.status < 400 ? '; redirects are not followed' : '';
  return { ok: false, status: result.status, error: `The endpoint answered HTTP ${result.status}${redirect}.` };
}

/**
 * Records one attempt's result. Conditional on the attempt count it started from, so an
 * attempt that somehow ran twice is counted once.
 */
async function record(db: Db, event: EventRow, reply: Reply & { ok: boolean }, now: number): Promise<AttemptOutcome> {
  const attempts = event.attempts + 1;
  const outcome: AttemptOutcome = reply.ok ? 'delivered' : attempts >= MAX_ATTEMPTS ? 'failed' : 'retrying';
  const [row] = await db
    .update(events)
    .set({
      deliveryStatus: outcome === 'retrying' ? 'pending' : outcome,
      attempts,
      lastAttemptAt: now,
      lastResponseStatus: reply.status,
      lastError: reply.error,
      nextAttemptAt: outcome === 'retrying' ? now + retryDelay(attempts) : null,
    })
    .where(and(eq(events.id, event.id), eq(events.attempts, event.attempts), eq(events.deliveryStatus, 'pending')))
    .returning({ id: events.id });
  return row ? outcome : 'superseded';
}

/** Stops retrying an event that cannot be sent, saying why. */
async function abandon(db: Db, event: EventRow, reason: string, now: number): Promise<AttemptOutcome> {
  await db
    .update(events)
    .set({ deliveryStatus: 'failed', lastAttemptAt: now, nextAttemptAt: null, lastError: reason })
    .where(and(eq(events.id, event.id), eq(events.attempts, event.attempts), eq(events.deliveryStatus, 'pending')));
  return 'failed';
}

/** One delivery attempt of a pending event the caller has claimed. */
export async function attemptDelivery(db: Db, event: EventRow, endpoint: EndpointLookup | undefined, now = Date.now()): Promise<AttemptOutcome> {
  if (endpoint === undefined) return abandon(db, event, NO_ENDPOINT, now);
  if ('unusable' in endpoint) return abandon(db, event, endpoint.unusable, now);
  return record(db, event, await send(endpoint, event), now);
}

/**
 * The enabled endpoints of these organizations, secrets decrypted, in one query. A secret that
 * does not decrypt (its key was dropped from the keyring) spoils only its own organization's events.
 */
export async function loadEndpoints(deps: Pick<AppDeps, 'db' | 'keyring'>, orgIds: string[]): Promise<Map<string, EndpointLookup>> {
  const unique = [...new Set(orgIds)];
  if (unique.length === 0) return new Map();
  const rows = await deps.db
    .select()
    .from(webhookEndpoints)
    .where(and(inArray(webhookEndpoints.orgId, unique), eq(webhookEndpoints.enabled, true)));
  const entries = await Promise.all(
    rows.map(async (row): Promise<[string, EndpointLookup]> => {
      // A URL stored before the outbound policy existed; without PUBLIC_URL here, only the
      // part every deployment refuses is checked (PUT checks the whole policy).
      const checked = checkOutboundUrl(row.url, LOCAL_DEVELOPMENT_POLICY);
      if (!checked.ok) return [row.orgId, { unusable: `The webhook URL ${checked.message}; change it with PUT /api/v1/webhook.` }];
      try {
        return [row.orgId, { url: row.url, secret: await decryptWebhookSecret(deps.keyring, row) }];
      } catch (err) {
        if (!(err instanceof CryptoError)) throw err;
        console.error(JSON.stringify({ level: 'error', msg: 'webhook secret does not decrypt', org_id: row.orgId, error: err.code }));
        return [row.orgId, { unusable: UNREADABLE_SECRET }];
      }
    }),
  );
  return new Map(entries);
}

/**
 * Takes a due event for one attempt: pushing `next_attempt_at` out only if it is still the
 * value we read means exactly one of several overlapping cron runs sends it.
 */
async function claim(db: Db, event: EventRow, now: number): Promise<EventRow | undefined> {
  const [claimed] = await db
    .update(events)
    .set({ nextAttemptAt: now + IN_FLIGHT_MS })
    .where(
      and(eq(events.id, event.id), eq(events.deliveryStatus, 'pending'), eq(events.attempts, event.attempts), eq(events.nextAttemptAt, event.nextAttemptAt!)),
    )
    .returning();
  return claimed;
}

export interface RetryCounts {
  due: number;
  delivered: number;
  retrying: number;
  failed: number;
  skipped: number;
}

/** The cron's retry pass: at most `limit` events whose next attempt is due, oldest due first. */
export async function retryDueDeliveries(deps: Pick<AppDeps, 'db' | 'keyring'>, now: number, limit: number): Promise<RetryCounts> {
  const due = await deps.db
    .select()
    .from(events)
    .where(and(eq(events.deliveryStatus, 'pending'), lte(events.nextAttemptAt, now)))
    .orderBy(asc(events.nextAttemptAt))
    .limit(limit);
  const counts: RetryCounts = { due: due.length, delivered: 0, retrying: 0, failed: 0, skipped: 0 };
  if (due.length === 0) return counts;
  const endpoints = await loadEndpoints(
    deps,
    due.map((e) => e.orgId),
  );
  for (let i = 0; i < due.length; i += RETRY_CONCURRENCY) {
    const outcomes = await Promise.all(
      due.slice(i, i + RETRY_CONCURRENCY).map(async (event): Promise<AttemptOutcome> => {
        const claimed = await claim(deps.db, event, now);
        if (!claimed) return 'superseded';
        return attemptDelivery(deps.db, claimed, endpoints.get(event.orgId), now);
      }),
    );
    for (const outcome of outcomes) {
      if (outcome === 'superseded') counts.skipped++;
      else counts[outcome]++;
    }
  }
  return counts;
}
