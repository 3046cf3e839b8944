import { afterEach, describe, expect, it, vi } from 'vitest';
import { call } from '../helpers/api';
import { expired, oauthTenant, tokenReply } from './fixtures';

afterEach(() => vi.restoreAllMocks());

describe('what a refresh reply may put in a connection', () => {
  it.each(['api_key', 'basic'])('keeps the connection OAuth when the provider says token_type %j', async (tokenType) => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired() });
    t.provider.onRefresh = () => tokenReply({ access_token: 'at-2', refresh_token: 'rt-2', token_type: tokenType, expires_in: 3600 });
    const res = await t.getToken(id);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ access_token: 'at-2' });
    expect(res.json.token_type).not.toMatch(/^(api_key|basic)$/i);
    const again = await t.getToken(id);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ access_token: 'at-2' });
  });

  it('records an error and keeps the old token when the reply holds an oversized access token', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired() });
    t.provider.onRefresh = () => tokenReply({ access_token: 'a'.repeat(20_000), expires_in: 3600 });
    const res = await t.getToken(id);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(600);
    const connection = await call(`/api/v1/connections/${id}`, { token: t.apiKey });
    expect(connection.json.last_refresh_error).toMatch(/too long/);
  });
});
