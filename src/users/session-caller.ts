import { and, eq, gt } from 'drizzle-orm';
import type { SessionCredential, VerifyInputs } from '../auth/authenticate';
import type { Caller } from '../auth/caller';
import { forbidden, notFound, unauthorized } from '../lib/errors';
import { idSchema } from '../lib/ids';
import { validationError } from '../lib/validate';
import { memberships, sessions } from './schema';
import { sessionTokenHash, sessionTokenOf } from './session';

/** Names the organization a signed-in user acts for when they belong to several. */
export const ORGANIZATION_HEADER = 'Edgelink-Organization';

function requestedOrganization(headers: Headers): string | undefined {
  const value = headers.get(ORGANIZATION_HEADER);
  if (value === null) return undefined;
  const parsed = idSchema('org').safeParse(value.trim());
  if (!parsed.success) {
    throw validationError([{ location: 'header', field: ORGANIZATION_HEADER, message: "must be an id starting with 'org_'" }]);
  }
  return parsed.data;
}

/**
 * The caller behind a session token, in one query: the live session and the user's membership
 * in the requested organization (or all of them, to see whether there is exactly one). An
 * organization the user does not belong to answers like one that does not exist. Null when the
 * session has ended.
 */
export async function verifySession(token: string, { deps, headers, now }: Pick<VerifyInputs, 'deps' | 'headers' | 'now'>): Promise<Caller | null> {
  const orgId = requestedOrganization(headers);
  const rows = await deps.db
    .select({ userId: sessions.userId, orgId: memberships.orgId, role: memberships.role })
    .from(sessions)
    .leftJoin(memberships, and(eq(memberships.userId, sessions.userId), orgId === undefined ? undefined : eq(memberships.orgId, orgId)))
    .where(and(eq(sessions.tokenHash, await sessionTokenHash(token)), gt(sessions.expiresAt, now)))
    .limit(2);
  const [first] = rows;
  if (!first) return null;
  if (orgId !== undefined && first.orgId === null) throw notFound('organization', orgId);
  if (first.orgId === null || first.role === null) throw forbidden('Your account does not belong to any organization yet.');
  if (rows.length > 1) {
    throw validationError([
      { location: 'header', field: ORGANIZATION_HEADER, message: 'is required: you belong to several organizations, so say which one this request is for' },
    ]);
  }
  return { kind: 'user', userId: first.userId, orgId: first.orgId, role: first.role };
}

/** The session cookie from /login, on the management API. */
export const sessionCredential: SessionCredential = {
  tokenOf: sessionTokenOf,
  verify: verifySession,
  refused: () => unauthorized('Your session has ended; sign in again at /login.'),
};
