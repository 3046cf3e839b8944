import { afterEach, describe, expect, it, vi } from 'vitest';
import { reverifyDueIntegrations } from '../../src/integrations/reverify';
import { newTenant } from '../helpers/api';
import { faultyDeps, type FaultTiming } from '../helpers/fault-injection';
import { oauthError, stubProvider } from '../helpers/outbound';
import { getIntegration, runReverify, scheduleOf, unreachableIntegration } from './reverify-fixtures';

// The reverify_integrations job under failing D1 calls: one due integration whose provider now
// answers. Every D1 call of the run fails in turn, before and after it ran; whatever failed, the
// integration is either configured or still due, and the next run configures it.
// Every case leaves its integration configured, so the runs of one never see another's.

afterEach(() => vi.restoreAllMocks());

const TIMINGS: FaultTiming[] = ['before', 'after'];
const CALLS = 4;

async function faultyRun(now: number, failAt: number | null, timing: FaultTiming = 'before') {
  const { deps, faulty } = await faultyDeps({ failAt, timing });
  const provider = stubProvider(() => oauthError('invalid_grant'));
  const result = await reverifyDueIntegrations(deps, now).catch(() => null); // a failed job is logged by the cron wiring
  provider.restore();
  return { result, d1Calls: faulty.calls(), struck: faulty.struck() };
}

/** Configured and done, or draft and still scheduled: never a state the job forgets. */
async function expectNothingLost(apiKey: string, id: string, where: string) {
  const res = await getIntegration(apiKey, id);
  if (res.json.status === 'configured') {
    expect(res.json, where).toMatchObject({ connectable: true, next_verification_at: null, verification: { result: 'verified' } });
  } else {
    expect(res.json, where).toMatchObject({ status: 'draft', connectable: false, verification: { result: 'unreachable' } });
    expect(res.json.next_verification_at, where).not.toBeNull();
  }
  return res.json as { status: string; next_verification_at: string | null };
}

describe('reverify_integrations under failing D1 calls', () => {
  it(`makes ${CALLS} D1 calls to verify one due integration`, async () => {
    const { apiKey } = await newTenant();
    const created = await unreachableIntegration(apiKey);
    const clean = await faultyRun(Date.parse(created.next_verification_at), null);
    expect(clean.result).toMatchObject({ due: 1, configured: 1, errors: 0 });
    expect(clean.d1Calls).toBe(CALLS);
    expect((await getIntegration(apiKey, created.id)).json.status).toBe('configured');
  });

  it(`each of its ${CALLS} calls fails before and after running; nothing is lost and the next run finishes (${CALLS * 2} cases)`, {
    timeout: 120_000,
  }, async () => {
    for (const level of ['log', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
    const { apiKey } = await newTenant();
    let cases = 0;
    for (let failAt = 1; failAt <= CALLS; failAt++) {
      for (const timing of TIMINGS) {
        const where = `D1 call ${failAt} failing ${timing}`;
        const created = await unreachableIntegration(apiKey);
        const failed = await faultyRun(Date.parse(created.next_verification_at), failAt, timing);
        expect(failed.struck, where).toBe(true);
        const after = await expectNothingLost(apiKey, created.id, where);
        if (after.status !== 'configured') {
          await runReverify(Date.parse(after.next_verification_at!));
        }
        expect(await scheduleOf(created.id), `${where}, then the next run`).toMatchObject({
          status: 'configured',
          next_verification_at: null,
          verification_attempts: 0,
        });
        cases++;
      }
    }
    expect(cases).toBe(CALLS * 2);
  });
});
