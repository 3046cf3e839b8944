import { describe, expect, it } from 'vitest';
import { asOperator, call, newTenant } from '../helpers/api';

describe('operator routes', () => {
  it('creates and lists organizations', async () => {
    const created = await asOperator('/api/v1/admin/organizations', { method: 'POST', body: { name: '  Globex  ' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: expect.stringMatching(/^org_[0-9a-z]{24}$/), name: 'Globex' });
    const list = await asOperator('/api/v1/admin/organizations?limit=200');
    expect(list.status).toBe(200);
    expect(list.json.data.map((o: any) => o.id)).toContain(created.json.id);
  });

  it('creates an API key that sees only its own organization', async () => {
    const a = await newTenant('A');
    const b = await newTenant('B');
    const listA = await call('/api/v1/api_keys', { token: a.apiKey });
    expect(listA.json.data.every((k: any) => k.organization_id === a.orgId)).toBe(true);
    expect(listA.json.data.map((k: any) => k.id)).not.toContain(b.keyId);
  });

  it('gets one organization', async () => {
    const { orgId } = await newTenant('One');
    const res = await asOperator(`/api/v1/admin/organizations/${orgId}`);
    expect(res.status).toBe(200);
    expect(res.json.name).toBe('One');
  });
});
