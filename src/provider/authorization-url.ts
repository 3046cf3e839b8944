import type { OfferingDefinition } from '../offerings/definition';
import { reservedAuthorizationParams } from '../offerings/definition-rules';
import { OfferingError } from '../offerings/errors';
import { type OfferingContext, resolveOfferingUrls } from './resolve-urls';

export interface AuthorizationRequest extends OfferingContext {
  clientId: string;
  redirectUri: string;
  /** The integration's scopes; joined with the offering's separator here and only here. */
  scopes: readonly string[];
  state: string;
  /** base64url(SHA-256(verifier)); required when the offering uses PKCE. */
  codeChallenge?: string;
  /** The integration's extra query parameters; applied after the offering's own. */
  extraParams?: Readonly<Record<string, string>>;
}

/** Parameters an integration's `authorization_params` may not set for this offering. */
export function reservedParamsFor(offering: Pick<OfferingDefinition, 'scope_param'>): string[] {
  return [...reservedAuthorizationParams, offering.scope_param];
}

/**
 * The URL to send the end user to (RFC 6749 §4.1.1, RFC 7636 §4.3). Query parameters already
 * in the offering's authorization_url are kept unless Edgelink sets the same name; then come
 * the protocol parameters, the offering's authorization_params and the integration's extras.
 */
export function buildAuthorizationUrl(offering: OfferingDefinition, request: AuthorizationRequest): string {
  if (offering.auth_mode !== 'oauth2') {
    throw new OfferingError('not_oauth2', `${offering.name} does not use OAuth 2.0`);
  }
  const { authorizationUrl } = resolveOfferingUrls(offering, request);
  if (authorizationUrl === undefined) {
    throw new OfferingError('not_oauth2', `${offering.name} has no authorization URL`, 'authorization_url');
  }
  if (offering.pkce && (request.codeChallenge === undefined || request.codeChallenge === '')) {
    throw new OfferingError('pkce_required', `${offering.name} uses PKCE: a code challenge is required`, 'code_challenge');
  }
  const reserved = new Set(reservedParamsFor(offering));
  for (const name of Object.keys(request.extraParams ?? {})) {
    if (reserved.has(name)) {
      throw new OfferingError('reserved_param', `"${name}" is set by Edgelink and cannot be overridden`, name);
    }
  }

  const url = new URL(authorizationUrl);
  const params = url.searchParams;
  params.set('response_type', 'code');
  params.set('client_id', request.clientId);
  params.set('redirect_uri', request.redirectUri);
  if (request.scopes.length > 0) params.set(offering.scope_param, request.scopes.join(offering.scope_separator));
  params.set('state', request.state);
  if (offering.pkce && request.codeChallenge !== undefined) {
    params.set('code_challenge', request.codeChallenge);
    params.set('code_challenge_method', 'S256');
  }
  for (const [name, value] of Object.entries(offering.authorization_params)) params.set(name, value);
  for (const [name, value] of Object.entries(request.extraParams ?? {})) params.set(name, value);
  // URLSearchParams writes spaces as "+"; "%20" is read the same everywhere, "+" is not.
  // A literal "+" is already "%2B", so every "+" left in the query is a space.
  url.search = url.search.replace(/\+/g, '%20');
  return url.toString();
}
