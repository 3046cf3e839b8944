/**
 * Who is calling, resolved once per request by the auth middleware. Later kinds (a signed-in
 * user's session, an access token from Edgelink's own OAuth server) join this union.
 */
export type Caller = { kind: 'operator' } | { kind: 'api_key'; orgId: string; keyId: string };

export type OrgCaller = Extract<Caller, { orgId: string }>;

export function isOrgCaller(caller: Caller | null): caller is OrgCaller {
  return caller !== null && 'orgId' in caller;
}
