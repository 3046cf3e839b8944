import type { AppDeps } from '../deps';
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { newId } from '../lib/ids';
import { pageWindow, toPage, type Page } from '../lib/pagination';
import { iso } from '../lib/shapes';
import type { NotificationKind } from './kinds';
import { notifications } from './schema';
import type { ListNotificationsQuery, NotificationObject } from './shapes';
import { renderTemplate } from './placeholders';
import { templateFor, type TemplateRule } from './template-rules';
import type { Transport } from './transport';
import { safeError } from '../lib/log';

export type NotificationRow = typeof notifications.$inferSelect;

/** Attempts per notification, the first one included; later ones come from the retry pass. */
export const MAX_ATTEMPTS = 5;
/** A pending notification this old lost its first attempt (the isolate went away); retry it. */
export const LOST_AFTER_MS = 10 * 60_000;

export interface Composition {
  orgId: string;
  kind: NotificationKind;
  rule: TemplateRule;
  /** Who the `owner` rule reaches: the primary email of the owner (or of each owner, when the subject has none of its own). */
  ownerEmails: readonly string[];
  values: Record<string, string>;
  /** Whether a transport is configured: pending (to send) or stored (to read here). */
  deliverable: boolean;
}

/**
 * The notification as it will be stored, rendered now so the outbox shows what was sent; or
 * null when the rule is `off`. Without a recipient or a transport it is kept as `stored`.
 */
export function composeNotification(input: Composition, now = Date.now()): NotificationRow | null {
  const { rule } = input;
  if (rule.recipientRule === 'off') return null;
  const recipients = rule.recipientRule === 'fixed' ? rule.fixedAddresses : [...new Set(input.ownerEmails)];
  const { locale, template } = templateFor(rule);
  const sendable = input.deliverable && recipients.length > 0;
  return {
    id: newId('ntf'),
    orgId: input.orgId,
    kind: input.kind,
    recipients,
    locale,
    subject: renderTemplate(template.subject, input.values, true),
    body: renderTemplate(template.body, input.values),
    status: sendable ? 'pending' : 'stored',
    attempts: 0,
    lastError:
      recipients.length === 0 ? 'No recipient: the rule is owner, and neither the application nor its organization has an owner who is a member.' : null,
    createdAt: now,
    sentAt: null,
  };
}

/** Starts delivery of a freshly stored notification after the response; the retry pass covers a lost one. */
export function deliverLater(deps: Pick<AppDeps, 'db' | 'transport' | 'waitUntil'>, row: NotificationRow | null): void {
  if (row?.status !== 'pending' || !deps.transport) return;
  const transport = deps.transport;
  deps.waitUntil(
    attemptDelivery(deps.db, transport, row).catch((err: unknown) =>
      console.error(JSON.stringify({ level: 'error', msg: 'notification delivery failed', notification_id: row.id, ...safeError(err) })),
    ),
  );
}

/**
 * One attempt. The attempt is claimed by a conditional UPDATE on the attempt count, so the
 * first attempt and a retry pass running at the same time cannot both send it.
 */
export async function attemptDelivery(db: Db, transport: Transport, row: NotificationRow, now = Date.now()): Promise<NotificationRow['status'] | null> {
  const [claimed] = await db
    .update(notifications)
    .set({ attempts: sql`${notifications.attempts} + 1`, status: 'pending' })
    .where(and(eq(notifications.id, row.id), eq(notifications.attempts, row.attempts), inArray(notifications.status, ['pending', 'failed'])))
    .returning({ attempts: notifications.attempts });
  if (!claimed) return null;
  const result = await transport.send({ id: row.id, kind: row.kind, to: row.recipients, subject: row.subject, body: row.body });
  const status = result.ok ? ('sent' as const) : ('failed' as const);
  await db
    .update(notifications)
    .set({ status, lastError: result.ok ? null : result.error, sentAt: result.ok ? now : null })
    .where(and(eq(notifications.id, row.id), eq(notifications.attempts, claimed.attempts)));
  return status;
}

/** For the cron: failed notifications with attempts left, and pending ones whose attempt was lost. */
export async function retryDueNotifications(deps: { db: Db; transport: Transport | null }, now: number, limit: number) {
  if (!deps.transport) return { retried: 0, sent: 0 };
  const due = await deps.db
    .select()
    .from(notifications)
    .where(
      and(
        lt(notifications.attempts, MAX_ATTEMPTS),
        or(eq(notifications.status, 'failed'), and(eq(notifications.status, 'pending'), lt(notifications.createdAt, now - LOST_AFTER_MS))),
      ),
    )
    .orderBy(notifications.createdAt)
    .limit(limit);
  let sent = 0;
  for (const row of due) {
    if ((await attemptDelivery(deps.db, deps.transport, row, now)) === 'sent') sent++;
  }
  return { retried: due.length, sent };
}

export function renderNotification(row: NotificationRow): NotificationObject {
  return {
    id: row.id,
    kind: row.kind,
    recipients: row.recipients,
    locale: row.locale,
    subject: row.subject,
    body: row.body,
    status: row.status,
    attempts: row.attempts,
    last_error: row.lastError,
    created_at: iso(row.createdAt)!,
    sent_at: iso(row.sentAt),
  };
}

export async function listNotifications(db: Db, orgId: string, query: ListNotificationsQuery): Promise<Page<NotificationObject>> {
  const { after, orderBy } = pageWindow(notifications, query.cursor);
  const rows = await db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.orgId, orgId),
        query.kind ? eq(notifications.kind, query.kind) : undefined,
        query.status ? eq(notifications.status, query.status) : undefined,
        after,
      ),
    )
    .orderBy(...orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, renderNotification);
}
