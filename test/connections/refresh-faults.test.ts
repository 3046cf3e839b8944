import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { refreshDueConnections } from '../../src/connections/service';
import type { ConnectionRow } from '../../src/connections/schema';
import { openAccessToken, openRefreshToken } from '../../src/connections/sealed';
import { call } from '../helpers/api';
import { callWithFault, type FaultTiming, faultyDeps } from '../helpers/fault-injection';
import { oauthError } from '../helpers/outbound';
import { configureWebhook } from '../webhooks/fixtures';
import { countConnectionEvents, expired, oauthTenant, rotateRefreshTokens, testDeps } from './fixtures';

// Every D1 call of each refresh flow fails in turn, before it ran (nothing written) and after
// it ran (written, reply lost). After each failure: no half-written row, no lost grant (the
// next call works and the provider never saw a dead refresh token, or the documented error),
// one event per change, no lease left held. 5 flows, 72 (flow, N, timing) cases in all:
//   token route, due refresh ....... 7 calls × 2 = 14
//   forced refresh ................. 8 calls × 2 = 16
//   cron refresh ................... 7 calls × 2 = 14
//   token route, grant refused ..... 7 calls × 2 = 14
//   token route, provider down ..... 7 calls × 2 = 14
// Each flow changes the connection in a way the API shows (a recorded error cleared or set, or
// needs_reauth), so it writes an event, and 2 of its calls are that event's delivery in the
// background. Each flow's call count is pinned below, so a change to its D1 cost shows here.

afterEach(() => vi.restoreAllMocks());

const TIMINGS: FaultTiming[] = ['before', 'after'];
const ERROR_ON_RECORD = 'earlier failure';

type Tenant = Awaited<ReturnType<typeof oauthTenant>>;
type Outcome = 'refreshed' | 'needs_reauth' | 'backing_off';

interface Flow {
  name: string;
  calls: number;
  outcome: Outcome;
  /** The connection each case starts from. */
  connect: (t: Tenant, token: string) => Promise<string>;
  /** The flow itself, with D1 failing as planned; resolves once its background work is done. */
  run: (t: Tenant, id: string, failAt: number | null, timing: FaultTiming) => Promise<{ d1Calls: number; struck: boolean }>;
  /** What a caller does next, and must get. */
  next: (t: Tenant, id: string) => Promise<void>;
}

async function rowOf(id: string): Promise<ConnectionRow> {
  const deps = await testDeps();
  const row = await deps.db.query.connections.findFirst({ where: (c, { eq }) => eq(c.id, id) });
  if (!row) throw new Error(`no connection ${id}`);
  return row;
}

async function tokensOf(row: ConnectionRow) {
  const { keyring } = await testDeps();
  return { access: await openAccessToken(keyring, row), refresh: await openRefreshToken(keyring, row) };
}

/** A connection whose last refresh failed (backoff over): a successful refresh clears that, a change the API shows. */
const recovering = (body: Record<string, unknown>) => async (t: Tenant, token: string) => {
  const id = await t.connect({ provider_account_id: token, refresh_token: token, ...body });
  await env.DB.prepare('UPDATE connections SET last_refresh_error = ?, refresh_failures = 1, next_refresh_attempt_at = ? WHERE id = ?')
    .bind(ERROR_ON_RECORD, Date.now() - 1, id)
    .run();
  return id;
};

const viaRoute = (route: 'token' | 'refresh') => async (t: Tenant, id: string, failAt: number | null, timing: FaultTiming) =>
  callWithFault(`/api/v1/connections/${id}/${route}`, { failAt, timing }, { method: route === 'token' ? 'GET' : 'POST', token: t.apiKey });

async function viaCron(_t: Tenant, _id: string, failAt: number | null, timing: FaultTiming) {
  const { deps, faulty, settle } = await faultyDeps({ failAt, timing });
  await refreshDueConnections(deps, Date.now(), 10).catch(() => {}); // a failed job is logged by the cron wiring
  await settle();
  return { d1Calls: faulty.calls(), struck: faulty.struck() };
}

const expectFreshToken = async (t: Tenant, id: string) => {
  const res = await t.getToken(id);
  expect(res.status, res.text).toBe(200);
  expect(res.json.access_token).toMatch(/^at-rotated-/);
};

const FLOWS: Flow[] = [
  {
    name: 'token route, due refresh',
    // The hot token route reads the row first and leaves a due refresh to the app: one read more.
    calls: 8,
    outcome: 'refreshed',
    connect: recovering({ expires_at: expired() }),
    run: viaRoute('token'),
    next: expectFreshToken,
  },
  {
    name: 'forced refresh',
    calls: 8,
    outcome: 'refreshed',
    connect: recovering({ expires_in: 3600 }),
    run: viaRoute('refresh'),
    next: async (t, id) => {
      const res = await call(`/api/v1/connections/${id}/refresh`, { method: 'POST', token: t.apiKey });
      expect(res.status, res.text).toBe(200);
      await expectFreshToken(t, id);
    },
  },
  {
    name: 'cron refresh',
    calls: 7,
    outcome: 'refreshed',
    connect: recovering({ expires_in: 120 }),
    run: viaCron,
    next: async (t, id) => {
      await refreshDueConnections(await testDeps(), Date.now(), 10);
      await expectFreshToken(t, id);
    },
  },
  {
    name: 'token route, grant refused',
    // The hot token route reads the row first and leaves a due refresh to the app: one read more.
    calls: 8,
    outcome: 'needs_reauth',
    connect: (t, token) => t.connect({ provider_account_id: token, refresh_token: token, expires_at: expired() }),
    run: viaRoute('token'),
    next: async (t, id) => {
      const res = await t.getToken(id);
      expect(res.status).toBe(409);
      expect(res.json.error.code).toBe('connection_needs_reauth');
    },
  },
  {
    name: 'token route, provider down',
    // The hot token route reads the row first and leaves a due refresh to the app: one read more.
    calls: 8,
    outcome: 'backing_off',
    connect: (t, token) => t.connect({ provider_account_id: token, refresh_token: token, expires_at: expired() }),
    run: viaRoute('token'),
    next: async (t, id) => {
      const res = await t.getToken(id);
      expect(res.status).toBe(502);
      expect(res.json.error.code).toBe('provider_unavailable');
    },
  },
];

