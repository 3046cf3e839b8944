import type { JoinedCredential } from '../auth/joined-credential';
import type { Role } from '../users/schema';
import { ACCESS_TOKEN_PREFIX } from './tokens';

interface LiveAccessToken {
  orgId: string;
  applicationId: string;
  userId: string | null;
  role: Role | null;
  scopes: string[];
}

/**
 * An access token as a subquery for the hot routes: the SQL twin of findLiveToken for access
 * tokens (not expired, revoked or used, its grant not revoked, its application active, its user
 * still a member); test/oauth-server/joined.test.ts holds them to the same answers.
 */
export const accessTokenJoined: JoinedCredential<LiveAccessToken> = {
  prefix: ACCESS_TOKEN_PREFIX,
  sql:
    'SELECT g.org_id, g.application_id, g.user_id, m.role, t.scopes FROM oauth_tokens t ' +
    'JOIN oauth_grants g ON g.id = t.grant_id ' +
    'JOIN applications a ON a.id = g.application_id ' +
    'LEFT JOIN memberships m ON m.user_id = g.user_id AND m.org_id = g.org_id ' +
    "WHERE t.token_hash = ?1 AND t.kind = 'access' AND t.revoked_at IS NULL AND t.used_at IS NULL AND g.revoked_at IS NULL " +
    'AND a.active = 1 AND (t.expires_at IS NULL OR t.expires_at > ?2) AND (g.user_id IS NULL OR m.role IS NOT NULL)',
  width: 5,
  read: ([orgId, applicationId, userId, role, scopes]) => ({
    orgId: orgId as string,
    applicationId: applicationId as string,
    userId: userId as string | null,
    role: role as Role | null,
    scopes: JSON.parse(scopes as string) as string[],
  }),
  caller: (t) => ({ kind: 'oauth', orgId: t.orgId, applicationId: t.applicationId, userId: t.userId, role: t.role, scopes: t.scopes }),
  scopes: (t) => t.scopes,
};
