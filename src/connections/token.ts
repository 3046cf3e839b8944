import type { Keyring } from '../lib/crypto';
import { iso } from '../lib/shapes';
import type { ConnectionRow } from './schema';
import { openAccessToken } from './sealed';
import type { ConnectionTokenObject } from './shapes';

/** The columns the token route's body is made of. */
export type TokenColumns = Pick<
  ConnectionRow,
  'id' | 'providerAccountId' | 'expiresAt' | 'scopes' | 'metadata' | 'credentialMode' | 'tokenType' | 'accessTokenEnc'
>;

/** The body of GET /connections/{id}/token: the only place a credential leaves the Worker. */
export async function renderToken(keyring: Keyring, row: TokenColumns): Promise<ConnectionTokenObject> {
  const secret = await openAccessToken(keyring, row);
  const common = {
    connection_id: row.id,
    provider_account_id: row.providerAccountId,
    expires_at: iso(row.expiresAt),
    scopes: row.scopes,
    provider_metadata: row.metadata,
  };
  if (row.credentialMode !== 'oauth') return { ...common, token_type: row.credentialMode, credentials: JSON.parse(secret) as Record<string, string> };
  return { ...common, access_token: secret, token_type: row.tokenType };
}
