import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organizations } from '../organizations/schema';
import { users } from '../users/schema';
import type { GrantType } from './grant-types';

export const PUBLISH_STATES = ['none', 'pending', 'approved', 'rejected'] as const;
export type PublishState = (typeof PUBLISH_STATES)[number];

/** Third-party apps registered to call Edgelink's API on behalf of its users. */
export const applications = sqliteTable(
  'applications',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    ownerUserId: text('owner_user_id').references(() => users.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    redirectUris: text('redirect_uris', { mode: 'json' }).$type<string[]>().notNull(),
    termsUrl: text('terms_url'),
    privacyUrl: text('privacy_url'),
    active: integer('active', { mode: 'boolean' }).notNull(),
    // `public` only after an operator approves a publish request.
    visibility: text('visibility', { enum: ['private', 'public'] }).notNull(),
    publishState: text('publish_state', { enum: PUBLISH_STATES }).notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    // The default fills existing rows with every grant, which is what they could use before.
    grantTypes: text('grant_types', { mode: 'json' })
      .$type<GrantType[]>()
      .notNull()
      .default(sql`'["authorization_code","refresh_token","client_credentials"]'`),
    // The owner asks to be listed on /apps; it shows there only while approved, public and active.
    listed: integer('listed', { mode: 'boolean' }).notNull().default(false),
    clientId: text('client_id').notNull().unique(),
    // SHA-256 of `elk_cs_…`; the secret itself is shown once at creation and rotation.
    clientSecretHash: text('client_secret_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('applications_org_created_idx').on(t.orgId, t.createdAt, t.id),
    index('applications_publish_idx').on(t.publishState),
    index('applications_directory_idx').on(t.publishState, t.listed, t.name, t.id),
  ],
);
