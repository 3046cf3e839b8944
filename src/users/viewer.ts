import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { organizations } from '../organizations/schema';
import { memberships, type Role, sessions, users } from './schema';
import { sessionTokenHash } from './session';

export interface ViewerMembership {
  orgId: string;
  orgName: string;
  role: Role;
}

/** A signed-in person as the console sees them: who, and in which organizations with which role. */
export interface Viewer {
  userId: string;
  email: string;
  name: string | null;
  isPlatformAdmin: boolean;
  /** By organization name, ignoring case; empty for someone who belongs to none yet. */
  memberships: ViewerMembership[];
}

/** The live session's user with every membership, in one query; null when the session has ended. */
export async function findViewer(db: Db, token: string, now = Date.now()): Promise<Viewer | null> {
  const rows = await db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      isPlatformAdmin: users.isPlatformAdmin,
      orgId: memberships.orgId,
      orgName: organizations.name,
      role: memberships.role,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .leftJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(and(eq(sessions.tokenHash, await sessionTokenHash(token)), gt(sessions.expiresAt, now)))
    .orderBy(sql`${organizations.name} collate nocase`, asc(memberships.orgId));
  const [first] = rows;
  if (!first) return null;
  return {
    userId: first.userId,
    email: first.email,
    name: first.name,
    isPlatformAdmin: first.isPlatformAdmin,
    memberships: rows.flatMap((r) => (r.orgId !== null && r.orgName !== null && r.role !== null ? [{ orgId: r.orgId, orgName: r.orgName, role: r.role }] : [])),
  };
}
