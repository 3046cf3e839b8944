import type { OfferingDefinition } from '../offerings/definition';
import { OfferingError } from '../offerings/errors';
import { type ProviderReply, parseReplyBody } from './provider-reply';
import { type OfferingContext, resolveOfferingUrls } from './resolve-urls';
import { type AccountHints, readAccountHints } from './token-response';

/** A request without a body: userinfo and credential checks. */
export interface ProviderRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
}

/** The "who am I" request for a fresh access token, or null when the offering has none. */
export function buildUserinfoRequest(offering: OfferingDefinition, accessToken: string, context: OfferingContext = {}): ProviderRequest | null {
  if (offering.auth_mode !== 'oauth2') {
    throw new OfferingError('not_oauth2', `${offering.name} does not use OAuth 2.0`);
  }
  const { userinfoUrl } = resolveOfferingUrls(offering, context);
  if (userinfoUrl === undefined) return null;
  return {
    url: userinfoUrl,
    method: offering.userinfo_method,
    headers: { Accept: 'application/json', ...offering.userinfo_headers, Authorization: `Bearer ${accessToken}` },
  };
}

/**
 * The connected account: the offering's account paths read from the userinfo reply, each
 * falling back to what the token reply said. An unreadable userinfo reply is not an error
 * here; the token reply's hints are used alone.
 */
export function resolveAccount(offering: OfferingDefinition, userinfo: ProviderReply | null, tokenHints: AccountHints): AccountHints {
  let fromUserinfo: AccountHints = {};
  if (userinfo !== null && userinfo.status >= 200 && userinfo.status <= 299) {
    const parsed = parseReplyBody(userinfo);
    if (parsed.ok) fromUserinfo = readAccountHints(parsed.body, offering.account);
  }
  return { ...tokenHints, ...fromUserinfo };
}
