import type { AppDeps } from '../deps';
import { and, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { integrations } from '../integrations/schema';
import { decrypt, encrypt, randomToken, sha256Hex } from '../lib/crypto';
import { notFound, type ErrorDetail } from '../lib/errors';
import { newId } from '../lib/ids';
import { outboundPolicy, requireOutboundUrls } from '../lib/outbound-url';
import { pageWindow, toPage, type Page } from '../lib/pagination';
import { iso } from '../lib/shapes';
import { hasTags, type TagIndex } from '../lib/tags';
import { validationError } from '../lib/validate';
import { linkTokenAad } from './sealed';
import { links, linkTags } from './schema';
import type { CreateLinkBody, LinkObject, LinkStatus, ListLinksQuery, UpdateLinkBody } from './shapes';

export type LinkRow = typeof links.$inferSelect;

/** 32 random bytes, base64url: the 43 characters after `/link/`. */
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function linkUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/link/${token}`;
}

/** One status, most final first: a disabled link says so even when it has also expired. */
export function linkStatus(row: Pick<LinkRow, 'disabled' | 'expiresAt' | 'maxUses' | 'uses'>, now: number): LinkStatus {
  if (row.disabled) return 'disabled';
  if (row.expiresAt !== null && row.expiresAt <= now) return 'expired';
  if (row.maxUses !== null && row.uses >= row.maxUses) return 'used_up';
  return 'active';
}

/** The same rule as {@link linkStatus}, as SQL, for list filters. */
function statusCondition(status: LinkStatus, now: number): SQL | undefined {
  const enabled = eq(links.disabled, false);
  const notExpired = or(isNull(links.expiresAt), gt(links.expiresAt, now));
  const hasUsesLeft = or(isNull(links.maxUses), lt(links.uses, links.maxUses));
  switch (status) {
    case 'disabled':
      return eq(links.disabled, true);
    case 'expired':
      return and(enabled, isNotNull(links.expiresAt), lte(links.expiresAt, now));
    case 'used_up':
      return and(enabled, notExpired, isNotNull(links.maxUses), gte(links.uses, links.maxUses));
    case 'active':
      return and(enabled, notExpired, hasUsesLeft);
  }
}

/** A link offers an integration when it lists it, or lists none (every connectable one). */
function offersIntegration(integrationId: string): SQL | undefined {
  return or(isNull(links.integrationIds), sql`exists (select 1 from json_each(${links.integrationIds}) where value = ${integrationId})`);
}

const tagIndex: TagIndex = { table: linkTags, owner: linkTags.linkId, orgId: linkTags.orgId, key: linkTags.key, value: linkTags.value };

export function renderLink(row: LinkRow, token: string, publicUrl: string, now = Date.now()): LinkObject {
  return {
    id: row.id,
    name: row.name,
    url: linkUrl(publicUrl, token),
    integration_ids: row.integrationIds,
    end_user: { id: row.endUserId, email: row.endUserEmail, display_name: row.endUserName },
    expires_at: iso(row.expiresAt),
    max_uses: row.maxUses,
    uses: row.uses,
    redirect_url: row.redirectUrl,
    disabled: row.disabled,
    tags: row.tags,
    status: linkStatus(row, now),
    created_at: iso(row.createdAt)!,
    updated_at: iso(row.updatedAt)!,
  };
}

async function renderStored(deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>, row: LinkRow, now: number): Promise<LinkObject> {
  return renderLink(row, await decrypt(deps.keyring, row.tokenEnc, linkTokenAad(row.id)), deps.publicUrl, now);
}

/**
 * Refuses ids that are not this organization's integrations. Another organization's id gets
 * the same message as one that does not exist, so nothing is learnt about other tenants.
 */
async function checkIntegrationIds(db: Db, orgId: string, ids: string[]): Promise<void> {
  const found = await db
    .select({ id: integrations.id })
    .from(integrations)
    // One being deleted is as gone as it will be in a moment.
    .where(and(eq(integrations.orgId, orgId), inArray(integrations.id, ids), isNull(integrations.deletingAt)));
  const known = new Set(found.map((r) => r.id));
  const details: ErrorDetail[] = ids.flatMap((id, i) =>
    known.has(id) ? [] : [{ location: 'body' as const, field: `integration_ids.${i}`, message: `no integration with id '${id}'` }],
  );
  if (details.length > 0) throw validationError(details);
}

function futureTimestamp(value: string, field: string, now: number): number {
  const ms = Date.parse(value);
  if (!(ms > now)) throw validationError([{ location: 'body', field, message: 'must be in the future' }]);
  return ms;
}

export async function createLink(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>,
  orgId: string,
  body: CreateLinkBody,
  now = Date.now(),
): Promise<LinkObject> {
  const expiresAt =
    body.expires_at !== undefined ? futureTimestamp(body.expires_at, 'expires_at', now) : body.expires_in !== undefined ? now + body.expires_in * 1000 : null;
  requireOutboundUrls(outboundPolicy(deps.publicUrl), { redirect_url: body.redirect_url });
  if (body.integration_ids) await checkIntegrationIds(deps.db, orgId, body.integration_ids);

  const id = newId('lnk');
  const token = randomToken(32);
  const row: LinkRow = {
    id,
    orgId,
    name: body.name,
    integrationIds: body.integration_ids ?? null,
    endUserId: body.end_user.id,
    endUserEmail: body.end_user.email ?? null,
    endUserName: body.end_user.display_name ?? null,
    expiresAt,
    maxUses: body.max_uses ?? null,
    uses: 0,
    redirectUrl: body.redirect_url ?? null,
    tags: body.tags ?? {},
    disabled: false,
    // The hash finds the link from its URL; the envelope lets the API show the URL again.
    tokenHash: await sha256Hex(token),
    tokenEnc: await encrypt(deps.keyring, token, linkTokenAad(id)),
    createdAt: now,
    updatedAt: now,
  };
  await deps.db.insert(links).values(row);
  return renderLink(row, token, deps.publicUrl, now);
}

/** The organization's link, or undefined (deleted, or never theirs). */
export async function findLinkRow(db: Db, orgId: string, id: string): Promise<LinkRow | undefined> {
  return db.query.links.findFirst({ where: and(eq(links.id, id), eq(links.orgId, orgId)) });
}

export async function findLink(db: Db, orgId: string, id: string): Promise<LinkRow> {
  const row = await findLinkRow(db, orgId, id);
  if (!row) throw notFound('link', id);
  return row;
}

export async function getLink(deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>, orgId: string, id: string, now = Date.now()): Promise<LinkObject> {
  return renderStored(deps, await findLink(deps.db, orgId, id), now);
}

export async function listLinks(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>,
  orgId: string,
  query: ListLinksQuery,
  now = Date.now(),
): Promise<Page<LinkObject>> {
  const { after, orderBy } = pageWindow(links, query.cursor);
  const rows = await deps.db
    .select()
    .from(links)
    .where(
      and(
        eq(links.orgId, orgId),
        query.end_user_id !== undefined ? eq(links.endUserId, query.end_user_id) : undefined,
        query.status ? statusCondition(query.status, now) : undefined,
        query.integration_id !== undefined ? offersIntegration(query.integration_id) : undefined,
        hasTags(links.id, tagIndex, orgId, query.tag),
        after,
      ),
    )
    .orderBy(...orderBy)
    .limit(query.limit + 1);
  const page = toPage(rows, query.limit, (row) => row);
  return { data: await Promise.all(page.data.map((row) => renderStored(deps, row, now))), next_cursor: page.next_cursor };
}

export async function updateLink(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>,
  orgId: string,
  id: string,
  patch: UpdateLinkBody,
  now = Date.now(),
): Promise<LinkObject> {
  const row = await findLink(deps.db, orgId, id);
  const expiresAt = patch.expires_at === undefined ? row.expiresAt : patch.expires_at === null ? null : futureTimestamp(patch.expires_at, 'expires_at', now);
  requireOutboundUrls(outboundPolicy(deps.publicUrl), { redirect_url: patch.redirect_url });
  if (patch.integration_ids) await checkIntegrationIds(deps.db, orgId, patch.integration_ids);
  const [updated] = await deps.db
    .update(links)
    .set({
      name: patch.name ?? row.name,
      integrationIds: patch.integration_ids === undefined ? row.integrationIds : patch.integration_ids,
      expiresAt,
      maxUses: patch.max_uses === undefined ? row.maxUses : patch.max_uses,
      redirectUrl: patch.redirect_url === undefined ? row.redirectUrl : patch.redirect_url,
      disabled: patch.disabled ?? row.disabled,
      tags: patch.tags ?? row.tags,
      updatedAt: now,
    })
    .where(and(eq(links.id, id), eq(links.orgId, orgId)))
    .returning();
  if (!updated) throw notFound('link', id);
  return renderStored(deps, updated, now);
}

/** Connections made through the link stay; only the link stops working. */
export async function deleteLink(db: Db, orgId: string, id: string): Promise<{ id: string; deleted: true }> {
  const deleted = await db
    .delete(links)
    .where(and(eq(links.id, id), eq(links.orgId, orgId)))
    .returning({ id: links.id });
  if (deleted.length === 0) throw notFound('link', id);
  return { id, deleted: true };
}

/** The link a URL token opens, or undefined; only the token's hash is looked up. */
export async function findLinkByToken(db: Db, token: string): Promise<LinkRow | undefined> {
  if (!LINK_TOKEN_PATTERN.test(token)) return undefined;
  return db.query.links.findFirst({ where: eq(links.tokenHash, await sha256Hex(token)) });
}

/**
 * Whether the link can count one more use, as SQL for the condition of a batch that stores a
 * connection: enabled, not expired, uses left. The same rule as {@link linkStatus} 'active'.
 */
export function linkAcceptsUse(linkId: string, now: number): SQL {
  const usable = and(
    eq(links.id, linkId),
    eq(links.disabled, false),
    or(isNull(links.expiresAt), gt(links.expiresAt, now)),
    or(isNull(links.maxUses), lt(links.uses, links.maxUses)),
  );
  return sql`exists (select 1 from ${links} where ${usable})`;
}

/**
 * Counts one use of the link, where `when` holds: the statement for the batch that stores the
 * connection the use is counted for, so the two land together or not at all.
 */
export function linkUseStatement(db: Db, linkId: string, when: SQL) {
  return db
    .update(links)
    .set({ uses: sql`${links.uses} + 1` })
    .where(and(eq(links.id, linkId), when));
}
