import { describe, expect, it } from 'vitest';
import { findScopeProblems } from '../../src/offerings/scopes';
import { resolveOfferingUrls } from '../../src/provider/resolve-urls';
import { buildTokenRequest } from '../../src/provider/token-request';
import { parseTokenResponse } from '../../src/provider/token-response';
import { buildUserinfoRequest, resolveAccount } from '../../src/provider/userinfo';
import { NOW, authorize, catalogOffering, client, codeGrant, jsonReply, offeringErrorOf } from '../offerings/fixtures';

describe('Google', () => {
  it('asks for offline access with forced consent and the OpenID scopes', () => {
    const url = authorize('off_google');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    expect(url.search).toContain('scope=openid%20email%20profile');
  });

  it('lets an integration add parameters after the offering ones', () => {
    const url = authorize('off_google', { extraParams: { login_hint: 'ada@example.com', prompt: 'select_account consent' } });
    expect(url.searchParams.get('login_hint')).toBe('ada@example.com');
    expect(url.searchParams.get('prompt')).toBe('select_account consent');
  });

  it('reads the account from OpenID userinfo', () => {
    const google = catalogOffering('off_google');
    expect(buildUserinfoRequest(google, 'ya29.token')).toEqual({
      url: 'https://openidconnect.googleapis.com/v1/userinfo',
      method: 'GET',
      headers: { Accept: 'application/json', Authorization: 'Bearer ya29.token' },
    });
    const account = resolveAccount(google, jsonReply({ sub: '1057', email: 'ada@example.com', name: 'Ada' }), {});
    expect(account).toEqual({ id: '1057', email: 'ada@example.com', name: 'Ada' });
  });
});

