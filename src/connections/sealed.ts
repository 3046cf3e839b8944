import { decrypt, encrypt, type Keyring } from '../lib/crypto';
import { iso } from '../lib/shapes';
import type { ConnectionRow } from './render';
import { CREDENTIAL_TOKEN_TYPES, type ConnectionTokenObject } from './shapes';

// AADs bind each envelope to its row and field: copied onto another row, it does not decrypt.
export const accessTokenAad = (id: string) => `connections/${id}/access_token`;
export const refreshTokenAad = (id: string) => `connections/${id}/refresh_token`;

export type CredentialMode = (typeof CREDENTIAL_TOKEN_TYPES)[number];

/** API-key and basic connections keep the end user's fields as JSON in the access-token envelope. */
export function isCredentialConnection(row: Pick<ConnectionRow, 'tokenType'>): boolean {
  return (CREDENTIAL_TOKEN_TYPES as readonly string[]).includes(row.tokenType);
}

export const sealAccessToken = (keyring: Keyring, id: string, token: string) => encrypt(keyring, token, accessTokenAad(id));
export const sealRefreshToken = (keyring: Keyring, id: string, token: string) => encrypt(keyring, token, refreshTokenAad(id));
export const sealCredentials = (keyring: Keyring, id: string, credentials: Record<string, string>) =>
  encrypt(keyring, JSON.stringify(credentials), accessTokenAad(id));

export async function openRefreshToken(keyring: Keyring, row: ConnectionRow): Promise<string | null> {
  return row.refreshTokenEnc === null ? null : decrypt(keyring, row.refreshTokenEnc, refreshTokenAad(row.id));
}

export async function openAccessToken(keyring: Keyring, row: ConnectionRow): Promise<string> {
  return decrypt(keyring, row.accessTokenEnc, accessTokenAad(row.id));
}

/** The body of GET /connections/{id}/token: the only place a credential leaves the Worker. */
export async function renderToken(keyring: Keyring, row: ConnectionRow): Promise<ConnectionTokenObject> {
  const secret = await openAccessToken(keyring, row);
  const common = {
    connection_id: row.id,
    provider_account_id: row.providerAccountId,
    expires_at: iso(row.expiresAt),
    scopes: row.scopes,
    metadata: row.metadata,
  };
  if (isCredentialConnection(row)) {
    return { ...common, token_type: row.tokenType as CredentialMode, credentials: JSON.parse(secret) as Record<string, string> };
  }
  return { ...common, access_token: secret, token_type: row.tokenType };
}
