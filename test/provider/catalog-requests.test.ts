import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/offerings/catalog';
import type { OfferingDefinition } from '../../src/offerings/definition';
import { buildAuthorizationUrl } from '../../src/provider/authorization-url';
import { buildTokenRequest } from '../../src/provider/token-request';
import { buildVerifyRequest } from '../../src/provider/verify-request';

/**
 * What each provider documents, written out here independently of the catalog data so that a
 * typo in either one fails. Hosts that come from inputs use each input's `example`.
 */
interface Expected {
  authorize: string;
  token: string;
  separator?: ' ' | ',';
  scopeParam?: string;
  params?: Record<string, string>;
  basic?: boolean;
  pkce: boolean;
}

const google: Expected = {
  authorize: 'https://accounts.google.com/o/oauth2/v2/auth',
  token: 'https://oauth2.googleapis.com/token',
  params: { access_type: 'offline', prompt: 'consent' },
  pkce: true,
};
const microsoft: Expected = {
  authorize: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
  token: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
  params: { response_mode: 'query' },
  pkce: true,
};
const slack: Expected = {
  authorize: 'https://slack.com/oauth/v2/authorize',
  token: 'https://slack.com/api/oauth.v2.access',
  separator: ',',
  pkce: false,
};
const github: Expected = {
  authorize: 'https://github.com/login/oauth/authorize',
  token: 'https://github.com/login/oauth/access_token',
  pkce: true,
};
const atlassian: Expected = {
  authorize: 'https://auth.atlassian.com/authorize',
  token: 'https://auth.atlassian.com/oauth/token',
  params: { audience: 'api.atlassian.com', prompt: 'consent' },
  pkce: true,
};

