import type { Context } from 'hono';
import { and, eq, gt } from 'drizzle-orm';
import type { AppEnv } from '../env';
import { ApiError, forbidden, notFound, unauthorized } from '../lib/errors';
import { validationError } from '../lib/validate';
import { idSchema } from '../lib/ids';
import { memberships, sessions } from '../users/schema';
import { sessionTokenHash } from '../users/session';
import type { Caller } from './caller';
import { isSafeMethod, requestSite } from './request-site';

/** Names the organization a signed-in user acts for when they belong to several. */
export const ORGANIZATION_HEADER = 'Edgelink-Organization';

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * A browser sends the session cookie with any request to us, including one a foreign page
 * triggers, so a write made with the cookie must come from our own pages (or from a client
 * that is not a browser at all) and carry JSON, which no cross-site form can send.
 */
function refuseForgedWrite(c: Context<AppEnv>): void {
  if (isSafeMethod(c.req.method)) return;
  if (requestSite(c) === 'foreign') {
    throw forbidden('Cross-site requests cannot use the session cookie; send them from Edgelink itself or with an API key.');
  }
  const type = c.req.header('content-type');
  if (type !== undefined && !JSON_TYPE.test(type.split(';')[0]!.trim())) {
    throw new ApiError(415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.');
  }
}

function requestedOrganization(c: Context<AppEnv>): string | undefined {
  const value = c.req.header(ORGANIZATION_HEADER);
  if (value === undefined) return undefined;
  const parsed = idSchema('org').safeParse(value.trim());
  if (!parsed.success) {
    throw validationError([{ location: 'header', field: ORGANIZATION_HEADER, message: "must be an id starting with 'org_'" }]);
  }
  return parsed.data;
}

/**
 * The caller behind a session cookie, in one query: the live session and the user's
 * membership in the requested organization (or all of them, to see whether there is exactly
 * one). An organization the user does not belong to answers like one that does not exist.
 */
export async function sessionCaller(c: Context<AppEnv>, token: string, now = Date.now()): Promise<Caller> {
  refuseForgedWrite(c);
  const orgId = requestedOrganization(c);
  const rows = await c.var.deps.db
    .select({ userId: sessions.userId, orgId: memberships.orgId, role: memberships.role })
    .from(sessions)
    .leftJoin(memberships, and(eq(memberships.userId, sessions.userId), orgId === undefined ? undefined : eq(memberships.orgId, orgId)))
    .where(and(eq(sessions.tokenHash, await sessionTokenHash(token)), gt(sessions.expiresAt, now)))
    .limit(2);
  const [first] = rows;
  if (!first) throw unauthorized('Your session has ended; sign in again at /login.');
  if (orgId !== undefined && first.orgId === null) throw notFound('organization', orgId);
  if (first.orgId === null || first.role === null) throw forbidden('Your account does not belong to any organization yet.');
  if (rows.length > 1) {
    throw validationError([
      { location: 'header', field: ORGANIZATION_HEADER, message: 'is required: you belong to several organizations, so say which one this request is for' },
    ]);
  }
  return { kind: 'user', userId: first.userId, orgId: first.orgId, role: first.role };
}
