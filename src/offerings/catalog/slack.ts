import type { OfferingDefinitionInput } from '../definition';

/**
 * Slack OAuth v2. Scopes are comma-separated. Bot scopes go in `scope` and the bot token is
 * the top-level access_token; user scopes go in `user_scope` and the user token sits under
 * `authed_user`. Errors come back as HTTP 200 with `ok: false`. Tokens expire only when the
 * app turns on token rotation (then the reply has expires_in and a refresh token).
 */
const slackCommon = {
  provider: 'slack',
  docs_url: 'https://api.slack.com/authentication/oauth-v2',
  auth_mode: 'oauth2',
  authorization_url: 'https://slack.com/oauth/v2/authorize',
  token_url: 'https://slack.com/api/oauth.v2.access',
  revocation_url: 'https://slack.com/api/auth.revoke',
  scope_separator: ',',
  token_auth_method: 'client_secret_post',
  pkce: false,
} satisfies Partial<OfferingDefinitionInput>;

export const slackOfferings: OfferingDefinitionInput[] = [
  {
    ...slackCommon,
    id: 'off_slack',
    name: 'Slack (bot token)',
    description: 'A Slack app installed in a workspace; the connection holds its bot token.',
    default_scopes: ['channels:read', 'chat:write'],
    token_response: {
      metadata: ['team.id', 'team.name', 'enterprise.id', 'bot_user_id', 'app_id'],
      default_expires_in: null,
    },
    account: { id: 'authed_user.id' },
  },
  {
    ...slackCommon,
    id: 'off_slack_user',
    name: 'Slack (user token)',
    description: 'Acts as the Slack user who authorizes; user scopes are sent as user_scope.',
    scope_param: 'user_scope',
    default_scopes: ['users:read'],
    token_response: {
      access_token_path: 'authed_user.access_token',
      refresh_token_path: 'authed_user.refresh_token',
      expires_in_path: 'authed_user.expires_in',
      scope_path: 'authed_user.scope',
      token_type_path: 'authed_user.token_type',
      metadata: ['team.id', 'team.name', 'enterprise.id', 'authed_user.id'],
      default_expires_in: null,
    },
    account: { id: 'authed_user.id' },
  },
];
