import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organizations } from '../organizations/schema';

export const INTEGRATION_STATUSES = ['draft', 'configured'] as const;
export type IntegrationStatus = (typeof INTEGRATION_STATUSES)[number];

/** What the last verification found; `pending_first_connection` means the provider could not tell. */
export interface Verification {
  result: 'verified' | 'invalid_credentials' | 'inconclusive' | 'unreachable' | 'not_needed' | 'incomplete';
  message: string;
  provider_error?: string;
  checked_at: string;
  pending_first_connection: boolean;
}

export const integrations = sqliteTable(
  'integrations',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    offeringId: text('offering_id').notNull(),
    name: text('name').notNull(),
    clientId: text('client_id'),
    // AES-GCM envelope bound to `integrations/{id}/client_secret`; never leaves the Worker.
    clientSecretEnc: text('client_secret_enc'),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    authorizationParams: text('authorization_params', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    inputs: text('inputs', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    status: text('status', { enum: INTEGRATION_STATUSES }).notNull(),
    verification: text('verification', { mode: 'json' }).$type<Verification | null>(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    // Set when a cascade delete starts: the integration is gone for every reader while its
    // connections are deleted in chunks; the row goes with the last chunk.
    deletingAt: integer('deleting_at'),
    // When the background job asks the provider again after a verification that could not
    // reach it; null when nothing is to retry. Attempts count those failures in a row.
    nextVerificationAt: integer('next_verification_at'),
    verificationAttempts: integer('verification_attempts').notNull().default(0),
  },
  (t) => [
    index('integrations_org_created_idx').on(t.orgId, t.createdAt, t.id),
    index('integrations_offering_idx').on(t.offeringId),
    index('integrations_deleting_idx').on(t.deletingAt),
    // deleting_at first: the job's `deleting_at IS NULL` is an equality, then a range on the time.
    index('integrations_next_verification_idx').on(t.deletingAt, t.nextVerificationAt),
  ],
);
