import type { AppDeps } from '../deps';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { conflict, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { pageWindow, toPage, type Page } from '../lib/pagination';
import { nameContains } from '../lib/search';
import { iso } from '../lib/shapes';
import { validationError } from '../lib/validate';
import { notifications } from '../notifications/schema';
import { deliverLater } from '../notifications/outbox';
import { assertWritable, type Access } from './access';
import { composeApplicationNotification, loadNotificationContext, memberQuery, notificationInBatch } from './notify';
import { applications } from './schema';
import { DEFAULT_GRANT_TYPES, grantTypeProblems } from './grant-types';
import { DEFAULT_APPLICATION_SCOPES } from './scopes';
import { issueClientSecret, newClientId } from './secret';
import type { ApplicationObject, CreateApplicationBody, ListApplicationsQuery, UpdateApplicationBody } from './shapes';

export { verifyClientSecret } from './secret';

export type ApplicationRow = typeof applications.$inferSelect;

export function renderApplication(row: ApplicationRow): ApplicationObject {
  return {
    id: row.id,
    organization_id: row.orgId,
    owner_user_id: row.ownerUserId,
    name: row.name,
    description: row.description,
    redirect_uris: row.redirectUris,
    terms_url: row.termsUrl,
    privacy_url: row.privacyUrl,
    active: row.active,
    visibility: row.visibility,
    publish_state: row.publishState,
    scopes: row.scopes,
    grant_types: row.grantTypes,
    listed: row.listed,
    client_id: row.clientId,
    created_at: iso(row.createdAt)!,
    updated_at: iso(row.updatedAt)!,
  };
}

const listInWords = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

const notAMember = (field: string) => validationError([{ location: 'body', field, message: 'is not a member of the organization' }]);

/** The owner of a new application: the signed-in user, or for an API key an optional member named in the body. */
function ownerFor(access: Access, body: CreateApplicationBody): string | null {
  if (access.userId === null) return body.owner_user_id ?? null;
  if (body.owner_user_id !== undefined && body.owner_user_id !== access.userId) {
    throw validationError([{ location: 'body', field: 'owner_user_id', message: 'is the signed-in user; leave it out' }]);
  }
  return access.userId;
}

/**
 * Creates the application and, in the same batch, its `application.created` notification to
 * the owner; delivery runs after the response. The client secret exists only in the result.
 */
export async function createApplication(deps: Pick<AppDeps, 'db' | 'transport' | 'waitUntil'>, access: Access, body: CreateApplicationBody, now = Date.now()) {
  const orgId = body.organization_id ?? access.defaultOrgId;
  assertWritable(access, orgId, 'organization', orgId);
  const ownerUserId = ownerFor(access, body);
  const ctx = await loadNotificationContext(deps.db, orgId, ownerUserId, 'application.created');
  if (ownerUserId !== null && ctx.owner === null) throw notAMember('owner_user_id');

  const issued = await issueClientSecret();
  const row: ApplicationRow = {
    id: newId('app'),
    orgId,
    ownerUserId,
    name: body.name,
    description: body.description ?? '',
    redirectUris: body.redirect_uris ?? [],
    termsUrl: body.terms_url ?? null,
    privacyUrl: body.privacy_url ?? null,
    active: body.active ?? true,
    visibility: 'private',
    publishState: 'none',
    scopes: body.scopes ?? DEFAULT_APPLICATION_SCOPES,
    grantTypes: body.grant_types ?? DEFAULT_GRANT_TYPES,
    listed: body.listed ?? false,
    clientId: newClientId(),
    clientSecretHash: issued.secretHash,
    createdAt: now,
    updatedAt: now,
  };
  const notification = composeApplicationNotification(ctx, row, 'application.created', deps.transport !== null, {}, now);
  const insertApp = deps.db.insert(applications).values(row);
  if (notification) await deps.db.batch([insertApp, deps.db.insert(notifications).values(notification)]);
  else await insertApp;
  deliverLater(deps, notification);
  return { ...renderApplication(row), client_secret: issued.secret };
}

/** The application if the caller may read it; another organization's is a 404. */
export async function findApplication(db: Db, access: Access, id: string): Promise<ApplicationRow> {
  const row = await db.query.applications.findFirst({
    where: and(eq(applications.id, id), inArray(applications.orgId, [...access.readable])),
  });
  if (!row) throw notFound('application', id);
  return row;
}

async function findWritable(db: Db, access: Access, id: string): Promise<ApplicationRow> {
  const row = await findApplication(db, access, id);
  assertWritable(access, row.orgId, 'application', id);
  return row;
}

export async function listApplications(db: Db, access: Access, query: ListApplicationsQuery): Promise<Page<ApplicationObject>> {
  const { after, orderBy } = pageWindow(applications, query.cursor);
  // A filter naming an organization the caller is not in simply matches nothing.
  const orgIds = query.organization_id ? access.readable.filter((id) => id === query.organization_id) : [...access.readable];
  const rows = await db
    .select()
    .from(applications)
    .where(
      and(
        inArray(applications.orgId, orgIds),
        query.name !== undefined ? nameContains(applications.name, query.name) : undefined,
        query.status !== undefined ? eq(applications.active, query.status === 'active') : undefined,
        after,
      ),
    )
    .orderBy(...orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, renderApplication);
}

async function assertMember(db: Db, orgId: string, userId: string, field: string): Promise<void> {
  const [member] = await memberQuery(db, orgId, userId);
  if (!member) throw notAMember(field);
}

/** What a review covers: what strangers see on the consent page, where their codes go, and what the app may ask for. */
function reviewedChanges(row: ApplicationRow, patch: UpdateApplicationBody): string[] {
  const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((v) => b.includes(v));
  return [
    patch.name !== undefined && patch.name !== row.name ? 'name' : null,
    patch.redirect_uris !== undefined && !sameSet(patch.redirect_uris, row.redirectUris) ? 'redirect URIs' : null,
    patch.scopes !== undefined && !sameSet(patch.scopes, row.scopes) ? 'scopes' : null,
  ].filter((c) => c !== null);
}

/**
 * Changing an approved application's name, redirect URIs or scopes sends it back to review:
 * pending and private, so strangers cannot newly authorize what no operator has seen and it
 * leaves /apps. Grants already given keep working (tokens never check visibility). The owner
 * is told, and the operator finds it among the pending requests.
 */
export async function updateApplication(
  deps: Pick<AppDeps, 'db' | 'transport' | 'waitUntil'>,
  access: Access,
  id: string,
  patch: UpdateApplicationBody,
  now = Date.now(),
): Promise<ApplicationObject> {
  const { db } = deps;
  const row = await findWritable(db, access, id);
  if (patch.owner_user_id) await assertMember(db, row.orgId, patch.owner_user_id, 'owner_user_id');
  const grantTypes = patch.grant_types ?? row.grantTypes;
  const redirectUris = patch.redirect_uris ?? row.redirectUris;
  // The rules hold for the application as it will be, so a patch of one field is checked against the stored other.
  const problems = grantTypeProblems(grantTypes, redirectUris);
  if (problems.length > 0) throw validationError(problems.map((p) => ({ location: 'body', ...p })));
  const changes = row.publishState === 'approved' ? reviewedChanges(row, patch) : [];
  const backToReview = changes.length > 0;
  const next: ApplicationRow = {
    ...row,
    name: patch.name ?? row.name,
    description: patch.description ?? row.description,
    redirectUris,
    grantTypes,
    listed: patch.listed ?? row.listed,
    termsUrl: patch.terms_url === undefined ? row.termsUrl : patch.terms_url,
    privacyUrl: patch.privacy_url === undefined ? row.privacyUrl : patch.privacy_url,
    active: patch.active ?? row.active,
    scopes: patch.scopes ?? row.scopes,
    ownerUserId: patch.owner_user_id === undefined ? row.ownerUserId : patch.owner_user_id,
    ...(backToReview ? { publishState: 'pending' as const, visibility: 'private' as const } : {}),
    updatedAt: now,
  };
  const { id: _id, orgId: _orgId, clientId: _clientId, clientSecretHash: _hash, createdAt: _createdAt, ...changed } = next;
  const update = db
    .update(applications)
    .set(changed)
    // Conditional on the row as read above: an approval racing this edit cannot leave the
    // changed app public, and two edits cannot combine into grant types without a redirect URI.
    .where(
      and(
        eq(applications.id, id),
        eq(applications.orgId, row.orgId),
        eq(applications.publishState, row.publishState),
        eq(applications.updatedAt, row.updatedAt),
      ),
    )
    .returning();
  const notification = backToReview
    ? notificationInBatch(
        deps,
        await loadNotificationContext(db, row.orgId, next.ownerUserId, 'application.review_requested'),
        next,
        'application.review_requested',
        { changes: listInWords(changes) },
        // The update above landed: the row is pending with this request's time on it.
        sql`exists (select 1 from ${applications} where ${and(eq(applications.id, id), eq(applications.updatedAt, now), eq(applications.publishState, 'pending'))})`,
        now,
      )
    : null;
  const [updatedRows, inserted] = notification ? await db.batch([update, notification.statement]) : [await update, []];
  const [updated] = updatedRows;
  if (!updated) throw conflict('The application changed while it was being updated; try again.');
  notification?.deliver(inserted);
  return renderApplication(updated);
}

/** Grants, codes and tokens go with it (ON DELETE CASCADE), so everything it was issued stops working. */
export async function deleteApplication(db: Db, access: Access, id: string): Promise<{ id: string; deleted: true }> {
  const row = await findWritable(db, access, id);
  const deleted = await db
    .delete(applications)
    .where(and(eq(applications.id, id), eq(applications.orgId, row.orgId)))
    .returning({ id: applications.id });
  if (deleted.length === 0) throw notFound('application', id);
  return { id, deleted: true };
}

/** A new secret, shown in this result only; the old one stops verifying at once. */
export async function rotateClientSecret(db: Db, access: Access, id: string, now = Date.now()) {
  const row = await findWritable(db, access, id);
  const issued = await issueClientSecret();
  const [updated] = await db
    .update(applications)
    .set({ clientSecretHash: issued.secretHash, updatedAt: now })
    .where(and(eq(applications.id, id), eq(applications.orgId, row.orgId)))
    .returning();
  if (!updated) throw notFound('application', id);
  return { ...renderApplication(updated), client_secret: issued.secret };
}

/** For the token and authorization endpoints: an inactive or unknown client is undefined. */
export async function findActiveApplicationByClientId(db: Db, clientId: string): Promise<ApplicationRow | undefined> {
  return db.query.applications.findFirst({ where: and(eq(applications.clientId, clientId), eq(applications.active, true)) });
}

/**
 * Whether a user in these organizations may authorize the application: a private app only
 * members of its own organization; a public one (after approval) anyone.
 * An inactive application may be authorized by nobody.
 */
export function canUserAuthorize(app: Pick<ApplicationRow, 'orgId' | 'visibility' | 'active'>, userOrgIds: Iterable<string>): boolean {
  if (!app.active) return false;
  if (app.visibility === 'public') return true;
  for (const orgId of userOrgIds) if (orgId === app.orgId) return true;
  return false;
}
