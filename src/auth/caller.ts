import type { Role } from '../users/schema';

/**
 * Who is calling, resolved once per request by the auth middleware: the operator's token, an
 * organization's API key, or a signed-in user acting for one of their organizations with the
 * role they hold there, or an access token Edgelink's own OAuth server issued.
 */
export type Caller =
  | { kind: 'operator' }
  | { kind: 'api_key'; orgId: string; keyId: string }
  | { kind: 'user'; userId: string; orgId: string; role: Role }
  /** An access token from Edgelink's own OAuth server: its scopes decide what it may do. */
  | { kind: 'oauth'; orgId: string; applicationId: string; userId: string | null; role: Role | null; scopes: string[] };

export type OrgCaller = Extract<Caller, { orgId: string }>;

export function isOrgCaller(caller: Caller | null): caller is OrgCaller {
  return caller !== null && 'orgId' in caller;
}

/** Owners and admins change things; members only read. */
export const roleMayWrite = (role: Role) => role === 'owner' || role === 'admin';

/** Whether this caller may make changes in its organization: keys act with the organization's full rights. */
export function mayWrite(caller: OrgCaller): boolean {
  if (caller.kind === 'user') return roleMayWrite(caller.role);
  // An app acting for a user can do no more than that user can today.
  if (caller.kind === 'oauth' && caller.role !== null) return roleMayWrite(caller.role);
  return true;
}
