import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ApiError, forbidden, unauthorized } from '../lib/errors';
import type { Role } from '../users/schema';
import { isOrgCaller, mayWrite, type OrgCaller } from './caller';
import { isSafeMethod } from '../lib/request-site';
import { refuseUndeclaredScope } from './scope';

/** Operator routes: only the ADMIN_TOKEN opens them. */
export const requireOperator = createMiddleware<AppEnv>(async (c, next) => {
  const caller = c.var.caller;
  if (caller === null) throw unauthorized('Send the operator token as "Authorization: Bearer <ADMIN_TOKEN>".');
  if (caller.kind !== 'operator') throw new ApiError(403, 'forbidden', 'This route is for the operator only.');
  await next();
});

/**
 * Organization routes: the caller must act for exactly one organization, and only owners and
 * admins may change anything there; a member's session reads. Every organization route passes
 * here, so no route can forget the role, nor an access token's scope (see requireScope).
 */
export const requireOrganization = createMiddleware<AppEnv>(async (c, next) => {
  const caller = c.var.caller;
  if (caller === null) throw unauthorized('Send an API key as "Authorization: Bearer elk_sk_…".');
  if (!isOrgCaller(caller)) {
    throw new ApiError(403, 'forbidden', 'Use an organization API key; the operator token manages organizations under /api/v1/admin.');
  }
  if (!isSafeMethod(c.req.method) && !mayWrite(caller)) throw forbidden('Your role cannot change this: members of an organization may only read.');
  // The route's own requireScope checks the scope it declares; one that declares none needs full access.
  refuseUndeclaredScope(c);
  await next();
});

/**
 * For routes only some roles may use even to read (e.g. owner-only settings): a signed-in
 * user needs one of `roles`; API keys act for their organization and pass. Use after
 * requireOrganization.
 */
export function requireRole(...roles: Role[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const caller = orgOf(c.var.caller);
    if (caller.kind === 'user' && !roles.includes(caller.role)) throw forbidden(`Your role cannot do this: it needs ${roles.join(' or ')}.`);
    await next();
  });
}

/** The organization a request acts for; only valid after requireOrganization. */
export function orgOf(caller: AppEnv['Variables']['caller']): OrgCaller {
  if (!isOrgCaller(caller)) throw new Error('orgOf called on a route without requireOrganization');
  return caller;
}

/** Routes any authenticated caller may read: an organization or the operator. */
export const requireCaller = createMiddleware<AppEnv>(async (c, next) => {
  if (c.var.caller === null) throw unauthorized('Send an API key as "Authorization: Bearer elk_sk_…".');
  await next();
});
