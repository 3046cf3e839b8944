import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { integrations } from '../integrations/schema';
import { organizations } from '../organizations/schema';

export const CONNECTION_STATUSES = ['active', 'needs_reauth', 'revoked'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];
export const CREDENTIAL_MODES = ['oauth', 'api_key', 'basic'] as const;

export const connections = sqliteTable(
  'connections',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    integrationId: text('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    linkId: text('link_id'),
    endUserId: text('end_user_id').notNull(),
    endUserEmail: text('end_user_email'),
    endUserName: text('end_user_name'),
    providerAccountId: text('provider_account_id').notNull(),
    accountEmail: text('account_email'),
    accountName: text('account_name'),
    // Provider metadata (Salesforce instance_url): read-only to the API, shown as provider_metadata.
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    // The developer's own JSON object (the API's `metadata`), at most 8 KiB, and tags.
    userMetadata: text('user_metadata', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
    tags: text('tags', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    // End-user inputs (Zendesk subdomain, Shopify shop): refresh and revocation need the same host.
    inputs: text('inputs', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    status: text('status', { enum: CONNECTION_STATUSES }).notNull(),
    // Envelopes bound to `connections/{id}/access_token` and `…/refresh_token`.
    accessTokenEnc: text('access_token_enc').notNull(),
    refreshTokenEnc: text('refresh_token_enc'),
    tokenType: text('token_type').notNull(),
    // How the access-token envelope is read: a provider's token, or the end user's own fields.
    // Its own column so nothing a provider answers (token_type) can change it.
    credentialMode: text('credential_mode', { enum: CREDENTIAL_MODES }).notNull().default('oauth'),
    expiresAt: integer('expires_at'),
    lastRefreshedAt: integer('last_refreshed_at'),
    lastRefreshError: text('last_refresh_error'),
    refreshFailures: integer('refresh_failures').notNull().default(0),
    nextRefreshAttemptAt: integer('next_refresh_attempt_at'),
    // A refresh lease: whoever sets it with a conditional UPDATE is the one caller that refreshes.
    leaseId: text('lease_id'),
    leaseUntil: integer('lease_until'),
    version: integer('version').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('connections_account_unique').on(t.integrationId, t.endUserId, t.providerAccountId),
    index('connections_org_created_idx').on(t.orgId, t.createdAt, t.id),
    index('connections_expiry_idx').on(t.status, t.expiresAt),
  ],
);

export type ConnectionRow = typeof connections.$inferSelect;

/**
 * The tag index: one row per tag of a connection, so `?tag=key:value` is an index search, not
 * a JSON read of every connection of the organization. `connections.tags` is the truth;
 * triggers in the migration (0006, hand-written) rewrite these rows inside the very statement
 * that writes the tags, so no batch can land one without the other. Deleting the connection
 * deletes them (foreign key).
 */
export const connectionTags = sqliteTable(
  'connection_tags',
  {
    connectionId: text('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    orgId: text('org_id').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.key] }), index('connection_tags_lookup_idx').on(t.orgId, t.key, t.value)],
);
