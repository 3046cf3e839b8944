import { eq } from 'drizzle-orm';
import { roleMayWrite, type Caller } from '../auth/caller';
import { orgOf } from '../auth/middleware';
import type { Db } from '../db/client';
import { forbidden, notFound } from '../lib/errors';
import { memberships, type Role } from '../users/schema';

/** Which organizations' applications a caller may see and change. */
export interface Access {
  /** Where a new application goes unless the body names another organization. */
  defaultOrgId: string;
  readable: readonly string[];
  writable: ReadonlySet<string>;
  /** The signed-in user; null for API keys and other credentials of one organization. */
  userId: string | null;
}

/**
 * An API key acts for its one organization. A user acts for every organization they belong
 * to, whichever one the request acts for (people in several organizations choose one when they
 * create an application): members read, owners and admins write.
 */
export async function accessOf(db: Db, caller: Caller | null): Promise<Access> {
  const acting = orgOf(caller);
  if (acting.kind !== 'user') return { defaultOrgId: acting.orgId, readable: [acting.orgId], writable: new Set([acting.orgId]), userId: null };
  const rows = await db.select({ orgId: memberships.orgId, role: memberships.role }).from(memberships).where(eq(memberships.userId, acting.userId));
  return userAccess(acting.userId, acting.orgId, rows);
}

/** A signed-in user's access from their memberships (the console has them already). */
export function userAccess(userId: string, defaultOrgId: string, rows: readonly { orgId: string; role: Role }[]): Access {
  return {
    defaultOrgId,
    readable: rows.map((r) => r.orgId),
    writable: new Set(rows.filter((r) => roleMayWrite(r.role)).map((r) => r.orgId)),
    userId,
  };
}

/** Refuses a change in an organization the caller only reads; an unknown one is a 404. */
export function assertWritable(access: Access, orgId: string, what: string, id?: string): void {
  if (access.writable.has(orgId)) return;
  if (!access.readable.includes(orgId)) throw notFound(what, id);
  throw forbidden('Members may read applications; owners and admins of the organization change them.');
}
