import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { isSafeMethod, requestSite } from '../lib/request-site';

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
