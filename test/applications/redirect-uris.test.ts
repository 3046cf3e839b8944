import { describe, expect, it } from 'vitest';
import { call, expectError, newTenant } from '../helpers/api';
import { countApplications, newApplication, REDIRECT, validApplication } from './fixtures';

const create = (apiKey: string, redirect_uris: unknown) =>
  call('/api/v1/applications', { method: 'POST', token: apiKey, body: { ...validApplication, redirect_uris } });

describe('redirect URIs', () => {
  it('are kept exactly as given, since they are matched by string', async () => {
    const { apiKey } = await newTenant();
    const uris = [
      'https://App.Example.com/Callback/',
      'https://app.example.com/callback?from=edgelink&x=%2F',
      'https://app.example.com:8443/cb',
      'http://127.0.0.1:53123/callback',
      'http://[::1]/callback',
      'http://localhost:3000/oauth',
    ];
    const app = await newApplication(apiKey, { redirect_uris: uris });
    expect(app.redirect_uris).toEqual(uris);
    expect((await call(`/api/v1/applications/${app.id}`, { token: apiKey })).json.redirect_uris).toEqual(uris);
  });

  it.each([
    ['plain http to a public host', 'http://app.example.com/callback', 'https'],
    ['plain http to a loopback look-alike', 'http://127.0.0.1.nip.io/callback', 'https'],
    ['a fragment', 'https://app.example.com/callback#done', 'fragment'],
    ['an empty fragment', 'https://app.example.com/callback#', 'fragment'],
    ['a wildcard host', 'https://*.example.com/callback', 'wildcard'],
    ['a wildcard path', 'https://app.example.com/*', 'wildcard'],
    ['userinfo', 'https://user@app.example.com/callback', 'credentials'],
    ['user and password', 'https://user:pw@app.example.com/callback', 'credentials'],
    ['a relative path', '/callback', 'absolute'],
    ['a scheme-relative URL', '//app.example.com/callback', 'absolute'],
    ['javascript:', 'javascript:alert(document.cookie)', 'javascript'],
    ['data:', 'data:text/html,<script>alert(1)</script>', 'data'],
    ['a custom scheme', 'com.example.app:/callback', 'https'],
    ['https without slashes', 'https:app.example.com/callback', 'absolute'],
    ['a backslash', 'https://app.example.com\\@evil.example/callback', 'backslash'],
    ['whitespace', 'https://app.example.com/call back', 'whitespace'],
    ['a newline', 'https://app.example.com/callback\n', 'whitespace'],
    ['an empty string', '', 'empty'],
    ['no host', 'https:///callback', 'host'],
  ])('refuses %s and stores nothing', async (_what, uri, words) => {
    const { apiKey, orgId } = await newTenant();
    const error = expectError(await create(apiKey, [REDIRECT, uri]), 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field: 'redirect_uris.1', message: expect.stringContaining(words) }]);
    expect(await countApplications(orgId)).toBe(0);
  });

  it('refuses the same URI twice', async () => {
    const { apiKey, orgId } = await newTenant();
    const error = expectError(await create(apiKey, [REDIRECT, 'https://other.example.com/cb', REDIRECT]), 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field: 'redirect_uris.2', message: 'repeats redirect_uris.0' }]);
    expect(await countApplications(orgId)).toBe(0);
  });

  it('treats URIs that differ only by case or a slash as different ones', async () => {
    const { apiKey } = await newTenant();
    const uris = [REDIRECT, `${REDIRECT}/`, REDIRECT.toUpperCase().replace('HTTPS', 'https')];
    expect((await newApplication(apiKey, { redirect_uris: uris })).redirect_uris).toEqual(uris);
  });

  it('needs one to ten of them', async () => {
    const { apiKey, orgId } = await newTenant();
    const eleven = Array.from({ length: 11 }, (_, i) => `https://app.example.com/cb/${i}`);
    expect((await newApplication(apiKey, { redirect_uris: eleven.slice(0, 10) })).redirect_uris).toHaveLength(10);
    for (const uris of [eleven, [], undefined, 'https://app.example.com/cb']) {
      const error = expectError(await create(apiKey, uris), 400, 'validation_failed');
      expect(new Set(error.details!.map((d) => d.field))).toEqual(new Set(['redirect_uris']));
    }
    expect(await countApplications(orgId)).toBe(1);
  });

  it('follow the same rules when changed', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey);
    for (const bad of [['http://app.example.com/cb'], [REDIRECT, REDIRECT], ['https://app.example.com/cb#x']]) {
      const res = await call(`/api/v1/applications/${app.id}`, { method: 'PATCH', token: apiKey, body: { redirect_uris: bad } });
      expectError(res, 400, 'validation_failed');
    }
    expect((await call(`/api/v1/applications/${app.id}`, { token: apiKey })).json.redirect_uris).toEqual([REDIRECT]);
  });
});