const expectedOAuth: Record<string, Expected> = {
  off_edgelink: { authorize: 'https://edgelink.example.com/oauth/authorize', token: 'https://edgelink.example.com/oauth/token', basic: true, pkce: true },
  off_salesforce: {
    authorize: 'https://acme.my.salesforce.com/services/oauth2/authorize',
    token: 'https://acme.my.salesforce.com/services/oauth2/token',
    pkce: true,
  },
  off_salesforce_sandbox: {
    authorize: 'https://acme--uat.sandbox.my.salesforce.com/services/oauth2/authorize',
    token: 'https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token',
    pkce: true,
  },
  off_google: google,
  off_google_drive: google,
  off_gmail: google,
  off_google_calendar: google,
  off_google_sheets: google,
  off_microsoft: microsoft,
  off_outlook: microsoft,
  off_onedrive: microsoft,
  off_microsoft_teams: microsoft,
  off_slack: slack,
  off_slack_user: { ...slack, scopeParam: 'user_scope' },
  off_hubspot: { authorize: 'https://app.hubspot.com/oauth/authorize', token: 'https://api.hubapi.com/oauth/v1/token', pkce: true },
  off_pipedrive: { authorize: 'https://oauth.pipedrive.com/oauth/authorize', token: 'https://oauth.pipedrive.com/oauth/token', basic: true, pkce: false },
  off_close: { authorize: 'https://app.close.com/oauth2/authorize/', token: 'https://api.close.com/oauth2/token/', pkce: true },
  off_zoho_crm: {
    authorize: 'https://accounts.zoho.eu/oauth/v2/auth',
    token: 'https://accounts.zoho.eu/oauth/v2/token',
    separator: ',',
    params: { access_type: 'offline', prompt: 'consent' },
    pkce: true,
  },
  off_attio: { authorize: 'https://app.attio.com/authorize', token: 'https://app.attio.com/oauth/token', pkce: true },
  off_outreach: { authorize: 'https://api.outreach.io/oauth/authorize', token: 'https://api.outreach.io/oauth/token', pkce: true },
  off_salesloft: { authorize: 'https://accounts.salesloft.com/oauth/authorize', token: 'https://accounts.salesloft.com/oauth/token', pkce: true },
  off_github: github,
  off_github_app: github,
  off_gitlab: { authorize: 'https://gitlab.com/oauth/authorize', token: 'https://gitlab.com/oauth/token', pkce: true },
  off_gitlab_self_managed: { authorize: 'https://gitlab.example.com/oauth/authorize', token: 'https://gitlab.example.com/oauth/token', pkce: true },
  off_bitbucket: { authorize: 'https://bitbucket.org/site/oauth2/authorize', token: 'https://bitbucket.org/site/oauth2/access_token', basic: true, pkce: true },
  off_linear: { authorize: 'https://linear.app/oauth/authorize', token: 'https://api.linear.app/oauth/token', separator: ',', pkce: false },
  off_atlassian: atlassian,
  off_confluence: atlassian,
  off_asana: { authorize: 'https://app.asana.com/-/oauth_authorize', token: 'https://app.asana.com/-/oauth_token', pkce: true },
  off_notion: {
    authorize: 'https://api.notion.com/v1/oauth/authorize',
    token: 'https://api.notion.com/v1/oauth/token',
    params: { owner: 'user' },
    basic: true,
    pkce: true,
  },
  off_airtable: { authorize: 'https://airtable.com/oauth2/v1/authorize', token: 'https://airtable.com/oauth2/v1/token', basic: true, pkce: true },
  off_miro: { authorize: 'https://miro.com/oauth/authorize', token: 'https://api.miro.com/v1/oauth/token', pkce: true },
  off_todoist: { authorize: 'https://todoist.com/oauth/authorize', token: 'https://todoist.com/oauth/access_token', separator: ',', pkce: true },
  off_calendly: { authorize: 'https://auth.calendly.com/oauth/authorize', token: 'https://auth.calendly.com/oauth/token', pkce: true },
  off_typeform: { authorize: 'https://api.typeform.com/oauth/authorize', token: 'https://api.typeform.com/oauth/token', pkce: false },
  off_webflow: { authorize: 'https://webflow.com/oauth/authorize', token: 'https://api.webflow.com/oauth/access_token', pkce: true },
  off_docusign: { authorize: 'https://account.docusign.com/oauth/auth', token: 'https://account.docusign.com/oauth/token', basic: true, pkce: true },
  off_docusign_demo: { authorize: 'https://account-d.docusign.com/oauth/auth', token: 'https://account-d.docusign.com/oauth/token', basic: true, pkce: true },
  off_dropbox: {
    authorize: 'https://www.dropbox.com/oauth2/authorize',
    token: 'https://api.dropboxapi.com/oauth2/token',
    params: { token_access_type: 'offline' },
    pkce: true,
  },
  off_box: { authorize: 'https://account.box.com/api/oauth2/authorize', token: 'https://api.box.com/oauth2/token', pkce: true },
  off_discord: { authorize: 'https://discord.com/oauth2/authorize', token: 'https://discord.com/api/oauth2/token', pkce: true },
  off_zoom: { authorize: 'https://zoom.us/oauth/authorize', token: 'https://zoom.us/oauth/token', basic: true, pkce: true },
  off_twitter: { authorize: 'https://x.com/i/oauth2/authorize', token: 'https://api.x.com/2/oauth2/token', basic: true, pkce: true },
  off_linkedin: { authorize: 'https://www.linkedin.com/oauth/v2/authorization', token: 'https://www.linkedin.com/oauth/v2/accessToken', pkce: false },
  off_reddit: {
    authorize: 'https://www.reddit.com/api/v1/authorize',
    token: 'https://www.reddit.com/api/v1/access_token',
    params: { duration: 'permanent' },
    basic: true,
    pkce: true,
  },
  off_quickbooks: {
    authorize: 'https://appcenter.intuit.com/connect/oauth2',
    token: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
    basic: true,
    pkce: true,
  },
  off_xero: { authorize: 'https://login.xero.com/identity/connect/authorize', token: 'https://identity.xero.com/connect/token', basic: true, pkce: true },
  off_freshbooks: { authorize: 'https://auth.freshbooks.com/oauth/authorize', token: 'https://api.freshbooks.com/auth/oauth/token', pkce: true },
  off_netsuite: {
    authorize: 'https://1234567-sb1.app.netsuite.com/app/login/oauth2/authorize.nl',
    token: 'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token',
    basic: true,
    pkce: true,
  },
  off_stripe_connect: { authorize: 'https://connect.stripe.com/oauth/authorize', token: 'https://connect.stripe.com/oauth/token', pkce: false },
  off_shopify: {
    authorize: 'https://acme-store.myshopify.com/admin/oauth/authorize',
    token: 'https://acme-store.myshopify.com/admin/oauth/access_token',
    separator: ',',
    pkce: true,
  },
  off_mailchimp: { authorize: 'https://login.mailchimp.com/oauth2/authorize', token: 'https://login.mailchimp.com/oauth2/token', pkce: true },
  off_zendesk: { authorize: 'https://acme.zendesk.com/oauth/authorizations/new', token: 'https://acme.zendesk.com/oauth/tokens', pkce: true },
  off_intercom: { authorize: 'https://app.intercom.com/oauth', token: 'https://api.intercom.io/auth/eagle/token', pkce: true },
  off_front: { authorize: 'https://app.frontapp.com/oauth/authorize', token: 'https://app.frontapp.com/oauth/token', basic: true, pkce: true },
  off_helpscout: {
    authorize: 'https://secure.helpscout.net/authentication/authorizeClientApplication',
    token: 'https://api.helpscout.net/v2/oauth2/token',
    pkce: true,
  },
  off_okta: { authorize: 'https://acme.okta.com/oauth2/v1/authorize', token: 'https://acme.okta.com/oauth2/v1/token', basic: true, pkce: true },
  off_auth0: { authorize: 'https://acme.us.auth0.com/authorize', token: 'https://acme.us.auth0.com/oauth/token', pkce: true },
};

