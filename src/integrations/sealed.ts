import type { SealedColumn } from '../db/sealed';
import { integrations } from './schema';

// AADs bind each envelope to its row and field: copied onto another row, it does not decrypt.
export const clientSecretAad = (id: string) => `integrations/${id}/client_secret`;

export const integrationSealedColumns: SealedColumn[] = [
  { name: 'integrations.client_secret_enc', table: integrations, key: integrations.id, column: integrations.clientSecretEnc, aad: clientSecretAad },
];
