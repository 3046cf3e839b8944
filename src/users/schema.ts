import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { users } from '../organizations/schema';

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
export const passwordSetupTokens = sqliteTable('password_setup_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
});

/** Fixed-window counters for sign-in failures, per account and per client IP. */
export const signInAttempts = sqliteTable('sign_in_attempts', {
  key: text('key').primaryKey(),
  windowStart: integer('window_start').notNull(),
  failures: integer('failures').notNull(),
});
