import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { sharedBrowser } from './helpers/browser';
import { asOperator, http, newTenant, workerUrl } from './helpers/api';

// An independent client of Edgelink's own authorization server: openid-client does discovery
// and every grant; Chromium signs in and clicks Allow on the consent page.
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

describe('Edgelink as an OAuth server, driven by openid-client', () => {
  const browser = sharedBrowser();

  it('discovery, code + PKCE with consent, refresh with rotation, client credentials, introspection, revocation', async () => {
    const { orgId, apiKey } = await newTenant('OAuth org');
    const email = `owner-${Date.now()}@example.test`;
    const password = 'a long enough password';
    const user = await asOperator(`/api/v1/admin/organizations/${orgId}/users`, { method: 'POST', body: { email, password, role: 'owner' } });
    expect(user.status).toBe(201);
    const app = await http('/api/v1/applications', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Report builder', description: 'Reads connections to build reports.', redirect_uris: [REDIRECT_URI] },
    });
    expect(app.status).toBe(201);

    const config = await client.discovery(new URL(workerUrl()), app.json.client_id, undefined, client.ClientSecretBasic(app.json.client_secret), {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
    });
    expect(config.serverMetadata().token_endpoint).toBe(`${workerUrl()}/oauth/token`);

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'all.full_access offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });

    const page = await browser().newPage();
    let callbackUrl: URL | undefined;
    await page.route(`${REDIRECT_URI}**`, async (route) => {
      callbackUrl = new URL(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'back at the client' });
    });
    await page.goto(authorizationUrl.href);
    await page.getByLabel(/email/i).fill(email);
    await page.getByLabel(/password/i).fill(password);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.getByRole('heading', { name: /allow report builder/i }).waitFor();
    await expect(page.getByText('Do everything your organization can do')).toBeTruthy();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.href.startsWith(REDIRECT_URI));
    expect(callbackUrl?.searchParams.get('iss')).toBe(workerUrl());

    const tokens = await client.authorizationCodeGrant(config, callbackUrl!, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.access_token).toMatch(/^elk_at_/);
    expect(tokens.refresh_token).toMatch(/^elk_rt_/);

    // The token works on the management API.
    const integrations = await http('/api/v1/integrations', { token: tokens.access_token });
    expect(integrations.status).toBe(200);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    const machine = await client.clientCredentialsGrant(config, { scope: 'integrations.read' });
    expect(machine.refresh_token).toBeUndefined();
    const introspected = await client.tokenIntrospection(config, machine.access_token);
    expect(introspected).toMatchObject({ active: true, scope: 'integrations.read', client_id: app.json.client_id });

    await client.tokenRevocation(config, machine.access_token);
    await expect(client.tokenIntrospection(config, machine.access_token)).resolves.toMatchObject({ active: false });
  });
});
