import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { decrypt, parseKeyring } from '../../src/lib/crypto';
import { call, expectError, newTenant } from '../helpers/api';
import { RECEIVER, configureWebhook } from './fixtures';

const endpointRow = (orgId: string) =>
  env.DB.prepare('SELECT * FROM webhook_endpoints WHERE org_id = ?').bind(orgId).first<{ url: string; secret_enc: string; enabled: number }>();

describe('PUT /api/v1/webhook', () => {
  it('creates the endpoint and returns its signing secret once', async () => {
    const { apiKey } = await newTenant();
    const res = await call('/api/v1/webhook', { method: 'PUT', token: apiKey, body: { url: RECEIVER } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ url: RECEIVER, enabled: true, secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/) });
    expect(res.json.secret_hint).toBe(res.json.secret.slice(-4));
  });

  it('never shows the secret again, only its last 4 characters', async () => {
    const { apiKey } = await newTenant();
    const secret = await configureWebhook(apiKey);
    const get = await call('/api/v1/webhook', { token: apiKey });
    expect(get.status).toBe(200);
    expect(get.json).toEqual({
      url: RECEIVER,
      enabled: true,
      secret_hint: secret.slice(-4),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const again = await call('/api/v1/webhook', { method: 'PUT', token: apiKey, body: { url: 'https://hooks.example.com/v2', enabled: false } });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ url: 'https://hooks.example.com/v2', enabled: false, secret_hint: secret.slice(-4) });
    expect(again.json.secret).toBeUndefined();
    expect(get.text + again.text).not.toContain(secret);
  });

  it('keeps enabled as it was when a PUT leaves it out', async () => {
    const { apiKey } = await newTenant();
    await configureWebhook(apiKey, { url: RECEIVER, enabled: false });
    const res = await call('/api/v1/webhook', { method: 'PUT', token: apiKey, body: { url: RECEIVER } });
    expect(res.json.enabled).toBe(false);
  });

  it('stores the secret encrypted and bound to the organization', async () => {
    const { apiKey, orgId } = await newTenant();
    const secret = await configureWebhook(apiKey);
    const row = (await endpointRow(orgId))!;
    expect(row.secret_enc).toMatch(/^v1\.k2\./);
    expect(row.secret_enc).not.toContain(secret);
    const keyring = await parseKeyring(env.ENCRYPTION_KEYS);
    expect(await decrypt(keyring, row.secret_enc, `webhook_endpoints/${orgId}/secret`)).toBe(secret);
  });

  it('refuses a plain-http URL and stores nothing', async () => {
    const { apiKey, orgId } = await newTenant();
    const res = await call('/api/v1/webhook', { method: 'PUT', token: apiKey, body: { url: 'http://hooks.example.com/edgelink' } });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field: 'url', message: expect.stringContaining('https') }]);
    expect(await endpointRow(orgId)).toBeNull();
  });

  it('refuses a javascript: URL', async () => {
    const { apiKey, orgId } = await newTenant();
    const res = await call('/api/v1/webhook', { method: 'PUT', token: apiKey, body: { url: 'javascript:alert(1)' } });
    expectError(res, 400, 'validation_failed');
    expect(await endpointRow(orgId)).toBeNull();
  });

  it('refuses credentials in the URL and unknown fields', async () => {
    const { apiKey } = await newTenant();
    expectError(await call('/api/v1/webhook', { method: 'PUT', token: apiKey, body: { url: 'https://user:pw@hooks.example.com/' } }), 400, 'validation_failed');
    const res = await call('/api/v1/webhook', { method: 'PUT', token: apiKey, body: { url: RECEIVER, secret: 'whsec_mine' } });
    expect(expectError(res, 400, 'validation_failed').details).toEqual([{ location: 'body', field: 'secret', message: 'is not a known field' }]);
  });

  it('accepts plain http on loopback for local testing', async () => {
    const { apiKey } = await newTenant();
    const res = await call('/api/v1/webhook', { method: 'PUT', token: apiKey, body: { url: 'http://127.0.0.1:9000/hooks' } });
    expect(res.status).toBe(200);
    expect(res.json.url).toBe('http://127.0.0.1:9000/hooks');
  });

  it('needs an organization API key', async () => {
    expectError(await call('/api/v1/webhook', { method: 'PUT', body: { url: RECEIVER } }), 401, 'unauthorized');
  });
});

describe('GET /api/v1/webhook', () => {
  it('is 404 until an endpoint is configured', async () => {
    const { apiKey } = await newTenant();
    expectError(await call('/api/v1/webhook', { token: apiKey }), 404, 'not_found');
  });

  it("shows only the caller's own endpoint", async () => {
    const a = await newTenant();
    const b = await newTenant();
    await configureWebhook(a.apiKey);
    expectError(await call('/api/v1/webhook', { token: b.apiKey }), 404, 'not_found');
  });
});

describe('POST /api/v1/webhook/rotate_secret', () => {
  it('returns a new secret once and replaces the old one', async () => {
    const { apiKey, orgId } = await newTenant();
    const old = await configureWebhook(apiKey);
    const res = await call('/api/v1/webhook/rotate_secret', { method: 'POST', token: apiKey });
    expect(res.status).toBe(200);
    expect(res.json.secret).toMatch(/^whsec_/);
    expect(res.json.secret).not.toBe(old);
    expect(res.json.secret_hint).toBe(res.json.secret.slice(-4));
    const keyring = await parseKeyring(env.ENCRYPTION_KEYS);
    expect(await decrypt(keyring, (await endpointRow(orgId))!.secret_enc, `webhook_endpoints/${orgId}/secret`)).toBe(res.json.secret);
    const get = await call('/api/v1/webhook', { token: apiKey });
    expect(get.json.secret).toBeUndefined();
    expect(get.json.secret_hint).toBe(res.json.secret.slice(-4));
  });

  it('is 404 without an endpoint', async () => {
    const { apiKey } = await newTenant();
    expectError(await call('/api/v1/webhook/rotate_secret', { method: 'POST', token: apiKey }), 404, 'not_found');
  });
});
