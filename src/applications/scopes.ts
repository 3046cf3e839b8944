/**
 * The scopes an OAuth application may ask for, each with the plain words the consent page
 * shows, in the order it shows them. `all.full_access` covers everything and `offline_access`
 * asks for a refresh token; the finer ones are what the management API enforces for access tokens.
 */
export const SCOPE_CATALOG = [
  { scope: 'all.full_access', description: 'Do everything your organization can do in Edgelink, as its API keys can' },
  { scope: 'offline_access', description: 'Keep access when you are not using the app, until you revoke it' },
  { scope: 'integrations.read', description: "See your organization's integrations (never their client secrets)" },
  { scope: 'integrations.write', description: 'Create, change and delete integrations' },
  { scope: 'links.write', description: 'Create, change and delete connect links' },
  { scope: 'connections.read', description: 'See connected accounts and whom they belong to' },
  { scope: 'connections.token', description: 'Get access tokens for connected accounts and act with them' },
] as const satisfies readonly { scope: string; description: string }[];

export type ApplicationScope = (typeof SCOPE_CATALOG)[number]['scope'];

export const APPLICATION_SCOPES: readonly ApplicationScope[] = SCOPE_CATALOG.map((s) => s.scope);

/** What an application may ask for when it is created without a list: everything, and offline use. */
export const DEFAULT_APPLICATION_SCOPES: ApplicationScope[] = ['all.full_access', 'offline_access'];

export function isApplicationScope(scope: string): scope is ApplicationScope {
  return (APPLICATION_SCOPES as readonly string[]).includes(scope);
}

/** The consent page's words for each scope, in catalog order; unknown scopes are left out. */
export function describeScopes(scopes: readonly string[]): { scope: ApplicationScope; description: string }[] {
  return SCOPE_CATALOG.filter((s) => scopes.includes(s.scope)).map((s) => ({ scope: s.scope, description: s.description }));
}
