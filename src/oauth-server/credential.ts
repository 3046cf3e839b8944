import type { BearerCredential } from '../auth/authenticate';
import { ApiError } from '../lib/errors';
import { ACCESS_TOKEN_PREFIX, findLiveToken } from './tokens';

/** `Authorization: Bearer elk_at_…`: an access token this server issued, acting with its scopes. */
export const accessTokenCredential: BearerCredential = {
  prefix: ACCESS_TOKEN_PREFIX,
  async verify(secret, { deps, now }) {
    const live = await findLiveToken(deps.db, secret, now);
    if (live?.kind !== 'access') return null;
    return { kind: 'oauth', orgId: live.orgId, applicationId: live.applicationId, userId: live.userId, role: live.role, scopes: live.scopes };
  },
  refused: () =>
    new ApiError(401, 'unauthorized', 'This access token is unknown, expired or revoked.', undefined, {
      'WWW-Authenticate': 'Bearer error="invalid_token"',
    }),
};
