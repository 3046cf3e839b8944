import { apiKeyJoined } from './api-keys/joined';
import { linkPageHotRoute } from './connect/link-page-hot';
import { connectionHotRoutes } from './connections/hot-routes';
import { dbFor } from './db/client';
import type { CloudflareBindings } from './env';
import type { HotRoute } from './hot/route';
import { parsedKeyring, parseKeyring } from './lib/crypto';
import { bookmarkOf } from './lib/d1-session';
import { logRequest, newRequestId } from './lib/request-log';
import { accessTokenJoined } from './oauth-server/joined';

/**
 * The routes the Worker answers before the app: the hot calls whose common case is one
 * statement, where the app's routing, middleware and query building would be most of the CPU
 * time (see docs/performance.md). Each stands in for an app route and answers only what that
 * route would answer with a 200; anything else goes on to the app untouched.
 */
const HOT_ROUTES: HotRoute[] = [...connectionHotRoutes([apiKeyJoined, accessTokenJoined]), linkPageHotRoute];

/** The path of an absolute URL without a query; null when it has one (the app reads queries). */
function pathOf(url: string): string | null {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1 || url.includes('?', start) || url.includes('#', start)) return null;
  return url.slice(start);
}

export async function serveHot(request: Request, env: CloudflareBindings, ctx: ExecutionContext): Promise<Response | null> {
  if (request.method !== 'GET') return null;
  const path = pathOf(request.url);
  if (path === null) return null;
  for (const route of HOT_ROUTES) {
    const params = route.match(path);
    if (!params) continue;
    const started = Date.now();
    const trips = { count: 0 };
    // A read-only answer: any replica may serve it (or one as fresh as the caller's bookmark).
    // A miss there goes to the app, which asks the primary before refusing.
    const start = bookmarkOf(request.headers) ?? 'first-unconstrained';
    let session: D1DatabaseSession | undefined;
    const deps = {
      // Counted here rather than by the app's AsyncLocalStorage wrapper: one call per statement.
      query: (sql: string, ...binds: unknown[]) => {
        trips.count++;
        session ??= env.DB.withSession(start);
        return session
          .prepare(sql)
          .bind(...binds)
          .raw();
      },
      db: dbFor(env.DB),
      keyring: parsedKeyring(env.ENCRYPTION_KEYS) ?? (await parseKeyring(env.ENCRYPTION_KEYS)),
      waitUntil: (promise: Promise<unknown>) => ctx.waitUntil(promise),
      now: started,
      publicUrl: env.PUBLIC_URL,
    };
    let answer: Awaited<ReturnType<HotRoute['serve']>>;
    try {
      answer = await route.serve(request, params, deps);
    } catch {
      // The app answers it again and shapes (and logs) whatever went wrong.
      return null;
    }
    if (!answer) return null;
    const requestId = newRequestId();
    answer.response.headers.set('x-request-id', requestId);
    logRequest({ requestId, method: 'GET', route: route.route, status: answer.response.status, started, trips, caller: answer.caller });
    return answer.response;
  }
  return null;
}
