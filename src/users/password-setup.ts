import { and, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { hashPassword, randomToken, sha256Hex } from '../lib/crypto';
import { passwordSetupTokens, sessions, users } from './schema';

export const PASSWORD_SETUP_TTL_MS = 24 * 60 * 60_000;

/** 32 random bytes in base64url: the shape of every setup token we hand out. */
export const SETUP_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const setPasswordUrl = (publicUrl: string, token: string) => `${publicUrl}/login/set-password/${token}`;

/** A fresh setup token: the caller stores `row` and shows `token` once. */
export async function newPasswordSetup(userId: string, now: number) {
  const token = randomToken(32);
  const row: typeof passwordSetupTokens.$inferInsert = {
    tokenHash: await sha256Hex(token),
    userId,
    expiresAt: now + PASSWORD_SETUP_TTL_MS,
    usedAt: null,
  };
  return { token, row };
}

/** The user a live (unused, unexpired) setup token is for, to show the form; null otherwise. */
export async function findPasswordSetup(db: Db, token: string, now: number) {
  const [row] = await db
    .select({ userId: users.id, email: users.email })
    .from(passwordSetupTokens)
    .innerJoin(users, eq(users.id, passwordSetupTokens.userId))
    .where(and(eq(passwordSetupTokens.tokenHash, await sha256Hex(token)), isNull(passwordSetupTokens.usedAt), gt(passwordSetupTokens.expiresAt, now)))
    .limit(1);
  return row ?? null;
}

/**
 * Sets the password once. One batch writes the hash, ends the old sessions and marks the token
 * used, so a failure leaves either all of it or none (the link still works). The writes find
 * the user through the still-unused token; the conditional UPDATE that marks it used runs last
 * and decides which of two concurrent submissions wins. Returns false for an unknown, expired
 * or already used token.
 */
export async function completePasswordSetup(db: Db, token: string, password: string, now: number): Promise<boolean> {
  const passwordHash = await hashPassword(password);
  const live = and(eq(passwordSetupTokens.tokenHash, await sha256Hex(token)), isNull(passwordSetupTokens.usedAt), gt(passwordSetupTokens.expiresAt, now));
  const liveUser = db.select({ userId: passwordSetupTokens.userId }).from(passwordSetupTokens).where(live);
  const [, , claimed] = await db.batch([
    db.update(users).set({ passwordHash }).where(inArray(users.id, liveUser)),
    // A new password ends every session signed in with the old one.
    db.delete(sessions).where(inArray(sessions.userId, liveUser)),
    db.update(passwordSetupTokens).set({ usedAt: now }).where(live).returning({ userId: passwordSetupTokens.userId }),
  ]);
  return claimed.length > 0;
}
