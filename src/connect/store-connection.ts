import type { AppDeps } from '../deps';
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { connections, type ConnectionRow } from '../connections/schema';
import { planConnectionWrite, sameAccount, tagsFromLink, type ConnectionWrite, type ConnectionWritePlan } from '../connections/write-plan';
import type { Db } from '../db/client';
import { integrations } from '../integrations/schema';
import { isConnectable, verifiedByConnectionStatement, type IntegrationRow } from '../integrations/service';
import { links } from '../links/schema';
import { linkAcceptsUse, linkStatus, linkUseStatement } from '../links/service';
import { outboxEvent } from '../webhooks/emit';
import { randomToken } from '../lib/crypto';
import { usedStates } from './schema';
import { safeError } from '../lib/log';

/**
 * The used_states row that marks one attempt to connect: the OAuth flow's state hash (inserted
 * before the code exchange, as the replay guard), or the hash of a credentials form's one-time
 * submission id. Its `connection_id` is set in the batch that stores the connection.
 */
export interface FlowMarker {
  kind: 'oauth_state' | 'form_submission';
  hash: string;
}

export interface StoreRequest {
  marker: FlowMarker;
  linkId: string;
  integration: IntegrationRow;
  write: ConnectionWrite;
  now: number;
}

export type StoreOutcome =
  | { kind: 'stored'; connectionId: string; created: boolean }
  /** The link is used up (possibly by a concurrent flow), disabled, expired or gone. */
  | { kind: 'link_unavailable' }
  | { kind: 'integration_unavailable' }
  /** The OAuth flow's used-state row is gone (purged): nothing can tell whether it was stored. */
  | { kind: 'flow_gone' }
  /** A concurrent write to the same connection won; read and plan again. */
  | { kind: 'conflict' };

function connectableIntegration(integration: IntegrationRow): SQL {
  const usable = and(
    eq(integrations.id, integration.id),
    eq(integrations.orgId, integration.orgId),
    isNull(integrations.deletingAt),
    sql`(${integrations.status} = 'configured' or json_extract(${integrations.verification}, '$.pending_first_connection') = 1)`,
  );
  return sql`exists (select 1 from ${integrations} where ${usable})`;
}

/**
 * One batch (one SQLite transaction) for the whole save. The first statement claims the flow's
 * marker, conditional on the marker being unclaimed, the link accepting a use and the
 * integration being connectable, by setting it to `pending:{random}`; every other write runs
 * only while that pending value is there (the link use and the event only where the connection
 * write landed too), and the last one replaces it with the connection id, or null when the
 * connection write missed. So the pending value is never
 * seen outside the batch, and a batch run again after it landed (its reply lost) finds the
 * marker claimed and changes nothing, and a used-up link stores nothing. The reads at the end
 * say what happened, in the same round trip.
 */
async function runStoreBatch(deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>, request: StoreRequest, planned: PlannedStore, claimed: SQL) {
  const { marker, integration, now } = request;
  const { db } = deps;
  const { plan, pending, isPending } = planned;
  const landed = and(isPending, plan.landed)!;
  const outbox = await outboxEvent(deps, integration.orgId, plan.event.type, plan.event.data, {
    change: `used_states/${marker.hash}/${plan.event.type}`,
    when: landed,
    now,
  });
  const [, , , inserted, , , markerRows, linkRows, integrationRows] = await db.batch([
    claimStatement(db, marker, pending, claimed, now),
    plan.statement,
    linkUseStatement(db, request.linkId, landed),
    outbox.statement,
    verifiedByConnectionStatement(db, integration.id, now, landed),
    db
      .update(usedStates)
      .set({ connectionId: sql`case when ${plan.landed} then ${plan.connectionId} else null end` })
      .where(and(eq(usedStates.stateHash, marker.hash), eq(usedStates.connectionId, pending))),
    db.select({ connectionId: usedStates.connectionId }).from(usedStates).where(eq(usedStates.stateHash, marker.hash)),
    db.select().from(links).where(eq(links.id, request.linkId)),
    db
      .select()
      .from(integrations)
      .where(and(eq(integrations.id, integration.id), eq(integrations.orgId, integration.orgId))),
  ]);
  const stored = markerRows[0]?.connectionId ?? null;
  if (stored !== null) {
    if (stored === plan.connectionId) outbox.deliver(inserted);
    return { kind: 'stored' as const, connectionId: stored, created: stored === plan.connectionId && plan.created };
  }
  const link = linkRows[0];
  if (!link || linkStatus(link, now) !== 'active') return { kind: 'link_unavailable' as const };
  const current = integrationRows[0];
  if (!current || current.deletingAt !== null || !isConnectable(current)) return { kind: 'integration_unavailable' as const };
  if (!markerRows[0] && marker.kind === 'oauth_state') return { kind: 'flow_gone' as const };
  return { kind: 'conflict' as const };
}

