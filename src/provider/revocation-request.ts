import type { OfferingDefinition } from '../offerings/definition';
import { OfferingError } from '../offerings/errors';
import { type OfferingContext, resolveOfferingUrls } from './resolve-urls';
import { type ClientCredentials, type ProviderPost, clientAuthentication, formPostHeaders } from './token-request';

export type TokenTypeHint = 'access_token' | 'refresh_token';

function buildTokenPost(url: string, offering: OfferingDefinition, token: string, hint: TokenTypeHint, client: ClientCredentials): ProviderPost {
  const auth = clientAuthentication(offering, client);
  const body = new URLSearchParams([['token', token], ['token_type_hint', hint], ...auth.fields]);
  return { url, headers: { ...formPostHeaders(), ...auth.headers }, body };
}

/** RFC 7009 revocation request, or null when the offering has no revocation URL. */
export function buildRevocationRequest(
  offering: OfferingDefinition,
  token: string,
  hint: TokenTypeHint,
  client: ClientCredentials,
  context: OfferingContext = {},
): ProviderPost | null {
  if (offering.auth_mode !== 'oauth2') throw new OfferingError('not_oauth2', `${offering.name} does not use OAuth 2.0`);
  const { revocationUrl } = resolveOfferingUrls(offering, context);
  return revocationUrl === undefined ? null : buildTokenPost(revocationUrl, offering, token, hint, client);
}

/** RFC 7662 introspection request, or null when the offering has no introspection URL. */
export function buildIntrospectionRequest(
  offering: OfferingDefinition,
  token: string,
  hint: TokenTypeHint,
  client: ClientCredentials,
  context: OfferingContext = {},
): ProviderPost | null {
  if (offering.auth_mode !== 'oauth2') throw new OfferingError('not_oauth2', `${offering.name} does not use OAuth 2.0`);
  const { introspectionUrl } = resolveOfferingUrls(offering, context);
  return introspectionUrl === undefined ? null : buildTokenPost(introspectionUrl, offering, token, hint, client);
}
