import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findParkedReply, parkedReplyKey } from '../../src/connections/parked';
import { ensureFreshToken, refreshDueConnections } from '../../src/connections/service';
import type { ConnectionRow } from '../../src/connections/schema';
import { call, expectError } from '../helpers/api';
import { callWithFault } from '../helpers/fault-injection';
import { oauthError } from '../helpers/outbound';
import { configureWebhook, RECEIVER } from '../webhooks/fixtures';
import { connectionRow, countConnectionEvents, countEvents, expired, expireLease, oauthTenant, rotateRefreshTokens, testDeps, tokenReply } from './fixtures';

afterEach(() => vi.restoreAllMocks());

const quiet = () => {
  for (const level of ['log', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
};

type Tenant = Awaited<ReturnType<typeof oauthTenant>>;

/** The KV binding with one method failing, as when KV does not answer. */
const failing = (kv: KVNamespace, method: 'get' | 'put'): KVNamespace =>
  new Proxy(kv, {
    get: (target, prop) => (prop === method ? () => Promise.reject(new Error(`KV ${method} failed`)) : Reflect.get(target, prop, target).bind(target)),
  });

/**
 * Runs `path` for connection `id` with its last D1 call (the write of the refresh reply) failing
 * twice, the write and its retry, as when D1 is unavailable for a moment. The number of calls
 * comes from the same flow on a probe connection in the same state.
 */
async function failTheWrite(t: Tenant, id: string, route: 'token' | 'refresh', probe: string) {
  const path = (c: string) => `/api/v1/connections/${c}/${route}`;
  const method = route === 'token' ? 'GET' : 'POST';
  const clean = await callWithFault(path(probe), { failAt: null }, { method, token: t.apiKey });
  expect(clean.status).toBe(200);
  return callWithFault(path(id), { failAt: clean.d1Calls, count: 2 }, { method, token: t.apiKey });
}

const leaseOf = async (id: string) => (await connectionRow(id))!.lease_id as string;
const rowOf = async (id: string) => (await testDeps()).db.query.connections.findFirst({ where: (c, { eq }) => eq(c.id, id) }) as Promise<ConnectionRow>;

describe('a refresh reply whose write fails', () => {
  it('is not lost: the rotated refresh token survives a failed write and the next call stores it', async () => {
    quiet();
    const t = await oauthTenant();
    const rotation = rotateRefreshTokens(t.provider, ['rt-probe', 'rt-1']);
    const probe = await t.connect({ provider_account_id: 'probe', expires_at: expired(), refresh_token: 'rt-probe' });
    const id = await t.connect({ expires_at: expired() });
    const failed = await failTheWrite(t, id, 'token', probe);
    // The caller still gets the token the provider sent; the row still has the old one.
    expect(failed.json.access_token).toBe('at-rotated-2');
    expect(t.provider.refreshes()).toHaveLength(2);
    await expireLease(id);

    const next = await t.getToken(id);
    expect(next.status).toBe(200);
    expect(next.json.access_token).toBe('at-rotated-2');
    expect(t.provider.refreshes()).toHaveLength(2);
    const forced = await call(`/api/v1/connections/${id}/refresh`, { method: 'POST', token: t.apiKey });
    expect(forced.status).toBe(200);
    expect(rotation.deadTokensSent()).toEqual([]);
    expect((await connectionRow(id))!.status).toBe('active');
  });

  it('is parked sealed, bound to its connection and lease, and deleted once written', async () => {
    quiet();
    const t = await oauthTenant();
    rotateRefreshTokens(t.provider, ['rt-probe', 'rt-1']);
    const probe = await t.connect({ provider_account_id: 'probe', expires_at: expired(), refresh_token: 'rt-probe' });
    const id = await t.connect({ expires_at: expired() });
    await failTheWrite(t, id, 'token', probe);
    // The clean refresh of the probe left nothing behind.
    expect((await env.KV.list({ prefix: parkedReplyKey(probe, '') })).keys).toHaveLength(0);

    const lease = await leaseOf(id);
    const sealed = (await env.KV.get(parkedReplyKey(id, lease)))!;
    expect(sealed).toMatch(/^v1\.k2\./);
    expect(sealed).not.toContain('rotated');
    const deps = await testDeps();
    expect(await findParkedReply(deps, id, lease)).toMatchObject({ tokens: { accessToken: 'at-rotated-2', refreshToken: 'rt-rotated-2' } });
    // Copied under another lease or connection, it does not open.
    for (const [connection, other] of [
      [id, 'another-lease'],
      [probe, lease],
    ] as const) {
      await env.KV.put(parkedReplyKey(connection, other), sealed, { expirationTtl: 60 });
      expect(await findParkedReply(deps, connection, other)).toBeNull();
    }

    await expireLease(id);
    expect((await t.getToken(id)).json.access_token).toBe('at-rotated-2');
    await vi.waitFor(async () => expect(await env.KV.get(parkedReplyKey(id, lease))).toBeNull());
  });

  it('is stored by a forced refresh, and a forced refresh whose own write fails hands out its token', async () => {
    quiet();
    const t = await oauthTenant();
    const rotation = rotateRefreshTokens(t.provider, ['rt-probe', 'rt-1']);
    const probe = await t.connect({ provider_account_id: 'probe', refresh_token: 'rt-probe' });
    const id = await t.connect();
    const failed = await failTheWrite(t, id, 'refresh', probe);
    expect(failed.status).toBe(200);
    expect(failed.json.last_refreshed_at).not.toBeNull();
    await expireLease(id);

    const forced = await call(`/api/v1/connections/${id}/refresh`, { method: 'POST', token: t.apiKey });
    expect(forced.status).toBe(200);
    expect(t.provider.refreshes()).toHaveLength(2); // the parked reply satisfied it
    expect((await t.getToken(id)).json.access_token).toBe('at-rotated-2');
    expect(rotation.deadTokensSent()).toEqual([]);
  });

  it('is found by the cron even when the token is not due', async () => {
    quiet();
    const t = await oauthTenant();
    const rotation = rotateRefreshTokens(t.provider, ['rt-probe', 'rt-1']);
    const probe = await t.connect({ provider_account_id: 'probe', refresh_token: 'rt-probe' });
    const id = await t.connect();
    await failTheWrite(t, id, 'refresh', probe);
    await expireLease(id);

    const deps = await testDeps();
    const counts = await refreshDueConnections(deps, Date.now(), 10);
    expect(counts).toMatchObject({ refreshed: 1, failed: 0, needsReauth: 0 });
    expect(t.provider.refreshes()).toHaveLength(2);
    const row = (await connectionRow(id))!;
    expect(row.lease_until).toBeNull();
    expect((await t.getToken(id)).json.access_token).toBe('at-rotated-2');
    expect(rotation.deadTokensSent()).toEqual([]);
  });

  it('is stored once when two callers find it, with one connection.updated for the recovery', async () => {
    quiet();
    const t = await oauthTenant();
    rotateRefreshTokens(t.provider, ['rt-probe', 'rt-1']);
    const probe = await t.connect({ provider_account_id: 'probe', expires_at: expired(), refresh_token: 'rt-probe' });
    const id = await t.connect({ expires_at: expired() });
    // An earlier transient failure is on record, so storing the reply is a change the API shows.
    await env.DB.prepare("UPDATE connections SET last_refresh_error = 'earlier failure', refresh_failures = 1 WHERE id IN (?, ?)").bind(id, probe).run();
    await failTheWrite(t, id, 'token', probe);
    const eventsBefore = await countEvents(t.orgId, 'connection.updated');
    await expireLease(id);

    const [a, b] = await Promise.all([t.getToken(id), t.getToken(id)]);
    expect([a.json.access_token, b.json.access_token]).toEqual(['at-rotated-2', 'at-rotated-2']);
    expect(t.provider.refreshes()).toHaveLength(2);
    expect(await countEvents(t.orgId, 'connection.updated')).toBe(eventsBefore + 1);
    expect((await connectionRow(id))!.last_refresh_error).toBeNull();
  });
});

describe('when KV has not shown the parked reply yet', () => {
  async function parkedButInvisible() {
    const t = await oauthTenant();
    const rotation = rotateRefreshTokens(t.provider, ['rt-probe', 'rt-1']);
    const probe = await t.connect({ provider_account_id: 'probe', expires_at: expired(), refresh_token: 'rt-probe' });
    const id = await t.connect({ expires_at: expired() });
    await failTheWrite(t, id, 'token', probe);
    const key = parkedReplyKey(id, await leaseOf(id));
    const sealed = (await env.KV.get(key))!;
    await env.KV.delete(key);
    await expireLease(id);
    return { t, id, rotation, reappear: () => env.KV.put(key, sealed, { expirationTtl: 60 }) };
  }

  it('does not send the refresh token it has, and stores the reply once it shows', async () => {
    quiet();
    const { t, id, rotation, reappear } = await parkedButInvisible();
    const waiting = await t.getToken(id);
    expectError(waiting, 503, 'refresh_in_progress');
    expect(Number(waiting.headers.get('retry-after'))).toBeGreaterThan(50);
    expectError(await call(`/api/v1/connections/${id}/refresh`, { method: 'POST', token: t.apiKey }), 503, 'refresh_in_progress');
    expect(await refreshDueConnections(await testDeps(), Date.now(), 10)).toMatchObject({ refreshed: 0, failed: 0 });
    expect(t.provider.refreshes()).toHaveLength(2);

    await reappear();
    expect((await t.getToken(id)).json.access_token).toBe('at-rotated-2');
    expect(rotation.deadTokensSent()).toEqual([]);
  });

  it('trusts a miss once KV has settled: the lease is released and the stored refresh token is used', async () => {
    quiet();
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired() });
    // A holder that died before the provider answered: nothing was parked, and rt-1 is live.
    await env.DB.prepare('UPDATE connections SET lease_id = ?, lease_until = ? WHERE id = ?')
      .bind('dead-holder', Date.now() - 61_000, id)
      .run();
    t.provider.onRefresh = () => tokenReply({ access_token: 'at-2', refresh_token: 'rt-2', expires_in: 3600 });
    expect((await t.getToken(id)).json.access_token).toBe('at-2');
    expect(t.provider.refreshes().map((f) => f.get('refresh_token'))).toEqual(['rt-1']);
  });

  it('hands out a still-valid old token meanwhile', async () => {
    quiet();
    const t = await oauthTenant();
    const id = await t.connect({ expires_in: 120 });
    await env.DB.prepare('UPDATE connections SET lease_id = ?, lease_until = ? WHERE id = ?')
      .bind('slow-holder', Date.now() - 1, id)
      .run();
    t.provider.onRefresh = () => tokenReply({ access_token: 'at-2', expires_in: 3600 });
    expect((await t.getToken(id)).json.access_token).toBe('at-1');
    expect(t.provider.refreshes()).toHaveLength(0);
  });

  it('treats a KV read that fails like a miss KV may still fill: no refresh yet', async () => {
    quiet();
    const { t, id, reappear } = await parkedButInvisible();
    await reappear();
    const deps = await testDeps();
    await expect(ensureFreshToken({ ...deps, kv: failing(deps.kv, 'get') }, await rowOf(id))).rejects.toMatchObject({
      status: 503,
      code: 'refresh_in_progress',
    });
    expect(t.provider.refreshes()).toHaveLength(2);
    expect((await t.getToken(id)).json.access_token).toBe('at-rotated-2');
  });
});

