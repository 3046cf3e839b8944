import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, expectError } from '../helpers/api';
import { configureWebhook } from '../webhooks/fixtures';
import { connectionRow, countConnectionEvents, oauthTenant } from './fixtures';

afterEach(() => vi.restoreAllMocks());

type Tenant = Awaited<ReturnType<typeof oauthTenant>>;

let accounts = 0;
const connectionOf = (t: Tenant, body: Record<string, unknown> = {}) => t.connect({ provider_account_id: `acct-${++accounts}`, ...body });
const patch = (t: Tenant, id: string, body: Record<string, unknown>) => call(`/api/v1/connections/${id}`, { method: 'PATCH', token: t.apiKey, body });
const read = async (t: Tenant, id: string) => (await call(`/api/v1/connections/${id}`, { token: t.apiKey })).json;

/** A metadata object whose JSON is exactly `bytes` UTF-8 bytes: `{"k":"…"}` is 8 bytes plus the value. */
const metadataOfBytes = (bytes: number) => ({ k: 'x'.repeat(bytes - 8) });

const tenTags = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, `v${i}`]));

describe('metadata on import', () => {
  it('stores the JSON object apart from provider metadata', async () => {
    const t = await oauthTenant();
    const id = await connectionOf(t, {
      metadata: { plan: 'pro', seats: 3, flags: { beta: true } },
      provider_metadata: { instance_url: 'https://acme.example' },
    });
    expect(await read(t, id)).toMatchObject({
      metadata: { plan: 'pro', seats: 3, flags: { beta: true } },
      provider_metadata: { instance_url: 'https://acme.example' },
    });
  });

  it('takes exactly 8 KiB and refuses one byte more, storing nothing', async () => {
    const t = await oauthTenant();
    const ok = await t.importConnection({ provider_account_id: `acct-${++accounts}`, metadata: metadataOfBytes(8192) });
    expect(ok.status).toBe(201);
    const account = `acct-${++accounts}`;
    const res = await t.importConnection({ provider_account_id: account, metadata: metadataOfBytes(8193) });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field: 'metadata', message: 'must be at most 8192 bytes as JSON' }]);
    const list = await call('/api/v1/connections', { token: t.apiKey });
    expect(list.json.data.map((c: { provider_account_id: string }) => c.provider_account_id)).not.toContain(account);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const t = await oauthTenant();
    // 4093 two-byte characters: 4101 characters of JSON, 8194 bytes.
    const res = await t.importConnection({ provider_account_id: `acct-${++accounts}`, metadata: { k: 'é'.repeat(4093) } });
    expectError(res, 400, 'validation_failed');
  });

  it.each([
    ['an array', [1, 2]],
    ['a string', 'plan=pro'],
    ['a number', 42],
  ])('refuses %s as metadata', async (_, metadata) => {
    const t = await oauthTenant();
    const res = await t.importConnection({ provider_account_id: `acct-${++accounts}`, metadata });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field: 'metadata', message: 'must be a JSON object' }]);
  });
});

