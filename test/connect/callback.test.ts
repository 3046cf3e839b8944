import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../src/lib/crypto';
import { verifyEdgelinkRedirect } from '../e2e/helpers/verify-redirect.mjs';
import { call } from '../helpers/api';
import { countRows, tokenOf } from '../links/fixtures';
import { callback, IDP, provider, setup, start } from './fixtures';

afterEach(() => vi.restoreAllMocks());

const webhookSecret = async (apiKey: string) =>
  (await call('/api/v1/webhook', { method: 'PUT', token: apiKey, body: { url: 'https://hooks.example.com/x' } })).json.secret as string;

const connectionsOf = async (apiKey: string) => (await call('/api/v1/connections', { token: apiKey })).json.data as any[];

describe('the OAuth callback', () => {
  it('exchanges the code, fetches the account and shows the result page', async () => {
    const { apiKey, orgId, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    const idp = provider();
    const res = await callback({ state: flow.state, code: 'code-1' }, flow.cookie);

    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<h1[^>]*>Connected<\/h1>/);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const exchange = idp.seen.find((r) => r.url === `${IDP}/token`)!;
    const form = new URLSearchParams(exchange.body);
    expect(form.get('code')).toBe('code-1');
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(exchange.headers.get('authorization')).toBe(`Basic ${btoa('cid:client-secret-xyz')}`);

    const [connection] = await connectionsOf(apiKey);
    expect(connection).toMatchObject({
      integration_id: integrationId,
      link_id: link.id,
      provider_account_id: 'acct-1',
      account: { email: 'ada@idp.test', name: 'Ada' },
      end_user: { id: 'user-42' },
      provider_metadata: { instance_url: 'https://acme.example.test' },
      status: 'active',
    });
    const row = await env.DB.prepare('SELECT uses FROM links WHERE id = ?').bind(link.id).first<{ uses: number }>();
    expect(row!.uses).toBe(1);
    expect(await env.KV.get(`flow:${await sha256Hex(flow.state)}`)).toBeNull();
    const events = await call('/api/v1/events', { token: apiKey });
    expect(events.json.data.map((e: any) => e.type)).toContain('connection.created');
    expect(await countRows('connections', orgId)).toBe(1);
  });

  it('updates the same connection when the end user reconnects the same account', async () => {
    const { apiKey, integrationId, link } = await setup();
    provider();
    const first = await start(link, integrationId);
    await callback({ state: first.state, code: 'c1' }, first.cookie);
    const second = await start(link, integrationId);
    const res = await callback({ state: second.state, code: 'c2' }, second.cookie);
    expect(res.text).toContain('reconnected');
    expect(await connectionsOf(apiKey)).toHaveLength(1);
  });

  it('refuses a replayed callback: the code is exchanged once and nothing more is stored', async () => {
    const { apiKey, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    const idp = provider();
    await callback({ state: flow.state, code: 'code-1' }, flow.cookie);
    const replay = await callback({ state: flow.state, code: 'code-1' }, flow.cookie);
    expect(replay.status).toBe(400);
    expect(idp.seen.filter((r) => r.url === `${IDP}/token`)).toHaveLength(1);
    expect(await connectionsOf(apiKey)).toHaveLength(1);
  });

  it('decides single use in D1, even while another KV location still holds the state', async () => {
    const { apiKey, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    const key = `flow:${await sha256Hex(flow.state)}`;
    const stored = (await env.KV.get(key))!;
    const idp = provider();
    await callback({ state: flow.state, code: 'code-1' }, flow.cookie);
    // KV deletes take up to a minute to reach every location: put the state back to play that part.
    await env.KV.put(key, stored, { expirationTtl: 600 });
    const replay = await callback({ state: flow.state, code: 'code-1' }, flow.cookie);
    expect(replay.status).toBe(409);
    expect(replay.text).toContain('already completed');
    expect(idp.seen.filter((r) => r.url === `${IDP}/token`)).toHaveLength(1);
    expect(await connectionsOf(apiKey)).toHaveLength(1);
  });

  it('refuses a forged state without calling the provider', async () => {
    const { orgId, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    const idp = provider();
    const res = await callback({ state: 'forged-state-value', code: 'code-1' }, flow.cookie);
    expect(res.status).toBe(400);
    expect(res.text).toContain('expired');
    expect(idp.seen).toHaveLength(0);
    expect(await countRows('connections', orgId)).toBe(0);
  });

  it('refuses a callback without the cookie of the browser that started it, and lets that browser finish', async () => {
    const { orgId, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    const idp = provider();
    const forwarded = await callback({ state: flow.state, code: 'code-1' });
    expect(forwarded.status).toBe(403);
    expect(forwarded.text).toContain('another browser');
    const otherBrowser = await callback({ state: flow.state, code: 'code-1' }, 'elk_flow=somebody-else');
    expect(otherBrowser.status).toBe(403);
    expect(idp.seen).toHaveLength(0);
    expect(await countRows('connections', orgId)).toBe(0);

    const owner = await callback({ state: flow.state, code: 'code-1' }, flow.cookie);
    expect(owner.status).toBe(200);
  });

  it('shows a clear page when the user denies access, and stores nothing', async () => {
    const { orgId, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    const idp = provider();
    const res = await callback({ state: flow.state, error: 'access_denied', error_description: 'User said no' }, flow.cookie);
    expect(res.status).toBe(400);
    expect(res.text).toContain('You did not allow access');
    expect(idp.seen).toHaveLength(0);
    expect(await countRows('connections', orgId)).toBe(0);
  });

  it('passes the denial on to the redirect_url', async () => {
    const { integrationId, link } = await setup({ redirect_url: 'https://app.example.com/done?from=edgelink' });
    const flow = await start(link, integrationId);
    const res = await callback({ state: flow.state, error: 'access_denied' }, flow.cookie);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://app.example.com/done');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({ from: 'edgelink', status: 'error', error: 'access_denied' });
  });

  it("redirects to the redirect_url with a signature the README's verification accepts", async () => {
    const { apiKey, integrationId, link } = await setup({ redirect_url: 'https://app.example.com/done' });
    const secret = await webhookSecret(apiKey);
    const flow = await start(link, integrationId);
    provider();
    const res = await callback({ state: flow.state, code: 'code-1' }, flow.cookie);
    expect(res.status).toBe(302);
    const params = new URL(res.headers.get('location')!).searchParams;
    const [connection] = await connectionsOf(apiKey);
    expect(params.get('connection_id')).toBe(connection.id);
    expect(params.get('status')).toBe('connected');
    expect(params.get('link_id')).toBe(link.id);
    expect(params.get('end_user_id')).toBe('user-42');
    expect(verifyEdgelinkRedirect(secret, params)).toBe(true);
    for (const [key, value] of [
      ['connection_id', 'con_someoneelse'],
      ['link_id', 'lnk_other'],
      ['end_user_id', 'user-43'],
      ['status', 'error'],
    ]) {
      const tampered = new URLSearchParams(params);
      tampered.set(key!, value!);
      expect(verifyEdgelinkRedirect(secret, tampered), key).toBe(false);
    }
  });

  it('signs an error the end user chose so that it cannot pass for a connection', async () => {
    const { apiKey, integrationId, link } = await setup({ redirect_url: 'https://app.example.com/done' });
    const secret = await webhookSecret(apiKey);
    const flow = await start(link, integrationId);
    // The end user can put anything in `error`: under "{timestamp}.{connection_id}.{status}.{error}"
    // this one signs the same string as status=connected&connection_id=.error.
    const res = await callback({ state: flow.state, error: 'connected.' }, flow.cookie);
    expect(res.status).toBe(302);
    const params = new URL(res.headers.get('location')!).searchParams;
    expect(verifyEdgelinkRedirect(secret, params)).toBe(true);
    const forged = new URLSearchParams(params);
    forged.delete('error');
    forged.set('status', 'connected');
    forged.set('connection_id', '.error');
    expect(verifyEdgelinkRedirect(secret, forged)).toBe(false);
  });

  it('refuses a link disabled while the user was at the provider', async () => {
    const { apiKey, orgId, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    await call(`/api/v1/links/${link.id}`, { method: 'PATCH', token: apiKey, body: { disabled: true } });
    const idp = provider();
    const res = await callback({ state: flow.state, code: 'code-1' }, flow.cookie);
    expect(res.status).toBe(410);
    expect(idp.seen).toHaveLength(0);
    expect(await countRows('connections', orgId)).toBe(0);
  });

  it('shows the result page, not the redirect_url, for errors of a link disabled meanwhile', async () => {
    const { apiKey, integrationId, link } = await setup({ redirect_url: 'https://app.example.com/done' });
    await webhookSecret(apiKey);
    const denied = await start(link, integrationId);
    const withCode = await start(link, integrationId);
    await call(`/api/v1/links/${link.id}`, { method: 'PATCH', token: apiKey, body: { disabled: true } });
    provider();
    const denial = await callback({ state: denied.state, error: 'access_denied' }, denied.cookie);
    expect(denial.status).toBe(400);
    expect(denial.headers.get('location')).toBeNull();
    expect(denial.text).toContain('You did not allow access');
    const refused = await callback({ state: withCode.state, code: 'code-1' }, withCode.cookie);
    expect(refused.status).toBe(410);
    expect(refused.headers.get('location')).toBeNull();
    expect(refused.text).toContain('can no longer connect');
  });

  it('shows the result page when the stored redirect_url is one the outbound-URL policy now refuses', async () => {
    const { apiKey, integrationId, link } = await setup({ redirect_url: 'https://app.example.com/done' });
    // Stored before the policy refused private hosts, or by a path that skipped it.
    await env.DB.prepare('UPDATE links SET redirect_url = ? WHERE id = ?').bind('https://10.0.0.7/done', link.id).run();
    const denied = await start(link, integrationId);
    const denial = await callback({ state: denied.state, error: 'access_denied' }, denied.cookie);
    expect(denial.status).toBe(400);
    expect(denial.headers.get('location')).toBeNull();
    const flow = await start(link, integrationId);
    provider();
    const res = await callback({ state: flow.state, code: 'code-1' }, flow.cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.text).toMatch(/<h1[^>]*>Connected<\/h1>/);
    expect(await connectionsOf(apiKey)).toHaveLength(1);
  });

  it('lets only one of two flows through a single-use link', async () => {
    const { apiKey, integrationId, link } = await setup({ max_uses: 1 });
    const a = await start(link, integrationId);
    const b = await start(link, integrationId);
    provider({ account: 'acct-a' });
    expect((await callback({ state: a.state, code: 'a' }, a.cookie)).status).toBe(200);
    vi.restoreAllMocks();
    provider({ account: 'acct-b' });
    const second = await callback({ state: b.state, code: 'b' }, b.cookie);
    expect(second.status).toBe(410);
    expect(second.text).toContain('used up');
    expect((await connectionsOf(apiKey)).map((c) => c.provider_account_id)).toEqual(['acct-a']);
  });

  it.each([
    ['a 500', () => new Response('boom', { status: 500 }), 502],
    ['an HTML page', () => new Response('<html>login</html>', { status: 200, headers: { 'content-type': 'text/html' } }), 502],
    ['non-JSON text', () => new Response('ok=maybe&&', { status: 200, headers: { 'content-type': 'text/plain' } }), 502],
    ['an OAuth error', () => Response.json({ error: 'invalid_grant' }, { status: 400 }), 502],
    ['a reply without an access token', () => Response.json({ token_type: 'Bearer' }), 502],
    ['a timeout', () => Promise.reject(new DOMException('timed out', 'TimeoutError')), 504],
  ])('ends on a clear page and stores nothing when the token endpoint answers %s', async (_label, reply, status) => {
    const { orgId, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    provider({ token: reply });
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => lines.push(a.join(' ')));
    const res = await callback({ state: flow.state, code: 'secret-code-value' }, flow.cookie);
    expect(res.status).toBe(status);
    expect(res.text).toContain('Open your connect link again');
    expect(await countRows('connections', orgId)).toBe(0);
    const row = await env.DB.prepare('SELECT uses FROM links WHERE id = ?').bind(link.id).first<{ uses: number }>();
    expect(row!.uses).toBe(0);
    const logged = lines.join('\n');
    expect(logged).toContain('oauth callback failed');
    expect(logged).not.toContain('secret-code-value');
    expect(logged).not.toContain(flow.state);
  });

  it('accepts the provider naming itself as the issuer, and refuses another issuer (RFC 9207)', async () => {
    const { orgId, integrationId, link } = await setup();
    provider();
    const wrong = await start(link, integrationId);
    const refused = await callback({ state: wrong.state, code: 'c', iss: 'https://attacker.example' }, wrong.cookie);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('wrong provider');
    expect(await countRows('connections', orgId)).toBe(0);

    const right = await start(link, integrationId);
    const ok = await callback({ state: right.state, code: 'c', iss: IDP }, right.cookie);
    expect(ok.status).toBe(200);
  });

  it('answers a callback without state with a page, not JSON', async () => {
    const res = await callback({ code: 'x' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('text/html');
  });

  it('keeps the connect link token out of every page it renders', async () => {
    const { integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    provider();
    const res = await callback({ state: flow.state, code: 'c' }, flow.cookie);
    expect(res.text).not.toContain(tokenOf(link.url));
    expect(res.text).not.toContain('at-1');
  });
});
