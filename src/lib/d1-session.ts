import { setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { inD1Session, type SessionStart } from '../db/client';
import type { AppEnv } from '../env';
import { isSafeMethod } from './request-site';

/** An API client hands back the bookmark a write returned, so its next read sees the write. */
export const BOOKMARK_HEADER = 'Edgelink-Bookmark';
/** A browser does the same by itself, for the page a form's redirect lands on. */
export const BOOKMARK_COOKIE = 'edgelink_bookmark';
/** Long enough to outlast any replica's lag; after that the bookmark asks for nothing a replica lacks. */
const BOOKMARK_COOKIE_SECONDS = 60;

// D1's bookmarks are dash-separated hex; anything else is ignored rather than handed to D1.
const BOOKMARK = /^[0-9a-f]{1,64}(?:-[0-9a-f]{1,64}){1,7}$/i;
const COOKIE_VALUE = /(?:^|;\s*)edgelink_bookmark=([^;]{1,200})/;

/**
 * Reads that decide a write read the primary: the OAuth server (codes and refresh tokens are
 * single use), the broker's callback (its state), and the token route when the app answers it,
 * which is when the hot path (hot-routes.ts) found a refresh due or something to refuse.
 */
const PRIMARY_PATHS = [/^\/oauth\//, /^\/api\/v1\/oauth\/callback$/, /^\/api\/v1\/connections\/[^/]+\/token$/];

/** The bookmark a request carries, header first, if it is well formed. */
export function bookmarkOf(headers: Headers): string | null {
  const given = headers.get(BOOKMARK_HEADER) ?? COOKIE_VALUE.exec(headers.get('cookie') ?? '')?.[1] ?? null;
  return given !== null && given.length <= 200 && BOOKMARK.test(given) ? given : null;
}

/** Where a request's D1 session starts: writes and the reads above on the primary, other reads anywhere. */
export function sessionStart(method: string, path: string, headers: Headers): SessionStart {
  if (!isSafeMethod(method) || PRIMARY_PATHS.some((p) => p.test(path))) return 'first-primary';
  return bookmarkOf(headers) ?? 'first-unconstrained';
}

// Reads a replica answered 404, and those asked again: a thing made a moment ago (a connection
// the callback just stored, a link) may not have reached the replica yet.
const missedOnReplica = new WeakSet<Request>();
const askedOnPrimary = new WeakSet<Request>();

export type ReplicaRetry = 'replica_miss' | 'primary';

/**
 * Where a request stands with that second try, for its log line: `replica_miss` for the
 * replica's 404 that was dropped, `primary` for the answer asked again of the primary.
 */
export function replicaRetryOf(request: Request): ReplicaRetry | null {
  if (askedOnPrimary.has(request)) return 'primary';
  return missedOnReplica.has(request) ? 'replica_miss' : null;
}

/**
 * Serves a request with `serve` (the app); a read that a replica answered 404 is served once
 * more, reading the primary, so nothing made a moment ago is reported missing. Reads by id,
 * lists and pages all get this, wherever their 404 comes from; a GET has no body to replay.
 */
export async function servedWhereWritten(request: Request, serve: (request: Request) => Promise<Response>): Promise<Response> {
  const response = await serve(request);
  if (!missedOnReplica.has(request)) return response;
  await response.body?.cancel();
  askedOnPrimary.add(request);
  return serve(request);
}

/**
 * Serves each request in one D1 session (see README "Reads served near the user"). A response
 * to a request that wrote carries the session's bookmark: JSON answers in `Edgelink-Bookmark`, pages and
 * redirects in a short-lived cookie, so the next request reads at least what this one wrote.
 */
export const d1Session = createMiddleware<AppEnv>(async (c, next) => {
  const request = c.req.raw;
  const start = askedOnPrimary.has(request) ? 'first-primary' : sessionStart(c.req.method, c.req.path, request.headers);
  const { written, onPrimary } = await inD1Session(c.env.DB, start, c.var.d1, next);
  if (c.res.status === 404 && isSafeMethod(c.req.method) && !onPrimary && c.var.d1.count > 0) missedOnReplica.add(request);
  // Only writes answer with one: a read's background work (an API key's last use) may or may
  // not have started by now, and no client needs to see it.
  if (written === null || isSafeMethod(c.req.method)) return;
  if (c.res.headers.get('content-type')?.startsWith('application/json')) {
    c.header(BOOKMARK_HEADER, written);
    return;
  }
  setCookie(c, BOOKMARK_COOKIE, written, {
    path: '/',
    httpOnly: true,
    secure: c.env.PUBLIC_URL.startsWith('https://'),
    sameSite: 'Lax',
    maxAge: BOOKMARK_COOKIE_SECONDS,
  });
});
