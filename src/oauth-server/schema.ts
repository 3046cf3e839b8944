import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { applications } from '../applications/schema';
import { organizations } from '../organizations/schema';
import { users } from '../users/schema';

/**
 * What a user (or, for client credentials, the app's organization) allowed an application.
 * Codes and tokens belong to a grant, so revoking the grant revokes everything it issued.
 */
export const oauthGrants = sqliteTable(
  'oauth_grants',
  {
    id: text('id').primaryKey(),
    applicationId: text('application_id')
      .notNull()
      .references(() => applications.id, { onDelete: 'cascade' }),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: integer('created_at').notNull(),
    revokedAt: integer('revoked_at'),
  },
  // The purge finds dead grants by these: revoked, or past every lifetime a token of theirs can have.
  (t) => [
    index('oauth_grants_app_idx').on(t.applicationId),
    index('oauth_grants_revoked_idx').on(t.revokedAt),
    index('oauth_grants_created_idx').on(t.createdAt),
  ],
);

/** Authorization codes: single use decided by a conditional UPDATE of `used_at`. */
export const oauthCodes = sqliteTable(
  'oauth_codes',
  {
    codeHash: text('code_hash').primaryKey(),
    grantId: text('grant_id')
      .notNull()
      .references(() => oauthGrants.id, { onDelete: 'cascade' }),
    redirectUri: text('redirect_uri').notNull(),
    codeChallenge: text('code_challenge').notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  // The purge deletes by expiry and asks whether a grant still has a code; deleting a grant cascades here by grant_id.
  (t) => [index('oauth_codes_expires_idx').on(t.expiresAt), index('oauth_codes_grant_idx').on(t.grantId)],
);

/** Access (`elk_at_`) and refresh (`elk_rt_`) tokens, stored as SHA-256. */
export const oauthTokens = sqliteTable(
  'oauth_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    kind: text('kind', { enum: ['access', 'refresh'] }).notNull(),
    grantId: text('grant_id')
      .notNull()
      .references(() => oauthGrants.id, { onDelete: 'cascade' }),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    expiresAt: integer('expires_at'),
    // A refresh token is used once; reuse after rotation revokes the grant (RFC 9700 §4.14).
    usedAt: integer('used_at'),
    revokedAt: integer('revoked_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('oauth_tokens_grant_idx').on(t.grantId), index('oauth_tokens_expires_idx').on(t.expiresAt)],
);
