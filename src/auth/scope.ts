import { createMiddleware } from 'hono/factory';
import type { ApplicationScope } from '../applications/scopes';
import type { AnyContext, AppEnv } from '../env';
import { ApiError } from '../lib/errors';
import { DOC, type DocMeta } from '../lib/validate';
import { answeringRoute, declarationOf } from './route';

/** The scope that satisfies every other; also what a route that declares no scope needs. */
export const FULL_ACCESS = 'all.full_access' satisfies ApplicationScope;

export function hasScope(granted: readonly string[], needed: string): boolean {
  return granted.includes(FULL_ACCESS) || granted.includes(needed);
}

const insufficientScope = (needed: string) =>
  new ApiError(403, 'insufficient_scope', `This access token needs the scope "${needed}".`, undefined, {
    'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${needed}"`,
  });

/**
 * Declares the scope an Edgelink access token needs for this route, and checks it. Other
 * credentials (API keys, sessions, the operator) carry no scopes and pass; their role rules are
 * requireOrganization's. The declaration is also what /openapi.json shows for the route.
 */
export function requireScope(scope: ApplicationScope) {
  const guard = createMiddleware<AppEnv>(async (c, next) => {
    const caller = c.var.caller;
    if (caller?.kind === 'oauth' && !hasScope(caller.scopes, scope)) throw insufficientScope(scope);
    await next();
  });
  return Object.assign(guard, { [DOC]: { kind: 'scope', scope } satisfies DocMeta });
}

/**
 * Fails closed for a route that declares no scope: an access token then needs FULL_ACCESS, so a
 * new route cannot forget its scope and open itself to every token. A path no route answers is
 * left to the 404 or 405.
 */
export function refuseUndeclaredScope(c: AnyContext): void {
  const caller = c.var.caller;
  if (caller?.kind !== 'oauth' || hasScope(caller.scopes, FULL_ACCESS)) return;
  const handlers = answeringRoute(c);
  if (handlers.length > 0 && !handlers.some((h) => declarationOf(h)?.kind === 'scope')) throw insufficientScope(FULL_ACCESS);
}
