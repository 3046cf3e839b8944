import { afterEach, describe, expect, it, vi } from 'vitest';
import { call } from '../helpers/api';
import { keyIntegration } from '../links/fixtures';
import { page, platformAdmin, submit } from './fixtures';

afterEach(() => vi.restoreAllMocks());

/** The request log's line for each request made while `run` runs. */
async function requestLines(run: () => Promise<unknown>) {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  await run();
  vi.restoreAllMocks();
  return lines.filter((l) => l.includes('"msg":"request"')).map((l) => JSON.parse(l) as { route: string; status: number; d1_round_trips: number });
}

describe('console: D1 round trips per page, as the request log counts them', () => {
  it('costs at most 4 round trips on every page, the session check included, the operator’s pages too', async () => {
    // A platform admin sees every page, the operator's too.
    const user = await platformAdmin();
    const stripe = await keyIntegration(user.apiKey);
    const link = await call('/api/v1/links', { method: 'POST', token: user.apiKey, body: { name: 'L', end_user: { id: 'u' } } });
    const app = await call('/api/v1/applications', { method: 'POST', token: user.apiKey, body: { name: 'A', redirect_uris: ['https://a.example/cb'] } });
    const connection = await call('/api/v1/connections', {
      method: 'POST',
      token: user.apiKey,
      body: {
        integration_id: stripe.id,
        end_user: { id: 'round-trips' },
        provider_account_id: 'acct_round_trips',
        credentials: { api_key: 'sk_test_round_trips' },
        tags: { env: 'test' },
      },
    });
    expect(connection.status, connection.text).toBe(201);
    const authorization = await submit(user, '/console/authorizations/create', [
      ['action', 'save'],
      ['type', 'api_key'],
      ['name', 'Round trips key'],
      ['key_label', 'API Key'],
    ]);
    expect(authorization.status, authorization.text).toBe(303);
    const pendingApp = await call('/api/v1/applications', {
      method: 'POST',
      token: user.apiKey,
      body: { name: 'P', redirect_uris: ['https://p.example/cb'], terms_url: 'https://p.example/t', privacy_url: 'https://p.example/p' },
    });
    await call(`/api/v1/applications/${pendingApp.json.id}/publish`, { method: 'POST', token: user.apiKey });
    const paths = [
      '/console/oauth',
      '/console/oauth/create?offering_id=off_salesforce',
      `/console/oauth/${stripe.id}`,
      `/console/oauth/${stripe.id}/links`,
      `/console/oauth/${stripe.id}/connections`,
      '/console/links',
      '/console/links/new',
      `/console/links/${link.json.id}`,
      '/console/connections',
      '/console/settings/developer/oauth-apps',
      `/console/settings/developer/oauth-apps/${app.json.id}/edit`,
      '/console/settings/developer/api-keys',
      '/console/settings/developer/webhooks',
      '/console/settings/developer/notifications',
      `/console/connections/${connection.json.id}`,
      '/console/connections?tag=env:test',
      '/console/authorizations',
      '/console/authorizations/create',
      authorization.headers.get('location')!,
      '/console/admin/offerings',
      '/console/admin/offerings/create',
      '/console/admin/publish-requests',
      '/console/admin/organizations',
      `/console/admin/organizations/${user.orgId}`,
    ];
    const entries = await requestLines(async () => {
      for (const path of paths) expect((await page(user, path)).status, path).toBe(200);
    });
    expect(entries).toHaveLength(paths.length);
    const trips = Object.fromEntries(entries.map((entry, n) => [paths[n]!, entry.d1_round_trips] as const));
    // At least the session check (so the counting is on); at most 4.
    expect(Object.entries(trips).filter(([, n]) => n < 1 || n > 4)).toEqual([]);
  });
});
