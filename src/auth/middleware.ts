import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { findActiveApiKey, touchApiKey } from '../api-keys/service';
import { timingSafeEqual } from '../lib/crypto';
import { ApiError, forbidden, unauthorized } from '../lib/errors';
import type { apiKeys } from '../api-keys/schema';
import { API_KEY_PREFIX } from '../api-keys/secret';
import type { Role } from '../users/schema';
import { sessionTokenOf } from '../users/session';
import { isOrgCaller, mayWrite, type OrgCaller } from './caller';
import { isSafeMethod } from './request-site';
import { sessionCaller } from './session';
import { refuseUndeclaredScope } from './scope';
import { ACCESS_TOKEN_PREFIX, findLiveToken } from '../oauth-server/tokens';

export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer +([\x21-\x7e]{1,512})\s*$/i.exec(header);
  if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".');
  return match[1]!;
}

/**
 * Resolves the Authorization header (or, without one, the session cookie) into `c.var.caller`
 * once; routes then ask for the kind of caller they accept. An unknown, revoked or expired
 * credential is refused here, so no route can forget to.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  // Already resolved by a sub-app mounted ahead of the app-wide authenticate (connections).
  if (c.var.caller) return next();
  const token = bearerToken(c.req.header('authorization'));
  const sessionToken = token === null ? sessionTokenOf(c) : undefined;
  if (sessionToken !== undefined) {
    c.set('caller', await sessionCaller(c, sessionToken));
  } else if (token === null) {
    c.set('caller', null);
  } else if (token.startsWith(API_KEY_PREFIX)) {
    const key = await findActiveApiKey(c.var.deps.db, token);
    if (!key) throw unauthorized('This API key is unknown or has been revoked.');
    actAsApiKey(c, key);
  } else if (token.startsWith(ACCESS_TOKEN_PREFIX)) {
    const live = await findLiveToken(c.var.deps.db, token, Date.now());
    if (!live || live.kind !== 'access') {
      throw new ApiError(401, 'unauthorized', 'This access token is unknown, expired or revoked.', undefined, {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    c.set('caller', { kind: 'oauth', orgId: live.orgId, applicationId: live.applicationId, userId: live.userId, role: live.role, scopes: live.scopes });
  } else if (c.env.ADMIN_TOKEN && timingSafeEqual(token, c.env.ADMIN_TOKEN)) {
    c.set('caller', { kind: 'operator' });
  } else {
    throw unauthorized('This bearer token is not valid.');
  }
  await next();
});

/** Records a live API key as the caller, and its use in the background (at most once a minute). */
export function actAsApiKey(c: Context<AppEnv>, key: typeof apiKeys.$inferSelect): void {
  c.set('caller', { kind: 'api_key', orgId: key.orgId, keyId: key.id });
  c.executionCtx.waitUntil(touchApiKey(c.var.deps.db, key, Date.now()));
}

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
