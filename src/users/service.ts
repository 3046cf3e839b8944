import type { AppDeps } from '../deps';
import { and, count, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { hashPassword } from '../lib/crypto';
import { ApiError, conflict, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { pageWindow, toPage, type ListQuery } from '../lib/pagination';
import { iso } from '../lib/shapes';
import { organizations } from '../organizations/schema';
import { newPasswordSetup, setPasswordUrl } from './password-setup';
import { memberships, passwordSetupTokens, users, type Role } from './schema';
import type { AddMemberBody, CreatedMemberObject, MemberObject, UserObject } from './shapes';

type UserRow = typeof users.$inferSelect;
type MembershipRow = typeof memberships.$inferSelect;

/** Never the hash: only whether there is one. */
function renderMember(user: Pick<UserRow, 'id' | 'email' | 'name' | 'passwordHash' | 'isPlatformAdmin'>, membership: MembershipRow): MemberObject {
  return {
    user_id: user.id,
    organization_id: membership.orgId,
    email: user.email,
    name: user.name,
    role: membership.role,
    has_password: user.passwordHash !== null,
    is_platform_admin: user.isPlatformAdmin,
    created_at: iso(membership.createdAt)!,
  };
}

const isUniqueViolation = (err: unknown) => err instanceof Error && /UNIQUE constraint failed/.test(`${err.message} ${String(err.cause ?? '')}`);

/**
 * Adds a person to an organization: a new user (with a password, or a one-time link to choose
 * one), or an existing user by email who gains a membership. A password is only ever set for a
 * new user, so adding someone to a second organization cannot replace theirs.
 */
export async function addMember(deps: Pick<AppDeps, 'db' | 'publicUrl'>, orgId: string, input: AddMemberBody, now = Date.now()): Promise<CreatedMemberObject> {
  const { db } = deps;
  const [[org], [existing]] = await db.batch([
    db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId)).limit(1),
    db.select().from(users).where(eq(users.email, input.email)).limit(1),
  ]);
  if (!org) throw notFound('organization', orgId);
  const membership: MembershipRow = { userId: existing?.id ?? newId('usr'), orgId, role: input.role, createdAt: now };

  if (existing) {
    if (input.password !== undefined) {
      throw conflict(`A user with email ${input.email} already exists and keeps their own password; add them without one.`);
    }
    const [added] = await db.insert(memberships).values(membership).onConflictDoNothing().returning();
    if (!added) throw conflict(`${input.email} is already a member of this organization.`);
    if (existing.passwordHash !== null) return { ...renderMember(existing, added), set_password_url: null, set_password_expires_at: null };
    // Still waiting for a password: a fresh link replaces any earlier one.
    const setup = await newPasswordSetup(existing.id, now);
    await db.batch([
      db.delete(passwordSetupTokens).where(and(eq(passwordSetupTokens.userId, existing.id), isNull(passwordSetupTokens.usedAt))),
      db.insert(passwordSetupTokens).values(setup.row),
    ]);
    return {
      ...renderMember(existing, added),
      set_password_url: setPasswordUrl(deps.publicUrl, setup.token),
      set_password_expires_at: iso(setup.row.expiresAt),
    };
  }

  const user: UserRow = {
    id: membership.userId,
    email: input.email,
    name: input.name ?? null,
    passwordHash: input.password === undefined ? null : await hashPassword(input.password),
    isPlatformAdmin: false,
    createdAt: now,
  };
  const setup = user.passwordHash === null ? await newPasswordSetup(user.id, now) : null;
  try {
    const userInsert = db.insert(users).values(user);
    const membershipInsert = db.insert(memberships).values(membership);
    await (setup ? db.batch([userInsert, membershipInsert, db.insert(passwordSetupTokens).values(setup.row)]) : db.batch([userInsert, membershipInsert]));
  } catch (err) {
    // Another request created this email between our read and the insert.
    if (isUniqueViolation(err)) throw conflict(`A user with email ${input.email} was created at the same moment; send the request again.`);
    throw err;
  }
  return {
    ...renderMember(user, membership),
    set_password_url: setup ? setPasswordUrl(deps.publicUrl, setup.token) : null,
    set_password_expires_at: setup ? iso(setup.row.expiresAt) : null,
  };
}

