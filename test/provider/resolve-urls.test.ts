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

describe('resolveOfferingUrls and the outbound-URL policy', () => {
  // A loose input pattern lets a host through; the filled URL is checked again before use. Only
  // the organization's own inputs may fill a whole host (definition-rules.ts refuses end-user ones).
  const offering = customOffering({
    inputs: [{ key: 'host', label: 'Host', pattern: '^[a-z0-9.-]+$', source: 'integration', example: 'api.example.com' }],
    authorization_url: 'https://{host}/oauth/authorize',
    token_url: 'https://{host}/oauth/token',
  });
  const errorOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error;
    }
    return expect.unreachable();
  };

  it.each(['10.0.0.1', '169.254.169.254', '0xa9fea9fe', '2852039166', 'metadata.google.internal'])('refuses a filled URL on %s', (host) => {
    const error = errorOf(() => resolveOfferingUrls(offering, { inputs: { host }, publicUrl: 'http://127.0.0.1:8787' }));
    expect(error).toBeInstanceOf(OfferingError);
    expect(error).toMatchObject({ code: 'invalid_url', message: 'authorizationUrl URL must not point at a private or internal address' });
  });

  it('allows loopback only when PUBLIC_URL is loopback http', () => {
    expect(resolveOfferingUrls(offering, { inputs: { host: '127.0.0.1' }, publicUrl: 'http://127.0.0.1:8787' }).tokenUrl).toBe('https://127.0.0.1/oauth/token');
    for (const publicUrl of ['https://edgelink.example.com', undefined]) {
      expect(errorOf(() => resolveOfferingUrls(offering, { inputs: { host: '127.1' }, publicUrl }))).toMatchObject({ code: 'invalid_url' });
    }
  });
});
