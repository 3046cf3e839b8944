import { findCatalogOffering } from '../../src/offerings/catalog';
import { type OfferingDefinition, type OfferingDefinitionInput, offeringDefinition } from '../../src/offerings/definition';
import { OfferingError } from '../../src/offerings/errors';
import { buildAuthorizationUrl } from '../../src/provider/authorization-url';

/** A catalog offering that must exist. */
export function catalogOffering(id: string): OfferingDefinition {
  const offering = findCatalogOffering(id);
  if (offering === undefined) throw new Error(`no catalog offering ${id}`);
  return offering;
}

/** A minimal valid custom oauth2 offering, with overrides. */
export function customOffering(overrides: Partial<OfferingDefinitionInput> = {}): OfferingDefinition {
  return offeringDefinition.parse({ ...customOfferingInput(), ...overrides });
}

export function customOfferingInput(overrides: Partial<OfferingDefinitionInput> = {}): OfferingDefinitionInput {
  return {
    id: 'off_custom_crm',
    name: 'Custom CRM',
    provider: 'custom-crm',
    auth_mode: 'oauth2',
    authorization_url: 'https://auth.example.com/oauth/authorize',
    token_url: 'https://auth.example.com/oauth/token',
    default_scopes: ['read', 'write'],
    ...overrides,
  };
}

export const NOW = Date.UTC(2026, 0, 1);

export function jsonReply(body: unknown, status = 200) {
  return { status, contentType: 'application/json; charset=utf-8', bodyText: JSON.stringify(body) };
}

export const client = { clientId: 'client-123', clientSecret: 'secret-456' };
export const redirectUri = 'https://edgelink.example.com/api/v1/oauth/callback';

/** The authorization URL of a catalog offering with its default scopes. */
export const authorize = (id: string, extra: Partial<Parameters<typeof buildAuthorizationUrl>[1]> = {}) => {
  const offering = catalogOffering(id);
  return new URL(
    buildAuthorizationUrl(offering, {
      clientId: client.clientId,
      redirectUri,
      scopes: offering.default_scopes,
      state: 'state-1',
      codeChallenge: 'challenge-1',
      ...extra,
    }),
  );
};

export const codeGrant = { type: 'authorization_code', code: 'code-1', redirectUri, codeVerifier: 'verifier-1' } as const;

/** The OfferingError `fn` throws; fails when it throws nothing or something else. */
export function offeringErrorOf(fn: () => unknown): OfferingError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OfferingError) return error;
    throw error;
  }
  throw new Error('expected an OfferingError');
}