/** An OAuth flow's marker exists (the replay guard); a form submission's is inserted here. */
function claimStatement(db: Db, marker: FlowMarker, pending: string, claimed: SQL, now: number) {
  if (marker.kind === 'oauth_state') {
    return db
      .update(usedStates)
      .set({ connectionId: pending })
      .where(and(eq(usedStates.stateHash, marker.hash), isNull(usedStates.connectionId), claimed));
  }
  return db
    .insert(usedStates)
    .select(sql`select ${marker.hash}, ${now}, ${pending} where ${claimed}`)
    .onConflictDoUpdate({ target: usedStates.stateHash, set: { connectionId: sql`excluded.connection_id` }, setWhere: isNull(usedStates.connectionId) });
}

interface PlannedStore {
  plan: ConnectionWritePlan;
  /** The marker's value while the batch runs: random, so the claim of one plan is told from another's. */
  pending: string;
  isPending: SQL;
}

/**
 * One read for the plan: the account's existing connection (a reconnect) and the tags of the
 * link it is made through, which every path (callback, credentials form, settle job) gives it.
 * A link that is gone reads as nothing; the batch then finds it unavailable.
 */
async function readStoreTarget(db: Db, request: StoreRequest): Promise<{ existing: ConnectionRow | undefined; write: ConnectionWrite }> {
  const { write } = request;
  const [row] = await db
    .select({ linkTags: links.tags, connection: connections })
    .from(links)
    .leftJoin(connections, sameAccount(write))
    .where(eq(links.id, request.linkId))
    .limit(1);
  return { existing: row?.connection ?? undefined, write: { ...write, ...tagsFromLink(row?.linkTags) } };
}

async function planStore(deps: Pick<AppDeps, 'db' | 'keyring'>, request: StoreRequest): Promise<PlannedStore> {
  const pending = `pending:${randomToken(12)}`;
  const isPending = sql`exists (select 1 from ${usedStates} where ${and(eq(usedStates.stateHash, request.marker.hash), eq(usedStates.connectionId, pending))})`;
  const { existing, write } = await readStoreTarget(deps.db, request);
  return { plan: await planConnectionWrite(deps, existing, write, isPending, request.now), pending, isPending };
}

/**
 * Stores the flow's connection: reads the account's existing connection (the AAD holds its id,
 * so sealing needs it), then runs the batch. A D1 failure is tried once more (with the same
 * plan when it was made: the batch is idempotent); a lost race for the same connection plans
 * once more. Throws when D1 failed twice; the caller then asks {@link storedConnectionOf}.
 */
export async function storeFlowConnection(deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>, request: StoreRequest): Promise<StoreOutcome> {
  const claimed = and(linkAcceptsUse(request.linkId, request.now), connectableIntegration(request.integration))!;
  let planned: PlannedStore | undefined;
  let failures = 0;
  let conflicts = 0;
  for (;;) {
    try {
      planned ??= await planStore(deps, request);
      const outcome = await runStoreBatch(deps, request, planned, claimed);
      if (outcome.kind === 'conflict' && conflicts++ === 0) {
        planned = undefined;
        continue;
      }
      return outcome;
    } catch (err) {
      console.warn(JSON.stringify({ level: 'warn', msg: 'storing a connection failed', link_id: request.linkId, attempt: failures + 1, ...safeError(err) }));
      if (++failures > 1) throw err;
    }
  }
}

/** The connection a flow's marker says was stored, or null: whether a save whose reply was lost landed. */
export async function storedConnectionOf(db: Db, markerHash: string): Promise<string | null> {
  const [row] = await db.select({ connectionId: usedStates.connectionId }).from(usedStates).where(eq(usedStates.stateHash, markerHash)).limit(1);
  const id = row?.connectionId ?? null;
  return id === null || id.startsWith('pending:') ? null : id;
}
