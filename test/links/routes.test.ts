import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../src/lib/crypto';
import { call, expectError, newTenant } from '../helpers/api';
import { countRows, keyIntegration, newLink, salesforceIntegration, tokenOf } from './fixtures';

afterEach(() => vi.restoreAllMocks());

const endUser = { id: 'user-42', email: 'ada@example.com', display_name: 'Ada Lovelace' };

describe('creating a link', () => {
  it('returns the link with a url whose token is only stored hashed and encrypted', async () => {
    const { apiKey } = await newTenant();
    const res = await call('/api/v1/links', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Onboarding', end_user: endUser, max_uses: 1, redirect_url: 'https://app.example.com/done' },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      id: expect.stringMatching(/^lnk_/),
      name: 'Onboarding',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:8787\/link\/[A-Za-z0-9_-]{43}$/),
      integration_ids: null,
      end_user: { id: 'user-42', email: 'ada@example.com', display_name: 'Ada Lovelace' },
      expires_at: null,
      max_uses: 1,
      uses: 0,
      redirect_url: 'https://app.example.com/done',
      disabled: false,
      status: 'active',
    });
    const token = tokenOf(res.json.url);
    const row = await env.DB.prepare('SELECT token_hash, token_enc FROM links WHERE id = ?')
      .bind(res.json.id)
      .first<{ token_hash: string; token_enc: string }>();
    expect(row!.token_hash).toBe(await sha256Hex(token));
    expect(row!.token_enc).toMatch(/^v1\.k2\./);
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('shows the same url again on every later read', async () => {
    const { apiKey } = await newTenant();
    const link = await newLink(apiKey);
    const got = await call(`/api/v1/links/${link.id}`, { token: apiKey });
    expect(got.status).toBe(200);
    expect(got.json.url).toBe(link.url);
    const listed = await call('/api/v1/links', { token: apiKey });
    expect(listed.json.data[0].url).toBe(link.url);
  });

  it('turns expires_in into an expiry that far in the future', async () => {
    const { apiKey } = await newTenant();
    const before = Date.now();
    const res = await call('/api/v1/links', { method: 'POST', token: apiKey, body: { name: 'Soon', end_user: endUser, expires_in: 3600 } });
    expect(res.status).toBe(201);
    const expiresAt = Date.parse(res.json.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3600_000);
    expect(expiresAt).toBeLessThan(Date.now() + 3600_000 + 1000);
  });

  it("accepts the organization's own integrations", async () => {
    const { apiKey } = await newTenant();
    const stripe = await keyIntegration(apiKey);
    const res = await call('/api/v1/links', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Pay', end_user: endUser, integration_ids: [stripe.id, stripe.id] },
    });
    expect(res.status).toBe(201);
    expect(res.json.integration_ids).toEqual([stripe.id]);
  });

  it('gives every link its own token', async () => {
    const { apiKey } = await newTenant();
    const a = await newLink(apiKey);
    const b = await newLink(apiKey);
    expect(a.token).not.toBe(b.token);
  });
});

describe('refusing bad input, with nothing stored', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a non-https redirect_url', { redirect_url: 'http://app.example.com/done' }, 'redirect_url'],
    ['a javascript: redirect_url', { redirect_url: 'javascript:alert(1)' }, 'redirect_url'],
    ['an expires_at in the past', { expires_at: '2020-01-01T00:00:00Z' }, 'expires_at'],
    ['a malformed expires_at', { expires_at: 'tomorrow' }, 'expires_at'],
    ['expires_at together with expires_in', { expires_at: '2999-01-01T00:00:00Z', expires_in: 3600 }, 'expires_in'],
    ['max_uses of 0', { max_uses: 0 }, 'max_uses'],
    ['a fractional max_uses', { max_uses: 1.5 }, 'max_uses'],
    ['an unknown field', { colour: 'blue' }, 'colour'],
    ['an end user id over 200 characters', { end_user: { id: 'x'.repeat(201) } }, 'end_user.id'],
    ['an empty end user id', { end_user: { id: '' } }, 'end_user.id'],
    ['a missing end user', { end_user: undefined }, 'end_user'],
    ['an empty integration_ids list', { integration_ids: [] }, 'integration_ids'],
    ['a malformed integration id', { integration_ids: ['nope'] }, 'integration_ids.0'],
  ];
  for (const [what, overrides, field] of cases) {
    it(`refuses ${what}`, async () => {
      const { apiKey, orgId } = await newTenant();
      const res = await call('/api/v1/links', { method: 'POST', token: apiKey, body: { name: 'Bad', end_user: endUser, ...overrides } });
      const error = expectError(res, 400, 'validation_failed');
      expect(error.details?.map((d) => d.field)).toContain(field);
      expect(await countRows('links', orgId)).toBe(0);
    });
  }

  it("refuses another organization's integration without saying it exists", async () => {
    const other = await newTenant('Other');
    const theirs = await keyIntegration(other.apiKey);
    const { apiKey, orgId } = await newTenant();
    const res = await call('/api/v1/links', { method: 'POST', token: apiKey, body: { name: 'Bad', end_user: endUser, integration_ids: [theirs.id] } });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field: 'integration_ids.0', message: `no integration with id '${theirs.id}'` }]);
    const unknown = await call('/api/v1/links', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Bad', end_user: endUser, integration_ids: ['int_doesnotexist000000000000'] },
    });
    expect(expectError(unknown, 400, 'validation_failed').details![0]!.message).toBe("no integration with id 'int_doesnotexist000000000000'");
    expect(await countRows('links', orgId)).toBe(0);
  });

  it('needs an API key', async () => {
    const res = await call('/api/v1/links', { method: 'POST', body: { name: 'x', end_user: endUser } });
    expectError(res, 401, 'unauthorized');
  });
});

