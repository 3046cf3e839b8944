import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organizations } from '../organizations/schema';

export const webhookEndpoints = sqliteTable('webhook_endpoints', {
  orgId: text('org_id')
    .primaryKey()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  // Envelope bound to `webhook_endpoints/{org_id}/secret`.
  secretEnc: text('secret_enc').notNull(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const EVENT_TYPES = ['connection.created', 'connection.updated', 'connection.refresh_failed', 'connection.deleted'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'no_endpoint'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Every event, with the state of its delivery; `/events` reads this. */
export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    type: text('type', { enum: EVENT_TYPES }).notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    deliveryStatus: text('delivery_status', { enum: DELIVERY_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    lastAttemptAt: integer('last_attempt_at'),
    lastResponseStatus: integer('last_response_status'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('events_org_created_idx').on(t.orgId, t.createdAt, t.id), index('events_retry_idx').on(t.deliveryStatus, t.nextAttemptAt)],
);
