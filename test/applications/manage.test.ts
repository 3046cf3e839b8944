import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { findActiveApplicationByClientId } from '../../src/applications/service';
import { createDb } from '../../src/db/client';
import { call, expectError, newTenant } from '../helpers/api';
import { addMember, applicationRow, newApplication, REDIRECT } from './fixtures';

const db = () => createDb(env.DB);

describe('listing applications', () => {
  it('filters by name substring in any case, with % and _ taken literally', async () => {
    const { apiKey } = await newTenant();
    await newApplication(apiKey, { name: 'Weekly Reports' });
    await newApplication(apiKey, { name: 'CRM sync' });
    await newApplication(apiKey, { name: '100% reports_v2' });
    const names = async (q: string) =>
      ((await call(`/api/v1/applications?name=${encodeURIComponent(q)}`, { token: apiKey })).json.data as { name: string }[]).map((a) => a.name);
    expect(await names('REPORT')).toEqual(['100% reports_v2', 'Weekly Reports']);
    expect(await names('%')).toEqual(['100% reports_v2']);
    expect(await names('s_v')).toEqual(['100% reports_v2']);
    expect(await names('nothing')).toEqual([]);
  });

  it('filters by status', async () => {
    const { apiKey } = await newTenant();
    const on = await newApplication(apiKey, { name: 'On' });
    const off = await newApplication(apiKey, { name: 'Off', active: false });
    const ids = async (status: string) =>
      ((await call(`/api/v1/applications?status=${status}`, { token: apiKey })).json.data as { id: string }[]).map((a) => a.id);
    expect(await ids('active')).toEqual([on.id]);
    expect(await ids('inactive')).toEqual([off.id]);
    expectError(await call('/api/v1/applications?status=deleted', { token: apiKey }), 400, 'validation_failed');
  });

  it('shows an API key its own organization only, whatever organization_id it names', async () => {
    const { apiKey, orgId } = await newTenant();
    const other = await newTenant('Other');
    const mine = await newApplication(apiKey);
    await newApplication(other.apiKey);
    const list = async (query = '') => ((await call(`/api/v1/applications${query}`, { token: apiKey })).json.data as { id: string }[]).map((a) => a.id);
    expect(await list()).toEqual([mine.id]);
    expect(await list(`?organization_id=${orgId}`)).toEqual([mine.id]);
    expect(await list(`?organization_id=${other.orgId}`)).toEqual([]);
  });

  it('pages newest first with limit and cursor', async () => {
    const { apiKey } = await newTenant();
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await newApplication(apiKey, { name: `App ${i}` }));
    const first = await call('/api/v1/applications?limit=2', { token: apiKey });
    expect(first.json.data.map((a: { name: string }) => a.name)).toHaveLength(2);
    expect(first.json.next_cursor).toEqual(expect.any(String));
    const second = await call(`/api/v1/applications?limit=2&cursor=${first.json.next_cursor}`, { token: apiKey });
    expect(second.json.next_cursor).toBeNull();
    const seen = [...first.json.data, ...second.json.data].map((a: { id: string }) => a.id);
    expect(new Set(seen)).toEqual(new Set(created.map((a) => a.id)));
  });
});

describe("another organization's application", () => {
  it.each([
    ['GET', ''],
    ['PATCH', ''],
    ['DELETE', ''],
    ['POST', '/secret'],
    ['POST', '/publish'],
  ])('is a 404 on %s /applications/{id}%s, and stays as it was', async (method, suffix) => {
    const owner = await newTenant();
    const stranger = await newTenant('Stranger');
    const app = await newApplication(owner.apiKey, { terms_url: 'https://a.example.com/t', privacy_url: 'https://a.example.com/p' });
    const before = await applicationRow(app.id);
    const res = await call(`/api/v1/applications/${app.id}${suffix}`, {
      method,
      token: stranger.apiKey,
      body: method === 'PATCH' ? { name: 'Hijacked', active: false } : undefined,
    });
    expect(expectError(res, 404, 'not_found').message).toBe(`No application with id '${app.id}'.`);
    expect(await applicationRow(app.id)).toEqual(before);
  });

  it('is answered like one that does not exist', async () => {
    const { apiKey } = await newTenant();
    expectError(await call('/api/v1/applications/app_0000000000000000000000', { token: apiKey }), 404, 'not_found');
    expectError(await call('/api/v1/applications/not-an-id', { token: apiKey }), 400, 'validation_failed');
  });
});

