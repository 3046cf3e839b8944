import type { AppDeps } from '../deps';
import type { TokenSet } from '../provider/token-response';
import { discardParkedReply, findParkedReply, KV_SETTLE_MS, type ParkedReply, parkReply, type RefreshedTokens } from './parked';
import { refreshedValues, releaseLease, storeRefreshedTokens } from './refresh-writes';
import type { ConnectionRow } from './schema';
import { safeError } from '../lib/log';

// What becomes of a provider's refresh reply (DESIGN, "Nothing is lost on a failed write"):
// parked in KV, then written to D1; or, when that write fails, stored by a later attempt.

type ReplyDeps = Pick<AppDeps, 'db' | 'kv' | 'keyring' | 'waitUntil'>;

export const asRefreshed = (tokens: TokenSet): RefreshedTokens => ({
  accessToken: tokens.accessToken,
  ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
  tokenType: tokens.tokenType,
  expiresAt: tokens.expiresAt,
  scopes: tokens.scopes,
  metadata: tokens.metadata,
});

/**
 * The provider has answered, and a rotating one has already killed the refresh token we sent:
 * the reply is parked (sealed, in KV) before the D1 write, and deleted once the write landed.
 * If the write fails (twice, see refresh-writes.ts) the lease is left to run out with the reply
 * parked under it, for the next attempt to store; this caller gets the new token meanwhile.
 */
export async function landRefresh(deps: ReplyDeps, row: ConnectionRow, tokens: RefreshedTokens, leaseId: string, now: number): Promise<ConnectionRow> {
  const parked = await parkReply(deps, row.id, leaseId, { version: row.version, receivedAt: now, tokens });
  const values = await refreshedValues(deps, row, tokens, now, now);
  const handedOut: ConnectionRow = { ...row, ...values, version: row.version + 1 };
  let stored: ConnectionRow | null;
  try {
    stored = await storeRefreshedTokens(deps, row, leaseId, values);
  } catch (err) {
    const msg = parked ? 'refreshed tokens not written; parked for the next attempt' : 'refreshed tokens neither written nor parked';
    console.error(JSON.stringify({ level: 'error', msg, connection_id: row.id, ...safeError(err) }));
    return handedOut;
  }
  if (parked) discardParkedReply(deps, row.id, leaseId);
  if (stored) return stored;
  // The lease was lost (a reconnect or delete meanwhile), or an earlier try of this very write
  // landed with its reply lost: either way the token we got is still valid to hand out.
  console.warn(JSON.stringify({ level: 'warn', msg: 'refreshed tokens not stored by this write: the row had moved on', connection_id: row.id }));
  return handedOut;
}

export interface AbandonedLease {
  leaseId: string;
  leaseUntil: number;
}

export type Recovery = { kind: 'stored'; row: ConnectionRow } | { kind: 'raced' } | { kind: 'unsettled' } | { kind: 'none' };

/**
 * An abandoned lease: its holder may have had the provider's reply and failed to write it. If
 * that reply is parked, it is stored (conditional on the lease and version it was refreshed
 * from, so two attempts store it once) instead of sending a refresh token the provider may
 * have rotated away. A miss is trusted only once KV has settled (KV_SETTLE_MS after the lease
 * ran out); before that, or when KV fails, the reply may be parked but not visible here yet.
 */
export async function recoverParkedReply(deps: ReplyDeps, row: ConnectionRow, { leaseId, leaseUntil }: AbandonedLease, now: number): Promise<Recovery> {
  let parked: ParkedReply | null;
  try {
    parked = await findParkedReply(deps, row.id, leaseId);
  } catch (err) {
    // KV did not answer: as unsure as a miss before KV settled, and as unsafe to refresh.
    console.error(
      JSON.stringify({
        level: 'error',
        msg: 'reading a parked refresh reply failed',
        connection_id: row.id,
        ...safeError(err),
      }),
    );
    return { kind: 'unsettled' };
  }
  if (parked === null || parked.version !== row.version) {
    if (now < leaseUntil + KV_SETTLE_MS) return { kind: 'unsettled' };
    // Nothing was parked: free the lease, so calls for a token that is not due stop looking.
    await releaseLease(deps, row, leaseId);
    return { kind: 'none' };
  }
  const stored = await storeRefreshedTokens(deps, row, leaseId, await refreshedValues(deps, row, parked.tokens, parked.receivedAt, now));
  if (!stored) return { kind: 'raced' };
  discardParkedReply(deps, row.id, leaseId);
  console.log(JSON.stringify({ level: 'info', msg: 'stored a parked refresh reply', connection_id: row.id }));
  return { kind: 'stored', row: stored };
}
