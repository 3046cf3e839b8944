import { afterEach, describe, expect, it, vi } from 'vitest';
import { call } from '../helpers/api';
import { callWithFault, type FaultTiming } from '../helpers/fault-injection';
import { configureWebhook } from '../webhooks/fixtures';
import { connectionRow, countConnectionEvents, oauthTenant } from './fixtures';

// Every D1 call of a single PATCH and a single DELETE of a connection fails in turn, before it
// ran (nothing written) and after it ran (written, reply lost). After each failure the change
// and its event landed together or not at all, and the client's retry finishes the job with
// exactly one event in all. Each flow's call count is pinned in its own test.
//   PATCH  /connections/{id} ... 5 calls × 2 = 10 cases (end-user details; again for a metadata merge with tags)
//   DELETE /connections/{id} ... 7 calls × 2 = 14 cases

afterEach(() => vi.restoreAllMocks());

const TIMINGS: FaultTiming[] = ['before', 'after'];
const PATCH_CALLS = 5;
const DELETE_CALLS = 7;

type Tenant = Awaited<ReturnType<typeof oauthTenant>>;

async function tenant() {
  for (const level of ['log', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
  const t = await oauthTenant();
  await configureWebhook(t.apiKey);
  return t;
}

let accounts = 0;
const connectionOf = (t: Tenant) => t.connect({ provider_account_id: `acct-${++accounts}` });

const patch = (t: Tenant, id: string, failAt: number | null, timing: FaultTiming = 'before', body: object = { end_user: { email: 'new@example.com' } }) =>
  callWithFault(`/api/v1/connections/${id}`, { failAt, timing }, { method: 'PATCH', token: t.apiKey, body });

const remove = (t: Tenant, id: string, failAt: number | null, timing: FaultTiming = 'before') =>
  callWithFault(`/api/v1/connections/${id}`, { failAt, timing }, { method: 'DELETE', token: t.apiKey });

describe('PATCH /connections/{id} under failing D1 calls', () => {
  it(`makes ${PATCH_CALLS} D1 calls, its event's delivery included`, async () => {
    const t = await tenant();
    const id = await connectionOf(t);
    const clean = await patch(t, id, null);
    expect(clean.status, clean.text).toBe(200);
    expect(clean.d1Calls).toBe(PATCH_CALLS);
    expect(await countConnectionEvents(id, 'connection.updated')).toBe(1);
  });

  it(`each of its ${PATCH_CALLS} calls fails before and after running: the change and its one event land together`, { timeout: 120_000 }, async () => {
    const t = await tenant();
    let cases = 0;
    for (let failAt = 1; failAt <= PATCH_CALLS; failAt++) {
      for (const timing of TIMINGS) {
        const where = `D1 call ${failAt} failing ${timing}`;
        const id = await connectionOf(t);
        const failed = await patch(t, id, failAt, timing);
        expect(failed.struck, where).toBe(true);
        const changed = (await connectionRow(id))!.end_user_email === 'new@example.com';
        expect(await countConnectionEvents(id, 'connection.updated'), where).toBe(changed ? 1 : 0);

        const retry = await call(`/api/v1/connections/${id}`, { method: 'PATCH', token: t.apiKey, body: { end_user: { email: 'new@example.com' } } });
        expect(retry.status, `${where}, retry`).toBe(200);
        expect(retry.json.end_user.email, `${where}, retry`).toBe('new@example.com');
        expect(await countConnectionEvents(id, 'connection.updated'), `${where}, retry`).toBe(1);
        cases++;
      }
    }
    expect(cases).toBe(PATCH_CALLS * 2);
  });
});

describe('PATCH /connections/{id} with a metadata merge and tags under failing D1 calls', () => {
  const body = { metadata: { seats: 5, plan: null }, metadata_mode: 'merge', tags: { env: 'prod' } };
  const merged = { seats: 5, region: 'eu' };

  it(`makes the same ${PATCH_CALLS} D1 calls`, async () => {
    const t = await tenant();
    const id = await t.connect({ provider_account_id: `acct-${++accounts}`, metadata: { plan: 'pro', region: 'eu' } });
    const clean = await patch(t, id, null, 'before', body);
    expect(clean.status, clean.text).toBe(200);
    expect(clean.json.metadata).toEqual(merged);
    expect(clean.d1Calls).toBe(PATCH_CALLS);
  });

  it(`each of its ${PATCH_CALLS} calls fails before and after running: metadata, tags and the one event land together`, { timeout: 120_000 }, async () => {
    const t = await tenant();
    for (let failAt = 1; failAt <= PATCH_CALLS; failAt++) {
      for (const timing of TIMINGS) {
        const where = `D1 call ${failAt} failing ${timing}`;
        const id = await t.connect({ provider_account_id: `acct-${++accounts}`, metadata: { plan: 'pro', region: 'eu' } });
        const failed = await patch(t, id, failAt, timing, body);
        expect(failed.struck, where).toBe(true);
        const row = (await connectionRow(id))!;
        const changed = row.tags === '{"env":"prod"}';
        // Never half of it: the tags moved exactly when the merge did.
        expect(JSON.parse(row.user_metadata as string), where).toEqual(changed ? merged : { plan: 'pro', region: 'eu' });
        expect(await countConnectionEvents(id, 'connection.updated'), where).toBe(changed ? 1 : 0);

        // A merge retried after it landed merges the same keys again: the same result, no second event.
        const retry = await call(`/api/v1/connections/${id}`, { method: 'PATCH', token: t.apiKey, body });
        expect(retry.status, `${where}, retry`).toBe(200);
        expect(retry.json.metadata, `${where}, retry`).toEqual(merged);
        expect(retry.json.tags, `${where}, retry`).toEqual({ env: 'prod' });
        expect(await countConnectionEvents(id, 'connection.updated'), `${where}, retry`).toBe(1);
      }
    }
  });
});

describe('DELETE /connections/{id} under failing D1 calls', () => {
  it(`makes ${DELETE_CALLS} D1 calls, revocation's reads and its event's delivery included`, async () => {
    const t = await tenant();
    const id = await connectionOf(t);
    const clean = await remove(t, id, null);
    expect(clean.status, clean.text).toBe(200);
    expect(clean.d1Calls).toBe(DELETE_CALLS);
    expect(await countConnectionEvents(id, 'connection.deleted')).toBe(1);
  });

  it(`each of its ${DELETE_CALLS} calls fails before and after running: the row and its one event go together`, { timeout: 120_000 }, async () => {
    const t = await tenant();
    let cases = 0;
    for (let failAt = 1; failAt <= DELETE_CALLS; failAt++) {
      for (const timing of TIMINGS) {
        const where = `D1 call ${failAt} failing ${timing}`;
        const id = await connectionOf(t);
        const failed = await remove(t, id, failAt, timing);
        expect(failed.struck, where).toBe(true);
        const gone = (await connectionRow(id)) === null;
        expect(await countConnectionEvents(id, 'connection.deleted'), where).toBe(gone ? 1 : 0);

        const retry = await call(`/api/v1/connections/${id}`, { method: 'DELETE', token: t.apiKey });
        // Deleted on the failed attempt (a lost reply, or a failure after the commit): the retry finds nothing.
        expect(retry.status, `${where}, retry`).toBe(gone ? 404 : 200);
        expect(await connectionRow(id), `${where}, retry`).toBeNull();
        expect(await countConnectionEvents(id, 'connection.deleted'), `${where}, retry`).toBe(1);
        cases++;
      }
    }
    expect(cases).toBe(DELETE_CALLS * 2);
  });
});
