import { describe, expect, it } from 'vitest';
import { OfferingError } from '../../src/offerings/errors';
import { buildIntrospectionRequest, buildRevocationRequest } from '../../src/provider/revocation-request';
import { buildUserinfoRequest, resolveAccount } from '../../src/provider/userinfo';
import { buildVerifyRequest } from '../../src/provider/verify-request';
import { catalogOffering, customOffering, jsonReply } from '../offerings/fixtures';

const client = { clientId: 'client-1', clientSecret: 'secret-1' };

describe('revocation and introspection requests', () => {
  it('builds an RFC 7009 revocation with the offering client authentication', () => {
    const google = catalogOffering('off_google');
    const request = buildRevocationRequest(google, 'rt-1', 'refresh_token', client);
    expect(request?.url).toBe('https://oauth2.googleapis.com/revoke');
    expect(Object.fromEntries(request?.body ?? [])).toEqual({
      token: 'rt-1',
      token_type_hint: 'refresh_token',
      client_id: 'client-1',
      client_secret: 'secret-1',
    });
  });

  it('uses Basic where the offering does', () => {
    const self = catalogOffering('off_edgelink');
    const request = buildIntrospectionRequest(self, 'at-1', 'access_token', client, { publicUrl: 'https://edgelink.example.com' });
    expect(request?.url).toBe('https://edgelink.example.com/oauth/introspect');
    expect(request?.headers.Authorization).toBe(`Basic ${btoa('client-1:secret-1')}`);
    expect(request?.body.has('client_secret')).toBe(false);
  });

  it('returns null when the offering has no such endpoint', () => {
    expect(buildRevocationRequest(catalogOffering('off_microsoft'), 'rt', 'refresh_token', client)).toBeNull();
    expect(buildIntrospectionRequest(customOffering(), 'at', 'access_token', client)).toBeNull();
  });
});

describe('userinfo', () => {
  it('returns null when the offering has no userinfo endpoint', () => {
    expect(buildUserinfoRequest(customOffering(), 'at')).toBeNull();
  });

  it('prefers the userinfo reply and falls back to the token reply hints', () => {
    const offering = customOffering({ userinfo_url: 'https://api.example.com/me', account: { id: 'id', email: 'email', name: 'name' } });
    const hints = { id: 'from-token', name: 'Token Name' };
    expect(resolveAccount(offering, jsonReply({ id: 42, email: 'ada@example.com' }), hints)).toEqual({
      id: '42',
      email: 'ada@example.com',
      name: 'Token Name',
    });
    expect(resolveAccount(offering, jsonReply({ error: 'nope' }, 401), hints)).toEqual(hints);
    expect(resolveAccount(offering, { status: 200, contentType: 'text/html', bodyText: '<html>' }, hints)).toEqual(hints);
    expect(resolveAccount(offering, null, hints)).toEqual(hints);
  });
});

describe('buildVerifyRequest', () => {
  it('adds the static headers and the credential header', () => {
    const request = buildVerifyRequest(catalogOffering('off_anthropic'), { api_key: 'sk-ant-1' });
    expect(request).toEqual({
      url: 'https://api.anthropic.com/v1/models',
      method: 'GET',
      headers: { Accept: 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-1' },
    });
  });

  it('encodes HTTP Basic credentials as UTF-8 (RFC 7617)', () => {
    const jira = catalogOffering('off_jira_api_token');
    const request = buildVerifyRequest(jira, { email: 'zoë@example.com', api_token: 'tok' }, { inputs: { site: 'acme' } });
    expect(request?.headers.Authorization).toBe('Basic em/Dq0BleGFtcGxlLmNvbTp0b2s=');
  });

  it('names a missing credential without echoing any value', () => {
    try {
      buildVerifyRequest(catalogOffering('off_jira_api_token'), { email: 'ada@example.com' }, { inputs: { site: 'acme' } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(OfferingError);
      expect(error).toMatchObject({ code: 'missing_credential', field: 'api_token', message: 'API token is required' });
    }
  });

  it('refuses a Jira site that would move the host', () => {
    expect(() => buildVerifyRequest(catalogOffering('off_jira_api_token'), { email: 'a', api_token: 'b' }, { inputs: { site: 'evil.com/x?' } })).toThrow(
      OfferingError,
    );
  });

  it('returns null for offerings without a verify request', () => {
    expect(buildVerifyRequest(customOffering(), {})).toBeNull();
  });
});
