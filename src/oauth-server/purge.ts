import { and, eq, inArray, isNotNull, lt, notExists, or, sql } from 'drizzle-orm';
import type { AppDeps } from '../deps';
import { oauthCodes, oauthGrants, oauthTokens } from './schema';
import { REFRESH_IDLE_TTL_MS } from './tokens';

/**
 * An expired code is kept a day, so a replay soon after still revokes what it issued
 * (RFC 6749 §4.1.2); after that it only answers "invalid".
 */
export const CODE_RETENTION_MS = 24 * 60 * 60_000;

export interface OAuthPurgeCounts {
  oauth_codes: number;
  oauth_tokens: number;
  oauth_grants: number;
}

/**
 * For the scheduled purge: at most `limit` rows of each kind, in one batch. Tokens go once
 * expired (a used refresh token is kept until then, so its reuse is still caught); grants go
 * when revoked or left with no code and no token (their rows go with them, ON DELETE CASCADE).
 * D1's SQLite has no DELETE … LIMIT, so each bound is a subquery.
 */
export async function purgeOAuthRows(deps: Pick<AppDeps, 'db'>, now: number, limit: number): Promise<OAuthPurgeCounts> {
  const { db } = deps;
  const expiredCodes = db
    .select({ key: oauthCodes.codeHash })
    .from(oauthCodes)
    .where(lt(oauthCodes.expiresAt, now - CODE_RETENTION_MS))
    .limit(limit);
  const expiredTokens = db
    .select({ key: oauthTokens.tokenHash })
    .from(oauthTokens)
    .where(
      or(
        lt(oauthTokens.expiresAt, now),
        // Refresh tokens stored before they had an expires_at.
        and(eq(oauthTokens.kind, 'refresh'), lt(oauthTokens.createdAt, now - REFRESH_IDLE_TTL_MS)),
      ),
    )
    .limit(limit);
  const deadGrants = db
    .select({ key: oauthGrants.id })
    .from(oauthGrants)
    .where(
      or(
        isNotNull(oauthGrants.revokedAt),
        and(
          notExists(db.select({ one: sql`1` }).from(oauthTokens).where(eq(oauthTokens.grantId, oauthGrants.id))),
          notExists(db.select({ one: sql`1` }).from(oauthCodes).where(eq(oauthCodes.grantId, oauthGrants.id))),
        ),
      ),
    )
    .limit(limit);
  const [codes, tokens, grants] = await db.batch([
    db.delete(oauthCodes).where(inArray(oauthCodes.codeHash, expiredCodes)).returning({ key: oauthCodes.codeHash }),
    db.delete(oauthTokens).where(inArray(oauthTokens.tokenHash, expiredTokens)).returning({ key: oauthTokens.tokenHash }),
    db.delete(oauthGrants).where(inArray(oauthGrants.id, deadGrants)).returning({ key: oauthGrants.id }),
  ]);
  return { oauth_codes: codes.length, oauth_tokens: tokens.length, oauth_grants: grants.length };
}