const expectedKeyed: Record<string, { verify: string; auth: string }> = {
  off_stripe: { verify: 'https://api.stripe.com/v1/balance', auth: 'Authorization: Bearer' },
  off_openai: { verify: 'https://api.openai.com/v1/models', auth: 'Authorization: Bearer' },
  off_anthropic: { verify: 'https://api.anthropic.com/v1/models', auth: 'x-api-key' },
  off_sendgrid: { verify: 'https://api.sendgrid.com/v3/scopes', auth: 'Authorization: Bearer' },
  off_github_pat: { verify: 'https://api.github.com/user', auth: 'Authorization: Bearer' },
  off_twilio: { verify: 'https://api.twilio.com/2010-04-01/Accounts.json', auth: 'Authorization: Basic' },
  off_jira_api_token: { verify: 'https://acme.atlassian.net/rest/api/3/myself', auth: 'Authorization: Basic' },
};

const publicUrl = 'https://edgelink.example.com';
const redirectUri = 'https://edgelink.example.com/api/v1/oauth/callback';
const client = { clientId: 'client-123', clientSecret: 'secret-456' };
const sampleInputs = (offering: OfferingDefinition) => Object.fromEntries(offering.inputs.map((input) => [input.key, input.example]));

const oauthOfferings = catalog.filter((offering) => offering.auth_mode === 'oauth2');
const keyedOfferings = catalog.filter((offering) => offering.auth_mode !== 'oauth2');

