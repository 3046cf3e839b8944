import type { AppDeps } from '../deps';
import type { ConnectionWrite } from '../connections/write-plan';
import type { IntegrationRow } from '../integrations/service';
import type { LinkRow } from '../links/service';
import { buildResultRedirect } from './redirect';
import { storedConnectionOf, storeFlowConnection, type FlowMarker, type StoreOutcome } from './store-connection';
import { safeError } from '../lib/log';

export type FinishedConnection =
  | {
      ok: true;
      connectionId: string;
      created: boolean;
      /** The link's redirect_url with the signed outcome; null when the link has none. */
      redirectTo: string | null;
    }
  /** `not_saved`: D1 failed (or a concurrent write kept winning); nothing is stored yet. */
  | { ok: false; reason: 'link_used_up' | 'integration_unavailable' | 'not_saved' };

/**
 * The last step of every connect flow: the connection, the link's use, the flow's marker, the
 * event and a draft integration's verification land in one batch (see storeFlowConnection).
 * When D1 failed even on the retry, the marker says whether the save had in fact landed.
 */
export async function finishConnection(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil' | 'publicUrl'>,
  link: LinkRow,
  integration: IntegrationRow,
  marker: FlowMarker,
  write: ConnectionWrite,
  now = Date.now(),
): Promise<FinishedConnection> {
  let outcome: StoreOutcome;
  try {
    outcome = await storeFlowConnection(deps, { marker, linkId: link.id, integration, write, now });
  } catch {
    const stored = await storedConnectionOf(deps.db, marker.hash).catch(() => null);
    if (stored === null) return { ok: false, reason: 'not_saved' };
    outcome = { kind: 'stored', connectionId: stored, created: false };
  }
  if (outcome.kind === 'link_unavailable') return { ok: false, reason: 'link_used_up' };
  if (outcome.kind === 'integration_unavailable' || outcome.kind === 'flow_gone') return { ok: false, reason: 'integration_unavailable' };
  if (outcome.kind === 'conflict') return { ok: false, reason: 'not_saved' };
  const { connectionId, created } = outcome;
  return { ok: true, connectionId, created, redirectTo: await resultRedirect(deps, link, connectionId, now) };
}

/** The connection is stored: a failure to read the signing secret shows the result page instead. */
async function resultRedirect(deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>, link: LinkRow, connectionId: string, now: number) {
  try {
    return await buildResultRedirect(deps, link, { status: 'connected', connectionId }, now);
  } catch (err) {
    console.warn(JSON.stringify({ level: 'warn', msg: 'signing the result redirect failed', link_id: link.id, ...safeError(err) }));
    return null;
  }
}