describe('parking', () => {
  it('a KV failure while parking does not stop the D1 write', async () => {
    quiet();
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired() });
    t.provider.onRefresh = () => tokenReply({ access_token: 'at-2', refresh_token: 'rt-2', expires_in: 3600 });
    const deps = await testDeps();
    const fresh = await ensureFreshToken({ ...deps, kv: failing(deps.kv, 'put') }, await rowOf(id));
    expect(fresh.version).toBe((await connectionRow(id))!.version);
    expect((await t.getToken(id)).json.access_token).toBe('at-2');
  });
});

describe('events written with the change', () => {
  it('are not written when the change is not: a reconnect during the refresh wins, and only it is reported', async () => {
    quiet();
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired() });
    await env.DB.prepare("UPDATE connections SET last_refresh_error = 'earlier failure', refresh_failures = 1 WHERE id = ?").bind(id).run();
    t.provider.onRefresh = async () => {
      const reconnected = await t.importConnection({ access_token: 'at-reconnected', refresh_token: 'rt-reconnected', expires_in: 3600 });
      expect(reconnected.status).toBe(200);
      return tokenReply({ access_token: 'at-refreshed', refresh_token: 'rt-refreshed', expires_in: 3600 });
    };
    expect((await t.getToken(id)).json.access_token).toBe('at-refreshed');
    expect(await countConnectionEvents(id, 'connection.updated')).toBe(1);
    expect((await t.getToken(id)).json.access_token).toBe('at-reconnected');
  });

  it('are delivered once the batch committed', async () => {
    quiet();
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired() });
    await configureWebhook(t.apiKey);
    t.provider.onRefresh = () => oauthError('invalid_grant');
    expectError(await t.getToken(id), 409, 'connection_needs_reauth');
    await vi.waitFor(() => {
      const sent = t.provider.seen.filter((req) => req.url === RECEIVER).map((req) => JSON.parse(req.body));
      expect(sent).toMatchObject([{ type: 'connection.refresh_failed', data: { connection_id: id, status: 'needs_reauth' } }]);
    });
  });
});
