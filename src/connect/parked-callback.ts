import type { AppDeps } from '../deps';
import { z } from 'zod';
import { decrypt, encrypt } from '../lib/crypto';
import { safeError } from '../lib/log';
import { USED_STATE_RETENTION_MS } from './purge';

// A token reply the callback could not store is parked here, sealed, before the D1 batch, and
// deleted once it landed. Whatever ends a failed save (the settle job, or a later look at the
// flow's marker) stores it or revokes it at the provider: an authorized grant is never dropped.

const PARKED_PREFIX = 'callback-reply:';
const parkedKey = (stateHash: string) => `${PARKED_PREFIX}${stateHash}`;
const parkedAad = (stateHash: string) => `connect/callback-reply/${stateHash}`;

/**
 * A day, less an hour: the flow's used-state row (which says whether it was stored) is kept a
 * day from before the exchange, so it outlives the parked reply and a settled one is never
 * stored twice.
 */
export const PARKED_CALLBACK_TTL_SECONDS = Math.floor(USED_STATE_RETENTION_MS / 1000) - 60 * 60;

const parkedCallback = z.object({
  orgId: z.string(),
  linkId: z.string(),
  integrationId: z.string(),
  endUser: z.object({ id: z.string(), email: z.string().nullable().optional(), name: z.string().nullable().optional() }),
  account: z.object({ id: z.string(), email: z.string().nullable().optional(), name: z.string().nullable().optional() }),
  metadata: z.record(z.string(), z.string()),
  inputs: z.record(z.string(), z.string()),
  scopes: z.array(z.string()),
  tokens: z.object({
    accessToken: z.string(),
    refreshToken: z.string().optional(),
    tokenType: z.string(),
    expiresAt: z.number().int().nullable(),
  }),
});

export type ParkedCallback = z.output<typeof parkedCallback>;

function logKvFailure(msg: string, err: unknown): void {
  console.error(JSON.stringify({ level: 'error', msg, ...safeError(err) }));
}

/** Whether the reply is parked; a KV failure is logged and the save goes on regardless. */
export async function parkCallbackReply(deps: Pick<AppDeps, 'kv' | 'keyring'>, stateHash: string, reply: ParkedCallback): Promise<boolean> {
  try {
    const sealed = await encrypt(deps.keyring, JSON.stringify(reply), parkedAad(stateHash));
    await deps.kv.put(parkedKey(stateHash), sealed, { expirationTtl: PARKED_CALLBACK_TTL_SECONDS });
    return true;
  } catch (err) {
    logKvFailure('parking a callback reply failed', err);
    return false;
  }
}

/** The parked reply, or null; one that does not open (tampered, its key dropped) never will. */
export async function findParkedCallback(deps: Pick<AppDeps, 'kv' | 'keyring'>, stateHash: string): Promise<ParkedCallback | null> {
  const sealed = await deps.kv.get(parkedKey(stateHash));
  if (sealed === null) return null;
  try {
    return parkedCallback.parse(JSON.parse(await decrypt(deps.keyring, sealed, parkedAad(stateHash))));
  } catch (err) {
    logKvFailure('parked callback reply is unreadable', err);
    return null;
  }
}

export async function discardParkedCallback(deps: Pick<AppDeps, 'kv'>, stateHash: string): Promise<void> {
  await deps.kv.delete(parkedKey(stateHash)).catch((err: unknown) => logKvFailure('deleting a parked callback reply failed', err));
}

/** The state hashes with a reply parked, as KV lists them (up to a minute behind). */
export async function listParkedCallbacks(deps: Pick<AppDeps, 'kv'>, limit: number): Promise<string[]> {
  const listed = await deps.kv.list({ prefix: PARKED_PREFIX, limit });
  return listed.keys.map(({ name }) => name.slice(PARKED_PREFIX.length)).filter((hash) => hash !== '');
}
