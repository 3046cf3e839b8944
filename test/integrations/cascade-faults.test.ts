import { afterEach, describe, expect, it, vi } from 'vitest';
import { callWithFault, type FaultTiming } from '../helpers/fault-injection';
import { oauthTenant } from '../connections/fixtures';
import { expectConsistent, expectFinished } from './cascade-checks';
import { deleteCascade, integrationWithConnections, type Tenant } from './fixtures';

// Every D1 call of a cascade DELETE fails in turn, before it ran (nothing written) and after it
// ran (written, reply lost). After each failure: no half-deleted chunk, one event per deleted
// connection, the integration invisible once its delete started; then repeating the DELETE
// finishes the job. Chunks hold 2 connections (CASCADE_CHUNK_SIZE), a request runs at most 4.
//   5 connections, finished in the request (3 chunks) ....... 9 calls × 2 = 18 cases
//   11 connections, 202 and the rest left (4 chunks) ........ 11 calls × 2 = 22 cases
// The cron's part is in cascade-cron-faults.test.ts. Each flow's call count is pinned in its own test.

afterEach(() => vi.restoreAllMocks());

const TIMINGS: FaultTiming[] = ['before', 'after'];

interface Flow {
  name: string;
  connections: number;
  calls: number;
  clean: { status: number; json: unknown };
}

const FLOWS: Flow[] = [
  { name: 'finished in the request', connections: 5, calls: 9, clean: { status: 200, json: { deleted_connections: 5 } } },
  { name: 'work left for later', connections: 11, calls: 11, clean: { status: 202, json: { status: 'deleting', deleted_connections: 8 } } },
];

async function tenant() {
  for (const level of ['log', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
  return oauthTenant();
}

const faultyDelete = (t: Tenant, integrationId: string, failAt: number | null, timing: FaultTiming = 'before') =>
  callWithFault(`/api/v1/integrations/${integrationId}?cascade=true`, { failAt, timing }, { method: 'DELETE', token: t.apiKey });

/** Repeats the DELETE until it says done (200) or that nothing is left (404). */
async function retryUntilDone(t: Tenant, integrationId: string, where: string) {
  for (let attempt = 0; attempt < 4; attempt++) {
    const res = await deleteCascade(t, integrationId);
    if (res.status === 200 || res.status === 404) return;
    expect(res.status, `${where}: retry ${res.text}`).toBe(202);
  }
  throw new Error(`${where}: the DELETE never finished`);
}

describe('cascade DELETE under failing D1 calls', () => {
  it('without connections: one statement after authentication', async () => {
    const t = await tenant();
    const { integrationId } = await integrationWithConnections(t, 0);
    const clean = await faultyDelete(t, integrationId, null);
    expect(clean).toMatchObject({ status: 200, json: { deleted_connections: 0 }, d1Calls: 2 });
  });

  for (const flow of FLOWS) {
    it(`${flow.name}: ${flow.calls} D1 calls`, async () => {
      const t = await tenant();
      const { integrationId, connectionIds } = await integrationWithConnections(t, flow.connections);
      const clean = await faultyDelete(t, integrationId, null);
      expect({ status: clean.status, json: clean.json }).toEqual(flow.clean);
      expect(clean.d1Calls).toBe(flow.calls);
      await retryUntilDone(t, integrationId, 'clean');
      await expectFinished(integrationId, connectionIds, 'clean');
    });

    it(`${flow.name}: each of its ${flow.calls} calls fails before and after running (${flow.calls * 2} cases)`, { timeout: 180_000 }, async () => {
      const t = await tenant();
      let cases = 0;
      for (let failAt = 1; failAt <= flow.calls; failAt++) {
        for (const timing of TIMINGS) {
          const where = `${flow.name}, D1 call ${failAt} failing ${timing}`;
          const { integrationId, connectionIds } = await integrationWithConnections(t, flow.connections);
          const failed = await faultyDelete(t, integrationId, failAt, timing);
          expect(failed.struck, where).toBe(true);
          expect(failed.status, where).toBe(500);
          await expectConsistent(t, integrationId, connectionIds, where);
          await retryUntilDone(t, integrationId, where);
          await expectFinished(integrationId, connectionIds, `${where}, then retried`);
          cases++;
        }
      }
      expect(cases).toBe(flow.calls * 2);
    });
  }
});
