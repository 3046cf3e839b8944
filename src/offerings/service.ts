import type { AppDeps } from '../deps';
import { and, eq, isNull, or } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { z } from 'zod';
import type { Db } from '../db/client';
import { ApiError, conflict, notFound, type ErrorDetail } from '../lib/errors';
import { newId } from '../lib/ids';
import { checkOutboundUrl, outboundPolicy } from '../lib/outbound-url';
import { pageByKey } from '../lib/pagination';
import { iso } from '../lib/shapes';
import { issuesToDetails, validationError } from '../lib/validate';
import { catalog, findCatalogOffering } from './catalog';
import { offeringUrlProblems } from './definition-rules';
import { offeringDefinition, type OfferingDefinition } from './definition';
import { offeringRows } from './schema';
import type { createOfferingBody, listOfferingsQuery, updateOfferingBody } from './shapes';
import { PUBLIC_URL_PLACEHOLDER, normalizePublicUrl } from './template';

export interface Offering {
  definition: OfferingDefinition;
  source: 'catalog' | 'custom';
  /** The organization a private custom offering belongs to; null for catalog and shared ones. */
  orgId: string | null;
  enabled: boolean;
  createdAt: number | null;
  updatedAt: number | null;
}

/**
 * Who is asking: an organization sees the catalog, the operator's shared custom offerings and
 * its own; the operator sees the catalog and the shared ones (organizations' own are theirs).
 */
export type OfferingAudience = { orgId: string } | 'operator';

type OfferingRow = typeof offeringRows.$inferSelect;

const sees = (audience: OfferingAudience, orgId: string | null) => orgId === null || (audience !== 'operator' && audience.orgId === orgId);

/**
 * The offering with this id as `audience` sees it: the catalog's entry (with the operator's
 * enabled switch when a row holds one) or a custom row's definition; undefined for another
 * organization's own. Callers that read rows in their own batch use this.
 */
export function fromParts(id: string, row: OfferingRow | undefined, audience: OfferingAudience): Offering | undefined {
  const builtIn = findCatalogOffering(id);
  if (builtIn) {
    return { definition: builtIn, source: 'catalog', orgId: null, enabled: row?.enabled ?? true, createdAt: null, updatedAt: row?.updatedAt ?? null };
  }
  if (row?.definition && sees(audience, row.orgId)) {
    return { definition: row.definition, source: 'custom', orgId: row.orgId, enabled: row.enabled, createdAt: row.createdAt, updatedAt: row.updatedAt };
  }
  return undefined;
}

/** Only the definition, for readers that need no enabled switch: a row's two columns suffice. */
export function definitionOf(
  id: string,
  row: Pick<OfferingRow, 'definition' | 'orgId'> | null | undefined,
  audience: OfferingAudience,
): OfferingDefinition | undefined {
  return findCatalogOffering(id) ?? (row?.definition && sees(audience, row.orgId) ? row.definition : undefined);
}

/** A catalog or custom offering by id as `audience` sees it, with its enabled switch; one D1 read. */
export async function findOffering(db: Db, id: string, audience: OfferingAudience): Promise<Offering | undefined> {
  const row = await db.query.offeringRows.findFirst({ where: eq(offeringRows.id, id) });
  return fromParts(id, row, audience);
}

/** Disabled offerings are hidden from organizations, except their own (they switch them back on). */
const shows = (offering: Offering, audience: OfferingAudience) => offering.enabled || audience === 'operator' || offering.orgId !== null;

export async function getOffering(db: Db, id: string, audience: OfferingAudience): Promise<Offering> {
  const offering = await findOffering(db, id, audience);
  if (!offering || !shows(offering, audience)) throw notFound('offering', id);
  return offering;
}

/** Shows `{public_url}` as this deployment's address, so the self offering reads as real URLs. */
function withPublicUrl(value: string | undefined, publicUrl: string): string | undefined {
  return value?.replaceAll(`{${PUBLIC_URL_PLACEHOLDER}}`, normalizePublicUrl(publicUrl));
}

