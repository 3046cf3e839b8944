import { afterEach, describe, expect, it, vi } from 'vitest';
import { finishIntegrationDeletes } from '../../src/integrations/delete';
import { faultyDeps, type FaultTiming } from '../helpers/fault-injection';
import { oauthTenant, testDeps } from '../connections/fixtures';
import { expectConsistent, expectFinished } from './cascade-checks';
import { deleteCascade, integrationWithConnections, type Tenant } from './fixtures';

// The cron's part of a cascade delete: a DELETE of an integration with 13 connections answers
// 202 with 5 left (3 chunks of 2); then every D1 call of the finish_integration_deletes run
// fails in turn, before and after it ran, and the next run must finish the job.
//   cron continuation ... 7 calls × 2 = 14 cases
// Every test here leaves no delete unfinished, so the runs of one never see another's.

afterEach(() => vi.restoreAllMocks());

const TIMINGS: FaultTiming[] = ['before', 'after'];
const CALLS = 7;

async function tenant() {
  for (const level of ['log', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
  return oauthTenant();
}

/** An integration whose delete a request started and left 5 connections of. */
async function leftForTheCron(t: Tenant) {
  const { integrationId, connectionIds } = await integrationWithConnections(t, 13);
  const started = await deleteCascade(t, integrationId);
  expect(started.json).toEqual({ status: 'deleting', deleted_connections: 8 });
  return { integrationId, connectionIds };
}

async function faultyRun(failAt: number | null, timing: FaultTiming = 'before') {
  const { deps, faulty, settle } = await faultyDeps({ failAt, timing });
  const result = await finishIntegrationDeletes(deps).catch(() => null); // a failed job is logged by the cron wiring
  await settle();
  return { result, d1Calls: faulty.calls(), struck: faulty.struck() };
}

describe('finish_integration_deletes under failing D1 calls', () => {
  it(`makes ${CALLS} D1 calls to finish a delete of 3 chunks`, async () => {
    const t = await tenant();
    const { integrationId, connectionIds } = await leftForTheCron(t);
    const clean = await faultyRun(null);
    expect(clean.result).toEqual({ integrations: 1, connections: 5 });
    expect(clean.d1Calls).toBe(CALLS);
    await expectFinished(integrationId, connectionIds, 'clean');
  });

  it(`each of its ${CALLS} calls fails before and after running; the next run finishes (${CALLS * 2} cases)`, { timeout: 180_000 }, async () => {
    const t = await tenant();
    let cases = 0;
    for (let failAt = 1; failAt <= CALLS; failAt++) {
      for (const timing of TIMINGS) {
        const where = `cron, D1 call ${failAt} failing ${timing}`;
        const { integrationId, connectionIds } = await leftForTheCron(t);
        const failed = await faultyRun(failAt, timing);
        expect(failed.struck, where).toBe(true);
        await expectConsistent(t, integrationId, connectionIds, where);
        await finishIntegrationDeletes(await testDeps());
        await expectFinished(integrationId, connectionIds, `${where}, then the next run`);
        cases++;
      }
    }
    expect(cases).toBe(CALLS * 2);
  });
});
