import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asOperator, call, expectError, newTenant } from '../helpers/api';
import { oauthError } from '../helpers/outbound';
import { countD1RoundTrips, expired, oauthTenant, sleep, tokenReply } from './fixtures';

afterEach(() => vi.restoreAllMocks());

describe('GET /connections/{id}/token', () => {
  it('returns a fresh token as it is, without calling the provider', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ provider_metadata: { instance_url: 'https://acme.example' } });
    const res = await t.getToken(id);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json).toEqual({
      connection_id: id,
      provider_account_id: 'acct-1',
      access_token: 'at-1',
      token_type: 'Bearer',
      expires_at: expect.any(String),
      scopes: ['read', 'write'],
      provider_metadata: { instance_url: 'https://acme.example' },
    });
    expect(t.provider.refreshes()).toHaveLength(0);
  });

  it('answers in one D1 round trip, authentication included', async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    await t.getToken(id); // the key's last use is recorded at most once a minute; get that write out of the way
    await sleep(50);
    const other = countD1RoundTrips();
    try {
      await call(`/api/v1/connections/${id}`, { token: t.apiKey });
    } finally {
      other.restore();
    }
    // The counter sees the Worker's queries: GET connection is a hot route too (hot-routes.ts).
    expect(other.count).toBe(1);
    const counter = countD1RoundTrips();
    let res: Awaited<ReturnType<typeof t.getToken>>;
    try {
      res = await t.getToken(id);
    } finally {
      counter.restore();
    }
    expect(res.status).toBe(200);
    expect(counter.count).toBe(1);
  });

  it('refreshes an expired token first and stores the new one', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired() });
    t.provider.onRefresh = () => tokenReply({ access_token: 'at-2', refresh_token: 'rt-2', expires_in: 3600, instance_url: 'https://new.example' });
    const res = await t.getToken(id);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ access_token: 'at-2', provider_metadata: { instance_url: 'https://new.example' } });
    expect(Date.parse(res.json.expires_at)).toBeGreaterThan(Date.now() + 3500_000);
    const [form] = t.provider.refreshes();
    expect(form!.get('refresh_token')).toBe('rt-1');
    // client_secret_basic: the secret travels in the Authorization header, not the body.
    expect(t.provider.seen.at(-1)!.headers.get('authorization')).toMatch(/^Basic /);
    expect(form!.has('client_secret')).toBe(false);
    const again = await t.getToken(id);
    expect(again.json.access_token).toBe('at-2');
    expect(t.provider.refreshes()).toHaveLength(1);
    const connection = await call(`/api/v1/connections/${id}`, { token: t.apiKey });
    expect(connection.json).toMatchObject({ status: 'active', last_refresh_error: null, last_refreshed_at: expect.any(String) });
  });

  it('refreshes a token that expires within the five-minute skew', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_in: 120 });
    t.provider.onRefresh = () => tokenReply({ access_token: 'at-2', expires_in: 3600 });
    expect((await t.getToken(id)).json.access_token).toBe('at-2');
    expect(t.provider.refreshes()).toHaveLength(1);
  });

  it('keeps the old refresh token when a refresh reply has none, and replaces it when it has one', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired() });
    const replies = [
      { access_token: 'at-2', expires_in: 60 },
      { access_token: 'at-3', refresh_token: 'rt-2', expires_in: 60 },
      { access_token: 'at-4', expires_in: 3600 },
    ];
    t.provider.onRefresh = () => tokenReply(replies.shift()!);
    // expires_in 60 is inside the skew, so every call refreshes.
    expect((await t.getToken(id)).json.access_token).toBe('at-2');
    expect((await t.getToken(id)).json.access_token).toBe('at-3');
    expect((await t.getToken(id)).json.access_token).toBe('at-4');
    expect(t.provider.refreshes().map((f) => f.get('refresh_token'))).toEqual(['rt-1', 'rt-1', 'rt-2']);
  });

  it('lets 50 concurrent callers of an expired connection share exactly one refresh', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired() });
    let issued = 0;
    t.provider.onRefresh = async () => {
      await sleep(200);
      issued++;
      return tokenReply({ access_token: `at-new-${issued}`, refresh_token: `rt-new-${issued}`, expires_in: 3600 });
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => t.getToken(id)));
    expect(t.provider.refreshes()).toHaveLength(1);
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(new Set(results.map((r) => r.json.access_token))).toEqual(new Set(['at-new-1']));
    expect(new Set(results.map((r) => r.json.expires_at)).size).toBe(1);
  });

  it('treats an API-key connection as its stored credentials', async () => {
    const { apiKey } = await newTenant();
    const integration = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: { name: 'Twilio', offering_id: 'off_twilio' } });
    const created = await call('/api/v1/connections', {
      method: 'POST',
      token: apiKey,
      body: {
        integration_id: integration.json.id,
        end_user: { id: 'u-1' },
        provider_account_id: 'AC123',
        credentials: { account_sid: 'AC123', auth_token: 'twilio-secret-token' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain('twilio-secret-token');
    const res = await call(`/api/v1/connections/${created.json.id}/token`, { token: apiKey });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      connection_id: created.json.id,
      provider_account_id: 'AC123',
      token_type: 'basic',
      credentials: { account_sid: 'AC123', auth_token: 'twilio-secret-token' },
      expires_at: null,
      scopes: [],
      provider_metadata: {},
    });
    const forced = await call(`/api/v1/connections/${created.json.id}/refresh`, { method: 'POST', token: apiKey });
    expectError(forced, 409, 'connection_not_refreshable');
  });
});

