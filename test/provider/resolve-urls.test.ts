import { describe, expect, it } from 'vitest';
import { OfferingError } from '../../src/offerings/errors';
import { resolveOfferingUrls } from '../../src/provider/resolve-urls';
import { customOffering } from '../offerings/fixtures';

describe('resolveOfferingUrls', () => {
  const offering = customOffering({
    inputs: [{ key: 'subdomain', label: 'Subdomain', pattern: '^[a-z0-9-]+$', source: 'end_user', example: 'acme' }],
    authorization_url: 'https://{subdomain}.example.com/oauth/authorize?tenant={subdomain}',
    token_url: 'https://{subdomain}.example.com/oauth/token',
  });

  it('fills every URL from validated inputs', () => {
    expect(resolveOfferingUrls(offering, { inputs: { subdomain: 'acme' } })).toEqual({
      authorizationUrl: 'https://acme.example.com/oauth/authorize?tenant=acme',
      tokenUrl: 'https://acme.example.com/oauth/token',
    });
  });

  it('throws a typed error naming the input', () => {
    try {
      resolveOfferingUrls(offering, { inputs: { subdomain: 'evil.com/x?' } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(OfferingError);
      expect(error).toMatchObject({ code: 'invalid_input', field: 'subdomain' });
    }
  });
});
