import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organizations } from '../organizations/schema';

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

/** Signed-in browsers. The cookie holds a random token; D1 holds only its SHA-256. */
export const sessions = sqliteTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expiry_idx').on(t.expiresAt)],
);

/** One-time links that let a new user choose a password. */
export const passwordSetupTokens = sqliteTable(
  'password_setup_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  // The purge takes expired or used ones: one index per side of its OR.
  (t) => [index('password_setup_tokens_expires_idx').on(t.expiresAt), index('password_setup_tokens_used_idx').on(t.usedAt)],
);

/** Fixed-window counters for sign-in failures, per account and per client IP. */
export const signInAttempts = sqliteTable(
  'sign_in_attempts',
  {
    key: text('key').primaryKey(),
    windowStart: integer('window_start').notNull(),
    failures: integer('failures').notNull(),
  },
  // The purge deletes finished windows; under a password-guessing attack this table is large.
  (t) => [index('sign_in_attempts_window_idx').on(t.windowStart)],
);
