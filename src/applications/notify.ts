import { and, asc, eq, type SQL } from 'drizzle-orm';
import type { AppDeps } from '../deps';
import type { Db } from '../db/client';
import { valuesWhere } from '../db/conditional-insert';
import type { NotificationKind } from '../notifications/kinds';
import { composeNotification, deliverLater, type NotificationRow } from '../notifications/outbox';
import { notifications } from '../notifications/schema';
import { ruleFrom, templateRuleQuery, type TemplateRule } from '../notifications/template-rules';
import { organizations } from '../organizations/schema';
import { memberships, users } from '../users/schema';
import type { applications } from './schema';

type ApplicationRow = typeof applications.$inferSelect;

export interface Owner {
  id: string;
  email: string;
  name: string | null;
}

/** What a notification about an application needs, read in one round trip. */
export interface NotificationContext {
  orgName: string | null;
  /** The owner, only while they are still a member of the application's organization. */
  owner: Owner | null;
  /** The organization's owners: who hears about an application that has no owner (one made with an API key). */
  orgOwners: Owner[];
  rule: TemplateRule;
}

/** Enough owners to reach someone; an organization with more has chosen fixed recipients by then. */
const MAX_ORG_OWNER_RECIPIENTS = 10;

/** The user, if they are a member of the organization. */
export function memberQuery(db: Db, orgId: string, userId: string | null) {
  return db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, orgId)))
    .where(eq(users.id, userId ?? ''))
    .limit(1);
}

export async function loadNotificationContext(db: Db, orgId: string, ownerUserId: string | null, kind: NotificationKind): Promise<NotificationContext> {
  const [orgRows, ownerRows, orgOwnerRows, ruleRows] = await db.batch([
    db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, orgId)),
    memberQuery(db, orgId, ownerUserId),
    db
      .select({ id: users.id, email: users.email, name: users.name })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'owner')))
      .orderBy(asc(memberships.createdAt), asc(users.id))
      .limit(MAX_ORG_OWNER_RECIPIENTS),
    templateRuleQuery(db, orgId, kind),
  ]);
  return { orgName: orgRows[0]?.name ?? null, owner: ownerRows[0] ?? null, orgOwners: orgOwnerRows, rule: ruleFrom(kind, ruleRows[0]) };
}

/** Who the `owner` rule reaches: the application's owner, else the organization's owners. */
function ownersOf(ctx: NotificationContext): Owner[] {
  return ctx.owner ? [ctx.owner] : ctx.orgOwners;
}

/**
 * The notification about an application, rendered from what is safe to show: its name and
 * client id, the organization and the owner. The client secret is not among the values.
 */
export function composeApplicationNotification(
  ctx: NotificationContext,
  app: Pick<ApplicationRow, 'orgId' | 'name' | 'clientId'>,
  kind: NotificationKind,
  deliverable: boolean,
  extra: Record<string, string> = {},
  now = Date.now(),
): NotificationRow | null {
  const values = {
    app_name: app.name,
    client_id: app.clientId,
    organization: ctx.orgName ?? '',
    owner:
      ownersOf(ctx)
        .map((o) => o.name || o.email)
        .join(', ') || '(no owner)',
    ...extra,
  };
  const ownerEmails = ownersOf(ctx).map((o) => o.email);
  return composeNotification({ orgId: app.orgId, kind, rule: ctx.rule, ownerEmails, values, deliverable }, now);
}

/** A notification's insert for the batch of the change it reports, and how to deliver it once committed. */
export interface NotificationInBatch {
  statement: ReturnType<typeof insertNotification>;
  /** Call with the statement's result once the batch committed: delivers it if it was inserted. */
  deliver: (inserted: NotificationRow[]) => void;
}

const insertNotification = (db: Db, row: NotificationRow, landed: SQL) =>
  db
    .insert(notifications)
    .select(valuesWhere(notifications, row, landed))
    .onConflictDoNothing()
    .returning();

/**
 * The notification of a change to `app` (the row as the change leaves it), written in the
 * change's own batch and only where `landed` holds when it runs: the change and its
 * notification are stored together or not at all. Null when the rule sends none.
 */
export function notificationInBatch(
  deps: Pick<AppDeps, 'db' | 'transport' | 'waitUntil'>,
  ctx: NotificationContext,
  app: ApplicationRow,
  kind: NotificationKind,
  extra: Record<string, string>,
  landed: SQL,
  now = Date.now(),
): NotificationInBatch | null {
  const row = composeApplicationNotification(ctx, app, kind, deps.transport !== null, extra, now);
  if (!row) return null;
  return { statement: insertNotification(deps.db, row, landed), deliver: (inserted) => deliverLater(deps, inserted[0] ?? null) };
}
