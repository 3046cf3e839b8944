import { and, eq, gt, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { applications } from '../applications/schema';
import { memberships, type Role } from '../users/schema';
import { randomToken, sha256Hex } from '../lib/crypto';
import { oauthGrants, oauthTokens } from './schema';

export const ACCESS_TOKEN_PREFIX = 'elk_at_';
export const REFRESH_TOKEN_PREFIX = 'elk_rt_';
export const ACCESS_TOKEN_TTL_S = 3600;
/**
 * Refresh tokens die after 30 days unused (each rotation starts a new token, so an app in use
 * keeps going) and 90 days after the user authorized, however often they rotate; Auth0's
 * idle/absolute pair, with its longer absolute default.
 */
export const REFRESH_IDLE_TTL_MS = 30 * 24 * 60 * 60_000;
export const REFRESH_ABSOLUTE_TTL_MS = 90 * 24 * 60 * 60_000;

/** Whether a refresh token (created at `createdAt`, of a grant created at `grantCreatedAt`) is past either lifetime. */
export function isRefreshExpired(createdAt: number, grantCreatedAt: number, now: number): boolean {
  return createdAt <= now - REFRESH_IDLE_TTL_MS || grantCreatedAt <= now - REFRESH_ABSOLUTE_TTL_MS;
}

export interface IssuedTokens {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

/**
 * Statements that store a new access token (and a refresh token when the grant has
 * offline_access, unless `mayRefresh` is false) for a grant; the caller runs them in its own batch so the whole exchange
 * lands at once. Only hashes are stored.
 */
export async function newTokens(db: Db, grant: { id: string; createdAt: number }, scopes: string[], now: number, mayRefresh = true) {
  const grantId = grant.id;
  const refreshExpiresAt = Math.min(now + REFRESH_IDLE_TTL_MS, grant.createdAt + REFRESH_ABSOLUTE_TTL_MS);
  const access = ACCESS_TOKEN_PREFIX + randomToken(32);
  const refresh = mayRefresh && scopes.includes('offline_access') ? REFRESH_TOKEN_PREFIX + randomToken(32) : undefined;
  const rows = [
    { tokenHash: await sha256Hex(access), kind: 'access' as const, grantId, scopes, expiresAt: now + ACCESS_TOKEN_TTL_S * 1000, createdAt: now },
    ...(refresh ? [{ tokenHash: await sha256Hex(refresh), kind: 'refresh' as const, grantId, scopes, expiresAt: refreshExpiresAt, createdAt: now }] : []),
  ];
  const body: IssuedTokens = {
    access_token: access,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_TTL_S,
    scope: scopes.join(' '),
    ...(refresh ? { refresh_token: refresh } : {}),
  };
  return {
    insert: db.insert(oauthTokens).values(rows),
    /**
     * The same rows, each inserted only while `guard` matches a row of `source` (by its primary
     * key, so one row or none). Put before the conditional UPDATE
     * that `guard` mirrors in one batch: D1 runs a batch as one transaction, so the tokens and
     * the used-mark land together or not at all.
     */
    insertWhere: (source: SQLiteTable, guard: SQL | undefined) =>
      rows.map((r) =>
        db.insert(oauthTokens).select(
          db
            .select({
              tokenHash: sql`${r.tokenHash}`.as('token_hash'),
              kind: sql`${r.kind}`.as('kind'),
              grantId: sql`${r.grantId}`.as('grant_id'),
              scopes: sql`${JSON.stringify(r.scopes)}`.as('scopes'),
              expiresAt: sql`${r.expiresAt}`.as('expires_at'),
              usedAt: sql`NULL`.as('used_at'),
              revokedAt: sql`NULL`.as('revoked_at'),
              createdAt: sql`${r.createdAt}`.as('created_at'),
            })
            .from(source)
            .where(guard),
        ),
      ),
    body,
  };
}

/** Revokes a grant and every token it issued, in one batch. */
export async function revokeGrant(db: Db, grantId: string, now: number) {
  await db.batch([
    db
      .update(oauthGrants)
      .set({ revokedAt: now })
      .where(and(eq(oauthGrants.id, grantId), isNull(oauthGrants.revokedAt))),
    db
      .update(oauthTokens)
      .set({ revokedAt: now })
      .where(and(eq(oauthTokens.grantId, grantId), isNull(oauthTokens.revokedAt))),
  ]);
}

export interface LiveToken {
  kind: 'access' | 'refresh';
  scopes: string[];
  expiresAt: number | null;
  createdAt: number;
  grantId: string;
  orgId: string;
  userId: string | null;
  applicationId: string;
  clientId: string;
  /** The granting user's role now (null for client credentials): a token never outranks its user. */
  role: Role | null;
}

/**
 * A token that still works: not expired, not revoked, not used (rotated), its grant not
 * revoked, its application active, its user still a member. One D1 round trip; anything else is undefined.
 */
export async function findLiveToken(db: Db, token: string, now: number): Promise<LiveToken | undefined> {
  const [row] = await db
    .select({
      kind: oauthTokens.kind,
      scopes: oauthTokens.scopes,
      expiresAt: oauthTokens.expiresAt,
      createdAt: oauthTokens.createdAt,
      grantId: oauthTokens.grantId,
      orgId: oauthGrants.orgId,
      userId: oauthGrants.userId,
      applicationId: oauthGrants.applicationId,
      clientId: applications.clientId,
      role: memberships.role,
    })
    .from(oauthTokens)
    .innerJoin(oauthGrants, eq(oauthGrants.id, oauthTokens.grantId))
    .innerJoin(applications, eq(applications.id, oauthGrants.applicationId))
    .leftJoin(memberships, and(eq(memberships.userId, oauthGrants.userId), eq(memberships.orgId, oauthGrants.orgId)))
    .where(
      and(
        eq(oauthTokens.tokenHash, await sha256Hex(token)),
        isNull(oauthTokens.revokedAt),
        // A rotated refresh token is spent: presenting it again would revoke the grant.
        isNull(oauthTokens.usedAt),
        isNull(oauthGrants.revokedAt),
        eq(applications.active, true),
        or(isNull(oauthTokens.expiresAt), gt(oauthTokens.expiresAt, now)),
        // Also for refresh tokens stored before they had an expires_at.
        or(eq(oauthTokens.kind, 'access'), and(gt(oauthTokens.createdAt, now - REFRESH_IDLE_TTL_MS), gt(oauthGrants.createdAt, now - REFRESH_ABSOLUTE_TTL_MS))),
        // A user's token dies with their membership of the organization it acts for.
        or(isNull(oauthGrants.userId), isNotNull(memberships.role)),
      ),
    )
    .limit(1);
  return row;
}
