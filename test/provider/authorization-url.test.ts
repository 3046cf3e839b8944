import { describe, expect, it } from 'vitest';
import { OfferingError } from '../../src/offerings/errors';
import { buildAuthorizationUrl, reservedParamsFor } from '../../src/provider/authorization-url';
import { catalogOffering, customOffering } from '../offerings/fixtures';

const base = {
  clientId: 'client 1+2',
  redirectUri: 'https://edgelink.example.com/api/v1/oauth/callback',
  scopes: ['read', 'write'],
  state: 'state-1',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
};

describe('buildAuthorizationUrl', () => {
  it('adds the RFC 6749 §4.1.1 and RFC 7636 parameters', () => {
    const url = new URL(buildAuthorizationUrl(customOffering(), base));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client 1+2',
      redirect_uri: base.redirectUri,
      scope: 'read write',
      state: 'state-1',
      code_challenge: base.codeChallenge,
      code_challenge_method: 'S256',
    });
  });

  it('keeps query parameters already in the authorization URL, Integry style', () => {
    const offering = customOffering({ authorization_url: 'https://auth.example.com/authorize?audience=api&response_type=token&client_id=wrong' });
    const url = new URL(buildAuthorizationUrl(offering, base));
    expect(url.searchParams.get('audience')).toBe('api');
    expect(url.searchParams.getAll('response_type')).toEqual(['code']);
    expect(url.searchParams.getAll('client_id')).toEqual(['client 1+2']);
  });

  it('encodes spaces as %20 and a literal + as %2B', () => {
    const url = buildAuthorizationUrl(customOffering(), base);
    expect(url).toContain('scope=read%20write');
    expect(url).toContain('client_id=client%201%2B2');
    expect(url).not.toContain('+');
  });

  it('applies the offering parameters, then the integration ones', () => {
    const offering = customOffering({ authorization_params: { prompt: 'consent', access_type: 'offline' } });
    const url = new URL(buildAuthorizationUrl(offering, { ...base, extraParams: { prompt: 'login', hd: 'example.com' } }));
    expect(url.searchParams.get('prompt')).toBe('login');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('hd')).toBe('example.com');
  });

  it.each(['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'scope'])(
    'does not let an integration override %s',
    (name) => {
      const build = () => buildAuthorizationUrl(customOffering(), { ...base, extraParams: { [name]: 'x' } });
      expect(build).toThrow(OfferingError);
      expect(build).toThrow(/cannot be overridden/);
    },
  );

  it('reserves the offering scope parameter too', () => {
    expect(reservedParamsFor(catalogOffering('off_slack_user'))).toContain('user_scope');
  });

  it('sends no scope parameter when the integration has no scopes', () => {
    const url = new URL(buildAuthorizationUrl(customOffering(), { ...base, scopes: [] }));
    expect(url.searchParams.has('scope')).toBe(false);
  });

  it('requires a challenge when the offering uses PKCE and drops it when it does not', () => {
    expect(() => buildAuthorizationUrl(customOffering(), { ...base, codeChallenge: undefined })).toThrow(/code challenge is required/);
    const url = new URL(buildAuthorizationUrl(customOffering({ pkce: false }), base));
    expect(url.searchParams.has('code_challenge')).toBe(false);
    expect(url.searchParams.has('code_challenge_method')).toBe(false);
  });

  it('refuses offerings that are not OAuth', () => {
    expect(() => buildAuthorizationUrl(catalogOffering('off_stripe'), base)).toThrow(/does not use OAuth 2.0/);
  });
});
