import type { OfferingDefinition } from '../offerings/definition';
import { OfferingError } from '../offerings/errors';
import { type OfferingContext, resolveOfferingUrls } from './resolve-urls';
import type { ProviderRequest } from './userinfo';

/**
 * The request that checks credentials an end user typed for an api_key or basic offering,
 * or null when the offering has no `verify`. Throws when a credential it needs is missing.
 * A reply whose status is in `verify.ok_status` means the credentials work.
 */
export function buildVerifyRequest(
  offering: OfferingDefinition,
  credentials: Readonly<Record<string, string | undefined>>,
  context: OfferingContext = {},
): ProviderRequest | null {
  const verify = offering.verify;
  if (verify === undefined) return null;
  const { verifyUrl } = resolveOfferingUrls(offering, context);
  if (verifyUrl === undefined) return null;
  const need = (field: string): string => {
    const value = credentials[field];
    if (value === undefined || value === '') {
      const label = offering.credentials.find((credential) => credential.key === field)?.label ?? field;
      throw new OfferingError('missing_credential', `${label} is required`, field);
    }
    return value;
  };
  const headers: Record<string, string> = { Accept: 'application/json', ...verify.headers };
  const auth = verify.auth;
  if (auth.type === 'bearer') headers.Authorization = `Bearer ${need(auth.field)}`;
  if (auth.type === 'header') headers[auth.name] = need(auth.field);
  // HTTP Basic for APIs (RFC 7617) takes the raw pair, unlike OAuth client authentication.
  if (auth.type === 'basic') {
    const pair = new TextEncoder().encode(`${need(auth.username_field)}:${need(auth.password_field)}`);
    headers.Authorization = `Basic ${btoa(String.fromCharCode(...pair))}`;
  }
  return { url: verifyUrl, method: verify.method, headers };
}
