import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const organizations = sqliteTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('organizations_created_idx').on(t.createdAt, t.id)],
);

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  // Stored lower-cased so sign-in and uniqueness ignore case.
  email: text('email').notNull().unique(),
  name: text('name'),
  // `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>`; null until a password is set.
  passwordHash: text('password_hash'),
  isPlatformAdmin: integer('is_platform_admin', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
});

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

export const memberships = sqliteTable(
  'memberships',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLES }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.orgId] }), index('memberships_org_idx').on(t.orgId)],
);