describe('reading, listing and filtering', () => {
  it('lists newest first, page by page', async () => {
    const { apiKey } = await newTenant();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await newLink(apiKey, { name: `L${i}` })).id);
    const first = await call('/api/v1/links?limit=2', { token: apiKey });
    expect(first.status).toBe(200);
    expect(first.json.data).toHaveLength(2);
    expect(first.json.next_cursor).toEqual(expect.any(String));
    const second = await call(`/api/v1/links?limit=2&cursor=${first.json.next_cursor}`, { token: apiKey });
    expect(second.json.next_cursor).toBeNull();
    expect([...first.json.data, ...second.json.data].map((l: { id: string }) => l.id).sort()).toEqual(ids.sort());
  });

  it('filters by end user id', async () => {
    const { apiKey } = await newTenant();
    const ada = await newLink(apiKey, { end_user: { id: 'ada' } });
    await newLink(apiKey, { end_user: { id: 'grace' } });
    const res = await call('/api/v1/links?end_user_id=ada', { token: apiKey });
    expect(res.json.data.map((l: { id: string }) => l.id)).toEqual([ada.id]);
  });

  it('filters by integration: links that list it, and links that offer every integration', async () => {
    const { apiKey } = await newTenant();
    const stripe = await keyIntegration(apiKey);
    const openai = await keyIntegration(apiKey, 'off_openai', 'OpenAI');
    const onlyStripe = await newLink(apiKey, { integration_ids: [stripe.id] });
    const onlyOpenai = await newLink(apiKey, { integration_ids: [openai.id] });
    const every = await newLink(apiKey);
    const ids = async (integrationId: string) =>
      (await call(`/api/v1/links?integration_id=${integrationId}`, { token: apiKey })).json.data.map((l: { id: string }) => l.id).sort();
    expect(await ids(stripe.id)).toEqual([onlyStripe.id, every.id].sort());
    expect(await ids(openai.id)).toEqual([onlyOpenai.id, every.id].sort());
    expectError(await call('/api/v1/links?integration_id=lnk_wrong', { token: apiKey }), 400, 'validation_failed');
  });

  it('filters by status: active, expired, used_up and disabled', async () => {
    const { apiKey } = await newTenant();
    const active = await newLink(apiKey);
    const expired = await newLink(apiKey, { expires_in: 60 });
    await env.DB.prepare('UPDATE links SET expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1000, expired.id)
      .run();
    const usedUp = await newLink(apiKey, { max_uses: 1 });
    await env.DB.prepare('UPDATE links SET uses = 1 WHERE id = ?').bind(usedUp.id).run();
    const disabled = await newLink(apiKey, { max_uses: 1 });
    await call(`/api/v1/links/${disabled.id}`, { method: 'PATCH', token: apiKey, body: { disabled: true } });
    await env.DB.prepare('UPDATE links SET uses = 1, expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1000, disabled.id)
      .run();

    const idsFor = async (status: string) =>
      (await call(`/api/v1/links?status=${status}`, { token: apiKey })).json.data.map((l: { id: string; status: string }) => {
        expect(l.status).toBe(status);
        return l.id;
      });
    expect(await idsFor('active')).toEqual([active.id]);
    expect(await idsFor('expired')).toEqual([expired.id]);
    expect(await idsFor('used_up')).toEqual([usedUp.id]);
    // Disabled outranks expired and used up.
    expect(await idsFor('disabled')).toEqual([disabled.id]);
  });

  it('refuses an unknown status filter', async () => {
    const { apiKey } = await newTenant();
    expectError(await call('/api/v1/links?status=gone', { token: apiKey }), 400, 'validation_failed');
  });

  it("answers 404 for another organization's link, on every method", async () => {
    const other = await newTenant('Other');
    const theirs = await newLink(other.apiKey);
    const { apiKey } = await newTenant();
    expectError(await call(`/api/v1/links/${theirs.id}`, { token: apiKey }), 404, 'not_found');
    expectError(await call(`/api/v1/links/${theirs.id}`, { method: 'PATCH', token: apiKey, body: { disabled: true } }), 404, 'not_found');
    expectError(await call(`/api/v1/links/${theirs.id}`, { method: 'DELETE', token: apiKey }), 404, 'not_found');
    const still = await call(`/api/v1/links/${theirs.id}`, { token: other.apiKey });
    expect(still.json).toMatchObject({ disabled: false, status: 'active' });
  });

  it('refuses a malformed path id', async () => {
    const { apiKey } = await newTenant();
    const error = expectError(await call('/api/v1/links/int_abcdefgh', { token: apiKey }), 400, 'validation_failed');
    expect(error.details![0]).toMatchObject({ location: 'path', field: 'id' });
  });
});