describe('every catalog offering', () => {
  it('has a row in the expectation tables, and every row an offering', () => {
    expect(oauthOfferings.map((offering) => offering.id).sort()).toEqual(Object.keys(expectedOAuth).sort());
    expect(keyedOfferings.map((offering) => offering.id).sort()).toEqual(Object.keys(expectedKeyed).sort());
  });

  it.each(oauthOfferings.map((offering) => [offering.id, offering] as const))('%s builds its documented authorization URL', (id, offering) => {
    const expected = expectedOAuth[id]!;
    const scopeParam = expected.scopeParam ?? 'scope';
    const separator = expected.separator ?? ' ';
    const url = new URL(
      buildAuthorizationUrl(offering, {
        clientId: client.clientId,
        redirectUri,
        scopes: offering.default_scopes,
        state: 'state-xyz',
        codeChallenge: 'challenge-abc',
        inputs: sampleInputs(offering),
        publicUrl,
      }),
    );

    expect(`${url.origin}${url.pathname}`).toBe(expected.authorize);
    expect(offering.scope_separator).toBe(separator);
    const query = url.searchParams;
    expect(query.get('response_type')).toBe('code');
    expect(query.get('client_id')).toBe(client.clientId);
    expect(query.get('redirect_uri')).toBe(redirectUri);
    expect(query.get('state')).toBe('state-xyz');
    if (offering.default_scopes.length > 0) {
      expect(query.get(scopeParam)).toBe(offering.default_scopes.join(separator));
    }
    expect(query.get('code_challenge')).toBe(expected.pkce ? 'challenge-abc' : null);
    expect(query.get('code_challenge_method')).toBe(expected.pkce ? 'S256' : null);
    for (const [name, value] of Object.entries(expected.params ?? {})) expect(query.get(name), name).toBe(value);

    const names = ['response_type', 'client_id', 'redirect_uri', 'state', ...Object.keys(expected.params ?? {})];
    if (offering.default_scopes.length > 0) names.push(scopeParam);
    if (expected.pkce) names.push('code_challenge', 'code_challenge_method');
    expect([...query.keys()].sort()).toEqual(names.sort());
  });

  it.each(oauthOfferings.map((offering) => [offering.id, offering] as const))('%s builds its documented token requests', (id, offering) => {
    const expected = expectedOAuth[id]!;
    const context = { inputs: sampleInputs(offering), publicUrl };
    const exchange = buildTokenRequest(offering, { type: 'authorization_code', code: 'code-1', redirectUri, codeVerifier: 'verifier-1' }, client, context);
    const refresh = buildTokenRequest(offering, { type: 'refresh_token', refreshToken: 'refresh-1' }, client, context);

    for (const request of [exchange, refresh]) {
      expect(request.url).toBe(expected.token);
      expect(request.headers.Accept).toBe('application/json');
      expect(request.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
      if (expected.basic) {
        expect(request.headers.Authorization).toBe(`Basic ${btoa('client-123:secret-456')}`);
        expect(request.body.has('client_secret')).toBe(false);
      } else {
        expect(request.headers.Authorization).toBeUndefined();
        expect(request.body.get('client_id')).toBe('client-123');
        expect(request.body.get('client_secret')).toBe('secret-456');
      }
    }
    expect(exchange.body.get('grant_type')).toBe('authorization_code');
    expect(exchange.body.get('code')).toBe('code-1');
    expect(exchange.body.get('redirect_uri')).toBe(redirectUri);
    expect(exchange.body.get('code_verifier')).toBe(expected.pkce ? 'verifier-1' : null);
    expect(refresh.body.get('grant_type')).toBe('refresh_token');
    expect(refresh.body.get('refresh_token')).toBe('refresh-1');
  });

  it.each(keyedOfferings.map((offering) => [offering.id, offering] as const))('%s checks pasted credentials at its documented endpoint', (id, offering) => {
    const expected = expectedKeyed[id]!;
    const credentials = Object.fromEntries(offering.credentials.map((field) => [field.key, `value-of-${field.key}`]));
    const request = buildVerifyRequest(offering, credentials, { inputs: sampleInputs(offering) });

    expect(request?.url).toBe(expected.verify);
    expect(request?.method).toBe('GET');
    const headers = request?.headers ?? {};
    if (expected.auth === 'Authorization: Bearer') {
      expect(headers.Authorization).toBe(`Bearer value-of-${offering.credentials[0]!.key}`);
    } else if (expected.auth === 'Authorization: Basic') {
      const [user, password] = offering.credentials.map((field) => `value-of-${field.key}`);
      expect(headers.Authorization).toBe(`Basic ${btoa(`${user}:${password}`)}`);
    } else {
      expect(headers[expected.auth]).toBe('value-of-api_key');
      expect(headers.Authorization).toBeUndefined();
    }
  });
});