/** An organization's members, newest first; 404 for an organization that does not exist. */
export async function listMembers(db: Db, orgId: string, query: ListQuery) {
  const { after, orderBy } = pageWindow({ createdAt: memberships.createdAt, id: memberships.userId }, query.cursor);
  const [[org], rows] = await db.batch([
    db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId)).limit(1),
    db
      .select({
        membership: memberships,
        user: { id: users.id, email: users.email, name: users.name, passwordHash: users.passwordHash, isPlatformAdmin: users.isPlatformAdmin },
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, orgId), after))
      .orderBy(...orderBy)
      .limit(query.limit + 1),
  ]);
  if (!org) throw notFound('organization', orgId);
  const cursorRows = rows.map((r) => ({ ...r, createdAt: r.membership.createdAt, id: r.membership.userId }));
  return toPage(cursorRows, query.limit, (r) => renderMember(r.user, r.membership));
}

export interface Membership {
  orgId: string;
  orgName: string;
  role: Role;
}

/** The organizations a user belongs to and their role in each, by organization name. */
export async function listMemberships(db: Db, userId: string): Promise<Membership[]> {
  return db
    .select({ orgId: memberships.orgId, orgName: organizations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(organizations.name, memberships.orgId);
}

/** Members per organization, for the operator's list; an organization with none is absent. */
export async function countMembers(db: Db, orgIds: string[]): Promise<Map<string, number>> {
  if (orgIds.length === 0) return new Map();
  const rows = await db.select({ orgId: memberships.orgId, n: count() }).from(memberships).where(inArray(memberships.orgId, orgIds)).groupBy(memberships.orgId);
  return new Map(rows.map((r) => [r.orgId, r.n]));
}

function renderUser(row: UserRow): UserObject {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    is_platform_admin: row.isPlatformAdmin,
    has_password: row.passwordHash !== null,
    created_at: iso(row.createdAt)!,
  };
}

/** Operator: makes a user a platform admin (they see /console/admin) or takes it away. */
export async function setPlatformAdmin(db: Db, userId: string, isPlatformAdmin: boolean): Promise<UserObject> {
  const [row] = await db.update(users).set({ isPlatformAdmin }).where(eq(users.id, userId)).returning();
  if (!row) throw notFound('user', userId);
  return renderUser(row);
}

/**
 * True while someone other than `userId` owns the organization. Evaluated inside the write
 * that needs it, so two owners demoting each other at once cannot both succeed.
 */
const anotherOwner = (orgId: string, userId: string) =>
  sql`exists (select 1 from ${memberships} as other where other.org_id = ${orgId} and other.role = 'owner' and other.user_id <> ${userId})`;

const lastOwner = () => new ApiError(409, 'last_owner', 'An organization keeps at least one owner: make someone else an owner first.');

/** Why a conditional membership write changed nothing: no such member (404) or the last owner (409). */
async function refusal(db: Db, orgId: string, userId: string): Promise<ApiError> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .limit(1);
  return row ? lastOwner() : notFound('member', userId);
}

/** Changes a member's role; the last owner cannot stop being one. */
export async function changeMemberRole(db: Db, orgId: string, userId: string, role: Role): Promise<MemberObject> {
  const [updated] = await db
    .update(memberships)
    .set({ role })
    .where(
      and(
        eq(memberships.orgId, orgId),
        eq(memberships.userId, userId),
        role === 'owner' ? undefined : or(ne(memberships.role, 'owner'), anotherOwner(orgId, userId)),
      ),
    )
    .returning();
  if (!updated) throw await refusal(db, orgId, userId);
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  return renderMember(user!, updated);
}

/** Removes someone from an organization (their account stays); the last owner cannot be removed. */
export async function removeMember(db: Db, orgId: string, userId: string): Promise<void> {
  const [removed] = await db
    .delete(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId), or(ne(memberships.role, 'owner'), anotherOwner(orgId, userId))))
    .returning({ userId: memberships.userId });
  if (!removed) throw await refusal(db, orgId, userId);
}
