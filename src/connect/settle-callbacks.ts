import type { AppDeps } from '../deps';
import { decryptClientSecret } from '../integrations/service';
import { loadFlowTarget } from './flow-target';
import { discardParkedCallback, findParkedCallback, listParkedCallbacks, type ParkedCallback } from './parked-callback';
import { writeOfParked } from './parked-write';
import { revokeIssuedTokens } from './revoke-issued';
import { storedConnectionOf, storeFlowConnection } from './store-connection';
import { safeError } from '../lib/log';

export interface SettleRunCounts {
  stored: number;
  /** Could no longer be stored: revoked at the provider (best effort) and dropped. */
  revoked: number;
  /** The integration is gone, its client credentials with it: dropped without revoking. */
  dropped: number;
  /** Left parked for the next run: D1 failed, or a concurrent write kept winning. */
  left: number;
}

/**
 * The cron's pass over callback replies that could not be saved: each is stored by the same
 * batch the callback runs (a no-op where it had landed), or, when it can no longer be stored
 * (link used up, disabled or expired, integration gone), revoked at the provider and dropped.
 */
export async function settleParkedCallbacks(
  deps: Pick<AppDeps, 'db' | 'kv' | 'keyring' | 'publicUrl' | 'waitUntil'>,
  now: number,
  limit: number,
): Promise<SettleRunCounts> {
  const counts: SettleRunCounts = { stored: 0, revoked: 0, dropped: 0, left: 0 };
  for (const stateHash of await listParkedCallbacks(deps, limit)) {
    // One reply's failure (KV or D1) leaves it for the next run and does not stop the others.
    try {
      const parked = await findParkedCallback(deps, stateHash);
      if (parked) counts[await settleOne(deps, stateHash, parked, now)]++;
    } catch (err) {
      console.warn(JSON.stringify({ level: 'warn', msg: 'settling a callback reply failed', ...safeError(err) }));
      counts.left++;
    }
  }
  return counts;
}

async function settleOne(
  deps: Pick<AppDeps, 'db' | 'kv' | 'keyring' | 'publicUrl' | 'waitUntil'>,
  stateHash: string,
  parked: ParkedCallback,
  now: number,
): Promise<keyof SettleRunCounts> {
  const { integration, offering } = await loadFlowTarget(deps.db, parked.orgId, parked.linkId, parked.integrationId);
  if (!integration) {
    // Its client credentials are gone with it, so nothing can be revoked; its connections went too.
    if ((await storedConnectionOf(deps.db, stateHash)) === null) {
      console.warn(
        JSON.stringify({ level: 'warn', msg: 'issued tokens not revoked', integration_id: parked.integrationId, reason: 'the integration is gone' }),
      );
    }
    await discardParkedCallback(deps, stateHash);
    return 'dropped';
  }
  const outcome = await storeFlowConnection(deps, {
    marker: { kind: 'oauth_state', hash: stateHash },
    linkId: parked.linkId,
    integration,
    write: writeOfParked(parked, integration),
    now,
  });
  if (outcome.kind === 'conflict') return 'left';
  if (outcome.kind !== 'stored' && offering) {
    const clientSecret = await decryptClientSecret(deps.keyring, integration);
    const client = integration.clientId && clientSecret ? { clientId: integration.clientId, clientSecret } : null;
    await revokeIssuedTokens(integration.id, offering, client, { inputs: parked.inputs, publicUrl: deps.publicUrl }, parked.tokens);
  }
  await discardParkedCallback(deps, stateHash);
  return outcome.kind === 'stored' ? 'stored' : 'revoked';
}