describe('PATCH /connections/{id} metadata', () => {
  it('replaces the metadata by default', async () => {
    const t = await oauthTenant();
    const id = await connectionOf(t, { metadata: { plan: 'pro', seats: 3 } });
    const res = await patch(t, id, { metadata: { plan: 'team' } });
    expect(res.status).toBe(200);
    expect(res.json.metadata).toEqual({ plan: 'team' });
  });

  it('merges shallowly with metadata_mode merge, a null value deleting its key', async () => {
    const t = await oauthTenant();
    const id = await connectionOf(t, { metadata: { plan: 'pro', seats: 3, flags: { beta: true } } });
    const res = await patch(t, id, { metadata: { seats: 5, plan: null, flags: { sso: true } }, metadata_mode: 'merge' });
    expect(res.status).toBe(200);
    expect(res.json.metadata).toEqual({ seats: 5, flags: { sso: true } });
    expect((await read(t, id)).metadata).toEqual({ seats: 5, flags: { sso: true } });
  });

  it('clears it with null', async () => {
    const t = await oauthTenant();
    const id = await connectionOf(t, { metadata: { plan: 'pro' } });
    const res = await patch(t, id, { metadata: null });
    expect(res.json.metadata).toEqual({});
  });

  it('refuses a merge whose result is over 8 KiB and keeps what was there, with no event', async () => {
    const t = await oauthTenant();
    await configureWebhook(t.apiKey);
    const id = await connectionOf(t, { metadata: { a: 'x'.repeat(5000) } });
    const res = await patch(t, id, { metadata: { b: 'y'.repeat(5000) }, metadata_mode: 'merge' });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details![0]).toMatchObject({ location: 'body', field: 'metadata' });
    expect((await read(t, id)).metadata).toEqual({ a: 'x'.repeat(5000) });
    expect(await countConnectionEvents(id, 'connection.updated')).toBe(0);
  });

  it('refuses oversized and non-object metadata, changing nothing', async () => {
    const t = await oauthTenant();
    const id = await connectionOf(t, { metadata: { plan: 'pro' } });
    for (const metadata of [metadataOfBytes(8193), ['pro'], 'pro', 7]) {
      expectError(await patch(t, id, { metadata }), 400, 'validation_failed');
    }
    expectError(await patch(t, id, { metadata: { plan: 'x' }, metadata_mode: 'append' }), 400, 'validation_failed');
    expect((await read(t, id)).metadata).toEqual({ plan: 'pro' });
  });

  it('cannot change provider metadata', async () => {
    const t = await oauthTenant();
    const id = await connectionOf(t, { provider_metadata: { instance_url: 'https://acme.example' } });
    const res = await patch(t, id, { provider_metadata: { instance_url: 'https://evil.example' } });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field: 'provider_metadata', message: 'is not a known field' }]);
    await patch(t, id, { metadata: { instance_url: 'https://evil.example' } });
    const after = await read(t, id);
    expect(after.provider_metadata).toEqual({ instance_url: 'https://acme.example' });
    expect((await t.getToken(id)).json.provider_metadata).toEqual({ instance_url: 'https://acme.example' });
  });
});

describe('tags on connections', () => {
  it('are set on import and replaced by PATCH', async () => {
    const t = await oauthTenant();
    const id = await connectionOf(t, { tags: { env: 'prod', team: 'growth' } });
    expect((await read(t, id)).tags).toEqual({ env: 'prod', team: 'growth' });
    const res = await patch(t, id, { tags: { env: 'staging' } });
    expect(res.json.tags).toEqual({ env: 'staging' });
    expect((await patch(t, id, { tags: {} })).json.tags).toEqual({});
  });

  it('takes 10 tags and refuses an 11th, storing nothing', async () => {
    const t = await oauthTenant();
    const id = await connectionOf(t, { tags: tenTags });
    expect(Object.keys((await read(t, id)).tags)).toHaveLength(10);
    const error = expectError(await patch(t, id, { tags: { ...tenTags, k10: 'v10' } }), 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field: 'tags', message: 'must have at most 10 tags' }]);
    const account = `acct-${++accounts}`;
    expectError(await t.importConnection({ provider_account_id: account, tags: { ...tenTags, k10: 'v10' } }), 400, 'validation_failed');
    const list = await call('/api/v1/connections', { token: t.apiKey });
    expect(list.json.data.map((c: { provider_account_id: string }) => c.provider_account_id)).not.toContain(account);
  });

  it.each([
    ['an uppercase key', { Env: 'prod' }],
    ['a key with a space', { 'my env': 'prod' }],
    ['a key of 65 characters', { ['k'.repeat(65)]: 'prod' }],
    ['an empty value', { env: '' }],
    ['a value of 256 characters', { env: 'v'.repeat(256) }],
    ['a value that is not a string', { env: 3 }],
  ])('refuses %s', async (_, tags) => {
    const t = await oauthTenant();
    const id = await connectionOf(t, { tags: { env: 'prod' } });
    const error = expectError(await patch(t, id, { tags }), 400, 'validation_failed');
    expect(error.details![0]!.field).toMatch(/^tags/);
    expect((await read(t, id)).tags).toEqual({ env: 'prod' });
  });

  it('says what is wrong with a bad key, naming it', async () => {
    const t = await oauthTenant();
    const id = await connectionOf(t);
    const error = expectError(await patch(t, id, { tags: { Env: 'prod' } }), 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field: 'tags.Env', message: 'must be 1-64 lowercase letters, digits or _ . -' }]);
  });

  it('go into the connection.updated event as they are after the change', async () => {
    const t = await oauthTenant();
    await configureWebhook(t.apiKey);
    const id = await connectionOf(t, { tags: { env: 'prod' } });
    await patch(t, id, { tags: { env: 'staging', team: 'a' } });
    const events = await call('/api/v1/events?type=connection.updated', { token: t.apiKey });
    const event = events.json.data.find((e: { payload: { data: { connection_id: string } } }) => e.payload.data.connection_id === id);
    expect(event.payload.data.tags).toEqual({ env: 'staging', team: 'a' });
    expect(event.payload.data).not.toHaveProperty('metadata');
  });

  it('a PATCH that changes nothing writes nothing', async () => {
    const t = await oauthTenant();
    await configureWebhook(t.apiKey);
    const id = await connectionOf(t, { tags: { env: 'prod' }, metadata: { a: 1 } });
    const before = await connectionRow(id);
    const res = await patch(t, id, { tags: { env: 'prod' }, metadata: { a: 1 } });
    expect(res.status).toBe(200);
    expect((await connectionRow(id))!.updated_at).toBe(before!.updated_at);
    expect(await countConnectionEvents(id, 'connection.updated')).toBe(0);
  });
});

