import type { AppDeps } from '../deps';
import { hmacSha256Hex } from '../lib/crypto';
import { findSigningSecret } from '../webhooks/endpoint';

export interface RedirectResult {
  status: 'connected' | 'error';
  connectionId?: string;
  error?: string;
}

/** The string a developer recomputes to check a redirect: `{timestamp}.{connection_id}.{status}.{error}`. */
export function redirectSigningPayload(timestamp: number, result: RedirectResult): string {
  return [timestamp, result.connectionId ?? '', result.status, result.error ?? ''].join('.');
}

/**
 * The link's redirect_url with the outcome added. Signed with the organization's webhook
 * signing secret (HMAC-SHA256, hex) so the developer's page can trust `connection_id`; without
 * a configured webhook there is no secret and no `signature`.
 */
export async function buildResultRedirect(
  deps: Pick<AppDeps, 'db' | 'keyring'>,
  orgId: string,
  redirectUrl: string,
  result: RedirectResult,
  now = Date.now(),
): Promise<string> {
  const url = new URL(redirectUrl);
  const timestamp = Math.floor(now / 1000);
  url.searchParams.set('status', result.status);
  if (result.connectionId) url.searchParams.set('connection_id', result.connectionId);
  if (result.error) url.searchParams.set('error', result.error);
  url.searchParams.set('timestamp', String(timestamp));
  const secret = await findSigningSecret(deps, orgId);
  if (secret) url.searchParams.set('signature', await hmacSha256Hex(secret, redirectSigningPayload(timestamp, result)));
  return url.toString();
}
