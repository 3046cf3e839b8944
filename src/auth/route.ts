import type { AnyContext } from '../env';
import { matchedRoutes } from 'hono/route';
import { DOC, type DocMeta } from '../lib/validate';

/**
 * The handlers of the route that will answer this request (its own chain, not the `.use`
 * middleware around it), so a guard can read what the route declares before the route runs.
 * Empty when no route matches: the request ends in a 404 or 405 and no handler runs.
 */
export function answeringRoute(c: AnyContext): unknown[] {
  const routes = matchedRoutes(c);
  const first = routes.find((r) => r.method !== 'ALL');
  if (!first) return [];
  return routes.filter((r) => r.method === first.method && r.path === first.path).map((r) => r.handler);
}

/** What a handler declares for the OpenAPI document and the guards (see lib/validate.ts). */
export function declarationOf(handler: unknown): DocMeta | undefined {
  return typeof handler === 'function' ? (handler as { [DOC]?: DocMeta })[DOC] : undefined;
}
