import { createMiddleware } from 'hono/factory';
import { moveToPrimary } from '../db/client';
import type { AppEnv } from '../env';
import type { Caller } from './caller';
import { bearerToken, RESOLVES_CALLER, verifyInputs, type VerifyInputs } from './authenticate';

/**
 * Verifies a bearer secret and loads the route's resource in the same query. Null when it cannot
 * settle the request (another kind of credential, an unknown key, a malformed id); the resource
 * is null when the caller is known but the resource is not theirs or does not exist.
 */
export type ResourceLookup<R> = (
  secret: string,
  params: Record<string, string>,
  inputs: VerifyInputs,
) => Promise<{ caller: Caller; resource: R | null } | null>;

/**
 * Authenticates together with the resource lookup, for a hot route that should cost one D1
 * round trip: `c.var.resource` is the resource (null: not found) when `lookup` settled the
 * request. Anything else goes through the app's ordinary authenticator, and `c.var.resource`
 * stays undefined for the route to load itself. The app-wide `authenticate` leaves routes with
 * this guard to it.
 */
export function authenticateWithResource<R>(lookup: ResourceLookup<R>) {
  const guard = createMiddleware<AppEnv & { Variables: { resource?: R | null } }>(async (c, next) => {
    const authenticate = c.var.authenticator;
    if (!authenticate) throw new Error('authenticateWithResource needs the app-wide authenticate mounted before the route');
    let secret: string | null;
    try {
      secret = bearerToken(c.req.header('authorization'));
    } catch {
      secret = null; // the ordinary path answers a malformed header
    }
    let found = secret === null ? null : await lookup(secret, c.req.param(), verifyInputs(c));
    // A resource missing on a replica may be one made a moment ago: the primary says for sure.
    // (An unknown secret is the authenticator's to re-ask.)
    if (found?.resource === null && moveToPrimary()) found = await lookup(secret!, c.req.param(), verifyInputs(c));
    if (found) {
      c.set('caller', found.caller);
      c.set('resource', found.resource);
    } else {
      c.set('caller', await authenticate(c));
    }
    await next();
  });
  return Object.assign(guard, { [RESOLVES_CALLER]: true });
}
