import type { AppDeps } from '../deps';
import { hmacSha256Hex } from '../lib/crypto';
import { checkOutboundUrl, outboundPolicy } from '../lib/outbound-url';
import type { LinkRow } from '../links/service';
import { findSigningSecret } from '../webhooks/endpoint';

export interface RedirectResult {
  status: 'connected' | 'error';
  connectionId?: string;
  error?: string;
}

/** The parameters the signature covers, in the order they are signed (sorted by name). */
export const SIGNED_REDIRECT_PARAMS = ['connection_id', 'end_user_id', 'error', 'link_id', 'status', 'timestamp'] as const;

/**
 * The string a developer recomputes to check a redirect: `v1\n` and the signed parameters
 * present, sorted by name, form-urlencoded (`k=v&k=v`). Every value is percent-encoded, so
 * an end user's `error` cannot shift where one field ends and the next begins.
 */
export function redirectSigningPayload(params: URLSearchParams): string {
  const signed = new URLSearchParams();
  for (const key of SIGNED_REDIRECT_PARAMS) {
    const value = params.get(key);
    if (value !== null) signed.set(key, value);
  }
  return `v1\n${signed.toString()}`;
}

/**
 * The link's redirect_url with the outcome, the link and the end user added, or null when the
 * link has none or has been turned off (its owner no longer vouches for where it sends people;
 * a deleted link never gets here), or when the outbound-URL policy refuses it now: it was checked
when stored, but a row written before a rule tightened must not send anyone to a private host. Signed with the organization's webhook signing secret (HMAC-SHA256, hex) so
 * the developer's page can trust `connection_id`; without a configured webhook there is no
 * secret and no `signature`.
 */
export async function buildResultRedirect(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>,
  link: Pick<LinkRow, 'id' | 'orgId' | 'endUserId' | 'redirectUrl' | 'disabled'>,
  result: RedirectResult,
  now = Date.now(),
): Promise<string | null> {
  if (!link.redirectUrl || link.disabled) return null;
  const checked = checkOutboundUrl(link.redirectUrl, outboundPolicy(deps.publicUrl));
  if (!checked.ok) {
    console.log(JSON.stringify({ level: 'warn', msg: 'link redirect_url refused', link_id: link.id, reason: checked.message }));
    return null;
  }
  const url = new URL(checked.url);
  // Parameters of ours already in the redirect_url are replaced, never signed alongside.
  for (const key of [...SIGNED_REDIRECT_PARAMS, 'signature']) url.searchParams.delete(key);
  url.searchParams.set('status', result.status);
  if (result.connectionId) url.searchParams.set('connection_id', result.connectionId);
  if (result.error) url.searchParams.set('error', result.error);
  url.searchParams.set('link_id', link.id);
  url.searchParams.set('end_user_id', link.endUserId);
  url.searchParams.set('timestamp', String(Math.floor(now / 1000)));
  const secret = await findSigningSecret(deps, link.orgId);
  if (secret) url.searchParams.set('signature', await hmacSha256Hex(secret, redirectSigningPayload(url.searchParams)));
  return url.toString();
}
