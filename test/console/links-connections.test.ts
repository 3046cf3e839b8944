import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/api';
import { keyIntegration } from '../links/fixtures';
import { type ConsoleUser, consoleUser, page, submit } from './fixtures';

const linkCount = async (orgId: string) => (await env.DB.prepare('SELECT count(*) AS n FROM links WHERE org_id = ?').bind(orgId).first<{ n: number }>())!.n;

function newLinkForm(integrationId: string, overrides: Record<string, string> = {}): [string, string][] {
  return Object.entries({
    name: 'Onboarding for Acme',
    end_user_id: 'acme-user-7',
    end_user_email: 'ada@acme.example',
    end_user_display_name: 'Ada',
    integration_ids: integrationId,
    expires_in: '604800',
    max_uses: '1',
    redirect_url: 'https://app.acme.example/connected',
    ...overrides,
  });
}

async function createLinkInConsole(user: ConsoleUser, integrationId: string) {
  const res = await submit(user, '/console/links/new', newLinkForm(integrationId));
  expect(res.status, res.text).toBe(303);
  const location = res.headers.get('location')!;
  expect(location).toMatch(/^\/console\/links\/lnk_[A-Za-z0-9]+\?done=created$/);
  return location.split('?')[0]!.split('/').pop()!;
}

/** A stored API-key connection, as the link page's form would leave it. */
async function keyConnection(user: ConsoleUser, integrationId: string, endUserId: string) {
  const res = await call('/api/v1/connections', {
    method: 'POST',
    token: user.apiKey,
    body: {
      integration_id: integrationId,
      end_user: { id: endUserId, display_name: `Person ${endUserId}` },
      provider_account_id: endUserId,
      credentials: { api_key: `sk_test_${endUserId}_secret` },
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

describe('console: Links', () => {
  it('makes a link with + New Link and shows its URL and a Connect button snippet', async () => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const id = await createLinkInConsole(user, stripe.id);
    const api = await call(`/api/v1/links/${id}`, { token: user.apiKey });
    expect(api.json).toMatchObject({
      name: 'Onboarding for Acme',
      integration_ids: [stripe.id],
      max_uses: 1,
      end_user: { id: 'acme-user-7', email: 'ada@acme.example', display_name: 'Ada' },
    });
    const detail = await page(user, `/console/links/${id}?done=created`);
    expect(detail.text).toContain(`<code id="link-url">${api.json.url}</code>`);
    expect(detail.text).toContain(`&lt;a href=&quot;${api.json.url}&quot; target=&quot;_blank&quot; rel=&quot;noopener&quot;&gt;Connect&lt;/a&gt;`);
    expect(detail.headers.get('cache-control')).toBe('no-store');
    const list = await page(user, '/console/links');
    expect(list.text).toContain(`<a href="/console/links/${id}">Onboarding for Acme</a>`);
    expect((await page(user, `/console/oauth/${stripe.id}/links`)).text).toContain(`<a href="/console/links/${id}">Onboarding for Acme</a>`);
  });

  it.each([
    ['a private redirect URL', { redirect_url: 'https://10.0.0.1/done' }, 'Redirect URL: '],
    ['zero uses', { max_uses: '0' }, 'Maximum uses: must be at least 1'],
    ['a missing end user id', { end_user_id: '' }, 'End user ID: '],
    ['a bad email', { end_user_email: 'not-an-email' }, 'Email: must be an email address'],
  ])('refuses %s with the API’s message and stores nothing', async (_, overrides, message) => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const res = await submit(user, '/console/links/new', newLinkForm(stripe.id, overrides));
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect(res.text).toContain('value="Onboarding for Acme"');
    expect(await linkCount(user.orgId)).toBe(0);
  });

  it('disables a link and deletes it', async () => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const id = await createLinkInConsole(user, stripe.id);
    const off = await submit(user, `/console/links/${id}/disabled`, [['disabled', 'yes']]);
    expect(off.headers.get('location')).toBe(`/console/links/${id}?done=disabled`);
    expect((await call(`/api/v1/links/${id}`, { token: user.apiKey })).json.status).toBe('disabled');
    const gone = await submit(user, `/console/links/${id}/delete`, []);
    expect(gone.headers.get('location')).toBe('/console/links?done=deleted');
    expect((await call(`/api/v1/links/${id}`, { token: user.apiKey })).status).toBe(404);
  });

  it("answers another organization's link as not found, and changes nothing of it", async () => {
    const user = await consoleUser();
    const other = await consoleUser();
    const id = await createLinkInConsole(other, (await keyIntegration(other.apiKey)).id);
    expect((await page(user, `/console/links/${id}`)).status).toBe(404);
    expect((await submit(user, `/console/links/${id}/delete`, [])).status).toBe(404);
    expect((await call(`/api/v1/links/${id}`, { token: other.apiKey })).status).toBe(200);
  });
});

describe('console: Connections', () => {
  it('lists connections with their status, filters them, and never shows a credential', async () => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const fine = await keyConnection(user, stripe.id, 'fine');
    const broken = await keyConnection(user, stripe.id, 'broken');
    await env.DB.prepare("UPDATE connections SET status = 'needs_reauth', last_refresh_error = 'invalid_grant: token revoked' WHERE id = ?").bind(broken).run();
    const all = await page(user, '/console/connections');
    expect(all.text).toContain('<span class="badge ok">active</span>');
    expect(all.text).toContain('<span class="badge warn">needs_reauth</span>');
    expect(all.text).toContain('invalid_grant: token revoked');
    expect(all.text).not.toContain('_secret');
    const onlyBroken = await page(user, '/console/connections?status=needs_reauth');
    expect(onlyBroken.text).toContain('Person broken');
    expect(onlyBroken.text).not.toContain('Person fine');
    const byUser = await page(user, '/console/connections?end_user_id=fine');
    expect(byUser.text).toContain('Person fine');
    expect(byUser.text).not.toContain('Person broken');
    expect((await page(user, `/console/oauth/${stripe.id}/connections`)).text).toContain('Person fine');
    expect(fine).not.toBe(broken);
  });

  it('answers a bad filter with the API’s message', async () => {
    const user = await consoleUser();
    const res = await page(user, '/console/connections?status=sleeping');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Invalid request: check status.');
  });

  it('makes a single-use reconnect link for a connection that needs reauthorization', async () => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const id = await keyConnection(user, stripe.id, 'lapsed');
    await env.DB.prepare("UPDATE connections SET status = 'needs_reauth' WHERE id = ?").bind(id).run();
    const res = await submit(user, `/console/connections/${id}/reconnect-link`, []);
    expect(res.status).toBe(303);
    const linkId = res.headers.get('location')!.split('?')[0]!.split('/').pop()!;
    const link = await call(`/api/v1/links/${linkId}`, { token: user.apiKey });
    expect(link.json).toMatchObject({ integration_ids: [stripe.id], max_uses: 1, end_user: { id: 'lapsed', display_name: 'Person lapsed' }, status: 'active' });
  });

  it('deletes a connection', async () => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const id = await keyConnection(user, stripe.id, 'leaving');
    const res = await submit(user, `/console/connections/${id}/delete`, [['return_to', '/console/connections']]);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/connections?done=deleted');
    expect((await call(`/api/v1/connections/${id}`, { token: user.apiKey })).status).toBe(404);
  });

  it('refuses a member’s delete', async () => {
    const member = await consoleUser('member');
    const stripe = await keyIntegration(member.apiKey);
    const id = await keyConnection(member, stripe.id, 'kept');
    expect((await page(member, '/console/connections')).text).not.toContain('/delete');
    expect((await submit(member, `/console/connections/${id}/delete`, [])).status).toBe(403);
    expect((await call(`/api/v1/connections/${id}`, { token: member.apiKey })).status).toBe(200);
  });
});
