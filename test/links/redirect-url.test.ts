import { describe, expect, it } from 'vitest';
import { createLink, updateLink } from '../../src/links/service';
import { call, expectError, newTenant } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import { countRows, newLink } from './fixtures';

const endUser = { id: 'user-42' };
const production = async () => ({ ...(await testDeps()), publicUrl: 'https://edgelink.example.com' });
const PRIVATE = 'URL must not point at a private or internal address';

describe('link redirect_url and the outbound-URL policy', () => {
  it.each(['https://10.0.0.1/done', 'https://[fe80::1]/done', 'https://2852039166/', 'https://printer.local/done'])(
    'refuses %s on create, with nothing stored',
    async (redirect_url) => {
      const { apiKey, orgId } = await newTenant();
      const res = await call('/api/v1/links', { method: 'POST', token: apiKey, body: { name: 'Bad', end_user: endUser, redirect_url } });
      expect(expectError(res, 400, 'validation_failed').details).toEqual([{ location: 'body', field: 'redirect_url', message: PRIVATE }]);
      expect(await countRows('links', orgId)).toBe(0);
    },
  );

  it('refuses a private redirect_url on update and changes nothing', async () => {
    const { apiKey } = await newTenant();
    const link = await newLink(apiKey, { redirect_url: 'https://app.example.com/done' });
    const res = await call(`/api/v1/links/${link.id}`, { method: 'PATCH', token: apiKey, body: { redirect_url: 'https://192.168.0.1/' } });
    expect(expectError(res, 400, 'validation_failed').details).toEqual([{ location: 'body', field: 'redirect_url', message: PRIVATE }]);
    expect((await call(`/api/v1/links/${link.id}`, { token: apiKey })).json.redirect_url).toBe('https://app.example.com/done');
  });

  it('refuses a loopback redirect_url when PUBLIC_URL is https (production)', async () => {
    const { apiKey, orgId } = await newTenant();
    const deps = await production();
    const refused = {
      status: 400,
      code: 'validation_failed',
      details: [{ location: 'body', field: 'redirect_url', message: expect.stringMatching(/loopback/) }],
    };
    await expect(createLink(deps, orgId, { name: 'Local', end_user: endUser, redirect_url: 'http://localhost:3000/done' })).rejects.toMatchObject(refused);
    expect(await countRows('links', orgId)).toBe(0);
    const link = await newLink(apiKey);
    await expect(updateLink(deps, orgId, link.id, { redirect_url: 'https://[::1]/done' })).rejects.toMatchObject(refused);
    const ok = await updateLink(deps, orgId, link.id, { redirect_url: 'https://app.example.com/done' });
    expect(ok.redirect_url).toBe('https://app.example.com/done');
  });

  it('accepts loopback while PUBLIC_URL is loopback http (local development)', async () => {
    const { apiKey } = await newTenant();
    const res = await call('/api/v1/links', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Local', end_user: endUser, redirect_url: 'http://localhost:3000/done' },
    });
    expect(res.status).toBe(201);
  });
});
