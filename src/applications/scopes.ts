import { FULL_ACCESS } from '../auth/scope';

/**
 * The scopes an OAuth application may ask for, each with the plain words the consent page
 * shows, in the order it shows them. `all.full_access` covers everything and `offline_access`
 * asks for a refresh token; the finer ones are what the management API enforces for access
 * tokens (each route declares its own with requireScope). `write`: the scope changes things,
 * so only owners and admins grant it.
 */
export const SCOPE_CATALOG = [
  { scope: 'all.full_access', description: 'Do everything your organization can do in Edgelink, as its API keys can', write: true },
  { scope: 'offline_access', description: 'Keep access when you are not using the app, until you revoke it', write: false },
  { scope: 'integrations.read', description: "See your organization's integrations (never their client secrets)", write: false },
  { scope: 'integrations.write', description: 'Create, change and delete integrations', write: true },
  { scope: 'links.write', description: 'Create, change and delete connect links', write: true },
  { scope: 'connections.read', description: 'See connected accounts and whom they belong to', write: false },
  { scope: 'connections.token', description: 'Get access tokens for connected accounts and act with them', write: false },
] as const satisfies readonly { scope: string; description: string; write: boolean }[];

export type ApplicationScope = (typeof SCOPE_CATALOG)[number]['scope'];

export const APPLICATION_SCOPES: readonly ApplicationScope[] = SCOPE_CATALOG.map((s) => s.scope);

/** Scopes that change things; a member, who only reads, cannot grant them. */
export const WRITE_SCOPES: ReadonlySet<string> = new Set(SCOPE_CATALOG.filter((s) => s.write).map((s) => s.scope));

/** What an application may ask for when it is created without a list: everything, and offline use. */
export const DEFAULT_APPLICATION_SCOPES: ApplicationScope[] = ['all.full_access', 'offline_access'];

export function isApplicationScope(scope: string): scope is ApplicationScope {
  return (APPLICATION_SCOPES as readonly string[]).includes(scope);
}

/** The consent page's words for each scope, in catalog order; unknown scopes are left out. */
export function describeScopes(scopes: readonly string[]): { scope: ApplicationScope; description: string }[] {
  return SCOPE_CATALOG.filter((s) => scopes.includes(s.scope)).map((s) => ({ scope: s.scope, description: s.description }));
}

/** Whether an application registered with `registered` may ask for `scope`: full access covers the finer ones. */
export function mayAsk(registered: readonly string[], scope: string): boolean {
  if (registered.includes(scope)) return true;
  return scope !== 'offline_access' && scope !== FULL_ACCESS && registered.includes(FULL_ACCESS) && scope.includes('.');
}
