import type { JoinedCredential } from '../auth/joined-credential';
import { hasScope } from '../auth/scope';
import type { ApplicationScope } from '../applications/scopes';
import { bearerSecret, type HotDeps, type HotQuery, type HotRoute, jsonResponse } from '../hot/route';
import { sha256Hex } from '../lib/crypto';
import { handsOutAsIs } from './refresh';
import { renderConnection } from './render';
import { callerAndShownRow, callerAndTokenRow, type Joined } from './hot-sql';
import { renderToken } from './token';

// The id rule of connectionIdParam (idSchema('con')); any other path goes to the app.
const ID = 'con_[a-z0-9_]{2,48}';
const TOKEN_PATH = new RegExp(`^/api/v1/connections/(${ID})/token$`);
const CONNECTION_PATH = new RegExp(`^/api/v1/connections/(${ID})$`);

function credentialOf(request: Request, credentials: readonly JoinedCredential[]) {
  const secret = bearerSecret(request);
  if (secret === null) return null;
  const credential = credentials.find((c) => secret.startsWith(c.prefix));
  return credential ? { secret, credential } : null;
}

type JoinedRead<R> = (query: HotQuery, credential: JoinedCredential, secretHash: string, now: number, id: string) => Promise<Joined<unknown, R> | undefined>;

/**
 * A connection route answered in one statement: the caller's credential joined with the
 * connection, the route's scope, then `answer` (null: leave it to the app).
 */
function joinedRoute<R>(
  route: string,
  path: RegExp,
  scope: ApplicationScope,
  read: JoinedRead<R>,
  answer: (resource: R, deps: HotDeps) => Promise<Response | null> | Response | null,
  credentials: readonly JoinedCredential[],
): HotRoute {
  return {
    route,
    match: (p) => {
      const id = path.exec(p)?.[1];
      return id ? { id } : null;
    },
    async serve(request, { id }, deps) {
      const given = credentialOf(request, credentials);
      if (!given) return null;
      const { credential } = given;
      const joined = await read(deps.query, credential, await sha256Hex(given.secret), deps.now, id!);
      if (!joined?.resource) return null;
      const scopes = credential.scopes(joined.found);
      if (scopes !== null && !hasScope(scopes, scope)) return null;
      const response = await answer(joined.resource, deps);
      if (!response) return null;
      const after = credential.afterUse?.(joined.found, deps.db, deps.now);
      if (after) deps.waitUntil(after);
      return { response, caller: credential.caller(joined.found) };
    },
  };
}

/**
 * The two calls backends make most, in one D1 round trip each with an API key or an `elk_at_`
 * token: the connection's token (while it needs no refresh) and the connection itself. The
 * credentials are the app's (app.ts), as SQL.
 */
export function connectionHotRoutes(credentials: readonly JoinedCredential[]): HotRoute[] {
  return [
    joinedRoute(
      '/api/v1/connections/:id/token',
      TOKEN_PATH,
      'connections.token',
      callerAndTokenRow,
      async (row, deps) =>
        handsOutAsIs(row, Date.now()) ? jsonResponse(await renderToken(deps.keyring, row), { 'Cache-Control': 'no-store', Pragma: 'no-cache' }) : null,
      credentials,
    ),
    joinedRoute(
      '/api/v1/connections/:id',
      CONNECTION_PATH,
      'connections.read',
      callerAndShownRow,
      (shown) => jsonResponse(renderConnection(shown.connection, shown.integration)),
      credentials,
    ),
  ];
}
