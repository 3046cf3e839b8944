import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client';
import { purgeExpiredRows } from '../../src/jobs/purge';
import { purgeOAuthRows } from '../../src/oauth-server/purge';
import { purgeSignInRows } from '../../src/users/purge';
import { refreshDueConnections } from '../../src/connections/refresh-due';
import { testDeps } from '../helpers/deps';
import { quotingD1 } from '../helpers/quoting-d1';

/** The statements a job runs, each with SQLite's plan for it. */
async function plansOf(job: (db: ReturnType<typeof createDb>) => Promise<unknown>) {
  const recorder = quotingD1(env.DB, null);
  await job(createDb(recorder.binding));
  expect(recorder.executed.length).toBeGreaterThan(0);
  const plans = [];
  for (const { sql, params } of recorder.executed) {
    const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    plans.push({ sql, steps: rows.results.map((r) => r.detail) });
  }
  return plans;
}

/** Steps that read a whole table rather than a range of an index. */
const fullScans = (plans: { sql: string; steps: string[] }[]) =>
  plans.flatMap(({ sql, steps }) =>
    steps.filter((step) => /^SCAN \w+/.test(step) && !/USING (COVERING )?INDEX/.test(step)).map((step) => `${step}  ←  ${sql}`),
  );

const NOW = Date.now();

describe('purge jobs read what they delete, through an index', () => {
  it('the OAuth purge', async () => {
    const plans = await plansOf((db) => purgeOAuthRows({ db }, NOW, 100));
    expect(fullScans(plans)).toEqual([]);
  });

  it('the sign-in purge', async () => {
    const plans = await plansOf((db) => purgeSignInRows(db, NOW, 100));
    expect(fullScans(plans)).toEqual([]);
  });

  it('the used-state and event purge', async () => {
    const plans = await plansOf((db) => purgeExpiredRows(db, NOW, 100));
    expect(fullScans(plans)).toEqual([]);
  });

  it("the cron's selection of connections due for a refresh", async () => {
    const deps = await testDeps();
    const plans = await plansOf((db) => refreshDueConnections({ ...deps, db }, NOW, 100));
    expect(fullScans(plans)).toEqual([]);
  });
});