/** The row is as it was, or wholly as the outcome leaves it: never a mix, never a lease left held. */
async function expectWholeRow(flow: Flow, before: ConnectionRow, token: string, where: string, laterCalls = false) {
  const row = await rowOf(before.id);
  const { access, refresh } = await tokensOf(row);
  expect(row.leaseUntil, `${where}: lease left held`).toBeNull();
  if (row.version === before.version) {
    expect({ access, refresh, status: row.status, error: row.lastRefreshError }, where).toEqual({
      access: 'at-1',
      refresh: token,
      status: before.status,
      error: before.lastRefreshError,
    });
    return false;
  }
  // A forced refresh after a forced refresh moves it on again, still whole.
  if (laterCalls) expect(row.version, where).toBeGreaterThan(before.version);
  else expect(row.version, where).toBe(before.version + 1);
  if (flow.outcome === 'refreshed') {
    // Access and refresh token from the same reply, the recorded error cleared with them.
    expect(refresh, where).toBe(access.replace(/^at-/, 'rt-'));
    expect({ status: row.status, error: row.lastRefreshError, failures: row.refreshFailures }, where).toEqual({ status: 'active', error: null, failures: 0 });
  } else if (flow.outcome === 'needs_reauth') {
    expect({ access, refresh, status: row.status }, where).toEqual({ access: 'at-1', refresh: token, status: 'needs_reauth' });
  } else {
    expect({ access, refresh, status: row.status, failures: row.refreshFailures }, where).toEqual({
      access: 'at-1',
      refresh: token,
      status: 'active',
      failures: 1,
    });
    expect(row.nextRefreshAttemptAt, where).toBeGreaterThan(Date.now());
  }
  return true;
}

const eventType = (outcome: Outcome) => (outcome === 'needs_reauth' ? 'connection.refresh_failed' : 'connection.updated');

async function expectOneEventPerChange(flow: Flow, id: string, changed: boolean, where: string) {
  const [reported, other] = await Promise.all([
    countConnectionEvents(id, eventType(flow.outcome)),
    countConnectionEvents(id, flow.outcome === 'needs_reauth' ? 'connection.updated' : 'connection.refresh_failed'),
  ]);
  expect({ reported, other }, where).toEqual({ reported: changed ? 1 : 0, other: 0 });
}

describe('refresh under failing D1 writes', () => {
  for (const flow of FLOWS) {
    it(`${flow.name}: each of its ${flow.calls} D1 calls fails, before and after running (${flow.calls * 2} cases)`, { timeout: 120_000 }, async () => {
      for (const level of ['log', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
      const t = await oauthTenant();
      await configureWebhook(t.apiKey);
      const rotation = rotateRefreshTokens(t.provider, []);
      const rotate = t.provider.onRefresh;
      t.provider.onRefresh = (form) => {
        if (flow.outcome === 'needs_reauth') return oauthError('invalid_grant');
        if (flow.outcome === 'backing_off') return new Response('upstream down', { status: 503 });
        return rotate(form);
      };
      let n = 0;
      const fresh = async () => {
        const token = `rt-case-${++n}`;
        rotation.accept(token);
        const id = await flow.connect(t, token);
        return { id, token, before: await rowOf(id) };
      };

      const clean = await fresh();
      const measured = await flow.run(t, clean.id, null, 'before');
      expect(measured.d1Calls).toBe(flow.calls);
      expect(await expectWholeRow(flow, clean.before, clean.token, 'no fault')).toBe(true);
      await expectOneEventPerChange(flow, clean.id, true, 'no fault');

      let cases = 0;
      for (let failAt = 1; failAt <= flow.calls; failAt++) {
        for (const timing of TIMINGS) {
          const where = `${flow.name}, D1 call ${failAt} failing ${timing}`;
          const { id, token, before } = await fresh();
          const result = await flow.run(t, id, failAt, timing);
          expect(result.struck, where).toBe(true);
          const changed = await expectWholeRow(flow, before, token, where);
          await expectOneEventPerChange(flow, id, changed, where);

          await flow.next(t, id);
          expect(await expectWholeRow(flow, before, token, `${where}, then the next call`, true), `${where}: the next call changed nothing`).toBe(true);
          await expectOneEventPerChange(flow, id, true, `${where}, then the next call`);
          cases++;
        }
      }
      expect(cases).toBe(flow.calls * 2);
      expect(rotation.deadTokensSent()).toEqual([]);
    });
  }
});
