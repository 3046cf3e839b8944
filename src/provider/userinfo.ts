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
 * What an account may put in a connection row. The id is a lookup key (one connection per
 * account), so an oversized one is refused, never cut: two accounts would collide. An email
 * longer than any address can be (RFC 5321: 320) is not one and is left out; a name is only
 * shown, so it is cut to fit.
 */
export const ACCOUNT_LIMITS = { id: 255, email: 320, name: 255 } as const;

export type ResolvedAccount = AccountHints & {
  /** Why the account cannot be stored, in words without its value; absent when it can. */
  refused?: string;
};

function capped(account: AccountHints): ResolvedAccount {
  const { email, name, ...rest } = account;
  return {
    ...rest,
    ...(email !== undefined && email.length <= ACCOUNT_LIMITS.email ? { email } : {}),
    ...(name !== undefined ? { name: name.slice(0, ACCOUNT_LIMITS.name) } : {}),
    ...((account.id?.length ?? 0) > ACCOUNT_LIMITS.id ? { refused: `the account id is too long (over ${ACCOUNT_LIMITS.id} characters)` } : {}),
  };
}

/**
 * The connected account: the offering's account paths read from the userinfo reply, each
 * falling back to what the token reply said, capped to what a row holds (ACCOUNT_LIMITS). An
 * unreadable userinfo reply is not an error here; the token reply's hints are used alone.
 */
export function resolveAccount(offering: OfferingDefinition, userinfo: ProviderReply | null, tokenHints: AccountHints): ResolvedAccount {
  let fromUserinfo: AccountHints = {};
  if (userinfo !== null && userinfo.status >= 200 && userinfo.status <= 299) {
    const parsed = parseReplyBody(userinfo);
    if (parsed.ok) fromUserinfo = readAccountHints(parsed.body, offering.account);
  }
  return capped({ ...tokenHints, ...fromUserinfo });
}
