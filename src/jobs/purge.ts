import { purgeUsedStates } from '../connect/purge';
import type { Db } from '../db/client';
import { purgeOldEvents } from '../webhooks/purge';

export interface PurgeCounts {
  used_states: number;
  events: number;
}

/** Rows past retention, at most `limit` of each kind; each feature deletes its own. */
export async function purgeExpiredRows(db: Db, now: number, limit: number): Promise<PurgeCounts> {
  const [usedStates, events] = await Promise.all([purgeUsedStates(db, now, limit), purgeOldEvents(db, now, limit)]);
  return { used_states: usedStates, events };
}