export function renderOffering(offering: Offering, publicUrl: string) {
  const d = offering.definition;
  return {
    ...d,
    authorization_url: withPublicUrl(d.authorization_url, publicUrl),
    token_url: withPublicUrl(d.token_url, publicUrl),
    userinfo_url: withPublicUrl(d.userinfo_url, publicUrl),
    revocation_url: withPublicUrl(d.revocation_url, publicUrl),
    introspection_url: withPublicUrl(d.introspection_url, publicUrl),
    source: offering.source,
    organization_id: offering.orgId,
    enabled: offering.enabled,
    created_at: iso(offering.createdAt),
    updated_at: iso(offering.updatedAt),
  };
}

/** Rows `audience` may see: shared ones and switches, and an organization's own. */
const visibleRows = (audience: OfferingAudience) =>
  audience === 'operator' ? isNull(offeringRows.orgId) : or(isNull(offeringRows.orgId), eq(offeringRows.orgId, audience.orgId));

export async function listOfferings(
  db: Db,
  query: z.output<typeof listOfferingsQuery>,
  audience: OfferingAudience,
): Promise<{ data: Offering[]; next_cursor: string | null }> {
  const rows = await db.select().from(offeringRows).where(visibleRows(audience));
  const rowById = new Map(rows.map((r) => [r.id, r]));
  const all = [
    ...catalog.map((d) => fromParts(d.id, rowById.get(d.id), audience)!),
    ...rows.filter((r) => r.definition && !findCatalogOffering(r.id)).map((r) => fromParts(r.id, r, audience)!),
  ];
  const needle = query.name?.toLowerCase();
  const matching = all.filter(
    (o) =>
      shows(o, audience) &&
      (query.enabled === undefined || o.enabled === query.enabled) &&
      (query.auth_mode === undefined || o.definition.auth_mode === query.auth_mode) &&
      (needle === undefined || o.definition.name.toLowerCase().includes(needle) || o.definition.provider.includes(needle)),
  );
  return pageByKey(matching, query, (o) => o.definition.id);
}

/** Parses a whole definition, reporting problems as body fields. */
function parseDefinition(candidate: unknown): OfferingDefinition {
  const parsed = offeringDefinition.safeParse(candidate);
  if (!parsed.success) throw validationError(issuesToDetails(parsed.error, 'body'));
  return parsed.data;
}

/**
 * The part of the outbound-URL policy that depends on PUBLIC_URL (loopback only in local
 * development); the schema has already refused private and metadata hosts.
 */
function checkOutboundUrls(definition: OfferingDefinition, publicUrl: string): void {
  const policy = outboundPolicy(publicUrl);
  const details: ErrorDetail[] = offeringUrlProblems(definition, policy).map(({ path, message }) => ({ location: 'body', field: path.join('.'), message }));
  const docs = definition.docs_url === undefined ? null : checkOutboundUrl(definition.docs_url, policy);
  if (docs && !docs.ok) details.push({ location: 'body', field: 'docs_url', message: `URL ${docs.message}` });
  if (details.length > 0) throw validationError(details);
}

/** A custom offering checked and ready to insert, for a caller that writes it in a batch with other rows. */
export interface PreparedOffering {
  offering: Offering;
  /** Inserts the row; it changes no row when the id is taken (check with {@link insertedOffering}). */
  insert: BatchItem<'sqlite'>;
}

type CreateBody = Omit<z.output<typeof createOfferingBody>, 'id'> & { id?: string };

/**
 * Checks a new custom offering without writing it: the operator's is shared (and may choose its
 * id), an organization's is its own and gets a random id, so no organization can take an id
 * another one wants, nor learn that a private one exists.
 */
