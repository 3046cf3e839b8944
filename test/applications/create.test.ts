import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../src/lib/crypto';
import { call, expectError, newTenant } from '../helpers/api';
import { addMember, countApplications, newApplication, REDIRECT, validApplication } from './fixtures';

afterEach(() => vi.restoreAllMocks());

const create = (apiKey: string, body: Record<string, unknown>) => call('/api/v1/applications', { method: 'POST', token: apiKey, body });

describe('creating an application', () => {
  it('returns the client secret once and stores only its SHA-256', async () => {
    const { apiKey, orgId } = await newTenant();
    const res = await create(apiKey, { ...validApplication, terms_url: 'https://app.example.com/terms', privacy_url: 'https://app.example.com/privacy' });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      id: expect.stringMatching(/^app_/),
      organization_id: orgId,
      owner_user_id: null,
      name: 'Acme Reports',
      description: 'Builds weekly reports from your connections.',
      redirect_uris: [REDIRECT],
      terms_url: 'https://app.example.com/terms',
      privacy_url: 'https://app.example.com/privacy',
      active: true,
      visibility: 'private',
      publish_state: 'none',
      client_id: expect.stringMatching(/^elk_ci_[A-Za-z0-9_-]{22}$/),
      // 32 random bytes: 256 bits.
      client_secret: expect.stringMatching(/^elk_cs_[A-Za-z0-9_-]{43}$/),
    });
    const secret = res.json.client_secret as string;
    const row = await env.DB.prepare('SELECT * FROM applications WHERE id = ?').bind(res.json.id).first();
    expect(row!.client_secret_hash).toBe(await sha256Hex(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it('never shows the client secret again: not on GET, not in the list', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey);
    const got = await call(`/api/v1/applications/${app.id}`, { token: apiKey });
    expect(got.status).toBe(200);
    expect(got.json).not.toHaveProperty('client_secret');
    expect(got.json.client_id).toBe(app.client_id);
    const listed = await call('/api/v1/applications', { token: apiKey });
    expect(listed.json.data[0]).not.toHaveProperty('client_secret');
    for (const text of [got.text, listed.text]) {
      expect(text).not.toContain(app.client_secret);
      expect(text).not.toContain('elk_cs_');
    }
  });

  it('writes no client secret to the logs', async () => {
    const { apiKey } = await newTenant();
    const lines: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, level).mockImplementation((...args) => lines.push(args.map(String).join(' ')));
    }
    const app = await newApplication(apiKey);
    const rotated = await call(`/api/v1/applications/${app.id}/secret`, { method: 'POST', token: apiKey });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(app.client_secret);
    expect(lines.join('\n')).not.toContain(rotated.json.client_secret);
  });

  it("defaults to Close's scopes, active, private and no publish request", async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey, { description: undefined });
    expect(app).toMatchObject({ scopes: ['all.full_access', 'offline_access'], active: true, visibility: 'private', publish_state: 'none', description: '' });
  });

  it('keeps the scopes it is given, once each', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey, { scopes: ['connections.read', 'connections.token', 'connections.read'] });
    expect(app.scopes).toEqual(['connections.read', 'connections.token']);
  });

  it('refuses scopes outside the catalog and stores nothing', async () => {
    const { apiKey, orgId } = await newTenant();
    const res = await create(apiKey, { ...validApplication, scopes: ['links.write', 'admin', 'openid'] });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details!.map((d) => d.field)).toEqual(['scopes.1', 'scopes.2']);
    expect(error.details![0]!.message).toContain('all.full_access');
    expect(await countApplications(orgId)).toBe(0);
  });

  it('can be created inactive', async () => {
    const { apiKey } = await newTenant();
    expect((await newApplication(apiKey, { active: false })).active).toBe(false);
  });

  it.each([
    ['name', ''],
    ['name', 'x'.repeat(101)],
    ['description', 'x'.repeat(501)],
    ['terms_url', 'http://app.example.com/terms'],
    ['privacy_url', 'javascript:alert(1)'],
    ['visibility', 'public'],
    ['publish_state', 'approved'],
    ['client_id', 'elk_ci_mine'],
    ['client_secret', 'elk_cs_mine'],
  ])('refuses %s = %j and stores nothing', async (field, value) => {
    const { apiKey, orgId } = await newTenant();
    const error = expectError(await create(apiKey, { ...validApplication, [field]: value }), 400, 'validation_failed');
    expect(error.details!.map((d) => d.field)).toEqual([field]);
    expect(await countApplications(orgId)).toBe(0);
  });

  it('lets an API key name an owner who is a member of its organization', async () => {
    const { apiKey, orgId } = await newTenant();
    const { userId } = await addMember(orgId, { role: 'admin' });
    expect((await newApplication(apiKey, { owner_user_id: userId })).owner_user_id).toBe(userId);
  });

  it('refuses an owner from another organization, the same as an unknown one', async () => {
    const { apiKey, orgId } = await newTenant();
    const other = await newTenant('Other');
    const { userId } = await addMember(other.orgId);
    for (const owner of [userId, 'usr_0000000000000000000000']) {
      const error = expectError(await create(apiKey, { ...validApplication, owner_user_id: owner }), 400, 'validation_failed');
      expect(error.details).toEqual([{ location: 'body', field: 'owner_user_id', message: 'is not a member of the organization' }]);
    }
    expect(await countApplications(orgId)).toBe(0);
  });

  it("accepts the API key's own organization_id and answers 404 for another's", async () => {
    const { apiKey, orgId } = await newTenant();
    const other = await newTenant('Other');
    expect((await newApplication(apiKey, { organization_id: orgId })).organization_id).toBe(orgId);
    expectError(await create(apiKey, { ...validApplication, organization_id: other.orgId }), 404, 'not_found');
    expect(await countApplications(other.orgId)).toBe(0);
  });

  it('needs an organization credential', async () => {
    expectError(await create('', validApplication), 401, 'unauthorized');
    const { TEST_ADMIN_TOKEN } = await import('../helpers/secrets');
    expectError(await call('/api/v1/applications', { method: 'POST', token: TEST_ADMIN_TOKEN, body: validApplication }), 403, 'forbidden');
  });
});