describe('refresh failures', () => {
  it('marks the connection needs_reauth on invalid_grant and stops calling the provider', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired() });
    t.provider.onRefresh = () =>
      new Response(JSON.stringify({ error: 'invalid_grant', error_description: 'token revoked' }), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      });
    const res = await t.getToken(id);
    const error = expectError(res, 409, 'connection_needs_reauth');
    expect(error.message).toContain('link');
    expect(error.message).toContain('invalid_grant');
    const connection = await call(`/api/v1/connections/${id}`, { token: t.apiKey });
    expect(connection.json).toMatchObject({ status: 'needs_reauth', last_refresh_error: expect.stringContaining('invalid_grant') });
    expectError(await t.getToken(id), 409, 'connection_needs_reauth');
    expectError(await call(`/api/v1/connections/${id}/refresh`, { method: 'POST', token: t.apiKey }), 409, 'connection_needs_reauth');
    expect(t.provider.refreshes()).toHaveLength(1);
    const events = await env.DB.prepare("SELECT payload FROM events WHERE org_id = ? AND type = 'connection.refresh_failed'")
      .bind(t.orgId)
      .all<{ payload: string }>();
    expect(events.results).toHaveLength(1);
    expect(JSON.parse(events.results[0]!.payload).data).toMatchObject({ connection_id: id, status: 'needs_reauth', end_user_id: 'u-1' });
  });

  it('returns the still-valid old token when the provider fails, records the error, and backs off', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_in: 120 });
    t.provider.onRefresh = () => new Response('upstream down', { status: 503 });
    const res = await t.getToken(id);
    expect(res.status).toBe(200);
    expect(res.json.access_token).toBe('at-1');
    const connection = await call(`/api/v1/connections/${id}`, { token: t.apiKey });
    expect(connection.json).toMatchObject({ status: 'active', last_refresh_error: expect.stringContaining('HTTP 503') });
    expect((await t.getToken(id)).json.access_token).toBe('at-1');
    expect(t.provider.refreshes()).toHaveLength(1);
  });

  it('answers 502 when the provider fails and the old token has expired, without retrying during the backoff', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired() });
    t.provider.onRefresh = () => new Response('upstream down', { status: 503 });
    const first = expectError(await t.getToken(id), 502, 'provider_unavailable');
    expect(first.message).toContain('HTTP 503');
    const second = await t.getToken(id);
    expectError(second, 502, 'provider_unavailable');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(t.provider.refreshes()).toHaveLength(1);
  });

  it('doubles the backoff after each failure and clears it after a success', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired() });
    t.provider.onRefresh = () => new Response('<html>maintenance</html>', { status: 200, headers: { 'content-type': 'text/html' } });
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = Date.now();
      expectError(await t.getToken(id), 502, 'provider_unavailable');
      const row = (await env.DB.prepare('SELECT next_refresh_attempt_at AS at, refresh_failures AS n FROM connections WHERE id = ?')
        .bind(id)
        .first<{ at: number; n: number }>())!;
      expect(row.n).toBe(i + 1);
      waits.push(Math.round((row.at - before) / 1000));
      // Let the backoff pass.
      await env.DB.prepare('UPDATE connections SET next_refresh_attempt_at = ? WHERE id = ?')
        .bind(Date.now() - 1, id)
        .run();
    }
    expect(waits[0]).toBeGreaterThanOrEqual(29);
    expect(waits[0]).toBeLessThanOrEqual(31);
    expect(waits[1]).toBeGreaterThanOrEqual(59);
    expect(waits[2]).toBeGreaterThanOrEqual(119);
    t.provider.onRefresh = () => tokenReply({ access_token: 'at-2', expires_in: 3600 });
    expect((await t.getToken(id)).json.access_token).toBe('at-2');
    const connection = await call(`/api/v1/connections/${id}`, { token: t.apiKey });
    expect(connection.json.last_refresh_error).toBeNull();
    expect((await env.DB.prepare('SELECT refresh_failures AS n FROM connections WHERE id = ?').bind(id).first<{ n: number }>())!.n).toBe(0);
  });

  it('answers 504 when the token endpoint times out', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired() });
    t.provider.onRefresh = () => {
      throw new DOMException('The operation timed out.', 'TimeoutError');
    };
    const error = expectError(await t.getToken(id), 504, 'provider_timeout');
    expect(error.message).toContain('did not answer in time');
  });

  it('marks an expired connection without a refresh token needs_reauth', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: expired(), refresh_token: undefined });
    expectError(await t.getToken(id), 409, 'connection_needs_reauth');
    expect(t.provider.refreshes()).toHaveLength(0);
  });
});

