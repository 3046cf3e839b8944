import type { JoinedCredential } from '../auth/joined-credential';
import { API_KEY_PREFIX } from './secret';
import { touchApiKey, touchDue } from './service';

interface LiveKey {
  id: string;
  orgId: string;
  lastUsedAt: number | null;
}

/**
 * An API key as a subquery for the hot routes: the SQL twin of activeApiKeyCondition (a key
 * with that secret hash, not revoked); test/api-keys/joined.test.ts holds them to the same answers.
 */
export const apiKeyJoined: JoinedCredential<LiveKey> = {
  prefix: API_KEY_PREFIX,
  sql: 'SELECT id, org_id, last_used_at FROM api_keys WHERE secret_hash = ?1 AND revoked_at IS NULL',
  width: 3,
  read: ([id, orgId, lastUsedAt]) => ({ id: id as string, orgId: orgId as string, lastUsedAt: lastUsedAt as number | null }),
  caller: (key) => ({ kind: 'api_key', orgId: key.orgId, keyId: key.id }),
  scopes: () => null,
  afterUse: (key, db, now) => (touchDue(key, now) ? touchApiKey(db, key, now) : undefined),
};
