import { gt, inArray, lte, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import { SIGN_IN_WINDOW_MS } from './rate-limit';
import { passwordSetupTokens, sessions, signInAttempts } from './schema';

export interface SignInPurgeCounts {
  sessions: number;
  password_setup_tokens: number;
  sign_in_attempts: number;
}

/**
 * For the scheduled purge: at most `limit` rows of each kind that can no longer matter (expired
 * sessions, used or expired set-password tokens, counters whose window is over), in one batch.
 */
export async function purgeSignInRows(db: Db, now: number, limit: number): Promise<SignInPurgeCounts> {
  const deadSessions = db.select({ key: sessions.tokenHash }).from(sessions).where(lte(sessions.expiresAt, now)).limit(limit);
  const deadTokens = db
    .select({ key: passwordSetupTokens.tokenHash })
    .from(passwordSetupTokens)
    // `used_at > 0`, not IS NOT NULL: a range lets SQLite answer each side of the OR from its index.
    .where(or(lte(passwordSetupTokens.expiresAt, now), gt(passwordSetupTokens.usedAt, 0)))
    .limit(limit);
  const staleCounters = db
    .select({ key: signInAttempts.key })
    .from(signInAttempts)
    .where(lte(signInAttempts.windowStart, now - SIGN_IN_WINDOW_MS))
    .limit(limit);
  const [s, t, a] = await db.batch([
    db.delete(sessions).where(inArray(sessions.tokenHash, deadSessions)).returning({ key: sessions.tokenHash }),
    db.delete(passwordSetupTokens).where(inArray(passwordSetupTokens.tokenHash, deadTokens)).returning({ key: passwordSetupTokens.tokenHash }),
    db.delete(signInAttempts).where(inArray(signInAttempts.key, staleCounters)).returning({ key: signInAttempts.key }),
  ]);
  return { sessions: s.length, password_setup_tokens: t.length, sign_in_attempts: a.length };
}