export function prepareCustomOffering(deps: Pick<AppDeps, 'db' | 'publicUrl'>, owner: OfferingAudience, body: CreateBody, now = Date.now()): PreparedOffering {
  const { enabled, ...fields } = body;
  const id = (owner === 'operator' ? fields.id : undefined) ?? newId('off');
  if (findCatalogOffering(id)) throw conflict(`'${id}' is a catalog offering; choose another id.`);
  const definition = parseDefinition({ ...fields, id });
  checkOutboundUrls(definition, deps.publicUrl);
  const orgId = owner === 'operator' ? null : owner.orgId;
  const row: OfferingRow = { id, orgId, definition, enabled, createdAt: now, updatedAt: now };
  return {
    offering: fromParts(id, row, owner)!,
    insert: deps.db.insert(offeringRows).values(row).onConflictDoNothing().returning({ id: offeringRows.id }),
  };
}

/** Whether a prepared insert's result (from a batch) added the row. */
export const insertedOffering = (result: unknown) => Array.isArray(result) && result.length > 0;

export async function createCustomOffering(deps: Pick<AppDeps, 'db' | 'publicUrl'>, owner: OfferingAudience, body: CreateBody, now = Date.now()) {
  const { offering, insert } = prepareCustomOffering(deps, owner, body, now);
  const [result] = await deps.db.batch([insert]);
  if (!insertedOffering(result)) throw conflict(`An offering with id '${offering.definition.id}' already exists.`);
  return offering;
}

/**
 * What `editor` may change: the operator edits shared custom offerings and switches catalog
 * ones; an organization edits its own only. Another organization's own is not found.
 */
async function editableOffering(db: Db, editor: OfferingAudience, id: string, change: 'edit' | 'switch' | 'delete'): Promise<Offering> {
  const current = await findOffering(db, id, editor);
  if (!current) throw notFound('offering', id);
  if (current.source === 'catalog' && (editor !== 'operator' || change !== 'switch')) {
    const what = editor === 'operator' ? 'only "enabled" can change' : 'only the operator can switch them';
    throw new ApiError(
      409,
      'catalog_offering_read_only',
      `Catalog offerings cannot be ${change === 'delete' ? 'deleted' : 'edited'}; ${what}. Create a custom offering instead.`,
    );
  }
  if (current.source === 'custom' && editor !== 'operator' && current.orgId === null) {
    throw new ApiError(409, 'shared_offering_read_only', "Shared offerings are the operator's; create your organization's own offering instead.");
  }
  return current;
}

/**
 * Custom offerings change in any field (the result is validated whole); catalog offerings
 * live in code, so only their `enabled` switch changes here.
 */
export async function updateOffering(
  deps: Pick<AppDeps, 'db' | 'publicUrl'>,
  editor: OfferingAudience,
  id: string,
  patch: z.output<typeof updateOfferingBody>,
  now = Date.now(),
) {
  const { db } = deps;
  const { enabled, ...fields } = patch;
  const current = await editableOffering(db, editor, id, Object.keys(fields).length > 0 ? 'edit' : 'switch');
  const definition = current.source === 'custom' ? parseDefinition({ ...current.definition, ...fields, id }) : null;
  // A PATCH of `enabled` alone stays possible, so an offering saved under another policy can be switched off.
  if (definition && Object.keys(fields).length > 0) checkOutboundUrls(definition, deps.publicUrl);
  const nextEnabled = enabled ?? current.enabled;
  const [row] = await db
    .insert(offeringRows)
    .values({ id, orgId: current.orgId, definition, enabled: nextEnabled, createdAt: current.createdAt ?? now, updatedAt: now })
    .onConflictDoUpdate({ target: offeringRows.id, set: { definition, enabled: nextEnabled, updatedAt: now } })
    .returning();
  return fromParts(id, row, editor)!;
}

export async function deleteCustomOffering(deps: Pick<AppDeps, 'db' | 'dependents'>, editor: OfferingAudience, id: string) {
  const { db } = deps;
  const current = await editableOffering(db, editor, id, 'delete');
  const n = await deps.dependents.integrationsOfOffering(db, id);
  if (n > 0) throw conflict(`${n} integration(s) use this offering; delete them first or disable the offering.`);
  // Scoped to the owner again, so a row can never be deleted through someone else's view of it.
  await db
    .delete(offeringRows)
    .where(and(eq(offeringRows.id, id), current.orgId === null ? isNull(offeringRows.orgId) : eq(offeringRows.orgId, current.orgId)));
}