describe('GET /connections?tag=', () => {
  it('lists connections carrying every tag asked for', async () => {
    const t = await oauthTenant();
    const prodA = await connectionOf(t, { tags: { env: 'prod', team: 'a' } });
    const prodB = await connectionOf(t, { tags: { env: 'prod', team: 'b' } });
    await connectionOf(t, { tags: { env: 'dev', team: 'a' } });
    await connectionOf(t);
    const ids = async (query: string) =>
      ((await call(`/api/v1/connections?${query}`, { token: t.apiKey })).json.data as { id: string }[]).map((c) => c.id).sort();
    expect(await ids('tag=env:prod')).toEqual([prodA, prodB].sort());
    expect(await ids('tag=env:prod&tag=team:a')).toEqual([prodA]);
    expect(await ids('tag=env:nowhere')).toEqual([]);
  });

  it('finds a tag again after PATCH changed it, and no longer by its old value', async () => {
    const t = await oauthTenant();
    const id = await connectionOf(t, { tags: { env: 'prod' } });
    await patch(t, id, { tags: { env: 'staging' } });
    const list = async (tag: string) => (await call(`/api/v1/connections?tag=${tag}`, { token: t.apiKey })).json.data.map((c: { id: string }) => c.id);
    expect(await list('env:prod')).toEqual([]);
    expect(await list('env:staging')).toEqual([id]);
  });

  it("never lists another organization's connection with the same tag", async () => {
    const ours = await oauthTenant();
    const theirs = await oauthTenant();
    const mine = await connectionOf(ours, { tags: { env: 'shared-tag' } });
    await connectionOf(theirs, { tags: { env: 'shared-tag' } });
    const res = await call('/api/v1/connections?tag=env:shared-tag', { token: ours.apiKey });
    expect(res.json.data.map((c: { id: string }) => c.id)).toEqual([mine]);
  });

  it('forgets a deleted connection, and a new one with its tags is found', async () => {
    const t = await oauthTenant();
    const gone = await connectionOf(t, { tags: { env: 'deleted-soon' } });
    await call(`/api/v1/connections/${gone}`, { method: 'DELETE', token: t.apiKey });
    const index = await env.DB.prepare('SELECT count(*) AS n FROM connection_tags WHERE connection_id = ?').bind(gone).first<{ n: number }>();
    expect(index!.n).toBe(0);
    const fresh = await connectionOf(t, { tags: { env: 'deleted-soon' } });
    const res = await call('/api/v1/connections?tag=env:deleted-soon', { token: t.apiKey });
    expect(res.json.data.map((c: { id: string }) => c.id)).toEqual([fresh]);
  });

  it.each(['env', 'env:', 'Env:prod', ':prod'])('refuses the filter %s', async (tag) => {
    const t = await oauthTenant();
    const error = expectError(await call(`/api/v1/connections?tag=${encodeURIComponent(tag)}`, { token: t.apiKey }), 400, 'validation_failed');
    expect(error.details![0]).toMatchObject({ location: 'query', field: 'tag.0' });
  });
});
