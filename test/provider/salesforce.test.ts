import { describe, expect, it } from 'vitest';
import { findScopeProblems } from '../../src/offerings/scopes';
import { resolveOfferingUrls } from '../../src/provider/resolve-urls';
import { buildTokenRequest } from '../../src/provider/token-request';
import { parseTokenResponse } from '../../src/provider/token-response';
import { NOW, authorize, catalogOffering, client, codeGrant, jsonReply, offeringErrorOf } from '../offerings/fixtures';

describe('Salesforce', () => {
  const production = catalogOffering('off_salesforce');
  const sandbox = catalogOffering('off_salesforce_sandbox');

  it('logs in at login.salesforce.com for production and test.salesforce.com for sandboxes', () => {
    expect(authorize('off_salesforce').host).toBe('login.salesforce.com');
    expect(authorize('off_salesforce_sandbox').host).toBe('test.salesforce.com');
    expect(buildTokenRequest(production, codeGrant, client).url).toBe('https://login.salesforce.com/services/oauth2/token');
    expect(buildTokenRequest(sandbox, codeGrant, client).url).toBe('https://test.salesforce.com/services/oauth2/token');
  });

  it('uses a My Domain host when the end user gives one, for every endpoint', () => {
    const urls = resolveOfferingUrls(production, { inputs: { my_domain: 'acme.my.salesforce.com' } });
    expect(urls).toEqual({
      authorizationUrl: 'https://acme.my.salesforce.com/services/oauth2/authorize',
      tokenUrl: 'https://acme.my.salesforce.com/services/oauth2/token',
      userinfoUrl: 'https://acme.my.salesforce.com/services/oauth2/userinfo',
      revocationUrl: 'https://acme.my.salesforce.com/services/oauth2/revoke',
      introspectionUrl: 'https://acme.my.salesforce.com/services/oauth2/introspect',
    });
    const sandboxUrls = resolveOfferingUrls(sandbox, { inputs: { my_domain: 'acme--uat.sandbox.my.salesforce.com' } });
    expect(sandboxUrls.tokenUrl).toBe('https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token');
  });

  it('treats a blank My Domain as the default login host', () => {
    expect(resolveOfferingUrls(production, { inputs: { my_domain: '' } }).tokenUrl).toBe('https://login.salesforce.com/services/oauth2/token');
  });

  it.each([
    'evil.com',
    'login.salesforce.com.evil.com',
    'acme.my.salesforce.com.evil.com',
    'acme.my.salesforce.com/x',
    'acme.my.salesforce.com:8443',
    'evil.com#.my.salesforce.com',
    'acme--uat.sandbox.my.salesforce.com',
    'test.salesforce.com',
  ])('refuses %s as a production login host', (host) => {
    expect(offeringErrorOf(() => resolveOfferingUrls(production, { inputs: { my_domain: host } })).code).toBe('invalid_input');
  });

  it('requires api and refresh_token and allows web and openid', () => {
    expect(production.required_scopes).toEqual(['api', 'refresh_token']);
    expect(findScopeProblems(production, ['api', 'refresh_token', 'web', 'openid'])).toEqual([]);
    expect(findScopeProblems(production, ['api', 'web'])).toEqual(['scope "refresh_token" is required by Salesforce (production)']);
  });

  it('keeps instance_url and assumes a conservative lifetime because the reply has no expires_in', () => {
    const result = parseTokenResponse(
      production,
      jsonReply({
        access_token: '00Dxx!AQ0',
        refresh_token: '5Aep861',
        instance_url: 'https://acme.my.salesforce.com',
        id: 'https://login.salesforce.com/id/00Dxx0000001gPL/005xx000001Sv6A',
        issued_at: '1278448101416',
        signature: 'CMJ4l+CCaPQiKjoOEwEig9H4wqhpuLSk4J2urAe+fVg=',
        scope: 'api refresh_token',
        token_type: 'Bearer',
      }),
      NOW,
    );
    expect(result).toMatchObject({
      ok: true,
      refreshToken: '5Aep861',
      expiresAt: NOW + 900_000,
      scopes: ['api', 'refresh_token'],
      metadata: {
        instance_url: 'https://acme.my.salesforce.com',
        id: 'https://login.salesforce.com/id/00Dxx0000001gPL/005xx000001Sv6A',
        issued_at: '1278448101416',
      },
    });
    expect(result.ok && result.metadata).not.toHaveProperty('signature');
  });
});
