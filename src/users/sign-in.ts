import { and, eq, lte } from 'drizzle-orm';
import type { Db } from '../db/client';
import { PBKDF2_ITERATIONS, verifyPassword } from '../lib/crypto';
import { clearAccountFailures, returnAttempts, signInCounters, takeAttempt } from './rate-limit';
import { sessions, users } from './schema';
import { newSession, sessionTokenHash } from './session';

/**
 * What an unknown email (or a user still without a password) is checked against, so the
 * answer takes as long as a wrong password would. It is a well-formed hash that no password
 * matches: the stored output is all zeros.
 */
const DUMMY_PASSWORD_HASH = `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${'A'.repeat(22)}$${'A'.repeat(43)}`;

export interface SignInInput {
  /** As typed; trimmed and lower-cased here. */
  email: string;
  password: string;
  clientIp: string;
  /** The session this browser already had, ended on a new sign-in. */
  previousSessionToken?: string;
}

export type SignInResult = { kind: 'signed_in'; userId: string; token: string; expiresAt: number } | { kind: 'invalid' } | { kind: 'rate_limited' };

/**
 * Email and password sign-in. An unknown email, a user without a password and a wrong
 * password all give `invalid` after the same work (one PBKDF2), and count against the same
 * limits, so the answer says nothing about which accounts exist.
 */
export async function signIn(db: Db, input: SignInInput, now = Date.now()): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const [account, address] = await signInCounters(email, input.clientIp);
  const [accountTaken, addressTaken, [user]] = await db.batch([
    takeAttempt(db, account, now),
    takeAttempt(db, address, now),
    db.select({ id: users.id, passwordHash: users.passwordHash }).from(users).where(eq(users.email, email)).limit(1),
  ]);
  if (accountTaken.length === 0 || addressTaken.length === 0) {
    const taken = [accountTaken.length > 0 ? account.key : null, addressTaken.length > 0 ? address.key : null].filter((k) => k !== null);
    if (taken.length > 0) await returnAttempts(db, taken);
    return { kind: 'rate_limited' };
  }

  const matches = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || user.passwordHash === null || !matches) return { kind: 'invalid' };

  const session = await newSession(db, user.id, now);
  const previous = input.previousSessionToken ? await sessionTokenHash(input.previousSessionToken) : null;
  await db.batch([
    clearAccountFailures(db, account.key),
    returnAttempts(db, [address.key]),
    // A fresh token on every sign-in (no session fixation), and this user's dead rows go with it.
    db.delete(sessions).where(and(eq(sessions.userId, user.id), lte(sessions.expiresAt, now))),
    ...(previous ? [db.delete(sessions).where(eq(sessions.tokenHash, previous))] : []),
    session.insert,
  ]);
  return { kind: 'signed_in', userId: user.id, token: session.token, expiresAt: session.expiresAt };
}
