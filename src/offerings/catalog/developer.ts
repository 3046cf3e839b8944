import type { OfferingDefinitionInput } from '../definition';

/** GitHub's REST API refuses requests without a User-Agent. */
const githubApiHeaders = {
  Accept: 'application/vnd.github+json',
  'X-GitHub-Api-Version': '2022-11-28',
  'User-Agent': 'Edgelink',
};

const hostPattern = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$';

function gitlab(offering: Pick<OfferingDefinitionInput, 'id' | 'name' | 'description' | 'inputs'> & { host: string }): OfferingDefinitionInput {
  return {
    id: offering.id,
    name: offering.name,
    provider: 'gitlab',
    description: offering.description,
    docs_url: 'https://docs.gitlab.com/api/oauth2/',
    auth_mode: 'oauth2',
    inputs: offering.inputs,
    authorization_url: `https://${offering.host}/oauth/authorize`,
    token_url: `https://${offering.host}/oauth/token`,
    userinfo_url: `https://${offering.host}/api/v4/user`,
    revocation_url: `https://${offering.host}/oauth/revoke`,
    default_scopes: ['read_user'],
    optional_scopes: [
      'api', 'read_api', 'read_repository', 'write_repository', 'read_registry', 'write_registry',
      'sudo', 'admin_mode', 'openid', 'profile', 'email', 'create_runner', 'manage_runner',
      'ai_features', 'k8s_proxy',
    ],
    token_auth_method: 'client_secret_post',
    pkce: true,
    account: { id: 'id', email: 'email', name: 'username' },
  };
}

export const developerOfferings: OfferingDefinitionInput[] = [
  {
    id: 'off_github',
    name: 'GitHub (OAuth app)',
    provider: 'github',
    description: 'GitHub OAuth apps. Their tokens never expire and come without a refresh token.',
    docs_url: 'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps',
    auth_mode: 'oauth2',
    authorization_url: 'https://github.com/login/oauth/authorize',
    token_url: 'https://github.com/login/oauth/access_token',
    userinfo_url: 'https://api.github.com/user',
    userinfo_headers: githubApiHeaders,
    scope_separator: ' ',
    default_scopes: ['read:user', 'user:email'],
    token_auth_method: 'client_secret_post',
    pkce: true,
    // The reply is form-encoded unless Accept: application/json, and lists scopes with commas.
    token_response: { scope_separator: ',', default_expires_in: null },
    account: { id: 'id', email: 'email', name: 'login' },
  },
  {
    id: 'off_github_app',
    name: 'GitHub (GitHub App user tokens)',
    provider: 'github',
    description: 'User access tokens of a GitHub App: permissions come from the app, not scopes; tokens last 8 hours with a refresh token when expiration is on.',
    docs_url: 'https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app',
    auth_mode: 'oauth2',
    authorization_url: 'https://github.com/login/oauth/authorize',
    token_url: 'https://github.com/login/oauth/access_token',
    userinfo_url: 'https://api.github.com/user',
    userinfo_headers: githubApiHeaders,
    token_auth_method: 'client_secret_post',
    pkce: true,
    token_response: { scope_separator: ',', default_expires_in: null },
    account: { id: 'id', email: 'email', name: 'login' },
  },
  gitlab({
    id: 'off_gitlab',
    name: 'GitLab.com',
    description: 'GitLab.com; access tokens last two hours and refresh tokens rotate.',
    inputs: [],
    host: 'gitlab.com',
  }),
  gitlab({
    id: 'off_gitlab_self_managed',
    name: 'GitLab (self-managed)',
    description: 'A self-managed GitLab instance; the organization gives its host name.',
    inputs: [{
      key: 'gitlab_host',
      label: 'GitLab host name',
      pattern: hostPattern,
      source: 'integration',
      example: 'gitlab.example.com',
    }],
    host: '{gitlab_host}',
  }),
  {
    id: 'off_bitbucket',
    name: 'Bitbucket Cloud',
    provider: 'bitbucket',
    description: 'Bitbucket Cloud OAuth consumers; scopes are set on the consumer.',
    docs_url: 'https://developer.atlassian.com/cloud/bitbucket/oauth-2/',
    auth_mode: 'oauth2',
    authorization_url: 'https://bitbucket.org/site/oauth2/authorize',
    token_url: 'https://bitbucket.org/site/oauth2/access_token',
    userinfo_url: 'https://api.bitbucket.org/2.0/user',
    token_auth_method: 'client_secret_basic',
    pkce: true,
    account: { id: 'uuid', name: 'display_name' },
  },
  {
    id: 'off_linear',
    name: 'Linear',
    provider: 'linear',
    description: 'Linear workspaces; scopes are comma-separated.',
    docs_url: 'https://linear.app/developers/oauth-2-0-authentication',
    auth_mode: 'oauth2',
    authorization_url: 'https://linear.app/oauth/authorize',
    token_url: 'https://api.linear.app/oauth/token',
    revocation_url: 'https://api.linear.app/oauth/revoke',
    scope_separator: ',',
    default_scopes: ['read'],
    optional_scopes: ['write', 'issues:create', 'comments:create', 'timeSchedule:write', 'admin', 'app:assignable', 'app:mentionable'],
    token_auth_method: 'client_secret_post',
    pkce: false,
  },
];
