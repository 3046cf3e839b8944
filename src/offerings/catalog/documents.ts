import type { OfferingDefinitionInput } from '../definition';

/** DocuSign eSignature: one offering per environment, like Salesforce. */
function docusign(environment: { id: string; name: string; host: string }): OfferingDefinitionInput {
  return {
    id: environment.id,
    name: environment.name,
    provider: 'docusign',
    description: `DocuSign eSignature (${environment.host}); "extended" lets refresh tokens be renewed.`,
    docs_url: 'https://developers.docusign.com/platform/auth/authcode/',
    auth_mode: 'oauth2',
    authorization_url: `https://${environment.host}/oauth/auth`,
    token_url: `https://${environment.host}/oauth/token`,
    userinfo_url: `https://${environment.host}/oauth/userinfo`,
    default_scopes: ['signature', 'extended'],
    required_scopes: ['signature'],
    optional_scopes: ['openid', 'impersonation', 'organization_read', 'user_read'],
    token_auth_method: 'client_secret_basic',
    pkce: true,
    account: { id: 'sub', email: 'email', name: 'name' },
  };
}

export const documentOfferings: OfferingDefinitionInput[] = [
  docusign({ id: 'off_docusign', name: 'DocuSign (production)', host: 'account.docusign.com' }),
  docusign({ id: 'off_docusign_demo', name: 'DocuSign (developer demo)', host: 'account-d.docusign.com' }),
  {
    id: 'off_dropbox',
    name: 'Dropbox',
    provider: 'dropbox',
    description: 'Dropbox files; refresh tokens only with token_access_type=offline.',
    docs_url: 'https://developers.dropbox.com/oauth-guide',
    auth_mode: 'oauth2',
    authorization_url: 'https://www.dropbox.com/oauth2/authorize',
    token_url: 'https://api.dropboxapi.com/oauth2/token',
    // get_current_account is an RPC endpoint: POST with no body.
    userinfo_url: 'https://api.dropboxapi.com/2/users/get_current_account',
    userinfo_method: 'POST',
    default_scopes: ['account_info.read'],
    optional_scopes: [
      'files.metadata.read', 'files.metadata.write', 'files.content.read', 'files.content.write',
      'sharing.read', 'sharing.write', 'file_requests.read', 'file_requests.write', 'contacts.read', 'contacts.write',
    ],
    authorization_params: { token_access_type: 'offline' },
    token_auth_method: 'client_secret_post',
    pkce: true,
    token_response: { metadata: ['account_id'] },
    account: { id: 'account_id', email: 'email', name: 'name.display_name' },
  },
  {
    id: 'off_box',
    name: 'Box',
    provider: 'box',
    description: 'Box content; scopes come from the app configuration unless narrowed here.',
    docs_url: 'https://developer.box.com/guides/authentication/oauth2/',
    auth_mode: 'oauth2',
    authorization_url: 'https://account.box.com/api/oauth2/authorize',
    token_url: 'https://api.box.com/oauth2/token',
    userinfo_url: 'https://api.box.com/2.0/users/me',
    revocation_url: 'https://api.box.com/oauth2/revoke',
    optional_scopes: ['root_readonly', 'root_readwrite', 'manage_managed_users', 'manage_groups', 'manage_webhook', 'manage_enterprise_properties', 'sign_requests.readwrite', 'ai.readwrite'],
    token_auth_method: 'client_secret_post',
    pkce: true,
    account: { id: 'id', email: 'login', name: 'name' },
  },
];