describe('updating an application', () => {
  it('changes the given fields and keeps the rest', async () => {
    const { apiKey, orgId } = await newTenant();
    const app = await newApplication(apiKey, { terms_url: 'https://app.example.com/terms' });
    const { userId } = await addMember(orgId);
    const res = await call(`/api/v1/applications/${app.id}`, {
      method: 'PATCH',
      token: apiKey,
      body: { name: 'Renamed', scopes: ['links.write'], terms_url: null, privacy_url: 'https://app.example.com/privacy', owner_user_id: userId },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      name: 'Renamed',
      description: app.description,
      redirect_uris: app.redirect_uris,
      scopes: ['links.write'],
      terms_url: null,
      privacy_url: 'https://app.example.com/privacy',
      owner_user_id: userId,
      client_id: app.client_id,
      created_at: app.created_at,
    });
    expect(Date.parse(res.json.updated_at)).toBeGreaterThanOrEqual(Date.parse(app.updated_at as string));
  });

  it('refuses read-only fields, unknown scopes and an owner outside the organization', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey);
    const other = await newTenant('Other');
    const { userId } = await addMember(other.orgId);
    for (const body of [{ visibility: 'public' }, { publish_state: 'approved' }, { client_id: 'elk_ci_x' }, { scopes: ['root'] }, { owner_user_id: userId }]) {
      expectError(await call(`/api/v1/applications/${app.id}`, { method: 'PATCH', token: apiKey, body }), 400, 'validation_failed');
    }
    expect((await applicationRow(app.id))!.visibility).toBe('private');
  });

  it('deactivates: the token endpoint no longer finds the client, until it is reactivated', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey);
    expect((await findActiveApplicationByClientId(db(), app.client_id))?.id).toBe(app.id);

    const off = await call(`/api/v1/applications/${app.id}`, { method: 'PATCH', token: apiKey, body: { active: false } });
    expect(off.json.active).toBe(false);
    expect(await findActiveApplicationByClientId(db(), app.client_id)).toBeUndefined();

    const on = await call(`/api/v1/applications/${app.id}`, { method: 'PATCH', token: apiKey, body: { active: true } });
    expect(on.json.active).toBe(true);
    expect((await findActiveApplicationByClientId(db(), app.client_id))?.id).toBe(app.id);
  });

  it('finds no client for an unknown client id', async () => {
    expect(await findActiveApplicationByClientId(db(), 'elk_ci_unknown')).toBeUndefined();
  });
});

describe('deleting an application', () => {
  it('removes it and everything it was issued', async () => {
    const { apiKey, orgId } = await newTenant();
    const app = await newApplication(apiKey);
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare("INSERT INTO oauth_grants (id, application_id, org_id, user_id, scopes, created_at) VALUES ('grt_test', ?, ?, NULL, '[]', ?)").bind(
        app.id,
        orgId,
        now,
      ),
      env.DB.prepare("INSERT INTO oauth_tokens (token_hash, kind, grant_id, scopes, created_at) VALUES ('h1', 'access', 'grt_test', '[]', ?)").bind(now),
      env.DB.prepare(
        "INSERT INTO oauth_codes (code_hash, grant_id, redirect_uri, code_challenge, scopes, expires_at) VALUES ('c1', 'grt_test', ?, 'x', '[]', ?)",
      ).bind(REDIRECT, now),
    ]);
    const res = await call(`/api/v1/applications/${app.id}`, { method: 'DELETE', token: apiKey });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: app.id, deleted: true });
    expectError(await call(`/api/v1/applications/${app.id}`, { token: apiKey }), 404, 'not_found');
    for (const table of ['oauth_grants', 'oauth_tokens', 'oauth_codes']) {
      expect((await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n).toBe(0);
    }
    expect(await findActiveApplicationByClientId(db(), app.client_id)).toBeUndefined();
    expectError(await call(`/api/v1/applications/${app.id}`, { method: 'DELETE', token: apiKey }), 404, 'not_found');
  });
});
