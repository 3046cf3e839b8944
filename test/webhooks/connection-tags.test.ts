import { afterEach, describe, expect, it, vi } from 'vitest';
import { call } from '../helpers/api';
import { oauthTenant } from '../connections/fixtures';
import { configureWebhook } from './fixtures';

afterEach(() => vi.restoreAllMocks());

/** The payloads (exactly the bodies POSTed) of one connection's events, oldest first. */
async function payloadsOf(apiKey: string, connectionId: string) {
  const events = await call('/api/v1/events', { token: apiKey });
  return (events.json.data as { payload: { type: string; data: Record<string, unknown> } }[])
    .map((e) => e.payload)
    .filter((p) => p.data.connection_id === connectionId)
    .reverse();
}

describe('connection event payloads', () => {
  it("carry the connection's tags as they are at each event, and never its metadata", async () => {
    const t = await oauthTenant();
    await configureWebhook(t.apiKey);
    const id = await t.connect({ tags: { env: 'prod' }, metadata: { plan: 'pro' } });
    await call(`/api/v1/connections/${id}`, { method: 'PATCH', token: t.apiKey, body: { tags: { env: 'staging' } } });
    await call(`/api/v1/connections/${id}`, { method: 'DELETE', token: t.apiKey });

    const payloads = await payloadsOf(t.apiKey, id);
    expect(payloads.map((p) => [p.type, p.data.tags])).toEqual([
      ['connection.created', { env: 'prod' }],
      ['connection.updated', { env: 'staging' }],
      ['connection.deleted', { env: 'staging' }],
    ]);
    for (const p of payloads) expect(p.data).not.toHaveProperty('metadata');
  });

  it('carry an empty object when the connection has no tags', async () => {
    const t = await oauthTenant();
    await configureWebhook(t.apiKey);
    const id = await t.connect();
    const [created] = await payloadsOf(t.apiKey, id);
    expect(created!.data.tags).toEqual({});
  });
});
