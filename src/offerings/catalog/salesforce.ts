import type { OfferingDefinitionInput } from '../definition';

/**
 * Salesforce: one offering per environment. The login host is an end-user input so orgs that
 * block login.salesforce.com can use their My Domain; the same host serves the token endpoint,
 * so refreshes must use the inputs the connection was made with.
 */
function salesforce(environment: {
  id: string;
  name: string;
  loginHost: string;
  /** My Domain hosts of this environment, as a regular expression fragment. */
  myDomainPattern: string;
  example: string;
}): OfferingDefinitionInput {
  const host = '{my_domain}';
  return {
    id: environment.id,
    name: environment.name,
    provider: 'salesforce',
    description: `Salesforce CRM through a Connected App or External Client App; logs in at ${environment.loginHost} unless a My Domain is given.`,
    docs_url: 'https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm',
    auth_mode: 'oauth2',
    inputs: [
      {
        key: 'my_domain',
        label: 'Salesforce login host (My Domain)',
        pattern: `^(?:${environment.loginHost.replaceAll('.', '\\.')}|${environment.myDomainPattern})$`,
        default: environment.loginHost,
        source: 'end_user',
        example: environment.example,
      },
    ],
    authorization_url: `https://${host}/services/oauth2/authorize`,
    token_url: `https://${host}/services/oauth2/token`,
    userinfo_url: `https://${host}/services/oauth2/userinfo`,
    revocation_url: `https://${host}/services/oauth2/revoke`,
    introspection_url: `https://${host}/services/oauth2/introspect`,
    scope_separator: ' ',
    default_scopes: ['api', 'refresh_token'],
    required_scopes: ['api', 'refresh_token'],
    optional_scopes: [
      'web',
      'openid',
      'id',
      'profile',
      'email',
      'address',
      'phone',
      'full',
      'chatter_api',
      'custom_permissions',
      'visualforce',
      'wave_api',
      'content',
      'lightning',
      'eclair_api',
      'pardot_api',
      'cdp_api',
      'cdp_query_api',
      'cdp_profile_api',
      'cdp_ingest_api',
      'sfap_api',
      'einstein_gpt_api',
      'chatbot_api',
    ],
    token_auth_method: 'client_secret_post',
    pkce: true,
    token_response: {
      metadata: ['instance_url', 'id', 'issued_at'],
      // Replies carry no expires_in; the session lasts the org's timeout (2 h by default,
      // 15 min at the shortest an admin can set), so assume the shortest.
      default_expires_in: 900,
    },
    account: { id: 'user_id', email: 'email', name: 'name' },
  };
}

export const salesforceOfferings: OfferingDefinitionInput[] = [
  salesforce({
    id: 'off_salesforce',
    name: 'Salesforce (production)',
    loginHost: 'login.salesforce.com',
    myDomainPattern: '[a-z0-9][a-z0-9-]{0,79}(?:\\.(?:develop|trailblaze))?\\.my\\.salesforce\\.com',
    example: 'acme.my.salesforce.com',
  }),
  salesforce({
    id: 'off_salesforce_sandbox',
    name: 'Salesforce (sandbox)',
    loginHost: 'test.salesforce.com',
    myDomainPattern: '[a-z0-9][a-z0-9-]{0,79}\\.(?:sandbox|scratch)\\.my\\.salesforce\\.com',
    example: 'acme--uat.sandbox.my.salesforce.com',
  }),
];
