import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, expectError, newTenant } from '../helpers/api';

describe('API keys', () => {
  it('creates a key whose secret is shown once and works as a credential', async () => {
    const { apiKey } = await newTenant();
    const created = await call('/api/v1/api_keys', { method: 'POST', token: apiKey, body: { name: 'backend' } });
    expect(created.status).toBe(201);
    expect(created.json.secret).toMatch(/^elk_sk_[A-Za-z0-9_-]{32}$/);
    expect(created.json.prefix).toBe(created.json.secret.slice(0, 11));
    expect(created.json.id).toMatch(/^key_/);

    const list = await call('/api/v1/api_keys', { token: created.json.secret });
    expect(list.status).toBe(200);
    expect(list.json.next_cursor).toBeNull();
    expect(list.json.data.map((k: any) => k.name).sort()).toEqual(['backend', 'test key']);
    expect(list.text).not.toContain(created.json.secret);
    expect(list.json.data.every((k: any) => !('secret' in k))).toBe(true);
  });

  it('stores only the SHA-256 of the secret', async () => {
    const { apiKey, keyId } = await newTenant();
    const row = await env.DB.prepare('SELECT * FROM api_keys WHERE id = ?').bind(keyId).first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(apiKey);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(apiKey)));
    expect(row?.secret_hash).toBe([...digest].map((b) => b.toString(16).padStart(2, '0')).join(''));
  });

  it('records when a key was last used', async () => {
    const { apiKey, keyId } = await newTenant();
    await call('/api/v1/api_keys', { token: apiKey });
    await new Promise((r) => setTimeout(r, 50));
    const row = await env.DB.prepare('SELECT last_used_at FROM api_keys WHERE id = ?').bind(keyId).first<{ last_used_at: number | null }>();
    expect(row?.last_used_at).toBeTypeOf('number');
  });

  it('refuses a revoked key with 401 and keeps the revocation time on a second revoke', async () => {
    const { apiKey } = await newTenant();
    const other = await call('/api/v1/api_keys', { method: 'POST', token: apiKey, body: { name: 'to revoke' } });
    const revoked = await call(`/api/v1/api_keys/${other.json.id}`, { method: 'DELETE', token: apiKey });
    expect(revoked.status).toBe(200);
    expect(revoked.json.revoked_at).toBeTypeOf('string');

    expectError(await call('/api/v1/api_keys', { token: other.json.secret }), 401, 'unauthorized');
    const again = await call(`/api/v1/api_keys/${other.json.id}`, { method: 'DELETE', token: apiKey });
    expect(again.json.revoked_at).toBe(revoked.json.revoked_at);
  });

  it("answers 404 for another organization's key and leaves it working", async () => {
    const a = await newTenant('A');
    const b = await newTenant('B');
    const res = await call(`/api/v1/api_keys/${b.keyId}`, { method: 'DELETE', token: a.apiKey });
    expectError(res, 404, 'not_found');
    expect((await call('/api/v1/api_keys', { token: b.apiKey })).status).toBe(200);
    const listA = await call('/api/v1/api_keys', { token: a.apiKey });
    expect(listA.json.data.map((k: any) => k.id)).not.toContain(b.keyId);
  });

  it('pages through keys with limit and cursor', async () => {
    const { apiKey } = await newTenant();
    for (let i = 0; i < 4; i++) await call('/api/v1/api_keys', { method: 'POST', token: apiKey, body: { name: `k${i}` } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call(`/api/v1/api_keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: apiKey });
      expect(page.status).toBe(200);
      expect(page.json.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.data.map((k: any) => k.id));
      cursor = page.json.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });
});
