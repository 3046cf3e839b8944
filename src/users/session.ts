import type { AnyContext } from '../env';
import { getCookie } from 'hono/cookie';
import { and, eq, gt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { randomToken, sha256Hex } from '../lib/crypto';
import { sessions, users } from './schema';

export const SESSION_TTL_MS = 12 * 60 * 60_000;

/**
 * `__Host-` pins the cookie to our origin (Secure, Path=/, no Domain), but browsers honour
 * Secure cookies only over https; local development on http://127.0.0.1 uses a plain name.
 */
export function sessionCookieName(publicUrl: string): string {
  return publicUrl.startsWith('https://') ? '__Host-elk_session' : 'elk_session';
}

/** Lax: sent on a top-level navigation to us (a link into the console), never on a cross-site POST. */
export function sessionCookieAttributes(publicUrl: string) {
  return {
    path: '/',
    httpOnly: true,
    secure: publicUrl.startsWith('https://'),
    sameSite: 'Lax' as const,
    maxAge: SESSION_TTL_MS / 1000,
  };
}

/** The session token a request carries, if any. */
export function sessionTokenOf(c: AnyContext): string | undefined {
  const token = getCookie(c, sessionCookieName(c.env.PUBLIC_URL));
  return token && /^[A-Za-z0-9_-]{43}$/.test(token) ? token : undefined;
}

export const sessionTokenHash = (token: string) => sha256Hex(token);

/** Statements that start a session; run them in the caller's batch. The cookie gets `token`. */
export async function newSession(db: Db, userId: string, now: number) {
  const token = randomToken(32);
  const expiresAt = now + SESSION_TTL_MS;
  const insert = db.insert(sessions).values({ tokenHash: await sessionTokenHash(token), userId, createdAt: now, expiresAt });
  return { token, expiresAt, insert };
}

export interface SessionUser {
  userId: string;
  email: string;
  name: string | null;
  expiresAt: number;
}

/** The signed-in user behind a live session token, or null (unknown, expired or signed out). */
export async function findSessionUser(db: Db, token: string, now = Date.now()): Promise<SessionUser | null> {
  const [row] = await db
    .select({ userId: users.id, email: users.email, name: users.name, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, await sessionTokenHash(token)), gt(sessions.expiresAt, now)))
    .limit(1);
  return row ?? null;
}

/** Signing out: the row goes, so the token is worthless even if the cookie survives somewhere. */
export async function endSession(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, await sessionTokenHash(token)));
}

/** The user signed in on this request's browser, or null: for HTML pages (consent) that need one. */
export async function signedInUser(c: AnyContext): Promise<{ id: string; email: string; name: string | null } | null> {
  const token = sessionTokenOf(c);
  const user = token ? await findSessionUser(c.var.deps.db, token) : null;
  return user ? { id: user.userId, email: user.email, name: user.name } : null;
}
