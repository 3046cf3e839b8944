import { describe, expect, it } from 'vitest';
import { sharedBrowser } from './helpers/browser';
import { asOperator, http, newTenant, workerUrl } from './helpers/api';

// The built-in `off_edgelink` offering: Edgelink's connect flow against Edgelink's own OAuth
// server, which is what a fresh `npm run dev` link demonstrates.
describe('Edgelink connects to itself', () => {
  const browser = sharedBrowser();

  it('through a link, sign-in and consent, and the stored token works on the API', async () => {
    const { orgId, apiKey } = await newTenant('Self org');
    const email = `self-${Date.now()}@example.test`;
    const password = 'another long password';
    await asOperator(`/api/v1/admin/organizations/${orgId}/users`, { method: 'POST', body: { email, password, role: 'owner' } });
    const app = await http('/api/v1/applications', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Edgelink itself', redirect_uris: [`${workerUrl()}/api/v1/oauth/callback`] },
    });
    const integration = await http('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: {
        name: 'Edgelink',
        offering_id: 'off_edgelink',
        client_id: app.json.client_id,
        client_secret: app.json.client_secret,
        scopes: ['all.full_access', 'offline_access'],
      },
    });
    expect(integration.status).toBe(201);
    expect(integration.json.connectable).toBe(true);
    const link = await http('/api/v1/links', { method: 'POST', token: apiKey, body: { name: 'Self', end_user: { id: 'self-user' } } });

    const page = await browser().newPage();
    await page.goto(link.json.url);
    await page
      .getByRole('button', { name: /connect/i })
      .first()
      .click();
    await page.getByLabel(/email/i).fill(email);
    await page.getByLabel(/password/i).fill(password);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.pathname === '/api/v1/oauth/callback');
    await expect(page.locator('h1').textContent()).resolves.toMatch(/connected/i);

    const connections = await http('/api/v1/connections?end_user_id=self-user', { token: apiKey });
    expect(connections.json.data).toHaveLength(1);
    const token = await http(`/api/v1/connections/${connections.json.data[0].id}/token`, { token: apiKey });
    expect(token.json.access_token).toMatch(/^elk_at_/);
    const viaToken = await http('/api/v1/links', { token: token.json.access_token });
    expect(viaToken.status).toBe(200);
    const after = await http(`/api/v1/integrations/${integration.json.id}`, { token: apiKey });
    expect(after.json.status).toBe('configured');
  });
});
