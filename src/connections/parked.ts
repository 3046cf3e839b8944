import type { AppDeps } from '../deps';
import { z } from 'zod';
import { decrypt, encrypt } from '../lib/crypto';
import { parkedReplyAad } from './sealed';
import { safeError } from '../lib/log';

// A provider that rotates refresh tokens kills the old one when it answers. So its reply is
// parked here, sealed, before the D1 write, and deleted once the write landed: an attempt that
// finds the lease abandoned stores the parked reply instead of sending a dead refresh token.

/** Long enough for two cron runs (every 5 minutes) after the lease expired and KV settled. */
export const PARKED_REPLY_TTL_SECONDS = 15 * 60;
/**
 * KV shows a put elsewhere once that place's cached read (60 s by default, a miss included)
 * has expired; before then a miss proves nothing, so it is not taken as "nothing was parked".
 */
export const KV_SETTLE_MS = 60_000;

// Derived from the lease id on the row, so whoever finds the row abandoned knows where to look.
const PARKED_PREFIX = 'refresh-reply:';
export const parkedReplyKey = (connectionId: string, leaseId: string) => `${PARKED_PREFIX}${connectionId}:${leaseId}`;

const parkedReply = z.object({
  /** The row's version when the lease was taken: the reply is stored only over that version. */
  version: z.number().int(),
  receivedAt: z.number().int(),
  tokens: z.object({
    accessToken: z.string(),
    refreshToken: z.string().optional(),
    tokenType: z.string(),
    expiresAt: z.number().int().nullable(),
    scopes: z.array(z.string()).nullable(),
    metadata: z.record(z.string(), z.string()),
  }),
});

export type ParkedReply = z.output<typeof parkedReply>;
export type RefreshedTokens = ParkedReply['tokens'];

function logKvFailure(msg: string, connectionId: string, err: unknown): void {
  console.error(JSON.stringify({ level: 'error', msg, connection_id: connectionId, ...safeError(err) }));
}

/** Whether the reply is parked; a KV failure is logged, and the D1 write goes on regardless. */
export async function parkReply(deps: Pick<AppDeps, 'kv' | 'keyring'>, connectionId: string, leaseId: string, reply: ParkedReply): Promise<boolean> {
  try {
    const sealed = await encrypt(deps.keyring, JSON.stringify(reply), parkedReplyAad(connectionId, leaseId));
    await deps.kv.put(parkedReplyKey(connectionId, leaseId), sealed, { expirationTtl: PARKED_REPLY_TTL_SECONDS });
    return true;
  } catch (err) {
    logKvFailure('parking a refresh reply failed', connectionId, err);
    return false;
  }
}

/**
 * The reply parked under this lease, or null. A KV error throws: the caller cannot tell a
 * failed read from a miss and must not act as if nothing was parked. An envelope that does
 * not open (tampered, or its key dropped) never will, so it counts as a miss.
 */
export async function findParkedReply(deps: Pick<AppDeps, 'kv' | 'keyring'>, connectionId: string, leaseId: string): Promise<ParkedReply | null> {
  const sealed = await deps.kv.get(parkedReplyKey(connectionId, leaseId));
  if (sealed === null) return null;
  try {
    return parkedReply.parse(JSON.parse(await decrypt(deps.keyring, sealed, parkedReplyAad(connectionId, leaseId))));
  } catch (err) {
    logKvFailure('parked refresh reply is unreadable', connectionId, err);
    return null;
  }
}

/** After the reply is in D1 (or moot); in the background, and its TTL cleans up if this fails. */
export function discardParkedReply(deps: Pick<AppDeps, 'kv' | 'waitUntil'>, connectionId: string, leaseId: string): void {
  deps.waitUntil(
    deps.kv.delete(parkedReplyKey(connectionId, leaseId)).catch((err: unknown) => logKvFailure('deleting a parked refresh reply failed', connectionId, err)),
  );
}

/**
 * The leases with a reply parked, as KV lists them (up to a minute behind): how the cron finds
 * connections whose token is not due, such as one whose forced refresh failed to write. Only a
 * hint; what is stored is still decided by a conditional write in D1.
 */
export async function listParkedReplies(deps: Pick<AppDeps, 'kv'>, limit: number): Promise<{ connectionId: string; leaseId: string }[]> {
  const listed = await deps.kv.list({ prefix: PARKED_PREFIX, limit });
  return listed.keys.flatMap(({ name }) => {
    const [connectionId, leaseId] = name.slice(PARKED_PREFIX.length).split(':');
    return connectionId && leaseId ? [{ connectionId, leaseId }] : [];
  });
}
