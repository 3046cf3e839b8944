import type { OfferingDefinitionInput } from '../definition';

/**
 * This deployment's own OAuth server, so a fresh install can connect to itself with no outside
 * account. Its URLs come from PUBLIC_URL.
 */
export const edgelinkOffering: OfferingDefinitionInput = {
  id: 'off_edgelink',
  name: 'Edgelink (this deployment)',
  provider: 'edgelink',
  description: 'The Edgelink management API of this deployment, through its own OAuth server.',
  auth_mode: 'oauth2',
  authorization_url: '{public_url}/oauth/authorize',
  token_url: '{public_url}/oauth/token',
  userinfo_url: '{public_url}/oauth/userinfo',
  revocation_url: '{public_url}/oauth/revoke',
  introspection_url: '{public_url}/oauth/introspect',
  default_scopes: ['all.full_access', 'offline_access'],
  optional_scopes: ['all.full_access', 'offline_access', 'integrations.read', 'integrations.write', 'links.write', 'connections.read', 'connections.token'],
  scopes_closed: true,
  token_auth_method: 'client_secret_basic',
  pkce: true,
  account: { id: 'sub', email: 'email', name: 'name' },
};
