import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { decrypt, hmacSha256Hex, type Keyring } from '../lib/crypto';
import { webhookEndpoints } from '../webhooks/schema';

export interface RedirectResult {
  status: 'connected' | 'error';
  connectionId?: string;
  error?: string;
}

/** The string a developer recomputes to check a redirect: `{timestamp}.{connection_id}.{status}.{error}`. */
export function redirectSigningPayload(timestamp: number, result: RedirectResult): string {
  return [timestamp, result.connectionId ?? '', result.status, result.error ?? ''].join('.');
}

async function signingSecret(db: Db, keyring: Keyring, orgId: string): Promise<string | null> {
  const row = await db.query.webhookEndpoints.findFirst({ where: eq(webhookEndpoints.orgId, orgId) });
  return row ? decrypt(keyring, row.secretEnc, `webhook_endpoints/${orgId}/secret`) : null;
}

/**
 * The link's redirect_url with the outcome added. Signed with the organization's webhook
 * signing secret (HMAC-SHA256, hex) so the developer's page can trust `connection_id`; without
 * a configured webhook there is no secret and no `signature`.
 */
export async function buildResultRedirect(
  deps: { db: Db; keyring: Keyring },
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
  const secret = await signingSecret(deps.db, deps.keyring, orgId);
  if (secret) url.searchParams.set('signature', await hmacSha256Hex(secret, redirectSigningPayload(timestamp, result)));
  return url.toString();
}
