import { describe, expect, it } from 'vitest';
import { findScopeProblems } from '../../src/offerings/scopes';
import { resolveOfferingUrls } from '../../src/provider/resolve-urls';
import { buildTokenRequest } from '../../src/provider/token-request';
import { authorize, catalogOffering, client, codeGrant, offeringErrorOf } from '../offerings/fixtures';

describe('Edgelink self offering', () => {
  const self = catalogOffering('off_edgelink');

  it('takes every endpoint from PUBLIC_URL', () => {
    expect(resolveOfferingUrls(self, { publicUrl: 'https://edgelink.example.com/' })).toEqual({
      authorizationUrl: 'https://edgelink.example.com/oauth/authorize',
      tokenUrl: 'https://edgelink.example.com/oauth/token',
      userinfoUrl: 'https://edgelink.example.com/oauth/userinfo',
      revocationUrl: 'https://edgelink.example.com/oauth/revoke',
      introspectionUrl: 'https://edgelink.example.com/oauth/introspect',
    });
  });

  it('works on a loopback dev server and under a path prefix', () => {
    expect(resolveOfferingUrls(self, { publicUrl: 'http://127.0.0.1:8787' }).tokenUrl).toBe('http://127.0.0.1:8787/oauth/token');
    expect(resolveOfferingUrls(self, { publicUrl: 'https://example.com/edgelink/' }).tokenUrl).toBe('https://example.com/edgelink/oauth/token');
  });

  it.each([undefined, '', 'http://edgelink.example.com', 'https://user:pw@edgelink.example.com', 'https://edgelink.example.com/?x=1'])(
    'refuses PUBLIC_URL %j',
    (publicUrl) => {
      expect(offeringErrorOf(() => resolveOfferingUrls(self, { publicUrl })).code).toBe('invalid_public_url');
    },
  );

  it('does not let an end user supply public_url as an input', () => {
    const error = offeringErrorOf(() => resolveOfferingUrls(self, { inputs: { public_url: 'https://evil.com' }, publicUrl: 'https://edgelink.example.com' }));
    expect(error.code).toBe('unknown_input');
  });

  it('uses Basic client authentication, PKCE and a closed scope set', () => {
    const url = authorize('off_edgelink', { publicUrl: 'https://edgelink.example.com' });
    expect(url.searchParams.get('scope')).toBe('all.full_access offline_access');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(buildTokenRequest(self, codeGrant, client, { publicUrl: 'https://edgelink.example.com' }).headers.Authorization).toMatch(/^Basic /);
    expect(findScopeProblems(self, ['connections.token', 'offline_access'])).toEqual([]);
    expect(findScopeProblems(self, ['admin'])).toEqual(['scope "admin" is not offered by Edgelink (this deployment)']);
    expect(self.account.id).toBe('sub');
  });
});
