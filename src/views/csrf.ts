import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';

export type RequestSite = 'same-origin' | 'foreign' | 'unknown';

/**
 * Where a request came from, as the browser tells it: `Sec-Fetch-Site` when sent (browsers set
 * it and pages cannot), otherwise `Origin`. Our pages send `Referrer-Policy: no-referrer`, under
 * which a browser's own form posts say `Origin: null`, so `Sec-Fetch-Site: same-origin` must
 * count on its own. A request with neither header did not come from a current browser: `unknown`.
 */
export function requestSite(c: Context<AppEnv, any, any>): RequestSite {
  const fetchSite = c.req.header('sec-fetch-site');
  if (fetchSite !== undefined) return fetchSite === 'same-origin' ? 'same-origin' : 'foreign';
  const origin = c.req.header('origin');
  if (origin !== undefined) return origin === new URL(c.env.PUBLIC_URL).origin ? 'same-origin' : 'foreign';
  return 'unknown';
}

/** GET, HEAD and OPTIONS change nothing; everything else is a write. */
export const isSafeMethod = (method: string) => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';

/**
 * The one CSRF check of our pages: a write must say it came from our own origin, whatever its
 * content type, or `refuse` answers instead. A foreign page could otherwise post a victim's
 * browser into our forms (start a connect flow, sign them in as the attacker, or out).
 */
export function refuseCrossSiteWrites(refuse: (c: Context<AppEnv>) => Response | Promise<Response>) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!isSafeMethod(c.req.method) && requestSite(c) !== 'same-origin') return refuse(c);
    await next();
  });
}
