import { inArray, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { usedStates } from './schema';

/** A state lives 600 s in KV; its used-state row only has to outlive that. */
export const USED_STATE_RETENTION_MS = 24 * 60 * 60_000;

/**
 * For the scheduled purge: deletes at most `limit` used states past retention. D1's SQLite
 * has no DELETE … LIMIT, so the bound is a subquery that an index answers.
 */
export async function purgeUsedStates(db: Db, now: number, limit: number): Promise<number> {
  const expired = db
    .select({ key: usedStates.stateHash })
    .from(usedStates)
    .where(lt(usedStates.createdAt, now - USED_STATE_RETENTION_MS))
    .orderBy(usedStates.createdAt)
    .limit(limit);
  const deleted = await db.delete(usedStates).where(inArray(usedStates.stateHash, expired)).returning({ key: usedStates.stateHash });
  return deleted.length;
}
