import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index';
import { JOBS, runScheduledJobs } from '../../src/jobs/run';
import { testDeps } from '../helpers/deps';
import { TEST_ENCRYPTION_KEYS } from '../helpers/secrets';

afterEach(() => vi.restoreAllMocks());

/** The JSON lines written to a console method. */
function jobLines(spy: { mock: { calls: unknown[][] } }) {
  return spy.mock.calls
    .map((c) => String(c[0]))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === 'job');
}

describe('the scheduled handler', () => {
  it('runs every job and logs one line with counts for each', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ scheduledTime: new Date(), cron: '*/5 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);

    const lines = [...jobLines(log), ...jobLines(error)];
    expect(lines.map((l) => l.job).sort()).toEqual(Object.keys(JOBS).sort());
    expect(lines.every((l) => l.ok === true)).toBe(true);
    expect(lines.find((l) => l.job === 'retry_webhooks')).toMatchObject({ due: 0, delivered: 0 });
    expect(lines.find((l) => l.job === 'purge_expired')).toMatchObject({ used_states: 0, events: 0 });
    expect(lines.find((l) => l.job === 'reencrypt_secrets')).toMatchObject({ reencrypted: 0 });
  });
});

describe('runScheduledJobs', () => {
  it('keeps going when one job fails, and logs the failure without its message', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const ran: string[] = [];
    const failed = await runScheduledJobs(await testDeps(), Date.now(), {
      first: async () => {
        ran.push('first');
        return { done: 1 };
      },
      broken: async () => {
        throw new Error(`leaked ${TEST_ENCRYPTION_KEYS}`);
      },
      last: async () => {
        ran.push('last');
        return { done: 2, rows: [{ secret: 'never-logged' }] };
      },
    });

    expect(failed).toEqual(['broken']);
    expect(ran.sort()).toEqual(['first', 'last']);
    expect(jobLines(error)).toEqual([{ level: 'error', msg: 'job', job: 'broken', ok: false, duration_ms: expect.any(Number), error: 'Error' }]);
    expect(jobLines(log).map(({ job, done }) => [job, done])).toEqual([
      ['first', 1],
      ['last', 2],
    ]);
    const everything = [...log.mock.calls, ...error.mock.calls].map((c) => String(c[0])).join('\n');
    expect(everything).not.toContain(TEST_ENCRYPTION_KEYS.slice(3, 20));
    expect(everything).not.toContain('never-logged');
  });
});
