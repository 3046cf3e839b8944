import { apiKeyCaller } from '../api-keys/credential';
import { API_KEY_PREFIX } from '../api-keys/secret';
import type { ResourceLookup } from '../auth/with-resource';
import type { ConnectionRow } from './schema';
import { findKeyAndConnection } from './service';
import { connectionIdParam } from './shapes';

/**
 * The token route's credential and connection in one D1 round trip: a live API key and the
 * connection with that id in the key's organization. Any other credential, an unknown key or a
 * malformed id is left to the ordinary path, which answers with the usual errors.
 */
export const apiKeyWithConnection: ResourceLookup<ConnectionRow> = async (secret, params, { deps, now }) => {
  if (!secret.startsWith(API_KEY_PREFIX)) return null;
  const param = connectionIdParam.safeParse({ id: params.id });
  if (!param.success) return null;
  const found = await findKeyAndConnection(deps.db, secret, param.data.id);
  if (!found) return null;
  return { caller: apiKeyCaller(found.key, deps, now), resource: found.connection };
};
