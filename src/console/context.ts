import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { roleMayWrite } from '../auth/caller';
import type { AppEnv } from '../env';
import { hmacSha256Hex, timingSafeEqual } from '../lib/crypto';
import { isSafeMethod } from '../lib/request-site';
import { sessionTokenOf } from '../users/session';
import { findViewer, type Viewer, type ViewerMembership } from '../users/viewer';
import { ApiError } from '../lib/errors';

/** Who is looking at the console, and for which of their organizations. */
export interface ConsoleContext {
  viewer: Viewer;
  /** The organization the pages show; null for someone who belongs to none yet. */
  org: ViewerMembership | null;
  /** Owners and admins change things; members only look. */
  canWrite: boolean;
  /** The form token every console POST must carry (see `csrfToken`). */
  csrf: string;
}

declare module 'hono' {
  interface ContextVariableMap {
    console: ConsoleContext;
  }
}

/** Console routes run on the app's environment; `console` is on every context (see ContextVariableMap). */
export type ConsoleEnv = AppEnv;

const ORG_COOKIE = 'elk_console_org';
export const CSRF_FIELD = '_csrf';

/**
 * A form token bound to the session: an HMAC keyed by the session token, which only this
 * browser holds. It is the CSRF defence that does not depend on headers a proxy may strip;
 * the page layer's Origin / Sec-Fetch-Site check is the other.
 */
const csrfToken = (sessionToken: string) => hmacSha256Hex(sessionToken, 'console/csrf');

/** The organization chosen with the switcher, if the viewer still belongs to it; else their first. */
function currentOrganization(c: Context, viewer: Viewer): ViewerMembership | null {
  const chosen = getCookie(c, ORG_COOKIE);
  return viewer.memberships.find((m) => m.orgId === chosen) ?? viewer.memberships[0] ?? null;
}

/** Remembers the organization the switcher chose (not a secret: every request checks membership). */
export function rememberOrganization(c: Context, orgId: string): void {
  const secure = c.env.PUBLIC_URL.startsWith('https://');
  setCookie(c, ORG_COOKIE, orgId, { path: '/console', httpOnly: true, secure, sameSite: 'Lax', maxAge: 30 * 24 * 3600 });
}

/** Where sign-in sends someone back to: the page they asked for. */
const signInUrl = (c: Context) => `/login?next=${encodeURIComponent(new URL(c.req.url).pathname + new URL(c.req.url).search)}`;

/**
 * Every console page needs a signed-in viewer: without one, sign-in first and back here.
 * A POST must carry the session's form token; a member's POST is refused (pages render
 * read-only for them, so only a crafted request gets there).
 */
export const consoleSession = createMiddleware<ConsoleEnv>(async (c, next) => {
  const token = sessionTokenOf(c);
  const viewer = token ? await findViewer(c.var.deps.db, token) : null;
  if (!token || !viewer) return c.redirect(isSafeMethod(c.req.method) ? signInUrl(c) : '/login', 303);
  const org = currentOrganization(c, viewer);
  const csrf = await csrfToken(token);
  c.set('console', { viewer, org, canWrite: org !== null && roleMayWrite(org.role), csrf });
  if (!isSafeMethod(c.req.method)) {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const sent = form[CSRF_FIELD];
    if (typeof sent !== 'string' || !timingSafeEqual(sent, csrf)) {
      throw new ApiError(403, 'form_expired', 'This form has expired or did not come from this console. Open the page again and repeat what you did.');
    }
  }
  await next();
});
