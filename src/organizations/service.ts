import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { pageWindow, toPage, type ListQuery } from '../lib/pagination';
import { iso } from '../lib/shapes';
import { organizations } from './schema';
import type { OrganizationObject } from './shapes';

type OrganizationRow = typeof organizations.$inferSelect;

export function renderOrganization(row: OrganizationRow): OrganizationObject {
  return { id: row.id, name: row.name, created_at: iso(row.createdAt)! };
}

export async function createOrganization(db: Db, name: string, now = Date.now()) {
  const row: OrganizationRow = { id: newId('org'), name, createdAt: now };
  await db.insert(organizations).values(row);
  return renderOrganization(row);
}

export async function listOrganizations(db: Db, query: ListQuery) {
  const { after, orderBy } = pageWindow(organizations, query.cursor);
  const rows = await db
    .select()
    .from(organizations)
    .where(after)
    .orderBy(...orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, renderOrganization);
}

export async function getOrganization(db: Db, id: string) {
  const row = await db.query.organizations.findFirst({ where: eq(organizations.id, id) });
  if (!row) throw notFound('organization', id);
  return renderOrganization(row);
}

/** Organization names by id, for pages that list things of many organizations. */
export async function organizationNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  // D1 binds at most 100 parameters a statement: one statement per 90 ids, all in one round trip.
  const groups = Array.from({ length: Math.ceil(ids.length / 90) }, (_, n) => ids.slice(n * 90, n * 90 + 90));
  const query = (group: string[]) => db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(inArray(organizations.id, group));
  const [first, ...rest] = groups.map(query);
  const results = await db.batch([first!, ...rest]);
  return new Map(results.flat().map((r) => [r.id, r.name]));
}