describe('updating and deleting', () => {
  it('changes the given fields and keeps the url', async () => {
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    const link = await newLink(apiKey, { max_uses: 1, redirect_url: 'https://app.example.com/a' });
    const res = await call(`/api/v1/links/${link.id}`, {
      method: 'PATCH',
      token: apiKey,
      body: { name: 'Renamed', integration_ids: [sf.id], expires_at: '2999-01-01T00:00:00Z', max_uses: null, redirect_url: 'https://app.example.com/b' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      name: 'Renamed',
      integration_ids: [sf.id],
      expires_at: '2999-01-01T00:00:00.000Z',
      max_uses: null,
      redirect_url: 'https://app.example.com/b',
      url: link.url,
    });
    const back = await call(`/api/v1/links/${link.id}`, { method: 'PATCH', token: apiKey, body: { integration_ids: null, expires_at: null } });
    expect(back.json).toMatchObject({ integration_ids: null, expires_at: null, name: 'Renamed' });
  });

  it('disables and enables a link', async () => {
    const { apiKey } = await newTenant();
    const link = await newLink(apiKey);
    const off = await call(`/api/v1/links/${link.id}`, { method: 'PATCH', token: apiKey, body: { disabled: true } });
    expect(off.json).toMatchObject({ disabled: true, status: 'disabled' });
    const on = await call(`/api/v1/links/${link.id}`, { method: 'PATCH', token: apiKey, body: { disabled: false } });
    expect(on.json).toMatchObject({ disabled: false, status: 'active' });
  });

  it('refuses a bad patch and changes nothing', async () => {
    const other = await newTenant('Other');
    const theirs = await keyIntegration(other.apiKey);
    const { apiKey } = await newTenant();
    const link = await newLink(apiKey);
    for (const body of [
      { redirect_url: 'javascript:alert(1)' },
      { expires_at: '2001-01-01T00:00:00Z' },
      { max_uses: 0 },
      { integration_ids: [theirs.id] },
      { end_user: { id: 'someone-else' } },
    ]) {
      expectError(await call(`/api/v1/links/${link.id}`, { method: 'PATCH', token: apiKey, body }), 400, 'validation_failed');
    }
    const now = await call(`/api/v1/links/${link.id}`, { token: apiKey });
    expect(now.json).toMatchObject({ name: 'Onboarding', redirect_url: null, expires_at: null, max_uses: null, integration_ids: null });
  });

  it('deletes a link, and its page stops working', async () => {
    const { apiKey } = await newTenant();
    const link = await newLink(apiKey);
    const res = await call(`/api/v1/links/${link.id}`, { method: 'DELETE', token: apiKey });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: link.id, deleted: true });
    expectError(await call(`/api/v1/links/${link.id}`, { token: apiKey }), 404, 'not_found');
    expect((await call(`/link/${link.token}`)).status).toBe(404);
  });
});
