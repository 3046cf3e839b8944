import type { Db } from '../db/client';
import type { Caller } from './caller';

/**
 * A credential's verification as SQL, for the hot routes that verify the caller and read their
 * resource in one statement (see connections/hot-routes.ts). Written beside the drizzle query it
 * mirrors (the verifier the app uses), with a test that both accept and refuse the same secrets.
 */
export interface JoinedCredential<K = unknown> {
  /** Secrets this credential claims, by the prefix its issuer gives them. */
  prefix: string;
  /**
   * A subquery yielding at most one row, with an `org_id` column, for the live credential
   * whose secret hashes (SHA-256, hex) to `?1` at time `?2` (ms).
   */
  sql: string;
  /** How many columns the subquery yields, in order; `read` gets exactly those. */
  width: number;
  read(values: unknown[]): K;
  caller(found: K): Caller;
  /** The scopes the caller acts with; null when its rights are the organization's (keys). */
  scopes(found: K): readonly string[] | null;
  /** Work after a use (an API key's last-used stamp), handed to waitUntil. */
  afterUse?(found: K, db: Db, now: number): Promise<void> | undefined;
}
