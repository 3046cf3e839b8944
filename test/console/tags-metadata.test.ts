import { describe, expect, it } from 'vitest';
import { call } from '../helpers/api';
import { keyIntegration } from '../links/fixtures';
import { type ConsoleUser, consoleUser, page, submit } from './fixtures';

/** An API-key connection with tags and metadata, as the API would leave it. */
async function taggedConnection(user: ConsoleUser, integrationId: string, endUserId: string, extra: Record<string, unknown> = {}) {
  const res = await call('/api/v1/connections', {
    method: 'POST',
    token: user.apiKey,
    body: {
      integration_id: integrationId,
      end_user: { id: endUserId },
      provider_account_id: endUserId,
      credentials: { api_key: `sk_test_${endUserId}_secret` },
      ...extra,
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

const apiConnection = async (user: ConsoleUser, id: string) => (await call(`/api/v1/connections/${id}`, { token: user.apiKey })).json;

describe('console: link tags', () => {
  it('creates a link with tags typed one key=value per line and shows them', async () => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const res = await submit(user, '/console/links/new', [
      ['name', 'Tagged'],
      ['end_user_id', 'tagged-user'],
      ['integration_ids', stripe.id],
      ['tags', 'env=prod\r\n\r\ncustomer = acme\r\n'],
    ]);
    expect(res.status, res.text).toBe(303);
    const id = res.headers.get('location')!.split('?')[0]!.split('/').pop()!;
    expect((await call(`/api/v1/links/${id}`, { token: user.apiKey })).json.tags).toEqual({ env: 'prod', customer: 'acme' });
    const detail = await page(user, `/console/links/${id}`);
    expect(detail.text).toContain('<code>env: prod</code>');
    expect(detail.text).toContain('<code>customer: acme</code>');
  });

  it('shows a bad tag next to the field and in the summary, storing no link', async () => {
    const user = await consoleUser();
    const res = await submit(user, '/console/links/new', [
      ['name', 'Bad tags'],
      ['end_user_id', 'bad-tags-user'],
      ['tags', 'Env=prod'],
    ]);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/<p class="field-error" id="field-tags-error">[^<]*lowercase/);
    expect(res.text).toMatch(/<a href="#field-tags">Tags: [^<]*lowercase/);
    expect(res.text).toContain('Env=prod</textarea>');
    expect((await call('/api/v1/links', { token: user.apiKey })).json.data).toEqual([]);
  });

  it('refuses an 11th tag in the form', async () => {
    const user = await consoleUser();
    const lines = Array.from({ length: 11 }, (_, i) => `k${i}=v${i}`).join('\n');
    const res = await submit(user, '/console/links/new', [
      ['name', 'Too many'],
      ['end_user_id', 'many-tags-user'],
      ['tags', lines],
    ]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('must have at most 10 tags');
  });

  it('lists links with their tags and filters them by one', async () => {
    const user = await consoleUser();
    for (const [name, tags] of [
      ['Prod link', { env: 'prod' }],
      ['Dev link', { env: 'dev' }],
    ] as const) {
      await call('/api/v1/links', { method: 'POST', token: user.apiKey, body: { name, end_user: { id: 'u' }, tags } });
    }
    const filtered = await page(user, '/console/links?tag=env%3Aprod');
    expect(filtered.text).toContain('Prod link');
    expect(filtered.text).not.toContain('Dev link');
    expect(filtered.text).toContain('value="env:prod"');
  });
});

describe('console: connection tags and metadata', () => {
  it('shows tags, metadata as formatted JSON and provider metadata apart on the connection page', async () => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const id = await taggedConnection(user, stripe.id, 'shown', { tags: { env: 'prod' }, metadata: { plan: 'pro', seats: 3 } });
    const detail = await page(user, `/console/connections/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('<code>env: prod</code>');
    expect(detail.text).toContain(`<pre class="snippet">{\n  &quot;plan&quot;: &quot;pro&quot;,\n  &quot;seats&quot;: 3\n}</pre>`);
    expect(detail.text).toContain('Provider metadata');
    expect(detail.text).not.toContain('sk_test_shown_secret');
  });

  it('lets an owner replace tags and metadata with a form post', async () => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const id = await taggedConnection(user, stripe.id, 'edited', { tags: { env: 'prod' }, metadata: { plan: 'pro' } });
    const res = await submit(user, `/console/connections/${id}/data`, [
      ['tags', 'env=staging\nteam=growth'],
      ['metadata', '{"plan": "team", "seats": 5}'],
    ]);
    expect(res.status, res.text).toBe(303);
    expect(res.headers.get('location')).toBe(`/console/connections/${id}?done=saved`);
    const after = await apiConnection(user, id);
    expect(after.tags).toEqual({ env: 'staging', team: 'growth' });
    expect(after.metadata).toEqual({ plan: 'team', seats: 5 });
  });

  it('clears metadata when the field is emptied', async () => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const id = await taggedConnection(user, stripe.id, 'cleared', { metadata: { plan: 'pro' } });
    expect(
      (
        await submit(user, `/console/connections/${id}/data`, [
          ['tags', ''],
          ['metadata', ''],
        ])
      ).status,
    ).toBe(303);
    expect((await apiConnection(user, id)).metadata).toEqual({});
  });

  it.each([
    ['metadata that is not JSON', [['metadata', '{plan: pro}']], 'must be valid JSON'],
    ['metadata that is an array', [['metadata', '["pro"]']], 'must be a JSON object'],
    ['metadata over 8 KiB', [['metadata', JSON.stringify({ k: 'x'.repeat(8200) })]], 'must be at most 8192 bytes'],
    ['a bad tag key', [['tags', 'Bad Key=x']], 'lowercase'],
  ] as [string, [string, string][], string][])('shows %s as a problem, changing nothing', async (_, fields, message) => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const id = await taggedConnection(user, stripe.id, `bad-${Math.random().toString(36).slice(2)}`, { tags: { env: 'prod' }, metadata: { plan: 'pro' } });
    const res = await submit(
      user,
      `/console/connections/${id}/data`,
      [['tags', 'env=prod'], ['metadata', '{"plan":"pro"}'], ...fields].filter(
        // The case's own field wins over the default one of the same name.
        ([name], i, all) => all.findLastIndex(([n]) => n === name) === i,
      ) as [string, string][],
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect(res.text).toContain('id="error-summary"');
    const after = await apiConnection(user, id);
    expect(after.tags).toEqual({ env: 'prod' });
    expect(after.metadata).toEqual({ plan: 'pro' });
  });

  it('shows a member no edit form and refuses their post', async () => {
    const member = await consoleUser('member');
    const stripe = await keyIntegration(member.apiKey);
    const id = await taggedConnection(member, stripe.id, 'member-view', { tags: { env: 'prod' } });
    const detail = await page(member, `/console/connections/${id}`);
    expect(detail.text).toContain('<code>env: prod</code>');
    expect(detail.text).not.toContain(`/console/connections/${id}/data`);
    expect((await submit(member, `/console/connections/${id}/data`, [['tags', 'env=dev']])).status).toBe(403);
    expect((await apiConnection(member, id)).tags).toEqual({ env: 'prod' });
  });

  it("answers another organization's connection as not found", async () => {
    const owner = await consoleUser();
    const other = await consoleUser();
    const stripe = await keyIntegration(owner.apiKey);
    const id = await taggedConnection(owner, stripe.id, 'foreign', { tags: { env: 'prod' } });
    expect((await page(other, `/console/connections/${id}`)).status).toBe(404);
    expect((await submit(other, `/console/connections/${id}/data`, [['tags', 'env=dev']])).status).toBe(404);
    expect((await apiConnection(owner, id)).tags).toEqual({ env: 'prod' });
  });

  it('lists connections with their tags and filters by one', async () => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    await taggedConnection(user, stripe.id, 'in-prod', { tags: { env: 'prod' } });
    await taggedConnection(user, stripe.id, 'in-dev', { tags: { env: 'dev' } });
    const filtered = await page(user, '/console/connections?tag=env%3Aprod');
    expect(filtered.text).toContain('in-prod');
    expect(filtered.text).not.toContain('in-dev');
    expect(filtered.text).toContain('<code>env: prod</code>');
  });

  it('gives a reconnect link the connection’s tags, so reconnecting keeps them', async () => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const id = await taggedConnection(user, stripe.id, 'reconnecting', { tags: { env: 'prod' } });
    const res = await submit(user, `/console/connections/${id}/reconnect-link`, []);
    const linkId = res.headers.get('location')!.split('?')[0]!.split('/').pop()!;
    expect((await call(`/api/v1/links/${linkId}`, { token: user.apiKey })).json.tags).toEqual({ env: 'prod' });
  });
});