describe('POST /connections/{id}/refresh', () => {
  it('refreshes a token that is not due, and never returns a token', async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    t.provider.onRefresh = () => tokenReply({ access_token: 'at-forced', expires_in: 3600 });
    const res = await call(`/api/v1/connections/${id}/refresh`, { method: 'POST', token: t.apiKey });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, status: 'active', last_refreshed_at: expect.any(String) });
    expect(res.text).not.toContain('at-forced');
    expect(t.provider.refreshes()).toHaveLength(1);
    expect((await t.getToken(id)).json.access_token).toBe('at-forced');
  });

  it('reports a failed forced refresh even while the old token is valid', async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    t.provider.onRefresh = () => oauthError('invalid_client', 401);
    const error = expectError(await call(`/api/v1/connections/${id}/refresh`, { method: 'POST', token: t.apiKey }), 502, 'provider_refused');
    expect(error.message).toContain('invalid_client');
    expect((await t.getToken(id)).json.access_token).toBe('at-1');
  });
});

describe('who may read a token', () => {
  it('refuses a revoked API key with 401', async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    expect((await call(`/api/v1/api_keys/${t.keyId}`, { method: 'DELETE', token: t.apiKey })).status).toBe(200);
    expectError(await t.getToken(id), 401, 'unauthorized');
  });

  it('refuses a missing, malformed or unknown credential with 401 and the operator with 403', async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    expectError(await call(`/api/v1/connections/${id}/token`), 401, 'unauthorized');
    expectError(await call(`/api/v1/connections/${id}/token`, { headers: { authorization: 'Basic abc' } }), 401, 'unauthorized');
    expectError(await t.getToken(id, 'elk_sk_unknownunknownunknownunknown'), 401, 'unauthorized');
    expectError(await asOperator(`/api/v1/connections/${id}/token`), 403, 'forbidden');
  });

  it("answers 404 for another organization's connection and 400 for a malformed id", async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    const other = await newTenant('Other');
    expectError(await t.getToken(id, other.apiKey), 404, 'not_found');
    expectError(await t.getToken('not-a-connection'), 400, 'validation_failed');
  });
});

describe('logs', () => {
  it('never carry a token or the client secret, whatever happens to a refresh', async () => {
    const lines: string[] = [];
    for (const level of ['log', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation((...a) => lines.push(a.join(' ')));
    const t = await oauthTenant();
    const down = await t.connect({ provider_account_id: 'down', expires_at: expired(), access_token: 'at-down', refresh_token: 'rt-down' });
    const gone = await t.connect({ provider_account_id: 'gone', expires_at: expired(), access_token: 'at-gone', refresh_token: 'rt-gone' });
    const ok = await t.connect({ provider_account_id: 'ok', expires_at: expired(), access_token: 'at-ok', refresh_token: 'rt-ok' });
    t.provider.onRefresh = (form) => {
      const rt = form.get('refresh_token');
      if (rt === 'rt-down') return new Response('down', { status: 503 });
      if (rt === 'rt-gone') return tokenReply({ error: 'invalid_grant', error_description: 'expired' }, 400);
      return tokenReply({ access_token: 'at-new', refresh_token: 'rt-new', expires_in: 3600 });
    };
    t.provider.onRevoke = () => new Response('oops', { status: 500 });
    await Promise.all([down, gone, ok].map((id) => t.getToken(id)));
    await call(`/api/v1/connections/${ok}`, { method: 'DELETE', token: t.apiKey });
    expect(lines.some((l) => l.includes('token refresh failed'))).toBe(true);
    expect(lines.some((l) => l.includes('provider revocation failed'))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/at-(down|gone|ok|new)|rt-(down|gone|ok|new)|fake-client-secret/);
  });
});
