import { describe, expect, it } from 'vitest';
import { basicAuthorization, buildTokenRequest } from '../../src/provider/token-request';
import { customOffering } from '../offerings/fixtures';

const redirectUri = 'https://edgelink.example.com/api/v1/oauth/callback';
const client = { clientId: 'client-1', clientSecret: 'secret-1' };

describe('buildTokenRequest', () => {
  it('form-encodes an authorization code exchange with the PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5)', () => {
    const request = buildTokenRequest(customOffering(), { type: 'authorization_code', code: 'c-1', redirectUri, codeVerifier: 'v-1' }, client);
    expect(request.url).toBe('https://auth.example.com/oauth/token');
    expect(request.headers).toEqual({ Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(Object.fromEntries(request.body)).toEqual({
      grant_type: 'authorization_code',
      code: 'c-1',
      redirect_uri: redirectUri,
      code_verifier: 'v-1',
      client_id: 'client-1',
      client_secret: 'secret-1',
    });
  });

  it('refreshes with the offering separator when scopes are narrowed (RFC 6749 §6)', () => {
    const offering = customOffering({ scope_separator: ',' });
    const request = buildTokenRequest(offering, { type: 'refresh_token', refreshToken: 'r-1', scopes: ['read', 'write'] }, client);
    expect(Object.fromEntries(request.body)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'r-1',
      scope: 'read,write',
      client_id: 'client-1',
      client_secret: 'secret-1',
    });
  });

  it('puts client_secret_basic credentials in the header only', () => {
    const offering = customOffering({ token_auth_method: 'client_secret_basic' });
    const request = buildTokenRequest(offering, { type: 'refresh_token', refreshToken: 'r-1' }, client);
    expect(request.headers.Authorization).toBe('Basic Y2xpZW50LTE6c2VjcmV0LTE=');
    expect([...request.body.keys()]).toEqual(['grant_type', 'refresh_token']);
  });

  it('requires the verifier when the offering uses PKCE, and omits it otherwise', () => {
    const grant = { type: 'authorization_code', code: 'c-1', redirectUri } as const;
    expect(() => buildTokenRequest(customOffering(), grant, client)).toThrow(/code verifier is required/);
    const request = buildTokenRequest(customOffering({ pkce: false }), { ...grant, codeVerifier: 'v-1' }, client);
    expect(request.body.has('code_verifier')).toBe(false);
  });
});

describe('basicAuthorization', () => {
  it('form-encodes id and secret before base64, as RFC 6749 §2.3.1 requires', () => {
    // urlencode('id:with space') = id%3Awith+space ; urlencode('p@ss+w/rd=é') = p%40ss%2Bw%2Frd%3D%C3%A9
    expect(basicAuthorization('id:with space', 'p@ss+w/rd=é')).toBe(`Basic ${btoa('id%3Awith+space:p%40ss%2Bw%2Frd%3D%C3%A9')}`);
  });

  it('leaves unreserved characters as they are', () => {
    expect(basicAuthorization('elk_app-1.x', 'elk_cs_AbC-_9')).toBe(`Basic ${btoa('elk_app-1.x:elk_cs_AbC-_9')}`);
  });
});