describe('Microsoft Entra ID', () => {
  const microsoft = catalogOffering('off_microsoft');

  it('puts the tenant in the URL, common by default', () => {
    expect(authorize('off_microsoft').pathname).toBe('/common/oauth2/v2.0/authorize');
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    expect(resolveOfferingUrls(microsoft, { inputs: { tenant } }).tokenUrl).toBe(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`);
    expect(resolveOfferingUrls(microsoft, { inputs: { tenant: 'organizations' } }).authorizationUrl).toBe(
      'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize',
    );
  });

  it.each(['evil.com/x', 'common?x=1', 'common/../../evil', '..', 'contoso..com'])('refuses the tenant %s', (tenant) => {
    expect(offeringErrorOf(() => resolveOfferingUrls(microsoft, { inputs: { tenant } })).code).toBe('invalid_input');
  });

  it('requires offline_access for refresh tokens', () => {
    expect(microsoft.required_scopes).toContain('offline_access');
    expect(authorize('off_microsoft').searchParams.get('scope')?.split(' ')).toContain('offline_access');
  });
});

describe('GitHub', () => {
  const github = catalogOffering('off_github');

  it('reads the form-encoded reply GitHub sends without Accept: application/json', () => {
    const result = parseTokenResponse(
      github,
      {
        status: 200,
        contentType: 'application/x-www-form-urlencoded; charset=utf-8',
        bodyText: 'access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo%2Cgist&token_type=bearer',
      },
      NOW,
    );
    expect(result).toEqual({
      ok: true,
      accessToken: 'gho_16C7e42F292c6912E7710c838347Ae178B4a',
      tokenType: 'Bearer',
      expiresAt: null,
      scopes: ['repo', 'gist'],
      metadata: {},
      account: {},
    });
  });

  it('reads the JSON reply with comma-separated scopes', () => {
    const result = parseTokenResponse(github, jsonReply({ access_token: 'gho_x', scope: 'repo,user:email', token_type: 'bearer' }), NOW);
    expect(result.ok && result.scopes).toEqual(['repo', 'user:email']);
  });

  it('sees the error GitHub sends with status 200', () => {
    const result = parseTokenResponse(
      github,
      {
        status: 200,
        contentType: 'application/x-www-form-urlencoded',
        bodyText: 'error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.',
      },
      NOW,
    );
    expect(result).toEqual({
      ok: false,
      kind: 'oauth_error',
      status: 200,
      error: 'bad_verification_code',
      description: 'The code passed is incorrect or expired.',
    });
  });

  it('asks for JSON and calls the API with a User-Agent', () => {
    expect(buildTokenRequest(github, codeGrant, client).headers.Accept).toBe('application/json');
    expect(buildUserinfoRequest(github, 'gho_x')?.headers['User-Agent']).toBe('Edgelink');
  });
});

describe('Slack', () => {
  const bot = catalogOffering('off_slack');
  const user = catalogOffering('off_slack_user');

  it('joins scopes with commas, under user_scope for user tokens', () => {
    expect(authorize('off_slack', { scopes: ['chat:write', 'channels:read'] }).searchParams.get('scope')).toBe('chat:write,channels:read');
    const userUrl = authorize('off_slack_user', { scopes: ['search:read', 'users:read'] });
    expect(userUrl.searchParams.get('user_scope')).toBe('search:read,users:read');
    expect(userUrl.searchParams.has('scope')).toBe(false);
  });

  const reply = jsonReply({
    ok: true,
    access_token: 'xoxb-bot',
    token_type: 'bot',
    scope: 'commands,incoming-webhook',
    bot_user_id: 'U0KRQLJ9H',
    app_id: 'A0KRD7HC3',
    team: { name: 'Slack Softball Team', id: 'T9TK3CUKW' },
    enterprise: null,
    authed_user: { id: 'U1234', scope: 'chat:write,users:read', access_token: 'xoxp-user', token_type: 'user' },
  });

  it('takes the bot token from the top level', () => {
    expect(parseTokenResponse(bot, reply, NOW)).toEqual({
      ok: true,
      accessToken: 'xoxb-bot',
      tokenType: 'bot',
      expiresAt: null,
      scopes: ['commands', 'incoming-webhook'],
      metadata: { 'team.id': 'T9TK3CUKW', 'team.name': 'Slack Softball Team', bot_user_id: 'U0KRQLJ9H', app_id: 'A0KRD7HC3' },
      account: { id: 'U1234' },
    });
  });

  it('takes the user token from the nested authed_user', () => {
    expect(parseTokenResponse(user, reply, NOW)).toMatchObject({
      ok: true,
      accessToken: 'xoxp-user',
      tokenType: 'user',
      scopes: ['chat:write', 'users:read'],
      metadata: { 'team.id': 'T9TK3CUKW', 'authed_user.id': 'U1234' },
    });
  });

  it('reads rotating user tokens with their refresh token and lifetime', () => {
    const rotating = jsonReply({
      ok: true,
      team: { id: 'T1' },
      authed_user: { id: 'U1', access_token: 'xoxe.xoxp-1', refresh_token: 'xoxe-1-r', expires_in: 43200, scope: 'users:read', token_type: 'user' },
    });
    expect(parseTokenResponse(user, rotating, NOW)).toMatchObject({ refreshToken: 'xoxe-1-r', expiresAt: NOW + 43_200_000 });
  });

  it('treats ok:false with status 200 as an OAuth error', () => {
    expect(parseTokenResponse(bot, jsonReply({ ok: false, error: 'invalid_code' }), NOW)).toEqual({
      ok: false,
      kind: 'oauth_error',
      status: 200,
      error: 'invalid_code',
    });
  });
});

describe('Notion', () => {
  const notion = catalogOffering('off_notion');

  it('authenticates the client with HTTP Basic and keeps the secret out of the body', () => {
    const request = buildTokenRequest(notion, codeGrant, client);
    expect(request.headers.Authorization).toBe('Basic Y2xpZW50LTEyMzpzZWNyZXQtNDU2');
    expect(request.body.has('client_secret')).toBe(false);
    expect(request.body.has('client_id')).toBe(false);
  });

  it('asks for a user-owned integration and reads the owner from the token reply', () => {
    expect(authorize('off_notion').searchParams.get('owner')).toBe('user');
    const result = parseTokenResponse(
      notion,
      jsonReply({
        access_token: 'secret_abc',
        token_type: 'bearer',
        bot_id: 'b-1',
        workspace_id: 'w-1',
        workspace_name: 'Acme',
        owner: { type: 'user', user: { id: 'u-1', name: 'Ada', person: { email: 'ada@example.com' } } },
      }),
      NOW,
    );
    expect(result).toMatchObject({
      expiresAt: null,
      metadata: { workspace_id: 'w-1', workspace_name: 'Acme', bot_id: 'b-1' },
      account: { id: 'u-1', email: 'ada@example.com', name: 'Ada' },
    });
  });
});

describe('templated hosts: Zendesk subdomain and Shopify shop', () => {
  const zendesk = catalogOffering('off_zendesk');
  const shopify = catalogOffering('off_shopify');

  it('builds the account host from the end user input', () => {
    expect(authorize('off_zendesk', { inputs: { subdomain: 'acme' } }).href).toMatch(/^https:\/\/acme\.zendesk\.com\/oauth\/authorizations\/new\?/);
    expect(buildTokenRequest(shopify, codeGrant, client, { inputs: { shop: 'acme-store' } }).url).toBe(
      'https://acme-store.myshopify.com/admin/oauth/access_token',
    );
  });

  it.each([
    'evil.com/x?',
    'a.b',
    'evil.com#',
    'acme.zendesk.com',
    'a@evil.com',
    'evil.com:443',
    'acme%2Fevil',
    'ACME',
    '-acme',
    'acme/../x',
    ' acme',
    'acme\n',
    'ac me',
    'ácme',
  ])('refuses %j', (value) => {
    expect(offeringErrorOf(() => resolveOfferingUrls(zendesk, { inputs: { subdomain: value } })).code).toBe('invalid_input');
    expect(offeringErrorOf(() => resolveOfferingUrls(shopify, { inputs: { shop: value } })).code).toBe('invalid_input');
  });

  it('says which input is missing', () => {
    const error = offeringErrorOf(() => resolveOfferingUrls(zendesk, {}));
    expect(error.code).toBe('missing_input');
    expect(error.field).toBe('subdomain');
  });

  it('joins Shopify scopes with commas', () => {
    expect(authorize('off_shopify', { inputs: { shop: 'acme' } }).searchParams.get('scope')).toBe('read_products,read_orders');
  });
});

describe('other provider quirks', () => {
  it('Airtable will not build an authorization URL without a PKCE challenge', () => {
    const error = offeringErrorOf(() => authorize('off_airtable', { codeChallenge: undefined }));
    expect(error.code).toBe('pkce_required');
  });

  it('Dropbox asks for offline tokens and reads the account with a POST', () => {
    expect(authorize('off_dropbox').searchParams.get('token_access_type')).toBe('offline');
    expect(buildUserinfoRequest(catalogOffering('off_dropbox'), 'sl.x')?.method).toBe('POST');
  });

  it('Atlassian targets api.atlassian.com with forced consent and offline_access', () => {
    const url = authorize('off_atlassian');
    expect(url.searchParams.get('audience')).toBe('api.atlassian.com');
    expect(url.searchParams.get('scope')?.split(' ')).toContain('offline_access');
  });

  it('QuickBooks keeps the realmId from the redirect', () => {
    expect(catalogOffering('off_quickbooks').callback_metadata).toEqual(['realmId']);
  });

  it('Close asks for exactly all.full_access offline_access', () => {
    const close = catalogOffering('off_close');
    expect(authorize('off_close').searchParams.get('scope')).toBe('all.full_access offline_access');
    expect(findScopeProblems(close, ['all.full_access', 'offline_access', 'leads.read'])).toEqual(['scope "leads.read" is not offered by Close']);
  });
});
