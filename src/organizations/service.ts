import { eq } from 'drizzle-orm';
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
