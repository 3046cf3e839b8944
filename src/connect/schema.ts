import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * One row per OAuth state that reached the callback. KV holds the state itself, but KV is
 * eventually consistent, so "only once" is decided here: the callback that inserts the hash
 * goes on, any replay finds it taken.
 */
export const usedStates = sqliteTable(
  'used_states',
  {
    stateHash: text('state_hash').primaryKey(),
    createdAt: integer('created_at').notNull(),
    // The connection this flow stored, set in the batch that stored it: a flow whose tokens
    // were parked but never stored is told apart from one whose reply was only lost.
    connectionId: text('connection_id'),
  },
  (t) => [index('used_states_created_idx').on(t.createdAt)],
);
