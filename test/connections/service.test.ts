import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { refreshDueConnections, saveConnectionFromCredentials, saveConnectionFromGrant } from '../../src/connections/service';
import { call, expectError, newTenant } from '../helpers/api';
import { connectionRow, countConnections, integrationRow, oauthTenant, testDeps, tokenReply } from './fixtures';

afterEach(() => vi.restoreAllMocks());

// Functions other features call (the connect flow's callback, the link page's form, the cron),
// exercised with the test's own bindings; the API then shows what they stored.

const grant = async (t: { orgId: string; integrationId: string }, overrides: Partial<Parameters<typeof saveConnectionFromGrant>[1]> = {}, owner = t.orgId) => ({
  orgId: owner,
  integration: await integrationRow(t.orgId, t.integrationId),
  linkId: 'lnk_0000000000000000000001',
  endUser: { id: 'u-1', email: 'ada@example.com', name: 'Ada' },
  account: { id: 'acct-1', email: 'ada@acme.example', name: 'Ada L.' },
  metadata: { instance_url: 'https://acme.example' },
  inputs: {},
  scopes: ['read'],
  tokens: { accessToken: 'at-1', refreshToken: 'rt-1', tokenType: 'Bearer', expiresAt: Date.now() + 3600_000 },
  ...overrides,
});

describe('saveConnectionFromGrant', () => {
  it('creates a connection and emits connection.created without tokens', async () => {
    const t = await oauthTenant();
    const deps = await testDeps();
    const { connection, created } = await saveConnectionFromGrant(deps, await grant(t));
    expect(created).toBe(true);
    expect(connection).toMatchObject({
      link_id: 'lnk_0000000000000000000001',
      end_user: { id: 'u-1', email: 'ada@example.com', display_name: 'Ada' },
      account: { email: 'ada@acme.example', name: 'Ada L.' },
      scopes: ['read'],
      missing_scopes: ['write'],
      status: 'active',
    });
    expect(JSON.stringify(connection)).not.toMatch(/at-1|rt-1/);
    expect((await call(`/api/v1/connections/${connection.id}/token`, { token: t.apiKey })).json.access_token).toBe('at-1');
    const events = await env.DB.prepare('SELECT type, payload FROM events WHERE org_id = ?').bind(t.orgId).all<{ type: string; payload: string }>();
    expect(events.results.map((e) => e.type)).toEqual(['connection.created']);
    expect(JSON.parse(events.results[0]!.payload).data).toEqual({
      connection_id: connection.id,
      integration_id: t.integrationId,
      end_user_id: 'u-1',
      provider_account_id: 'acct-1',
      status: 'active',
      tags: {},
    });
  });

  it('reconnects the same account: one row, new tokens, old refresh token kept, errors cleared', async () => {
    const t = await oauthTenant();
    const deps = await testDeps();
    const first = await saveConnectionFromGrant(
      deps,
      await grant(t, { tokens: { accessToken: 'at-1', refreshToken: 'rt-1', tokenType: 'Bearer', expiresAt: Date.now() - 1000 } }),
    );
    t.provider.onRefresh = () => tokenReply({ error: 'invalid_grant' }, 400);
    expectError(await call(`/api/v1/connections/${first.connection.id}/token`, { token: t.apiKey }), 409, 'connection_needs_reauth');
    const versionBefore = (await connectionRow(first.connection.id))!.version as number;

    const again = await saveConnectionFromGrant(
      deps,
      await grant(t, {
        linkId: 'lnk_0000000000000000000002',
        scopes: ['read', 'write'],
        tokens: { accessToken: 'at-2', tokenType: 'Bearer', expiresAt: Date.now() + 60_000 },
      }),
    );
    expect(again.created).toBe(false);
    expect(again.connection).toMatchObject({
      id: first.connection.id,
      status: 'active',
      last_refresh_error: null,
      link_id: 'lnk_0000000000000000000002',
      missing_scopes: [],
    });
    expect(await countConnections(t.orgId)).toBe(1);
    expect((await connectionRow(first.connection.id))!.version).toBe(versionBefore + 1);
    // The kept refresh token is the one the next refresh sends.
    t.provider.onRefresh = () => tokenReply({ access_token: 'at-3', expires_in: 3600 });
    expect((await call(`/api/v1/connections/${first.connection.id}/token`, { token: t.apiKey })).json.access_token).toBe('at-3');
    expect(t.provider.refreshes().at(-1)!.get('refresh_token')).toBe('rt-1');
    const types = await env.DB.prepare('SELECT type FROM events WHERE org_id = ? ORDER BY created_at').bind(t.orgId).all<{ type: string }>();
    expect(types.results.map((e) => e.type)).toEqual(['connection.created', 'connection.refresh_failed', 'connection.updated']);
  });

  it('keeps different provider accounts of one end user apart', async () => {
    const t = await oauthTenant();
    const deps = await testDeps();
    await saveConnectionFromGrant(deps, await grant(t));
    const second = await saveConnectionFromGrant(deps, await grant(t, { account: { id: 'acct-2' } }));
    expect(second.created).toBe(true);
    expect(await countConnections(t.orgId)).toBe(2);
  });

  it("refuses another organization's integration", async () => {
    const t = await oauthTenant();
    const other = await newTenant('Other');
    await expect(saveConnectionFromGrant(await testDeps(), await grant(t, {}, other.orgId))).rejects.toMatchObject({ status: 404 });
    expect(await countConnections(other.orgId)).toBe(0);
  });
});

