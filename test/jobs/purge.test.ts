import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client';
import { USED_STATE_RETENTION_MS } from '../../src/connect/purge';
import { purgeExpiredRows } from '../../src/jobs/purge';
import { EVENT_RETENTION_MS } from '../../src/webhooks/purge';
import { newTenant } from '../helpers/api';

const NOW = Date.now();

async function insertUsedState(hash: string, createdAt: number) {
  await env.DB.prepare('INSERT INTO used_states (state_hash, created_at) VALUES (?, ?)').bind(hash, createdAt).run();
}

async function insertEvent(orgId: string, id: string, createdAt: number) {
  await env.DB.prepare(
    `INSERT INTO events (id, org_id, type, payload, delivery_status, attempts, created_at) VALUES (?, ?, 'connection.created', '{}', 'delivered', 1, ?)`,
  )
    .bind(id, orgId, createdAt)
    .run();
}

const ids = async (sql: string) => (await env.DB.prepare(sql).all<{ id: string }>()).results.map((r) => r.id).sort();

describe('the purge job', () => {
  it('deletes used states older than a day and events older than 30 days, and nothing newer', async () => {
    const { orgId } = await newTenant();
    await insertUsedState('old-state', NOW - USED_STATE_RETENTION_MS - 1);
    await insertUsedState('fresh-state', NOW - USED_STATE_RETENTION_MS + 60_000);
    await insertEvent(orgId, 'evt_old000000000000000000', NOW - EVENT_RETENTION_MS - 1);
    await insertEvent(orgId, 'evt_recent00000000000000', NOW - EVENT_RETENTION_MS + 60_000);

    expect(await purgeExpiredRows(createDb(env.DB), NOW, 100)).toEqual({ used_states: 1, events: 1 });
    expect(await ids('SELECT state_hash AS id FROM used_states')).toEqual(['fresh-state']);
    expect(await ids(`SELECT id FROM events WHERE org_id = '${orgId}'`)).toEqual(['evt_recent00000000000000']);
  });

  it('deletes at most the limit per run, and the rest on later runs', async () => {
    const a = await newTenant();
    const b = await newTenant();
    const old = NOW - EVENT_RETENTION_MS - 1;
    for (const [i, orgId] of [a.orgId, a.orgId, b.orgId].entries()) await insertEvent(orgId, `evt_bounded${i}0000000000000`, old);
    for (const i of [0, 1, 2]) await insertUsedState(`bounded-${i}`, NOW - 2 * USED_STATE_RETENTION_MS);

    expect(await purgeExpiredRows(createDb(env.DB), NOW, 2)).toEqual({ used_states: 2, events: 2 });
    expect(await purgeExpiredRows(createDb(env.DB), NOW, 2)).toEqual({ used_states: 1, events: 1 });
    expect(await purgeExpiredRows(createDb(env.DB), NOW, 2)).toEqual({ used_states: 0, events: 0 });
  });
});
