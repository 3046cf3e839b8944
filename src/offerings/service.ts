import type { AppDeps } from '../deps';
import { eq } from 'drizzle-orm';
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
  enabled: boolean;
  createdAt: number | null;
  updatedAt: number | null;
}

type OfferingRow = typeof offeringRows.$inferSelect;

/**
 * The offering with this id: the catalog's entry (with the operator's enabled switch when a row
 * holds one) or a custom row's definition. Callers that read rows in their own batch use this.
 */
export function fromParts(id: string, row: OfferingRow | undefined): Offering | undefined {
  const builtIn = findCatalogOffering(id);
  if (builtIn) {
    return { definition: builtIn, source: 'catalog', enabled: row?.enabled ?? true, createdAt: null, updatedAt: row?.updatedAt ?? null };
  }
  if (row?.definition) {
    return { definition: row.definition, source: 'custom', enabled: row.enabled, createdAt: row.createdAt, updatedAt: row.updatedAt };
  }
  return undefined;
}

/** A catalog or custom offering by id, with its enabled switch; one D1 read. */
export async function findOffering(db: Db, id: string): Promise<Offering | undefined> {
  const row = await db.query.offeringRows.findFirst({ where: eq(offeringRows.id, id) });
  return fromParts(id, row);
}

export async function getOffering(db: Db, id: string, options: { includeDisabled: boolean }): Promise<Offering> {
  const offering = await findOffering(db, id);
  if (!offering || (!offering.enabled && !options.includeDisabled)) throw notFound('offering', id);
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
    enabled: offering.enabled,
    created_at: iso(offering.createdAt),
    updated_at: iso(offering.updatedAt),
  };
}

export async function listOfferings(
  db: Db,
  query: z.output<typeof listOfferingsQuery>,
  options: { includeDisabled: boolean },
): Promise<{ data: Offering[]; next_cursor: string | null }> {
  const rows = await db.select().from(offeringRows);
  const rowById = new Map(rows.map((r) => [r.id, r]));
  const all = [
    ...catalog.map((d) => fromParts(d.id, rowById.get(d.id))!),
    ...rows.filter((r) => r.definition && !findCatalogOffering(r.id)).map((r) => fromParts(r.id, r)!),
  ];
  const needle = query.name?.toLowerCase();
  const matching = all.filter(
    (o) =>
      (options.includeDisabled || o.enabled) &&
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

export async function createCustomOffering(deps: Pick<AppDeps, 'db' | 'publicUrl'>, body: z.output<typeof createOfferingBody>, now = Date.now()) {
  const { db } = deps;
  const { enabled, ...fields } = body;
  const id = fields.id ?? newId('off');
  if (findCatalogOffering(id)) throw conflict(`'${id}' is a catalog offering; choose another id.`);
  const definition = parseDefinition({ ...fields, id });
  checkOutboundUrls(definition, deps.publicUrl);
  const inserted = await db.insert(offeringRows).values({ id, definition, enabled, createdAt: now, updatedAt: now }).onConflictDoNothing().returning();
  if (inserted.length === 0) throw conflict(`An offering with id '${id}' already exists.`);
  return fromParts(id, inserted[0])!;
}

/**
 * Custom offerings change in any field (the result is validated whole); catalog offerings
 * live in code, so only their `enabled` switch changes here.
 */
export async function updateOffering(deps: Pick<AppDeps, 'db' | 'publicUrl'>, id: string, patch: z.output<typeof updateOfferingBody>, now = Date.now()) {
  const { db } = deps;
  const current = await findOffering(db, id);
  if (!current) throw notFound('offering', id);
  const { enabled, ...fields } = patch;
  if (current.source === 'catalog' && Object.keys(fields).length > 0) {
    throw new ApiError(409, 'catalog_offering_read_only', 'Catalog offerings cannot be edited; only "enabled" can change. Create a custom offering instead.');
  }
  const definition = current.source === 'custom' ? parseDefinition({ ...current.definition, ...fields, id }) : null;
  // A PATCH of `enabled` alone stays possible, so an offering saved under another policy can be switched off.
  if (definition && Object.keys(fields).length > 0) checkOutboundUrls(definition, deps.publicUrl);
  const nextEnabled = enabled ?? current.enabled;
  const [row] = await db
    .insert(offeringRows)
    .values({ id, definition, enabled: nextEnabled, createdAt: current.createdAt ?? now, updatedAt: now })
    .onConflictDoUpdate({ target: offeringRows.id, set: { definition, enabled: nextEnabled, updatedAt: now } })
    .returning();
  return fromParts(id, row)!;
}

export async function deleteCustomOffering(deps: Pick<AppDeps, 'db' | 'dependents'>, id: string) {
  const { db } = deps;
  const current = await findOffering(db, id);
  if (!current) throw notFound('offering', id);
  if (current.source === 'catalog') {
    throw new ApiError(409, 'catalog_offering_read_only', 'Catalog offerings cannot be deleted; disable it with PATCH {"enabled": false}.');
  }
  const n = await deps.dependents.integrationsOfOffering(db, id);
  if (n > 0) throw conflict(`${n} integration(s) use this offering; delete them first or disable the offering.`);
  await db.delete(offeringRows).where(eq(offeringRows.id, id));
}
