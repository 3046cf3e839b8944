import type { AppDeps } from '../deps';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { ApiError, conflict, notFound } from '../lib/errors';
import { pageWindow, toPage, type Page } from '../lib/pagination';
import { assertWritable, type Access } from './access';
import { loadNotificationContext, notificationInBatch } from './notify';
import { organizations } from '../organizations/schema';
import { users } from '../users/schema';
import { applications } from './schema';
import { findApplication, renderApplication, type ApplicationRow } from './service';
import type { AdminListApplicationsQuery, ApplicationObject, PublishDecisionBody } from './shapes';

/**
 * Asks the operator to make the application public. A private app may skip terms and privacy
 * pages; a public one is shown to strangers, so it needs both.
 */
export async function requestPublish(db: Db, access: Access, id: string, now = Date.now()): Promise<ApplicationObject> {
  const row = await findApplication(db, access, id);
  assertWritable(access, row.orgId, 'application', id);
  if (row.publishState === 'pending' || row.publishState === 'approved') {
    throw conflict(`This application's publish request is already ${row.publishState}.`);
  }
  const missing = [row.termsUrl === null ? 'terms_url' : null, row.privacyUrl === null ? 'privacy_url' : null].filter((f) => f !== null);
  if (missing.length > 0) {
    throw new ApiError(422, 'application_incomplete', `A public application needs ${missing.join(' and ')}; set them with PATCH first.`);
  }
  // Conditional on the state read above, so two requests at once cannot both go through.
  const [updated] = await db
    .update(applications)
    .set({ publishState: 'pending', updatedAt: now })
    .where(and(eq(applications.id, id), eq(applications.orgId, row.orgId), inArray(applications.publishState, ['none', 'rejected'])))
    .returning();
  if (!updated) throw conflict("This application's publish request is already pending or approved.");
  return renderApplication(updated);
}

/** Operator: applications across organizations, by publish state. */
export async function listApplicationsForReview(db: Db, query: AdminListApplicationsQuery): Promise<Page<ApplicationObject>> {
  const { after, orderBy } = pageWindow(applications, query.cursor);
  const rows = await db
    .select()
    .from(applications)
    .where(and(query.publish ? eq(applications.publishState, query.publish) : undefined, after))
    .orderBy(...orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, renderApplication);
}

/** A publish request as the operator reviews it: the application, its organization's name and its owner. */
export interface ReviewItem {
  app: ApplicationObject;
  orgName: string;
  /** Null for an application made with an API key, or whose owner is gone. */
  owner: { email: string; name: string | null } | null;
}

/**
 * Operator: what waits for review (oldest first: the one waiting longest is reviewed first) and
 * the latest decisions, each with its organization and owner, in one round trip.
 */
export async function reviewQueue(db: Db, limits: { pending: number; decided: number }): Promise<{ pending: ReviewItem[]; decided: ReviewItem[] }> {
  const withNames = () =>
    db
      // Aliased: D1 hands a batch's rows back keyed by column name, and `name` is in all three tables.
      .select({
        app: applications,
        orgName: sql<string>`${organizations.name}`.as('review_org_name'),
        ownerEmail: sql<string | null>`${users.email}`.as('review_owner_email'),
        ownerName: sql<string | null>`${users.name}`.as('review_owner_name'),
      })
      .from(applications)
      .innerJoin(organizations, eq(organizations.id, applications.orgId))
      .leftJoin(users, eq(users.id, applications.ownerUserId));
  const [pending, decided] = await db.batch([
    withNames().where(eq(applications.publishState, 'pending')).orderBy(asc(applications.updatedAt), asc(applications.id)).limit(limits.pending),
    withNames()
      .where(inArray(applications.publishState, ['approved', 'rejected']))
      .orderBy(desc(applications.updatedAt), desc(applications.id))
      .limit(limits.decided),
  ]);
  const item = (r: (typeof pending)[number]): ReviewItem => ({
    app: renderApplication(r.app),
    orgName: r.orgName,
    owner: r.ownerEmail === null ? null : { email: r.ownerEmail, name: r.ownerName },
  });
  return { pending: pending.map(item), decided: decided.map(item) };
}

/**
 * Operator: approves (the application becomes public) or rejects (it stays private, and needs a
 * reason) a pending request, and tells the owner, with the reason, through the `application.publish_reviewed`
 * notification.
 */
export async function decidePublish(
  deps: Pick<AppDeps, 'db' | 'transport' | 'waitUntil'>,
  id: string,
  body: PublishDecisionBody,
  now = Date.now(),
): Promise<ApplicationObject> {
  const approve = body.decision === 'approve';
  // The owner is told why: a rejection without a reason leaves them guessing what to fix.
  if (!approve && body.reason === undefined) {
    throw new ApiError(400, 'validation_failed', 'A rejection needs a reason.', [
      { location: 'body', field: 'reason', message: 'is required to reject: the owner is told why' },
    ]);
  }
  const current = await deps.db.query.applications.findFirst({ where: eq(applications.id, id) });
  if (!current) throw notFound('application', id);
  if (current.publishState !== 'pending') throw noPendingRequest(current.publishState);
  const decided: ApplicationRow = { ...current, publishState: approve ? 'approved' : 'rejected', visibility: approve ? 'public' : 'private', updatedAt: now };
  const update = deps.db
    .update(applications)
    .set({ publishState: decided.publishState, visibility: decided.visibility, updatedAt: now })
    .where(and(eq(applications.id, id), eq(applications.publishState, 'pending')))
    .returning();
  // The owner is told in the decision's own batch, so a decision is never left untold.
  const ctx = await loadNotificationContext(deps.db, current.orgId, current.ownerUserId, 'application.publish_reviewed');
  const extra = { decision: decided.publishState, reason: body.reason ?? 'No reason was given.' };
  const landed = sql`exists (select 1 from ${applications} where ${and(eq(applications.id, id), eq(applications.publishState, decided.publishState), eq(applications.updatedAt, now))})`;
  const notification = notificationInBatch(deps, ctx, decided, 'application.publish_reviewed', extra, landed, now);
  const [updatedRows, inserted] = notification ? await deps.db.batch([update, notification.statement]) : [await update, []];
  const [updated] = updatedRows;
  if (!updated) throw conflict('Another operator decided this publish request a moment ago.');
  notification?.deliver(inserted);
  return renderApplication(updated);
}

const noPendingRequest = (state: string) => conflict(`This application has no pending publish request (its state is ${state}).`);
