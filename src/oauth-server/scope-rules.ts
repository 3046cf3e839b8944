/** The scope that satisfies every rule. */
export const FULL_ACCESS = 'all.full_access';

const READS = new Set(['GET', 'HEAD']);

/**
 * The finer scope an Edgelink access token needs for a management API request, or
 * FULL_ACCESS where no finer scope exists (API keys, webhooks, applications…).
 */
export function requiredScope(method: string, path: string): string {
  const read = READS.has(method.toUpperCase());
  const [, , , resource, , sub] = path.split('/'); // '', 'api', 'v1', resource, id, sub
  switch (resource) {
    case 'integrations':
    case 'offerings':
      return read ? 'integrations.read' : 'integrations.write';
    case 'links':
      return 'links.write';
    case 'connections':
      if (sub === 'token') return 'connections.token';
      return read ? 'connections.read' : FULL_ACCESS;
    default:
      return FULL_ACCESS;
  }
}

export function hasScope(granted: readonly string[], needed: string): boolean {
  return granted.includes(FULL_ACCESS) || granted.includes(needed);
}

/** Whether an application registered with `registered` may ask for `scope`: full access covers the finer ones. */
export function mayAsk(registered: readonly string[], scope: string): boolean {
  if (registered.includes(scope)) return true;
  return scope !== 'offline_access' && scope !== FULL_ACCESS && registered.includes(FULL_ACCESS) && scope.includes('.');
}
