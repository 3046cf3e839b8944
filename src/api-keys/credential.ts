import type { BearerCredential } from '../auth/authenticate';
import type { Caller } from '../auth/caller';
import type { AppDeps } from '../deps';
import { unauthorized } from '../lib/errors';
import type { apiKeys } from './schema';
import { API_KEY_PREFIX } from './secret';
import { findActiveApiKey, touchApiKey } from './service';

/** The caller a live key acts as; its use is recorded in the background (at most once a minute). */
export function apiKeyCaller(key: typeof apiKeys.$inferSelect, deps: Pick<AppDeps, 'db' | 'waitUntil'>, now: number): Caller {
  deps.waitUntil(touchApiKey(deps.db, key, now));
  return { kind: 'api_key', orgId: key.orgId, keyId: key.id };
}

/** `Authorization: Bearer elk_sk_…`: an organization's API key. */
export const apiKeyCredential: BearerCredential = {
  prefix: API_KEY_PREFIX,
  async verify(secret, { deps, now }) {
    const key = await findActiveApiKey(deps.db, secret);
    return key ? apiKeyCaller(key, deps, now) : null;
  },
  refused: () => unauthorized('This API key is unknown or has been revoked.'),
};
