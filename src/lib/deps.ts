import type { Context } from 'hono';
import type { Db } from '../db/client';
import type { AppEnv } from '../env';
import { parseKeyring, type Keyring } from './crypto';

/** What services need from a request, taken in one place: each feature's Deps is a subset. */
export interface RequestDeps {
  db: Db;
  kv: KVNamespace;
  keyring: Keyring;
  publicUrl: string;
  waitUntil: (promise: Promise<unknown>) => void;
}

export async function requestDeps(c: Context<AppEnv, any, any>): Promise<RequestDeps> {
  return {
    db: c.var.db,
    kv: c.env.KV,
    keyring: await parseKeyring(c.env.ENCRYPTION_KEYS),
    publicUrl: c.env.PUBLIC_URL,
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  };
}
