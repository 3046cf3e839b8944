import { afterEach, describe, expect, it, vi } from 'vitest';
import { call } from '../helpers/api';
import { countRows } from '../links/fixtures';
import { callback, provider, revokedTokens, setup, start } from './fixtures';

afterEach(() => vi.restoreAllMocks());

const connectionsOf = async (apiKey: string) => (await call('/api/v1/connections', { token: apiKey })).json.data as any[];

describe('what a token reply may put in a connection', () => {
  it.each(['api_key', 'basic', 'API_KEY'])('keeps a connection OAuth when the provider says token_type %j', async (tokenType) => {
    const { apiKey, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    provider({ token: () => Response.json({ access_token: 'at-1', refresh_token: 'rt-1', token_type: tokenType, expires_in: 3600 }) });
    const res = await callback({ state: flow.state, code: 'code-1' }, flow.cookie);
    expect(res.status).toBe(200);
    const [connection] = await connectionsOf(apiKey);
    const token = await call(`/api/v1/connections/${connection.id}/token`, { token: apiKey });
    expect(token.status).toBe(200);
    expect(token.json).toMatchObject({ access_token: 'at-1' });
    expect(token.json.token_type).not.toMatch(/^(api_key|basic)$/i);
    expect(token.json.credentials).toBeUndefined();
  });

  it.each([
    ['an access token', { access_token: 'a'.repeat(20_000) }],
    ['a refresh token', { refresh_token: 'r'.repeat(20_000) }],
    ['a token type', { token_type: 'x'.repeat(100) }],
    ['a scope list', { scope: Array.from({ length: 300 }, (_, i) => `s${i}`).join(' ') }],
    ['a metadata value', { instance_url: `https://acme.example.test/${'p'.repeat(3000)}` }],
  ])('ends on a clear page and stores nothing when the reply holds an oversized %s', async (_label, change) => {
    const { orgId, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    provider({ token: () => Response.json({ access_token: 'at-1', refresh_token: 'rt-1', token_type: 'Bearer', expires_in: 3600, ...change }) });
    const res = await callback({ state: flow.state, code: 'code-1' }, flow.cookie);
    expect(res.status).toBe(502);
    expect(res.text).toMatch(/too long|too many/);
    expect(await countRows('connections', orgId)).toBe(0);
  });
});

describe('what a userinfo reply may put in a connection', () => {
  const userinfo = (body: Record<string, unknown>) =>
    provider({ userinfo: () => Response.json({ sub: 'acct-1', email: 'ada@idp.test', name: 'Ada', ...body }) });

  it('ends on a clear page, stores nothing and revokes the grant when the account id is over 255 characters', async () => {
    const { orgId, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    const idp = userinfo({ sub: 'a'.repeat(256) });
    const res = await callback({ state: flow.state, code: 'code-1' }, flow.cookie);
    expect(res.status).toBe(502);
    expect(res.text).toContain('account id is too long');
    expect(res.text).not.toContain('a'.repeat(256));
    expect(await countRows('connections', orgId)).toBe(0);
    expect(revokedTokens(idp.seen)).toEqual(['rt-1']);
  });

  it('stores an account id of exactly 255 characters', async () => {
    const { apiKey, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    userinfo({ sub: 'a'.repeat(255) });
    expect((await callback({ state: flow.state, code: 'code-1' }, flow.cookie)).status).toBe(200);
    const [connection] = await connectionsOf(apiKey);
    expect(connection.provider_account_id).toBe('a'.repeat(255));
  });

  it('trims an oversized name to 255 characters and leaves out an email longer than any address can be', async () => {
    const { apiKey, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    userinfo({ name: 'N'.repeat(1000), email: `${'e'.repeat(400)}@idp.test` });
    expect((await callback({ state: flow.state, code: 'code-1' }, flow.cookie)).status).toBe(200);
    const [connection] = await connectionsOf(apiKey);
    expect(connection.account).toEqual({ email: null, name: 'N'.repeat(255) });
  });
});
