import { describe, expect, it } from 'vitest';
import { call, expectError, newTenant } from '../helpers/api';
import { countRows, newLink } from './fixtures';

const tenTags = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, `v${i}`]));
const endUser = { id: 'user-42' };

const createLink = (apiKey: string, body: Record<string, unknown>) =>
  call('/api/v1/links', { method: 'POST', token: apiKey, body: { name: 'Onboarding', end_user: endUser, ...body } });

describe('tags on links', () => {
  it('are set at creation, shown on reads and replaced by PATCH', async () => {
    const { apiKey } = await newTenant();
    const created = await createLink(apiKey, { tags: { env: 'prod', 'team.name': 'growth' } });
    expect(created.status).toBe(201);
    expect(created.json.tags).toEqual({ env: 'prod', 'team.name': 'growth' });
    expect((await call(`/api/v1/links/${created.json.id}`, { token: apiKey })).json.tags).toEqual({ env: 'prod', 'team.name': 'growth' });
    const patched = await call(`/api/v1/links/${created.json.id}`, { method: 'PATCH', token: apiKey, body: { tags: { env: 'dev' } } });
    expect(patched.json.tags).toEqual({ env: 'dev' });
    const untouched = await call(`/api/v1/links/${created.json.id}`, { method: 'PATCH', token: apiKey, body: { name: 'Renamed' } });
    expect(untouched.json.tags).toEqual({ env: 'dev' });
  });

  it('default to none', async () => {
    const { apiKey } = await newTenant();
    expect((await createLink(apiKey, {})).json.tags).toEqual({});
  });

  it('take 10 and refuse an 11th, storing no link', async () => {
    const { apiKey, orgId } = await newTenant();
    expect((await createLink(apiKey, { tags: tenTags })).status).toBe(201);
    const error = expectError(await createLink(apiKey, { tags: { ...tenTags, k10: 'v10' } }), 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field: 'tags', message: 'must have at most 10 tags' }]);
    expect(await countRows('links', orgId)).toBe(1);
  });

  it.each([
    ['a bad key', { 'Bad Key': 'x' }],
    ['an empty value', { env: '' }],
    ['a value over 255 characters', { env: 'v'.repeat(256) }],
    ['an array', ['env=prod']],
  ])('refuse %s, storing nothing', async (_, tags) => {
    const { apiKey, orgId } = await newTenant();
    const error = expectError(await createLink(apiKey, { tags }), 400, 'validation_failed');
    expect(error.details![0]!.field).toMatch(/^tags/);
    expect(await countRows('links', orgId)).toBe(0);
  });

  it('refuse an 11th on PATCH, keeping the ones there', async () => {
    const { apiKey } = await newTenant();
    const link = await newLink(apiKey, { tags: { env: 'prod' } });
    expectError(
      await call(`/api/v1/links/${link.id}`, { method: 'PATCH', token: apiKey, body: { tags: { ...tenTags, k10: 'v10' } } }),
      400,
      'validation_failed',
    );
    expect((await call(`/api/v1/links/${link.id}`, { token: apiKey })).json.tags).toEqual({ env: 'prod' });
  });
});

describe('GET /links?tag=', () => {
  it("lists this organization's links carrying every tag asked for", async () => {
    const ours = await newTenant();
    const theirs = await newTenant('Other');
    const both = await newLink(ours.apiKey, { tags: { env: 'prod', team: 'a' } });
    const prod = await newLink(ours.apiKey, { tags: { env: 'prod' } });
    await newLink(ours.apiKey, { tags: { env: 'dev', team: 'a' } });
    await newLink(theirs.apiKey, { tags: { env: 'prod', team: 'a' } });
    const ids = async (query: string) => ((await call(`/api/v1/links?${query}`, { token: ours.apiKey })).json.data as { id: string }[]).map((l) => l.id).sort();
    expect(await ids('tag=env:prod')).toEqual([both.id, prod.id].sort());
    expect(await ids('tag=env:prod&tag=team:a')).toEqual([both.id]);
  });

  it('refuses a filter that is not key:value', async () => {
    const { apiKey } = await newTenant();
    expectError(await call('/api/v1/links?tag=env', { token: apiKey }), 400, 'validation_failed');
  });
});
