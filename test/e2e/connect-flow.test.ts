import { describe, expect, inject, it } from 'vitest';
import { REVOKE_PATH } from './peers/oidc-provider';
import { sharedBrowser } from './helpers/browser';
import { http, newTenant, peerOffering } from './helpers/api';

// The product's main job end to end, with real parts only: the Worker in workerd, a certified
// OpenID provider on loopback, and Chromium clicking through both.
describe('connect flow in a real browser against a real provider', () => {
  const browser = sharedBrowser();

  it('connects through the link page, hands out fresh tokens, and notices a revoked grant', async () => {
    const { apiKey } = await newTenant('Browser org');
    const client = inject('oidcClient');
    const integration = await http('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Loopback OP', offering_id: await peerOffering(), client_id: client.client_id, client_secret: client.client_secret },
    });
    expect(integration.json.status).toBe('configured');
    const link = await http('/api/v1/links', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Onboarding', end_user: { id: 'end-user-42', email: 'jo@example.test', display_name: 'Jo' } },
    });
    expect(link.status).toBe(201);

    const page = await browser().newPage();
    await page.goto(link.json.url);
    await expect(page.title()).resolves.toMatch(/connect/i);
    await page
      .getByRole('button', { name: /connect/i })
      .first()
      .click();

    // oidc-provider's own sign-in and consent pages.
    await page.waitForURL((url) => url.origin === inject('oidcIssuer'));
    await page.locator('input[name="login"]').fill('alice');
    await page.locator('input[name="password"]').fill('any-password');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();

    await page.waitForURL((url) => url.pathname === '/api/v1/oauth/callback');
    await expect(page.locator('h1').textContent()).resolves.toMatch(/connected/i);

    const list = await http('/api/v1/connections?end_user_id=end-user-42', { token: apiKey });
    expect(list.json.data).toHaveLength(1);
    const connection = list.json.data[0];
    expect(connection).toMatchObject({ status: 'active', provider_account_id: 'alice', account: { email: 'alice@peer.test' } });

    expect(connection.last_refreshed_at).toBeNull();

    // The provider's tokens live 2 minutes, inside the 5-minute skew: the token route refreshes
    // first, and what it returns works at the provider.
    const token = await http(`/api/v1/connections/${connection.id}/token`, { token: apiKey });
    expect(token.status).toBe(200);
    const afterRefresh = await http(`/api/v1/connections/${connection.id}`, { token: apiKey });
    expect(afterRefresh.json.last_refreshed_at).not.toBeNull();
    const me = await fetch(`${inject('oidcIssuer')}/me`, { headers: { authorization: `Bearer ${token.json.access_token}` } });
    expect(me.status).toBe(200);
    await expect(me.json()).resolves.toMatchObject({ sub: 'alice' });

    // A forced refresh gets a new token from the provider, which also works.
    const refreshed = await http(`/api/v1/connections/${connection.id}/refresh`, { method: 'POST', token: apiKey });
    expect(refreshed.status, refreshed.text).toBe(200);
    const fresh = await http(`/api/v1/connections/${connection.id}/token`, { token: apiKey });
    expect(fresh.json.access_token).not.toBe(token.json.access_token);
    const meAgain = await fetch(`${inject('oidcIssuer')}/me`, { headers: { authorization: `Bearer ${fresh.json.access_token}` } });
    expect(meAgain.status).toBe(200);

    // The user removes the app's access at the provider: the next refresh finds out.
    const revoked = await fetch(`${inject('oidcIssuer')}${REVOKE_PATH}`, { method: 'POST' });
    expect((await revoked.json()).revoked).toBeGreaterThan(0);
    const failed = await http(`/api/v1/connections/${connection.id}/refresh`, { method: 'POST', token: apiKey });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    const after = await http(`/api/v1/connections/${connection.id}`, { token: apiKey });
    expect(after.json.status).toBe('needs_reauth');
  });
});
