import type { AppDeps } from '../deps';
import { CryptoError } from '../lib/crypto';
import { fetchOutbound } from '../lib/http';
import { OfferingError } from '../offerings/errors';
import { loggableOAuthError, parseReplyBody, readOAuthError } from '../provider/provider-reply';
import { buildRevocationRequest } from '../provider/revocation-request';
import { loadProviderContext } from './provider';
import type { ConnectionRow } from './schema';
import { isCredentialConnection, openAccessToken, openRefreshToken } from './sealed';

const REVOKE_TIMEOUT_MS = 5_000;

function logSkipped(row: ConnectionRow, reason: string): false {
  console.warn(JSON.stringify({ level: 'warn', msg: 'provider revocation failed', connection_id: row.id, reason }));
  return false;
}

/** What a delete tells about revocation: confirmed or not, and why it was not tried where it could not be. */
export interface Revocation {
  revoked: boolean;
  skipped?: 'undecryptable';
}

/**
 * Revokes where it can; a token (or the integration's secret) that no longer decrypts (its key
 * left the keyring, or the envelope was tampered with) cannot be sent, so revocation is skipped
 * and the delete goes on: a row nobody can read must still be deletable.
 */
export async function revokeBeforeDelete(deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>, row: ConnectionRow): Promise<Revocation> {
  try {
    return { revoked: await revokeAtProvider(deps, row) };
  } catch (err) {
    if (!(err instanceof CryptoError)) throw err;
    // The reason only: a crypto error's message names the key id.
    console.warn(JSON.stringify({ level: 'warn', msg: 'provider revocation skipped', connection_id: row.id, reason: 'undecryptable' }));
    return { revoked: false, skipped: 'undecryptable' };
  }
}

/**
 * Best effort RFC 7009 revocation before a delete: the refresh token when there is one (which
 * ends the whole grant at most providers), else the access token. Returns whether the provider
 * confirmed; a failure is logged (never with a token) and the delete goes on.
 */
export async function revokeAtProvider(deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>, row: ConnectionRow): Promise<boolean> {
  if (isCredentialConnection(row)) return false;
  const context = await loadProviderContext(deps, row);
  if (context?.offering.auth_mode !== 'oauth2' || context.offering.revocation_url === undefined) return false;
  if (!context.client) return logSkipped(row, 'the integration has no client credentials');
  const refreshToken = await openRefreshToken(deps.keyring, row);
  const [token, hint] = refreshToken !== null ? [refreshToken, 'refresh_token' as const] : [await openAccessToken(deps.keyring, row), 'access_token' as const];
  let request: ReturnType<typeof buildRevocationRequest>;
  try {
    request = buildRevocationRequest(context.offering, token, hint, context.client, context.urls);
  } catch (err) {
    if (err instanceof OfferingError) return logSkipped(row, err.message);
    throw err;
  }
  if (request === null) return false;
  const reply = await fetchOutbound(request.url, { method: 'POST', headers: request.headers, body: request.body }, REVOKE_TIMEOUT_MS);
  // The failure's kind only: a network error's text is not ours to log.
  if (!reply.ok) return logSkipped(row, `the revocation endpoint did not answer (${reply.failure.kind})`);
  // RFC 7009 §2.2: 200 means revoked, or that the token was already invalid.
  if (reply.status >= 200 && reply.status <= 299) return true;
  const body = parseReplyBody(reply);
  const error = loggableOAuthError(body.ok ? readOAuthError(body.body)?.error : undefined);
  return logSkipped(row, `HTTP ${reply.status}${error ? ` (${error})` : ''}`);
}
