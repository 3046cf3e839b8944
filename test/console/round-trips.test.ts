import { afterEach, describe, expect, it, vi } from 'vitest';
import { call } from '../helpers/api';
import { keyIntegration } from '../links/fixtures';
import { consoleUser, page } from './fixtures';

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
  it('costs at most 4 round trips on every page, the session check included', async () => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const link = await call('/api/v1/links', { method: 'POST', token: user.apiKey, body: { name: 'L', end_user: { id: 'u' } } });
    const app = await call('/api/v1/applications', { method: 'POST', token: user.apiKey, body: { name: 'A', redirect_uris: ['https://a.example/cb'] } });
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
    ];
    const entries = await requestLines(async () => {
      for (const path of paths) expect((await page(user, path)).status, path).toBe(200);
    });
    expect(entries).toHaveLength(paths.length);
    for (const [n, entry] of entries.entries()) {
      expect(entry.d1_round_trips, paths[n]).toBeGreaterThanOrEqual(2);
      expect(entry.d1_round_trips, paths[n]).toBeLessThanOrEqual(4);
    }
  });
});
