import type { JoinedCredential } from '../auth/joined-credential';
import { hasScope } from '../auth/scope';
import { bearerSecret, type HotDeps, type HotRoute, jsonResponse } from '../hot/route';
import { sha256Hex } from '../lib/crypto';
import { handsOutAsIs } from './refresh';
import { renderConnection } from './render';
import { callerAndShownRow, callerAndTokenRow } from './hot-sql';
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

function used<K>(credential: JoinedCredential<K>, found: K, deps: HotDeps): void {
  const after = credential.afterUse?.(found, deps.db, deps.now);
  if (after) deps.waitUntil(after);
}

/**
 * The two calls backends make most, in one D1 round trip each with an API key or an `elk_at_`
 * token: the connection's token (while it needs no refresh) and the connection itself. The
 * credentials are the app's (app.ts), as SQL.
 */
export function connectionHotRoutes(credentials: readonly JoinedCredential[]): HotRoute[] {
  const token: HotRoute = {
    route: '/api/v1/connections/:id/token',
    match: (path) => {
      const id = TOKEN_PATH.exec(path)?.[1];
      return id ? { id } : null;
    },
    async serve(request, { id }, deps) {
      const given = credentialOf(request, credentials);
      if (!given) return null;
      const { credential } = given;
      const joined = await callerAndTokenRow(deps.query, credential, await sha256Hex(given.secret), deps.now, id!);
      if (!joined) return null;
      const scopes = credential.scopes(joined.found);
      if (scopes !== null && !hasScope(scopes, 'connections.token')) return null;
      const row = joined.resource;
      if (!row || !handsOutAsIs(row, Date.now())) return null;
      const body = await renderToken(deps.keyring, row);
      used(credential, joined.found, deps);
      return { response: jsonResponse(body, { 'Cache-Control': 'no-store', Pragma: 'no-cache' }), caller: credential.caller(joined.found) };
    },
  };

  const connection: HotRoute = {
    route: '/api/v1/connections/:id',
    match: (path) => {
      const id = CONNECTION_PATH.exec(path)?.[1];
      return id ? { id } : null;
    },
    async serve(request, { id }, deps) {
      const given = credentialOf(request, credentials);
      if (!given) return null;
      const { credential } = given;
      const joined = await callerAndShownRow(deps.query, credential, await sha256Hex(given.secret), deps.now, id!);
      if (!joined) return null;
      const scopes = credential.scopes(joined.found);
      if (scopes !== null && !hasScope(scopes, 'connections.read')) return null;
      if (!joined.resource) return null;
      used(credential, joined.found, deps);
      return { response: jsonResponse(renderConnection(joined.resource.connection, joined.resource.integration)), caller: credential.caller(joined.found) };
    },
  };

  return [token, connection];
}
