import type { OfferingDefinitionInput } from '../definition';

const tenantPattern =
  '^(?:common|organizations|consumers|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9][a-z0-9-]{0,62}(?:\\.[a-z0-9][a-z0-9-]{0,62})+)$';

/**
 * Microsoft identity platform (Entra ID) v2 endpoints. The tenant is part of the URL:
 * `common` for multi-tenant apps, a tenant id or domain for single-tenant ones. Refresh
 * tokens come only with offline_access, hence required.
 */
function microsoft(product: { id: string; name: string; description: string; scopes: string[] }): OfferingDefinitionInput {
  const base = 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0';
  return {
    id: product.id,
    name: product.name,
    provider: 'microsoft',
    description: product.description,
    docs_url: 'https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow',
    auth_mode: 'oauth2',
    inputs: [
      {
        key: 'tenant',
        label: 'Directory (tenant): common, organizations, consumers, a tenant id or a domain',
        pattern: tenantPattern,
        default: 'common',
        source: 'integration',
        example: 'contoso.onmicrosoft.com',
      },
    ],
    authorization_url: `${base}/authorize`,
    token_url: `${base}/token`,
    userinfo_url: 'https://graph.microsoft.com/oidc/userinfo',
    scope_separator: ' ',
    default_scopes: ['openid', 'email', 'profile', 'offline_access', ...product.scopes],
    required_scopes: ['offline_access'],
    authorization_params: { response_mode: 'query' },
    token_auth_method: 'client_secret_post',
    pkce: true,
    account: { id: 'sub', email: 'email', name: 'name' },
  };
}

export const microsoftOfferings: OfferingDefinitionInput[] = [
  microsoft({
    id: 'off_microsoft',
    name: 'Microsoft Entra ID',
    description: 'Microsoft Graph and other Entra-protected APIs; work, school and personal accounts.',
    scopes: ['User.Read'],
  }),
  microsoft({
    id: 'off_outlook',
    name: 'Microsoft Outlook',
    description: 'Mail and calendars through Microsoft Graph.',
    scopes: ['User.Read', 'Mail.Read', 'Calendars.Read'],
  }),
  microsoft({
    id: 'off_onedrive',
    name: 'Microsoft OneDrive',
    description: 'Files in OneDrive and SharePoint through Microsoft Graph.',
    scopes: ['User.Read', 'Files.ReadWrite'],
  }),
  microsoft({
    id: 'off_microsoft_teams',
    name: 'Microsoft Teams',
    description: 'Teams, channels and chats through Microsoft Graph.',
    scopes: ['User.Read', 'Team.ReadBasic.All', 'Channel.ReadBasic.All', 'Chat.Read'],
  }),
];
