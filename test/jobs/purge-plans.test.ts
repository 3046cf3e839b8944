import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { purgeExpiredRows } from '../../src/jobs/purge';
import { purgeOAuthRows } from '../../src/oauth-server/purge';
import { purgeSignInRows } from '../../src/users/purge';
import { refreshDueConnections } from '../../src/connections/refresh-due';
import { testDeps } from '../helpers/deps';
import { quotingD1 } from '../helpers/quoting-d1';
import { reverifyDueIntegrations } from '../../src/integrations/reverify';
import { newTenant } from '../helpers/api';
import { oauthError, stubProvider } from '../helpers/outbound';
import { unreachableIntegration } from '../integrations/reverify-fixtures';

afterEach(() => vi.restoreAllMocks());

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

describe('cron jobs read what they change, through an index', () => {
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

  it('the re-verification of integrations whose provider could not be reached', async () => {
    const { apiKey } = await newTenant();
    const created = await unreachableIntegration(apiKey);
    const deps = await testDeps();
    stubProvider(() => oauthError('invalid_grant'));
    // Due, so the plan covers the reads and the write of one re-verification too.
    const plans = await plansOf((db) => reverifyDueIntegrations({ ...deps, db }, Date.parse(created.next_verification_at), 100));
    expect(plans.some(({ sql }) => /^update "integrations"/i.test(sql))).toBe(true);
    expect(fullScans(plans)).toEqual([]);
    expect(plans[0]!.steps.join(' ')).toMatch(/integrations_next_verification_idx/);
  });
});
