import type { OfferingDefinitionInput } from '../definition';

/**
 * Atlassian Cloud OAuth 2.0 (3LO): audience=api.atlassian.com is mandatory, prompt=consent
 * makes the consent screen list the scopes again, and refresh tokens (rotating) need
 * offline_access.
 */
function atlassian(product: { id: string; name: string; description: string; docsUrl: string; scopes: string[] }): OfferingDefinitionInput {
  return {
    id: product.id,
    name: product.name,
    provider: 'atlassian',
    description: product.description,
    docs_url: product.docsUrl,
    auth_mode: 'oauth2',
    authorization_url: 'https://auth.atlassian.com/authorize',
    token_url: 'https://auth.atlassian.com/oauth/token',
    userinfo_url: 'https://api.atlassian.com/me',
    default_scopes: ['offline_access', 'read:me', ...product.scopes],
    required_scopes: ['offline_access'],
    authorization_params: { audience: 'api.atlassian.com', prompt: 'consent' },
    token_auth_method: 'client_secret_post',
    pkce: true,
    account: { id: 'account_id', email: 'email', name: 'name' },
  };
}

export const atlassianOfferings: OfferingDefinitionInput[] = [
  atlassian({
    id: 'off_atlassian',
    name: 'Jira (Atlassian Cloud)',
    description: 'Jira Cloud sites the user can reach; find the cloud id with accessible-resources.',
    docsUrl: 'https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/',
    scopes: ['read:jira-work', 'read:jira-user'],
  }),
  atlassian({
    id: 'off_confluence',
    name: 'Confluence (Atlassian Cloud)',
    description: 'Confluence Cloud sites the user can reach.',
    docsUrl: 'https://developer.atlassian.com/cloud/confluence/oauth-2-3lo-apps/',
    scopes: ['read:confluence-content.all', 'read:confluence-space.summary', 'search:confluence'],
  }),
  {
    id: 'off_jira_api_token',
    name: 'Jira (API token)',
    provider: 'atlassian',
    description: 'Jira Cloud with an account email and an API token (HTTP Basic), for sites where OAuth is not an option.',
    docs_url: 'https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/',
    auth_mode: 'basic',
    inputs: [
      {
        key: 'site',
        label: 'Jira site name (the part before .atlassian.net)',
        pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
        source: 'end_user',
        example: 'acme',
      },
    ],
    credentials: [
      { key: 'email', label: 'Atlassian account email', secret: false },
      { key: 'api_token', label: 'API token', secret: true },
    ],
    verify: {
      url: 'https://{site}.atlassian.net/rest/api/3/myself',
      method: 'GET',
      auth: { type: 'basic', username_field: 'email', password_field: 'api_token' },
      ok_status: [200],
    },
  },
];
