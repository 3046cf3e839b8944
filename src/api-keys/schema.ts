import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organizations } from '../organizations/schema';

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    // First characters of the secret, shown in lists so people can tell keys apart.
    prefix: text('prefix').notNull(),
    // SHA-256 of the whole secret: a D1 leak gives no usable key.
    secretHash: text('secret_hash').notNull().unique(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('api_keys_org_created_idx').on(t.orgId, t.createdAt, t.id)],
);
