import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/app';
import { call, expectError, newTenant } from '../helpers/api';

const countKeys = async (orgId: string) => (await env.DB.prepare('SELECT count(*) AS n FROM api_keys WHERE org_id = ?').bind(orgId).first<{ n: number }>())!.n;

describe('one error shape', () => {
  it('answers an unknown route with 404 and a request id', async () => {
    const res = await call('/api/v1/nothing-here');
    const error = expectError(res, 404, 'not_found');
    expect(res.headers.get('x-request-id')).toBe(error.request_id);
  });

  it('answers a wrong method with 405 and the allowed ones', async () => {
    const { apiKey } = await newTenant();
    const res = await call('/api/v1/api_keys', { method: 'PUT', token: apiKey, body: { name: 'x' } });
    expectError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('GET, POST');
  });

  it('answers a known path with a trailing slash as an unknown route, not a wrong method', async () => {
    const { apiKey } = await newTenant();
    const res = await call('/api/v1/api_keys/', { token: apiKey });
    expectError(res, 404, 'not_found');
  });

  it('puts a request id on successful responses too', async () => {
    const res = await call('/health');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/^req_[A-Za-z0-9_-]{16}$/);
  });
});

describe('credentials', () => {
  it('refuses a missing credential with 401 and WWW-Authenticate', async () => {
    const res = await call('/api/v1/api_keys');
    expectError(res, 401, 'unauthorized');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it.each([
    ['a non-Bearer scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty bearer', 'Bearer '],
    ['an unknown API key', 'Bearer elk_sk_doesnotexist0000000000000000000'],
    ['a wrong admin token', 'Bearer not-the-admin-token'],
  ])('refuses %s with 401', async (_label, header) => {
    expectError(await call('/api/v1/api_keys', { headers: { authorization: header } }), 401, 'unauthorized');
  });

  it('refuses a wrong admin token on operator routes and stores nothing', async () => {
    const before = await env.DB.prepare('SELECT count(*) AS n FROM organizations').first<{ n: number }>();
    const res = await call('/api/v1/admin/organizations', { method: 'POST', token: 'wrong', body: { name: 'Evil' } });
    expectError(res, 401, 'unauthorized');
    const after = await env.DB.prepare('SELECT count(*) AS n FROM organizations').first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
  });

  it('keeps an API key out of operator routes', async () => {
    const { apiKey } = await newTenant();
    expectError(await call('/api/v1/admin/organizations', { token: apiKey }), 403, 'forbidden');
  });

  it('keeps the operator token out of organization routes', async () => {
    expectError(await call('/api/v1/api_keys', { token: env.ADMIN_TOKEN }), 403, 'forbidden');
  });
});

describe('bad bodies store nothing', () => {
  it('refuses a body that is not JSON with 415', async () => {
    const { apiKey, orgId } = await newTenant();
    const res = await call('/api/v1/api_keys', {
      method: 'POST',
      token: apiKey,
      rawBody: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(res, 415, 'unsupported_media_type');
    expect(await countKeys(orgId)).toBe(1);
  });

  it('refuses malformed JSON with 400', async () => {
    const { apiKey, orgId } = await newTenant();
    const res = await call('/api/v1/api_keys', {
      method: 'POST',
      token: apiKey,
      rawBody: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expectError(res, 400, 'malformed_json');
    expect(await countKeys(orgId)).toBe(1);
  });

  it('refuses a body over the limit with 413', async () => {
    const { apiKey, orgId } = await newTenant();
    const res = await call('/api/v1/api_keys', { method: 'POST', token: apiKey, body: { name: 'x'.repeat(MAX_BODY_BYTES) } });
    expectError(res, 413, 'payload_too_large');
    expect(await countKeys(orgId)).toBe(1);
  });

  it('lists every bad field: unknown, wrongly typed, too long', async () => {
    const { apiKey, orgId } = await newTenant();
    const unknown = expectError(await call('/api/v1/api_keys', { method: 'POST', token: apiKey, body: { name: 'ok', admin: true } }), 400, 'validation_failed');
    expect(unknown.details).toEqual([{ location: 'body', field: 'admin', message: 'is not a known field' }]);

    const typed = expectError(await call('/api/v1/api_keys', { method: 'POST', token: apiKey, body: { name: 42 } }), 400, 'validation_failed');
    expect(typed.details?.[0]).toMatchObject({ location: 'body', field: 'name' });

    const long = expectError(await call('/api/v1/api_keys', { method: 'POST', token: apiKey, body: { name: 'n'.repeat(101) } }), 400, 'validation_failed');
    expect(long.details?.[0]?.message).toBe('must be at most 100 characters');

    const empty = expectError(await call('/api/v1/api_keys', { method: 'POST', token: apiKey, body: { name: '   ' } }), 400, 'validation_failed');
    expect(empty.details?.[0]?.field).toBe('name');

    const notObject = expectError(await call('/api/v1/api_keys', { method: 'POST', token: apiKey, body: ['name'] }), 400, 'validation_failed');
    expect(notObject.details?.[0]?.location).toBe('body');
    expect(await countKeys(orgId)).toBe(1);
  });
});

describe('bad query and path input', () => {
  it.each(['0', '201', '-1', '1.5', 'ten'])('refuses limit=%s', async (limit) => {
    const { apiKey } = await newTenant();
    const error = expectError(await call(`/api/v1/api_keys?limit=${limit}`, { token: apiKey }), 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'query', field: 'limit', message: 'must be a whole number from 1 to 200' }]);
  });

  it.each(['bogus', 'eyJ0IjoiYSJ9', '%7B%7D', 'x'.repeat(600)])('refuses a bogus cursor %#', async (cursor) => {
    const { apiKey } = await newTenant();
    const error = expectError(await call(`/api/v1/api_keys?cursor=${cursor}`, { token: apiKey }), 400, 'validation_failed');
    expect(error.details?.[0]?.field).toBe('cursor');
  });

  it('refuses an unknown query parameter', async () => {
    const { apiKey } = await newTenant();
    const error = expectError(await call('/api/v1/api_keys?sort=asc', { token: apiKey }), 400, 'validation_failed');
    expect(error.details?.[0]).toEqual({ location: 'query', field: 'sort', message: 'is not a known field' });
  });

  it.each(['org_abc', 'key_', 'key_UPPER', "key_a'--", `key_${'a'.repeat(60)}`])('refuses the path id %s', async (id) => {
    const { apiKey } = await newTenant();
    const error = expectError(await call(`/api/v1/api_keys/${encodeURIComponent(id)}`, { method: 'DELETE', token: apiKey }), 400, 'validation_failed');
    expect(error.details?.[0]).toMatchObject({ location: 'path', field: 'id' });
  });
});
