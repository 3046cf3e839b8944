import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { organizations } from '../organizations/schema';
import { applications } from './schema';

/** Apps per directory page: enough to scan, small enough to render fast. */
export const DIRECTORY_PAGE_SIZE = 50;
const MAX_PAGE = 1000;

export const directoryQuery = z.object({
  page: z.coerce
    .number({ error: `must be a whole number from 1 to ${MAX_PAGE}` })
    .int(`must be a whole number from 1 to ${MAX_PAGE}`)
    .min(1, `must be a whole number from 1 to ${MAX_PAGE}`)
    .max(MAX_PAGE, `must be a whole number from 1 to ${MAX_PAGE}`)
    .default(1),
});

export interface DirectoryEntry {
  id: string;
  name: string;
  description: string;
  organization: string;
  termsUrl: string | null;
  privacyUrl: string | null;
}

export interface DirectoryPage {
  entries: DirectoryEntry[];
  page: number;
  hasNext: boolean;
}

/** Only http(s) becomes a link: a stored URL is checked when saved, and once more where strangers click it. */
const httpUrl = (value: string | null) => (value !== null && /^https?:\/\//i.test(value) && URL.canParse(value) ? value : null);

/**
 * The public directory: applications an operator approved, that are public and active, and
 * whose owner asked to be listed; by name, any case. A change that sends an app back to
 * review takes it off the list until it is approved again (its publish state is pending).
 */
export async function listDirectory(db: Db, page: number): Promise<DirectoryPage> {
  const rows = await db
    .select({
      id: applications.id,
      name: applications.name,
      description: applications.description,
      organization: organizations.name,
      termsUrl: applications.termsUrl,
      privacyUrl: applications.privacyUrl,
    })
    .from(applications)
    .innerJoin(organizations, eq(organizations.id, applications.orgId))
    .where(and(eq(applications.publishState, 'approved'), eq(applications.visibility, 'public'), eq(applications.active, true), eq(applications.listed, true)))
    .orderBy(sql`${applications.name} collate nocase`, asc(applications.id))
    .limit(DIRECTORY_PAGE_SIZE + 1)
    .offset((page - 1) * DIRECTORY_PAGE_SIZE);
  const entries = rows.slice(0, DIRECTORY_PAGE_SIZE).map((r) => ({ ...r, termsUrl: httpUrl(r.termsUrl), privacyUrl: httpUrl(r.privacyUrl) }));
  return { entries, page, hasNext: rows.length > DIRECTORY_PAGE_SIZE };
}
