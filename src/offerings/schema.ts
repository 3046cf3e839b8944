import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { OfferingDefinition } from './definition';

/**
 * Custom offerings and switches. A row with a definition is a custom offering; a row without one
 * only switches a catalog offering (which lives in code) on or off. `org_id` null: the operator's,
 * shared by every organization; set: that organization's own, invisible to every other.
 */
export const offeringRows = sqliteTable(
  'offerings',
  {
    id: text('id').primaryKey(),
    // No foreign key: offerings/ sits below organizations/ in the layers (README), and organizations are never deleted.
    orgId: text('org_id'),
    definition: text('definition', { mode: 'json' }).$type<OfferingDefinition>(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('offerings_org_idx').on(t.orgId)],
);
