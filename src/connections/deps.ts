import type { Db } from '../db/client';
import type { Keyring } from '../lib/crypto';

/** What connection services need; plain values, so routes, the connect flow and cron share them. */
export interface ConnectionDeps {
  db: Db;
  keyring: Keyring;
  publicUrl: string;
  /** ExecutionContext.waitUntil: webhook delivery runs after the response. */
  waitUntil: (promise: Promise<unknown>) => void;
}
