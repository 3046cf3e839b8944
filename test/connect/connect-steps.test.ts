import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stateKey } from '../../src/connect/state';
import { decrypt, parseKeyring, sha256Hex } from '../../src/lib/crypto';
import { BASE, call, newTenant, cookieSet } from '../helpers/api';
import { oauthError, stubProvider } from '../helpers/outbound';
import { browse, countRows, keyIntegration, newLink, postForm, salesforceIntegration } from '../links/fixtures';

afterEach(() => vi.restoreAllMocks());

const STRIPE_KEY = 'sk_test_51DoNotLeakThisKey0123456789';

const connectPath = (link: { token: string }, integration: { id: string }) => `/link/${link.token}/connect/${integration.id}`;

const stripeBalance = (status = 200) =>
  new Response(JSON.stringify(status === 200 ? { object: 'balance' } : { error: { type: 'invalid_request_error' } }), {
    status,
    headers: { 'content-type': 'application/json' },
  });

async function linkUses(linkId: string) {
  return (await env.DB.prepare('SELECT uses FROM links WHERE id = ?').bind(linkId).first<{ uses: number }>())!.uses;
}

describe('starting an OAuth connection', () => {
  it('answers 302 to the provider with state and PKCE, binds the browser by cookie and remembers the flow', async () => {
    const { apiKey, orgId } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    const link = await newLink(apiKey);
    const res = await postForm(connectPath(link, sf));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://login.salesforce.com/services/oauth2/authorize');
    expect(location.searchParams.get('client_id')).toBe('sf-client');
    expect(location.searchParams.get('redirect_uri')).toBe(`${BASE}/api/v1/oauth/callback`);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = location.searchParams.get('state')!;
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const cookie = cookieSet(res.headers)!;
    expect(cookie).toMatch(/^elk_flow=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');

    const flow = JSON.parse((await env.KV.get(stateKey(await sha256Hex(state))))!);
    expect(flow).toMatchObject({ orgId, linkId: link.id, integrationId: sf.id, endUser: { id: 'user-42', email: 'ada@example.com', name: 'Ada' } });
    expect(flow.bindingHash).toBe(await sha256Hex(cookie.split(';')[0]!.split('=')[1]!));
    // Starting a flow is not yet a use: the callback counts it when the connection is made.
    expect(await linkUses(link.id)).toBe(0);
  });

  it('shows a form for end-user inputs, and sends the browser to the host typed there', async () => {
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    const link = await newLink(apiKey);
    const form = await call(connectPath(link, sf));
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="my_domain"');
    expect(form.text).toContain('<label for="field-my_domain">');
    // The typed host is not known when the page is sent, so form-action allows https.
    expect(form.headers.get('content-security-policy')).toContain("form-action 'self' https:");
    const res = await postForm(connectPath(link, sf), { my_domain: 'acme.my.salesforce.com' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^https:\/\/acme\.my\.salesforce\.com\/services\/oauth2\/authorize\?/);
  });

  it('shows the form again with the problem when an input is malformed', async () => {
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    const link = await newLink(apiKey);
    const res = await postForm(connectPath(link, sf), { my_domain: 'evil.example/x' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('role="alert"');
    expect(res.text).toContain('Salesforce login host (My Domain)');
    expect(res.text).toContain('aria-invalid="true"');
    expect(cookieSet(res.headers)).toBeNull();
  });

  it("ignores fields that would override the integration's own settings", async () => {
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    const link = await newLink(apiKey);
    const res = await postForm(connectPath(link, sf), { client_id: 'attacker', redirect_uri: 'https://evil.example/' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('client_id')).toBe('sf-client');
    expect(location.searchParams.get('redirect_uri')).toBe(`${BASE}/api/v1/oauth/callback`);
  });

  it('starts nothing on GET when there is nothing to ask: it shows a button that posts the start', async () => {
    const { apiKey } = await newTenant();
    const provider = stubProvider(() => oauthError('invalid_grant'));
    const google = await call('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Google', offering_id: 'off_google', client_id: 'g-client', client_secret: 'g-secret' },
    });
    provider.restore();
    expect(google.json.status).toBe('configured');
    const link = await newLink(apiKey);
    const kvBefore = (await env.KV.list({ prefix: 'flow:' })).keys.length;
    const page = await browse(connectPath(link, google.json));
    expect(page.status).toBe(200);
    expect(page.headers.get('location')).toBeNull();
    expect(cookieSet(page.headers)).toBeNull();
    expect(page.text).toContain(`<form method="post" action="${connectPath(link, google.json)}"`);
    expect(page.text).toMatch(/<button type="submit">Continue to Google<\/button>/);
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self' https://accounts.google.com");
    expect((await env.KV.list({ prefix: 'flow:' })).keys.length).toBe(kvBefore);

    const res = await postForm(connectPath(link, google.json));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^https:\/\/accounts\.google\.com\//);
    expect(cookieSet(res.headers)).toMatch(/^elk_flow=/);
  });

  it('refuses cross-site posts, storing no flow', async () => {
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    const link = await newLink(apiKey);
    const kvBefore = (await env.KV.list({ prefix: 'flow:' })).keys.length;
    for (const headers of [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example', 'sec-fetch-site': '' },
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
      { origin: '', 'sec-fetch-site': 'same-site' },
      { origin: '', 'sec-fetch-site': '' },
    ]) {
      const sent = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''));
      const res = await browse(connectPath(link, sf), {
        method: 'POST',
        rawBody: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...sent },
      });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.text).toContain('sent from another site');
      expect(cookieSet(res.headers)).toBeNull();
    }
    expect((await env.KV.list({ prefix: 'flow:' })).keys.length).toBe(kvBefore);
  });

  it('accepts our own posts whether the browser sends Sec-Fetch-Site or only Origin', async () => {
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    const link = await newLink(apiKey);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    // Referrer-Policy: no-referrer makes browsers send `Origin: null` on our own forms.
    const viaFetchSite = await browse(connectPath(link, sf), {
      method: 'POST',
      rawBody: '',
      headers: { ...form, origin: 'null', 'sec-fetch-site': 'same-origin' },
    });
    expect(viaFetchSite.status).toBe(302);
    const viaOrigin = await browse(connectPath(link, sf), { method: 'POST', rawBody: '', headers: { ...form, origin: BASE } });
    expect(viaOrigin.status).toBe(302);
  });

  it('refuses an integration the link does not offer, and one of another organization', async () => {
    const other = await newTenant('Other');
    const theirs = await keyIntegration(other.apiKey);
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    const stripe = await keyIntegration(apiKey);
    const link = await newLink(apiKey, { integration_ids: [stripe.id] });
    for (const integration of [sf, theirs]) {
      const get = await browse(connectPath(link, integration));
      expect(get.status).toBe(404);
      expect(get.text).toContain('This service is not available');
      const post = await postForm(connectPath(link, integration));
      expect(post.status).toBe(404);
      expect(post.headers.get('location')).toBeNull();
    }
  });

  it('refuses to start from an expired, used-up or disabled link', async () => {
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    const expired = await newLink(apiKey, { expires_in: 60 });
    await env.DB.prepare('UPDATE links SET expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1, expired.id)
      .run();
    const usedUp = await newLink(apiKey, { max_uses: 1 });
    await env.DB.prepare('UPDATE links SET uses = 1 WHERE id = ?').bind(usedUp.id).run();
    const disabled = await newLink(apiKey);
    await call(`/api/v1/links/${disabled.id}`, { method: 'PATCH', token: apiKey, body: { disabled: true } });
    for (const [link, status] of [
      [expired, 410],
      [usedUp, 410],
      [disabled, 403],
    ] as const) {
      const res = await postForm(connectPath(link, sf));
      expect(res.status).toBe(status);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('answers an unknown token or malformed integration id with the 404 page', async () => {
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    const link = await newLink(apiKey);
    expect((await call(`/link/${'B'.repeat(43)}/connect/${sf.id}`)).status).toBe(404);
    const malformed = await call(`/link/${link.token}/connect/not-an-id`);
    expect(malformed.status).toBe(404);
    expect(malformed.text).toContain('This link does not work');
  });
});

describe('connecting with an API key', () => {
  it('shows a form with a password field kept out of autofill', async () => {
    const { apiKey } = await newTenant();
    const stripe = await keyIntegration(apiKey);
    const link = await newLink(apiKey);
    const res = await call(connectPath(link, stripe));
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<input id="field-api_key" name="api_key" type="password"[^>]*autocomplete="off"/);
    expect(res.text).toContain('<label for="field-api_key">');
    expect(res.text).toContain(`<form method="post" action="${connectPath(link, stripe)}"`);
    expect(res.text).not.toMatch(/<script/i);
  });

  it('verifies the key, stores it encrypted and counts a use; the key appears in no response or log', async () => {
    const { apiKey, orgId } = await newTenant();
    const stripe = await keyIntegration(apiKey);
    const link = await newLink(apiKey, { max_uses: 3 });
    const logs: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));
    }
    const provider = stubProvider(() => stripeBalance(200));
    const res = await postForm(connectPath(link, stripe), { api_key: `  ${STRIPE_KEY}\n` });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Stripe is connected');
    expect(res.text).not.toContain(STRIPE_KEY);
    expect(provider.seen).toHaveLength(1);
    expect(provider.seen[0]!.url).toBe('https://api.stripe.com/v1/balance');
    expect(provider.seen[0]!.headers.get('authorization')).toBe(`Bearer ${STRIPE_KEY}`);

    expect(await linkUses(link.id)).toBe(1);
    const list = await call(`/api/v1/connections?link_id=${link.id}`, { token: apiKey });
    expect(list.json.data).toHaveLength(1);
    expect(list.json.data[0]).toMatchObject({ integration_id: stripe.id, link_id: link.id, status: 'active', end_user: { id: 'user-42' } });
    expect(list.text).not.toContain(STRIPE_KEY);
    const rows = await env.DB.prepare('SELECT * FROM connections WHERE org_id = ?').bind(orgId).all<Record<string, unknown>>();
    expect(JSON.stringify(rows.results)).not.toContain(STRIPE_KEY);
    const row = rows.results[0]!;
    const keyring = await parseKeyring(env.ENCRYPTION_KEYS);
    expect(await decrypt(keyring, row.access_token_enc as string, `connections/${row.id}/access_token`)).toContain(STRIPE_KEY);
    expect(logs.join('\n')).not.toContain(STRIPE_KEY);
    expect(await countRows('connections', orgId)).toBe(1);
  });

  it('shows the form again with 400 when the provider refuses the key, storing nothing', async () => {
    const { apiKey, orgId } = await newTenant();
    const stripe = await keyIntegration(apiKey);
    const link = await newLink(apiKey);
    stubProvider(() => stripeBalance(401));
    const res = await postForm(connectPath(link, stripe), { api_key: STRIPE_KEY });
    expect(res.status).toBe(400);
    expect(res.text).toContain('refused');
    expect(res.text).toContain('role="alert"');
    expect(res.text).toContain('type="password"');
    expect(res.text).not.toContain(STRIPE_KEY);
    expect(await countRows('connections', orgId)).toBe(0);
    expect(await linkUses(link.id)).toBe(0);
  });

  it('says so when the provider cannot be reached, storing nothing', async () => {
    const { apiKey, orgId } = await newTenant();
    const stripe = await keyIntegration(apiKey);
    const link = await newLink(apiKey);
    stubProvider(() => {
      throw new TypeError('Network connection lost.');
    });
    const res = await postForm(connectPath(link, stripe), { api_key: STRIPE_KEY });
    expect(res.status).toBe(502);
    expect(res.text).toContain('could not be reached');
    expect(res.text).not.toContain(STRIPE_KEY);
    expect(await countRows('connections', orgId)).toBe(0);
  });

  it('asks for a missing key without calling the provider', async () => {
    const { apiKey } = await newTenant();
    const stripe = await keyIntegration(apiKey);
    const link = await newLink(apiKey);
    const provider = stubProvider(() => stripeBalance(200));
    const res = await postForm(connectPath(link, stripe), { api_key: '   ' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('is required');
    expect(provider.seen).toHaveLength(0);
  });

  it('refuses to connect once a single-use link is used up', async () => {
    const { apiKey, orgId } = await newTenant();
    const stripe = await keyIntegration(apiKey);
    const link = await newLink(apiKey, { max_uses: 1 });
    stubProvider(() => stripeBalance(200));
    expect((await postForm(connectPath(link, stripe), { api_key: STRIPE_KEY })).status).toBe(200);
    const again = await postForm(connectPath(link, stripe), { api_key: `${STRIPE_KEY}-second` });
    expect(again.status).toBe(410);
    expect(again.text).toContain('used up');
    expect(await countRows('connections', orgId)).toBe(1);
    expect((await call(`/link/${link.token}`)).status).toBe(410);
  });

  it('lets only one of two simultaneous connections through a single-use link', async () => {
    const { apiKey, orgId } = await newTenant();
    const stripe = await keyIntegration(apiKey);
    const link = await newLink(apiKey, { max_uses: 1 });
    stubProvider(() => stripeBalance(200));
    const results = await Promise.all([
      postForm(connectPath(link, stripe), { api_key: `${STRIPE_KEY}-a` }),
      postForm(connectPath(link, stripe), { api_key: `${STRIPE_KEY}-b` }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 410]);
    expect(await countRows('connections', orgId)).toBe(1);
    expect(await linkUses(link.id)).toBe(1);
  });

  it("redirects to the link's redirect_url with the connection id and status", async () => {
    const { apiKey } = await newTenant();
    const stripe = await keyIntegration(apiKey);
    const link = await newLink(apiKey, { redirect_url: 'https://app.example.com/connected?step=2' });
    const form = await call(connectPath(link, stripe));
    expect(form.headers.get('content-security-policy')).toContain("form-action 'self' https://app.example.com");
    stubProvider(() => stripeBalance(200));
    const res = await postForm(connectPath(link, stripe), { api_key: STRIPE_KEY });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://app.example.com/connected');
    expect(location.searchParams.get('step')).toBe('2');
    expect(location.searchParams.get('status')).toBe('connected');
    expect(location.searchParams.get('connection_id')).toMatch(/^con_/);
    expect(res.headers.get('location')).not.toContain(STRIPE_KEY);
  });

  it('shows the result page instead of a stored redirect_url the outbound-URL policy refuses', async () => {
    const { apiKey } = await newTenant();
    const stripe = await keyIntegration(apiKey);
    const link = await newLink(apiKey, { redirect_url: 'https://app.example.com/connected' });
    await env.DB.prepare('UPDATE links SET redirect_url = ? WHERE id = ?').bind('https://169.254.169.254/latest', link.id).run();
    stubProvider(() => stripeBalance(200));
    const res = await postForm(connectPath(link, stripe), { api_key: STRIPE_KEY });
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.text).toContain('Stripe is connected');
  });

  it('updates the same connection when the end user enters a new key for the same account', async () => {
    const { apiKey, orgId } = await newTenant();
    const twilio = await keyIntegration(apiKey, 'off_twilio', 'Twilio');
    const link = await newLink(apiKey);
    stubProvider(() => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }));
    const first = await postForm(connectPath(link, twilio), { account_sid: 'AC123', auth_token: 'first-token' });
    expect(first.status).toBe(200);
    expect(first.text).toContain('now connected');
    const second = await postForm(connectPath(link, twilio), { account_sid: 'AC123', auth_token: 'second-token' });
    expect(second.status).toBe(200);
    expect(second.text).toContain('has been updated');
    expect(await countRows('connections', orgId)).toBe(1);
    const page = await call(`/link/${link.token}`);
    expect(page.text).toContain('Connected ✓');
  });
});
