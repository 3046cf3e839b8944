import type { SealedColumn } from '../db/sealed';
import { webhookEndpoints } from './schema';

// One endpoint per organization, so the signing secret is bound to the organization id.
export const webhookSecretAad = (orgId: string) => `webhook_endpoints/${orgId}/secret`;

export const webhookSealedColumns: SealedColumn[] = [
  { name: 'webhook_endpoints.secret_enc', table: webhookEndpoints, key: webhookEndpoints.orgId, column: webhookEndpoints.secretEnc, aad: webhookSecretAad },
];
