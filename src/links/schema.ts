import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organizations } from '../organizations/schema';

export const links = sqliteTable(
  'links',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    // null: every connectable integration of the organization, now and later.
    integrationIds: text('integration_ids', { mode: 'json' }).$type<string[] | null>(),
    endUserId: text('end_user_id').notNull(),
    endUserEmail: text('end_user_email'),
    endUserName: text('end_user_name'),
    expiresAt: integer('expires_at'),
    maxUses: integer('max_uses'),
    uses: integer('uses').notNull().default(0),
    redirectUrl: text('redirect_url'),
    // Given to every connection made through the link.
    tags: text('tags', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    // SHA-256 of the URL token for lookup; the envelope (`links/{id}/token`) to show the URL again.
    tokenHash: text('token_hash').notNull().unique(),
    tokenEnc: text('token_enc').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('links_org_created_idx').on(t.orgId, t.createdAt, t.id), index('links_end_user_idx').on(t.orgId, t.endUserId)],
);

/** The tag index of links, kept by triggers from `links.tags` as `connection_tags` is (see there). */
export const linkTags = sqliteTable(
  'link_tags',
  {
    linkId: text('link_id')
      .notNull()
      .references(() => links.id, { onDelete: 'cascade' }),
    orgId: text('org_id').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.linkId, t.key] }), index('link_tags_lookup_idx').on(t.orgId, t.key, t.value)],
);
