import { and, eq, exists, gt, gte, inArray, lt, not, or, sql, type SQL } from 'drizzle-orm';
import { alias, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { AppDeps } from '../deps';
import { oauthCodes, oauthGrants, oauthTokens } from './schema';
import { REFRESH_ABSOLUTE_TTL_MS } from './tokens';

/**
 * An expired code is kept a day, so a replay soon after still revokes what it issued
 * (RFC 6749 §4.1.2); after that it only answers "invalid".
 */
export const CODE_RETENTION_MS = 24 * 60 * 60_000;

/**
 * No row of a grant matters past this: refresh tokens end at the grant's absolute lifetime,
 * access tokens are issued only while a refresh token or a fresh code is valid, codes are kept a day.
 */
export const GRANT_RETENTION_MS = REFRESH_ABSOLUTE_TTL_MS + CODE_RETENTION_MS;

export interface OAuthPurgeCounts {
  oauth_codes: number;
  oauth_tokens: number;
  oauth_grants: number;
}

const liveTokens = alias(oauthTokens, 'live_tokens');
const liveCodes = alias(oauthCodes, 'live_codes');

/**
 * For the scheduled purge: at most `limit` rows of each kind, in one batch, each set read
 * through an index, never by walking every grant. A grant goes when revoked, when past every
 * lifetime (which also catches one left empty some other way), or when the expired codes and
 * tokens this run looks at were all it had; its rows go with it (ON DELETE CASCADE). Expired
 * codes and tokens of grants that keep a live one are deleted on their own, so a grant never
 * loses its last rows without being looked at. Used refresh tokens stay until they expire, so
 * their reuse is still caught. D1's SQLite has no DELETE … LIMIT, so each bound is a subquery.
 */
export async function purgeOAuthRows(deps: Pick<AppDeps, 'db'>, now: number, limit: number): Promise<OAuthPurgeCounts> {
  const { db } = deps;
  const codeCutoff = now - CODE_RETENTION_MS;
  const keepsALiveRow = (grantId: SQLiteColumn): SQL =>
    or(
      exists(
        db
          .select({ one: sql`1` })
          .from(liveTokens)
          .where(and(eq(liveTokens.grantId, grantId), gte(liveTokens.expiresAt, now))),
      ),
      exists(
        db
          .select({ one: sql`1` })
          .from(liveCodes)
          .where(and(eq(liveCodes.grantId, grantId), gte(liveCodes.expiresAt, codeCutoff))),
      ),
    )!;
  const grantsOfExpired = or(
    inArray(oauthGrants.id, db.select({ key: oauthCodes.grantId }).from(oauthCodes).where(lt(oauthCodes.expiresAt, codeCutoff)).limit(limit)),
    inArray(oauthGrants.id, db.select({ key: oauthTokens.grantId }).from(oauthTokens).where(lt(oauthTokens.expiresAt, now)).limit(limit)),
  );
  const emptied = db
    .select({ key: oauthGrants.id })
    .from(oauthGrants)
    .where(and(grantsOfExpired, not(keepsALiveRow(oauthGrants.id))))
    .limit(limit);
  const ended = db
    .select({ key: oauthGrants.id })
    .from(oauthGrants)
    // `revoked_at > 0`, not IS NOT NULL: a range lets SQLite answer each side of the OR from its index.
    .where(or(gt(oauthGrants.revokedAt, 0), lt(oauthGrants.createdAt, now - GRANT_RETENTION_MS)))
    .limit(limit);
  const expiredCodes = db
    .select({ key: oauthCodes.codeHash })
    .from(oauthCodes)
    .where(and(lt(oauthCodes.expiresAt, codeCutoff), keepsALiveRow(oauthCodes.grantId)))
    .limit(limit);
  const expiredTokens = db
    .select({ key: oauthTokens.tokenHash })
    .from(oauthTokens)
    .where(and(lt(oauthTokens.expiresAt, now), keepsALiveRow(oauthTokens.grantId)))
    .limit(limit);
  const [emptiedGrants, endedGrants, codes, tokens] = await db.batch([
    db.delete(oauthGrants).where(inArray(oauthGrants.id, emptied)).returning({ key: oauthGrants.id }),
    db.delete(oauthGrants).where(inArray(oauthGrants.id, ended)).returning({ key: oauthGrants.id }),
    db.delete(oauthCodes).where(inArray(oauthCodes.codeHash, expiredCodes)).returning({ key: oauthCodes.codeHash }),
    db.delete(oauthTokens).where(inArray(oauthTokens.tokenHash, expiredTokens)).returning({ key: oauthTokens.tokenHash }),
  ]);
  return { oauth_codes: codes.length, oauth_tokens: tokens.length, oauth_grants: emptiedGrants.length + endedGrants.length };
}
