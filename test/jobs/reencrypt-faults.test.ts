import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { decrypt } from '../../src/lib/crypto';
import { reencryptStaleSecrets } from '../../src/jobs/reencrypt';
import { faultyDeps, type FaultTiming } from '../helpers/fault-injection';
import { keyring, readEnvelope, tenantWithStaleSecrets, type PlantedSecret } from './fixtures';

beforeEach(() => {
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

/** D1 calls of a run with stale envelopes in every sealed column: a read and a batch of writes per column. */
const RUN_CALLS = 10;

async function runWithFault(failAt: number | null, timing: FaultTiming = 'before') {
  const { deps, faulty } = await faultyDeps({ failAt, timing });
  const outcome = await reencryptStaleSecrets(deps.db, deps.keyring, 1000).then(
    (counts) => ({ counts, threw: false }),
    () => ({ counts: null, threw: true }),
  );
  return { ...outcome, calls: faulty.calls(), struck: faulty.struck() };
}

/** Every planted secret still opens, bound to its own row and field, to what it held. */
async function expectAllOpen(planted: PlantedSecret[]) {
  const ring = await keyring();
  for (const s of planted) {
    const envelope = await readEnvelope(s);
    expect(await decrypt(ring, envelope, s.aad), `${s.table}.${s.column}`).toBe(s.plaintext);
  }
}

describe('re-encryption under D1 failures', () => {
  it(`makes ${RUN_CALLS} D1 calls when every sealed column holds stale envelopes`, async () => {
    await tenantWithStaleSecrets();
    const run = await runWithFault(null);
    expect(run.calls).toBe(RUN_CALLS);
    expect(run.counts!.reencrypted).toBeGreaterThanOrEqual(5);
  });

  for (const timing of ['before', 'after'] as const) {
    for (let n = 1; n <= RUN_CALLS; n++) {
      it(`loses no secret when D1 call ${n} fails ${timing} it runs, and the next run finishes`, async () => {
        const planted = await tenantWithStaleSecrets();
        const failed = await runWithFault(n, timing);
        expect(failed.struck).toBe(true);
        await expectAllOpen(planted);

        const next = await reencryptStaleSecrets(createDb(env.DB), await keyring(), 1000);
        expect(next.failed).toBe(0);
        for (const s of planted) expect(await readEnvelope(s), `${s.table}.${s.column}`).toMatch(/^v1\.k2\./);
        await expectAllOpen(planted);
        // Nothing is left for a third run, and running again changes nothing that opens.
        expect(await reencryptStaleSecrets(createDb(env.DB), await keyring(), 1000)).toMatchObject({ stale: 0, reencrypted: 0 });
        await expectAllOpen(planted);
      });
    }
  }

  it('re-encrypts the other columns when one column fails', async () => {
    const planted = await tenantWithStaleSecrets();
    // Call 1 is the first column's read: the four other columns still get their turn.
    const run = await runWithFault(1);
    expect(run.threw).toBe(false);
    expect(run.counts).toMatchObject({ errors: 1 });
    const moved = [];
    for (const s of planted) if ((await readEnvelope(s)).startsWith('v1.k2.')) moved.push(`${s.table}.${s.column}`);
    expect(moved).toHaveLength(planted.length - 1);
    await expectAllOpen(planted);
  });
});