describe('saveConnectionFromCredentials', () => {
  it('stores the fields encrypted and hands them out on the token route', async () => {
    const { apiKey, orgId } = await newTenant();
    const integration = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: { name: 'Stripe', offering_id: 'off_stripe' } });
    const deps = await testDeps();
    const input = {
      orgId,
      integration: await integrationRow(orgId, integration.json.id),
      linkId: null,
      endUser: { id: 'u-1' },
      account: { id: 'acct_1' },
      credentials: { api_key: 'sk_test_secret' },
    };
    const { connection, created } = await saveConnectionFromCredentials(deps, input);
    expect(created).toBe(true);
    expect((await connectionRow(connection.id))!.access_token_enc).not.toContain('sk_test_secret');
    const token = await call(`/api/v1/connections/${connection.id}/token`, { token: apiKey });
    expect(token.json).toMatchObject({ token_type: 'api_key', credentials: { api_key: 'sk_test_secret' } });
    // The same account again replaces the key.
    const again = await saveConnectionFromCredentials(deps, { ...input, credentials: { api_key: 'sk_test_rotated' } });
    expect(again).toMatchObject({ created: false, connection: { id: connection.id } });
    expect((await call(`/api/v1/connections/${connection.id}/token`, { token: apiKey })).json.credentials).toEqual({ api_key: 'sk_test_rotated' });
    await expect(saveConnectionFromCredentials(deps, { ...input, credentials: { key: 'x' } })).rejects.toMatchObject({ status: 400 });
  });
});

describe('refreshDueConnections', () => {
  it('refreshes active connections expiring within ten minutes, soonest first, within the limit', async () => {
    const t = await oauthTenant();
    const soon = await t.connect({ provider_account_id: 'soon', expires_in: 120 });
    const later = await t.connect({ provider_account_id: 'later', expires_in: 480 });
    const fresh = await t.connect({ provider_account_id: 'fresh', expires_in: 3600 });
    let n = 0;
    t.provider.onRefresh = () => tokenReply({ access_token: `at-cron-${++n}`, expires_in: 3600 });
    const deps = await testDeps();
    expect(await refreshDueConnections(deps, Date.now(), 1)).toEqual({ selected: 1, refreshed: 1, failed: 0, needsReauth: 0, skipped: 0 });
    expect((await t.getToken(soon)).json.access_token).toBe('at-cron-1');
    expect(await refreshDueConnections(deps, Date.now(), 10)).toEqual({ selected: 1, refreshed: 1, failed: 0, needsReauth: 0, skipped: 0 });
    expect((await t.getToken(later)).json.access_token).toBe('at-cron-2');
    expect((await t.getToken(fresh)).json.access_token).toBe('at-1');
    expect(t.provider.refreshes()).toHaveLength(2);
  });

  it('counts failures and leaves connections in backoff alone', async () => {
    const t = await oauthTenant();
    await t.connect({ provider_account_id: 'down', expires_in: 120 });
    await t.connect({ provider_account_id: 'gone', expires_in: 120, refresh_token: 'rt-gone' });
    t.provider.onRefresh = (form) =>
      form.get('refresh_token') === 'rt-gone' ? tokenReply({ error: 'invalid_grant' }, 400) : new Response('down', { status: 503 });
    const deps = await testDeps();
    expect(await refreshDueConnections(deps, Date.now(), 10)).toMatchObject({ selected: 2, failed: 1, needsReauth: 1 });
    expect(await refreshDueConnections(deps, Date.now(), 10)).toMatchObject({ selected: 0 });
    expect(t.provider.refreshes()).toHaveLength(2);
  });
});
