/**
 * The OAuth grants an application may use (RFC 6749 §4). An app declares its own, and the
 * authorization server refuses the others with `unauthorized_client` (§5.2).
 */
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** What every application could use before apps declared their grants, and what one gets when it declares none. */
export const DEFAULT_GRANT_TYPES: GrantType[] = [...GRANT_TYPES];

/** The console's words for each grant type, in the order it lists them. */
export const GRANT_TYPE_LABELS: Record<GrantType, string> = {
  authorization_code: 'Authorization code: people authorize the app on the consent page and it acts for them',
  refresh_token: 'Refresh token: keeps access after the access token expires (needs authorization code)',
  client_credentials: 'Client credentials: the app gets a token for its own organization with its client ID and secret, no user involved',
};

/** Only the authorization code grant sends a browser back to the app, so only it needs a redirect URI. */
export const needsRedirectUri = (grantTypes: readonly string[]) => grantTypes.includes('authorization_code');

export const allowsGrant = (app: { grantTypes: readonly string[] }, grantType: GrantType) => app.grantTypes.includes(grantType);

/**
 * What is wrong with this combination of grant types and redirect URIs, per field: the
 * authorization code grant sends the browser to a redirect URI, and a refresh token only
 * comes from an authorization code (client credentials never get one, RFC 6749 §4.4.3).
 */
export function grantTypeProblems(grantTypes: readonly string[], redirectUris: readonly string[]): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (grantTypes.includes('refresh_token') && !grantTypes.includes('authorization_code')) {
    problems.push({ field: 'grant_types', message: 'refresh_token needs authorization_code: only an authorization code comes with a refresh token' });
  }
  if (needsRedirectUri(grantTypes) && redirectUris.length === 0) {
    problems.push({ field: 'redirect_uris', message: 'must list at least one redirect URI for the authorization_code grant' });
  }
  return problems;
}
