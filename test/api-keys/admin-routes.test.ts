import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { asOperator, expectError } from '../helpers/api';

describe('POST /api/v1/admin/organizations/{id}/api_keys', () => {
  it('answers 404 for an API key on an unknown organization and stores nothing', async () => {
    const res = await asOperator('/api/v1/admin/organizations/org_0000000000000000000000zz/api_keys', {
      method: 'POST',
      body: { name: 'k' },
    });
    expectError(res, 404, 'not_found');
    const n = await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE org_id = 'org_0000000000000000000000zz'").first<{ n: number }>();
    expect(n!.n).toBe(0);
  });
});
