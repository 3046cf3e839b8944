import { describe, expect, inject, it } from 'vitest';
import { asOperator, http, newTenant, peerOffering } from './helpers/api';
import { sharedBrowser } from './helpers/browser';
import { consolePerson, contextWithClipboard, expectAccessible, signIn } from './helpers/console';

// Verification against a real OpenID provider on loopback (oidc-provider), no HTTP mocks.
describe('integration verification against a real provider', () => {
  it('reaches configured with the right client credentials', async () => {
    const { apiKey } = await newTenant();
    const client = inject('oidcClient');
    const created = await http('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Peer', offering_id: await peerOffering(), client_id: client.client_id, client_secret: client.client_secret },
    });
    expect(created.status).toBe(201);
    expect(created.json.status).toBe('configured');
    expect(created.json.verification).toMatchObject({ result: 'verified', provider_error: 'invalid_grant' });
    expect(created.text).not.toContain(client.client_secret);

    const again = await http(`/api/v1/integrations/${created.json.id}/verify`, { method: 'POST', token: apiKey });
    expect(again.status).toBe(200);
    expect(again.json.status).toBe('configured');
  });

  it('stays draft with invalid_client for a wrong secret', async () => {
    const { apiKey } = await newTenant();
    const created = await http('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Peer', offering_id: await peerOffering(), client_id: inject('oidcClient').client_id, client_secret: 'wrong-secret' },
    });
    expect(created.status).toBe(201);
    expect(created.json.status).toBe('draft');
    expect(created.json.connectable).toBe(false);
    expect(created.json.verification).toMatchObject({ result: 'invalid_credentials', provider_error: 'invalid_client' });
    expect(created.json.verification.message).toMatch(/client id and secret/);
  });

  it('rotating to the right secret by PATCH verifies it again', async () => {
    const { apiKey } = await newTenant();
    const client = inject('oidcClient');
    const created = await http('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Peer', offering_id: await peerOffering(), client_id: client.client_id, client_secret: 'wrong-secret' },
    });
    const patched = await http(`/api/v1/integrations/${created.json.id}`, {
      method: 'PATCH',
      token: apiKey,
      body: { client_secret: client.client_secret },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.status).toBe('configured');
  });

  it('stays draft, not connectable, and schedules a retry when the token endpoint is unreachable', async () => {
    const { apiKey } = await newTenant();
    // Port 9 (discard) on loopback: nothing listens, so the connection is refused.
    const offeringId = await peerOffering('http://127.0.0.1:9/token');
    const created = await http('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Peer', offering_id: offeringId, client_id: 'x', client_secret: 'y' },
    });
    expect(created.status).toBe(201);
    expect(created.json.status).toBe('draft');
    expect(created.json.verification).toMatchObject({ result: 'unreachable', pending_first_connection: false });
    expect(created.json.verification.message).toMatch(/could not be reached|did not answer|failed with HTTP 5/);
    expect(created.json.connectable).toBe(false);
    // Nobody checked the credentials: the background job asks again in a minute.
    expect(Date.parse(created.json.next_verification_at)).toBeGreaterThan(Date.now());
  });
});

describe('console: an integration whose provider could not be reached', () => {
  const browser = sharedBrowser();

  it('says when it retries, is not on the link page, and Verify now configures it once the provider answers', async () => {
    const person = await consolePerson('owner', 'Unreachable org');
    const client = inject('oidcClient');
    const offeringId = await peerOffering('http://127.0.0.1:9/token');
    const created = await http('/api/v1/integrations', {
      method: 'POST',
      token: person.apiKey,
      body: { name: 'Peer Later', offering_id: offeringId, client_id: client.client_id, client_secret: client.client_secret },
    });
    expect(created.json).toMatchObject({ status: 'draft', connectable: false });
    const link = await http('/api/v1/links', { method: 'POST', token: person.apiKey, body: { name: 'Onboarding', end_user: { id: 'e2e-user' } } });

    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await page.goto(link.json.url);
    await expect.poll(() => page.getByRole('heading', { name: 'Nothing to connect yet' }).count()).toBe(1);

    await signIn(page, person, `/console/oauth/${created.json.id}`);
    await expect.poll(() => page.getByText(/Could not reach the provider; retrying at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/).count()).toBe(1);
    await expectAccessible(page);

    // The operator fixes the offering's token URL; the owner does not wait for the background retry.
    const fixed = await asOperator(`/api/v1/admin/offerings/${offeringId}`, { method: 'PATCH', body: { token_url: `${inject('oidcIssuer')}/token` } });
    expect(fixed.status).toBe(200);
    await page.getByRole('button', { name: 'Verify now' }).click();
    await page.waitForURL((url) => url.search === '?done=verified');
    await expect.poll(() => page.getByText('End users can connect accounts.').count()).toBe(1);
    expect(await page.getByText('retrying at').count()).toBe(0);
    await expectAccessible(page);

    await page.goto(link.json.url);
    await expect.poll(() => page.getByRole('heading', { name: 'Peer Later' }).count()).toBe(1);
    await context.close();
  });
});
