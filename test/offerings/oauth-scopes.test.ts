import { describe, expect, it } from 'vitest';
import { call, expectError } from '../helpers/api';
import { appWithUser, basic, oauthPost } from '../oauth-server/fixtures';

const machineToken = async (f: Awaited<ReturnType<typeof appWithUser>>, scope: string) =>
  JSON.parse(
    (await oauthPost('/oauth/token', { grant_type: 'client_credentials', scope }, { authorization: basic(f.app.client_id, f.app.client_secret) })).text,
  ).access_token as string;

describe('offerings under OAuth scopes', () => {
  it('refuses a connections.read token with 403 insufficient_scope, naming integrations.read', async () => {
    const f = await appWithUser({ scopes: ['integrations.read', 'connections.read'] });
    const res = await call('/api/v1/offerings', { token: await machineToken(f, 'connections.read') });
    expectError(res, 403, 'insufficient_scope');
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="integrations.read"');
  });

  it('lists offerings for an integrations.read token', async () => {
    const f = await appWithUser({ scopes: ['integrations.read', 'connections.read'] });
    const res = await call('/api/v1/offerings', { token: await machineToken(f, 'integrations.read') });
    expect(res.status).toBe(200);
  });
});
