import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { sha256Hex } from '../lib/crypto';
import { signInAttempts } from './schema';

export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_ACCOUNT_ADDRESS = 5;
export const MAX_FAILURES_PER_IP = 20;

export interface AttemptCounter {
  key: string;
  limit: number;
}

/**
 * Two counters: one per (account, address) and one per address. No counter spans an account
 * across addresses, so failures from other addresses never refuse the owner's own (a lock
 * anyone could set); guessing one account from many addresses is bounded per address.
 * Counters are keyed by hashes: the email field sometimes holds a mistyped password, and
 * neither it nor the client's address needs to sit in D1 in clear.
 */
export async function signInCounters(email: string, clientIp: string): Promise<[AttemptCounter, AttemptCounter]> {
  const bucket = ipBucket(clientIp);
  return [
    { key: `account:${await sha256Hex(`${email}\n${bucket}`)}`, limit: MAX_FAILURES_PER_ACCOUNT_ADDRESS },
    { key: `ip:${await sha256Hex(bucket)}`, limit: MAX_FAILURES_PER_IP },
  ];
}

/**
 * One IPv6 customer usually holds a whole /64, so its addresses share one counter; an IPv4
 * address counts alone.
 */
export function ipBucket(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Takes one attempt from a fixed 15-minute window before the password is checked, in one
 * conditional upsert: when the window is full the DO UPDATE's WHERE fails, no row comes back
 * and the attempt is refused. Counting before checking means concurrent guesses cannot all
 * read "4 so far" and slip past the limit together. A success gives its attempt back.
 */
export function takeAttempt(db: Db, counter: AttemptCounter, now: number) {
  const windowOver = sql`${signInAttempts.windowStart} <= ${now - SIGN_IN_WINDOW_MS}`;
  return db
    .insert(signInAttempts)
    .values({ key: counter.key, windowStart: now, failures: 1 })
    .onConflictDoUpdate({
      target: signInAttempts.key,
      set: {
        windowStart: sql`CASE WHEN ${windowOver} THEN ${now} ELSE ${signInAttempts.windowStart} END`,
        failures: sql`CASE WHEN ${windowOver} THEN 1 ELSE ${signInAttempts.failures} + 1 END`,
      },
      setWhere: sql`${windowOver} OR ${signInAttempts.failures} < ${counter.limit}`,
    })
    .returning({ failures: signInAttempts.failures });
}

/** Gives attempts back: after a success, or when another counter refused the request. */
export function returnAttempts(db: Db, keys: string[]) {
  return db
    .update(signInAttempts)
    .set({ failures: sql`max(${signInAttempts.failures} - 1, 0)` })
    .where(inArray(signInAttempts.key, keys));
}

/** A correct password clears its (account, address) failures; the address keeps its count. */
export function clearAccountFailures(db: Db, key: string) {
  return db.delete(signInAttempts).where(eq(signInAttempts.key, key));
}
