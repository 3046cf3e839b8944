import type { OfferingDefinition } from '../offerings/definition';
import { OfferingError } from '../offerings/errors';
import { type OfferingContext, resolveOfferingUrls } from './resolve-urls';

export type TokenGrant =
  | { type: 'authorization_code'; code: string; redirectUri: string; codeVerifier?: string }
  | { type: 'refresh_token'; refreshToken: string; scopes?: readonly string[] };

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** A POST to send as is: form-encoded body, JSON asked for. */
export interface ProviderPost {
  url: string;
  headers: Record<string, string>;
  body: URLSearchParams;
}

/** application/x-www-form-urlencoded encoding of one value (RFC 6749 Appendix B). */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/** `Basic base64(urlencode(id):urlencode(secret))`, as RFC 6749 §2.3.1 says. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`;
}

/**
 * Headers and body fields that authenticate the client at a token, revocation or
 * introspection endpoint: a Basic header and no secret in the body, or both in the body.
 */
export function clientAuthentication(
  offering: Pick<OfferingDefinition, 'token_auth_method'>,
  client: ClientCredentials,
): { headers: Record<string, string>; fields: [string, string][] } {
  if (offering.token_auth_method === 'client_secret_basic') {
    return { headers: { Authorization: basicAuthorization(client.clientId, client.clientSecret) }, fields: [] };
  }
  return {
    headers: {},
    fields: [
      ['client_id', client.clientId],
      ['client_secret', client.clientSecret],
    ],
  };
}

/** Base headers of every provider POST; Accept matters to GitHub, which otherwise replies form-encoded. */
export function formPostHeaders(): Record<string, string> {
  return { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' };
}

/**
 * The token request for a code exchange (RFC 6749 §4.1.3, RFC 7636 §4.5) or a refresh
 * (RFC 6749 §6). Pure: the caller sends it and hands the reply to parseTokenResponse.
 */
export function buildTokenRequest(offering: OfferingDefinition, grant: TokenGrant, client: ClientCredentials, context: OfferingContext = {}): ProviderPost {
  if (offering.auth_mode !== 'oauth2') {
    throw new OfferingError('not_oauth2', `${offering.name} does not use OAuth 2.0`);
  }
  const { tokenUrl } = resolveOfferingUrls(offering, context);
  if (tokenUrl === undefined) throw new OfferingError('not_oauth2', `${offering.name} has no token URL`, 'token_url');

  const body = new URLSearchParams();
  if (grant.type === 'authorization_code') {
    body.set('grant_type', 'authorization_code');
    body.set('code', grant.code);
    body.set('redirect_uri', grant.redirectUri);
    if (offering.pkce) {
      if (grant.codeVerifier === undefined || grant.codeVerifier === '') {
        throw new OfferingError('pkce_required', `${offering.name} uses PKCE: a code verifier is required`, 'code_verifier');
      }
      body.set('code_verifier', grant.codeVerifier);
    }
  } else {
    body.set('grant_type', 'refresh_token');
    body.set('refresh_token', grant.refreshToken);
    if (grant.scopes !== undefined && grant.scopes.length > 0) {
      body.set('scope', grant.scopes.join(offering.scope_separator));
    }
  }
  const auth = clientAuthentication(offering, client);
  for (const [name, value] of auth.fields) body.set(name, value);
  return { url: tokenUrl, headers: { ...formPostHeaders(), ...auth.headers }, body };
}
