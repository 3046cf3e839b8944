import { describeFailure, fetchOutbound } from '../lib/http';
import type { OfferingDefinition } from '../offerings/definition';
import { OfferingError } from '../offerings/errors';
import type { OfferingContext } from '../provider/resolve-urls';
import { buildRevocationRequest } from '../provider/revocation-request';
import type { ClientCredentials } from '../provider/token-request';

const REVOKE_TIMEOUT_MS = 5_000;

function logNotRevoked(integrationId: string, reason: string): false {
  console.warn(JSON.stringify({ level: 'warn', msg: 'issued tokens not revoked', integration_id: integrationId, reason }));
  return false;
}

/**
 * Best effort RFC 7009 revocation of tokens a provider issued that will never be stored (the
 * link was used up meanwhile, or the integration went): the refresh token when there is one,
 * which ends the whole grant at most providers, else the access token. Returns whether the
 * provider confirmed; a failure is logged, never with a token.
 */
export async function revokeIssuedTokens(
  integrationId: string,
  offering: OfferingDefinition,
  client: ClientCredentials | null,
  context: OfferingContext,
  tokens: { accessToken: string; refreshToken?: string },
): Promise<boolean> {
  if (offering.auth_mode !== 'oauth2' || offering.revocation_url === undefined) return false;
  if (!client) return logNotRevoked(integrationId, 'the integration has no client credentials');
  const [token, hint] = tokens.refreshToken ? [tokens.refreshToken, 'refresh_token' as const] : [tokens.accessToken, 'access_token' as const];
  let request: ReturnType<typeof buildRevocationRequest>;
  try {
    request = buildRevocationRequest(offering, token, hint, client, context);
  } catch (err) {
    if (err instanceof OfferingError) return logNotRevoked(integrationId, err.message);
    throw err;
  }
  if (request === null) return false;
  const reply = await fetchOutbound(request.url, { method: 'POST', headers: request.headers, body: request.body }, REVOKE_TIMEOUT_MS);
  if (!reply.ok) return logNotRevoked(integrationId, describeFailure(reply.failure, 'The revocation endpoint'));
  // RFC 7009 §2.2: 200 means revoked, or that the token was already invalid.
  return reply.status >= 200 && reply.status <= 299 ? true : logNotRevoked(integrationId, `HTTP ${reply.status}`);
}
