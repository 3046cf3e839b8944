import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { OfferingDefinition } from './definition';

/**
 * Operator-managed offerings. A row with a definition is a custom offering; a row without one
 * only switches a catalog offering (which lives in code) on or off.
 */
export const offeringRows = sqliteTable('offerings', {
  id: text('id').primaryKey(),
  definition: text('definition', { mode: 'json' }).$type<OfferingDefinition>(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
