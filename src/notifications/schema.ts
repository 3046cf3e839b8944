import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organizations } from '../organizations/schema';

export interface LocalizedTemplate {
  subject: string;
  body: string;
}

/** Per organization and notification kind: who receives it and what it says, per locale. */
export const notificationTemplates = sqliteTable(
  'notification_templates',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    recipientRule: text('recipient_rule', { enum: ['owner', 'fixed', 'off'] }).notNull(),
    fixedAddresses: text('fixed_addresses', { mode: 'json' }).$type<string[]>().notNull(),
    templates: text('templates', { mode: 'json' }).$type<Record<string, LocalizedTemplate>>().notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.kind] })],
);

/** The outbox: every notification as rendered, and whether the transport took it. */
export const notifications = sqliteTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    recipients: text('recipients', { mode: 'json' }).$type<string[]>().notNull(),
    locale: text('locale').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed', 'stored'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [index('notifications_org_created_idx').on(t.orgId, t.createdAt, t.id), index('notifications_status_idx').on(t.status)],
);
