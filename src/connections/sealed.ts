import type { SealedColumn } from '../db/sealed';
import { decrypt, encrypt, type Keyring } from '../lib/crypto';
import { connections, type ConnectionRow } from './schema';
import type { CREDENTIAL_TOKEN_TYPES } from './shapes';

// AADs bind each envelope to its row and field: copied onto another row, it does not decrypt.
export const accessTokenAad = (id: string) => `connections/${id}/access_token`;
export const refreshTokenAad = (id: string) => `connections/${id}/refresh_token`;
// A refresh reply parked in KV (see parked.ts) opens only for its connection and lease.
export const parkedReplyAad = (id: string, leaseId: string) => `connections/${id}/refresh_reply/${leaseId}`;

export const connectionSealedColumns: SealedColumn[] = [
  { name: 'connections.access_token_enc', table: connections, key: connections.id, column: connections.accessTokenEnc, aad: accessTokenAad },
  { name: 'connections.refresh_token_enc', table: connections, key: connections.id, column: connections.refreshTokenEnc, aad: refreshTokenAad },
];

export type CredentialMode = (typeof CREDENTIAL_TOKEN_TYPES)[number];

/** API-key and basic connections keep the end user's fields as JSON in the access-token envelope. */
export function isCredentialConnection(row: Pick<ConnectionRow, 'credentialMode'>): boolean {
  return row.credentialMode !== 'oauth';
}

export const sealAccessToken = (keyring: Keyring, id: string, token: string) => encrypt(keyring, token, accessTokenAad(id));
export const sealRefreshToken = (keyring: Keyring, id: string, token: string) => encrypt(keyring, token, refreshTokenAad(id));
export const sealCredentials = (keyring: Keyring, id: string, credentials: Record<string, string>) =>
  encrypt(keyring, JSON.stringify(credentials), accessTokenAad(id));

export async function openRefreshToken(keyring: Keyring, row: ConnectionRow): Promise<string | null> {
  return row.refreshTokenEnc === null ? null : decrypt(keyring, row.refreshTokenEnc, refreshTokenAad(row.id));
}

export async function openAccessToken(keyring: Keyring, row: Pick<ConnectionRow, 'id' | 'accessTokenEnc'>): Promise<string> {
  return decrypt(keyring, row.accessTokenEnc, accessTokenAad(row.id));
}
