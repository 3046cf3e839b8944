import type { OfferingDefinitionInput } from '../definition';

const oidcScopes = ['openid', 'profile', 'email', 'offline_access'];

export const identityOfferings: OfferingDefinitionInput[] = [
  {
    id: 'off_okta',
    name: 'Okta',
    provider: 'okta',
    description: "An Okta org's authorization server; the organization gives its Okta domain. Client authentication is HTTP Basic.",
    docs_url: 'https://developer.okta.com/docs/guides/implement-grant-type/authcode/main/',
    auth_mode: 'oauth2',
    inputs: [
      {
        key: 'okta_domain',
        label: 'Okta domain',
        pattern: '^[a-z0-9][a-z0-9-]{0,62}\\.(?:okta|oktapreview|okta-emea)\\.com$',
        source: 'integration',
        example: 'acme.okta.com',
      },
    ],
    authorization_url: 'https://{okta_domain}/oauth2/v1/authorize',
    token_url: 'https://{okta_domain}/oauth2/v1/token',
    userinfo_url: 'https://{okta_domain}/oauth2/v1/userinfo',
    revocation_url: 'https://{okta_domain}/oauth2/v1/revoke',
    introspection_url: 'https://{okta_domain}/oauth2/v1/introspect',
    default_scopes: oidcScopes,
    required_scopes: ['openid', 'offline_access'],
    optional_scopes: ['address', 'phone', 'groups'],
    token_auth_method: 'client_secret_basic',
    pkce: true,
    account: { id: 'sub', email: 'email', name: 'name' },
  },
  {
    id: 'off_auth0',
    name: 'Auth0',
    provider: 'auth0',
    description: 'An Auth0 tenant; the organization gives its tenant domain.',
    docs_url: 'https://auth0.com/docs/get-started/authentication-and-authorization-flow/authorization-code-flow',
    auth_mode: 'oauth2',
    inputs: [
      {
        key: 'auth0_domain',
        label: 'Auth0 tenant domain',
        pattern: '^[a-z0-9][a-z0-9-]{0,62}(?:\\.(?:us|eu|au|jp|uk|ca))?\\.auth0\\.com$',
        source: 'integration',
        example: 'acme.us.auth0.com',
      },
    ],
    authorization_url: 'https://{auth0_domain}/authorize',
    token_url: 'https://{auth0_domain}/oauth/token',
    userinfo_url: 'https://{auth0_domain}/userinfo',
    revocation_url: 'https://{auth0_domain}/oauth/revoke',
    default_scopes: oidcScopes,
    required_scopes: ['openid', 'offline_access'],
    token_auth_method: 'client_secret_post',
    pkce: true,
    account: { id: 'sub', email: 'email', name: 'name' },
  },
];
