import { afterEach, describe, expect, it, vi } from 'vitest';
import { call } from '../helpers/api';
import { stubProvider } from '../helpers/outbound';
import { keyIntegration, newLink, postForm } from '../links/fixtures';
import { configureWebhook } from '../webhooks/fixtures';
import { callback, provider, setup, start } from './fixtures';
import { formPath, STRIPE_KEY, stripeBalance } from './grant-fixtures';

afterEach(() => vi.restoreAllMocks());

const connectionsOf = async (apiKey: string) => (await call('/api/v1/connections', { token: apiKey })).json.data as any[];

async function connectThrough(link: { token: string }, integrationId: string) {
  const flow = await start(link, integrationId);
  const res = await callback({ state: flow.state, code: 'code-1' }, flow.cookie);
  expect(res.status).toBe(200);
}

describe("a connection made through a link gets the link's tags", () => {
  it('through the OAuth callback, and its connection.created event carries them', async () => {
    const { apiKey, integrationId, link } = await setup({ tags: { env: 'prod', customer: 'acme' } });
    await configureWebhook(apiKey);
    provider();
    await connectThrough(link, integrationId);
    const [connection] = await connectionsOf(apiKey);
    expect(connection.tags).toEqual({ env: 'prod', customer: 'acme' });
    const events = await call('/api/v1/events?type=connection.created', { token: apiKey });
    expect(events.json.data[0].payload.data.tags).toEqual({ env: 'prod', customer: 'acme' });
    const filtered = await call('/api/v1/connections?tag=customer:acme', { token: apiKey });
    expect(filtered.json.data.map((c: { id: string }) => c.id)).toEqual([connection.id]);
  });

  it("on a reconnect, a link with tags replaces the connection's; a link without any keeps them", async () => {
    const { apiKey, integrationId, link } = await setup();
    provider();
    await connectThrough(link, integrationId);
    const [connection] = await connectionsOf(apiKey);
    await call(`/api/v1/connections/${connection.id}`, { method: 'PATCH', token: apiKey, body: { tags: { set_by: 'api' } } });

    await connectThrough(link, integrationId);
    expect((await connectionsOf(apiKey))[0].tags).toEqual({ set_by: 'api' });

    const tagged = await newLink(apiKey, { tags: { env: 'staging' } });
    await connectThrough(tagged, integrationId);
    const after = await connectionsOf(apiKey);
    expect(after).toHaveLength(1);
    expect(after[0].tags).toEqual({ env: 'staging' });
  });

  it('through the API-key credentials form', async () => {
    const { apiKey } = await setup();
    const stripe = await keyIntegration(apiKey);
    const link = await newLink(apiKey, { tags: { plan: 'enterprise' } });
    stubProvider(() => stripeBalance());
    const res = await postForm(formPath(link, stripe.id), { api_key: STRIPE_KEY });
    expect(res.status).toBe(200);
    const list = await call(`/api/v1/connections?link_id=${link.id}`, { token: apiKey });
    expect(list.json.data).toHaveLength(1);
    expect(list.json.data[0].tags).toEqual({ plan: 'enterprise' });
  });
});
