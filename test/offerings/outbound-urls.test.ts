import { describe, expect, it } from 'vitest';
import { createCustomOffering, updateOffering } from '../../src/offerings/service';
import { createOfferingBody } from '../../src/offerings/shapes';
import { asOperator, expectError } from '../helpers/api';
import { testDeps } from '../helpers/deps';

const ADMIN = '/api/v1/admin/offerings';
const freshId = () => `off_t_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
const PRIVATE = 'URL must not point at a private or internal address';
const production = async () => ({ ...(await testDeps()), publicUrl: 'https://edgelink.example.com' });

function offering(overrides: Record<string, unknown> = {}) {
  return {
    id: freshId(),
    name: 'Acme CRM',
    provider: 'acme',
    auth_mode: 'oauth2',
    authorization_url: 'https://auth.acme.example/oauth/authorize',
    token_url: 'https://auth.acme.example/oauth/token',
    ...overrides,
  };
}

const apiKeyOffering = (url: string) => ({
  id: freshId(),
  name: 'Acme keys',
  provider: 'acme',
  auth_mode: 'api_key',
  credentials: [{ key: 'api_key', label: 'API key' }],
  verify: { url, auth: { type: 'bearer', field: 'api_key' } },
});

describe('custom offering URLs and the outbound-URL policy', () => {
  it.each([
    ['token_url', { token_url: 'https://169.254.169.254/latest/api/token' }],
    ['authorization_url', { authorization_url: 'https://10.1.2.3/authorize' }],
    ['userinfo_url', { userinfo_url: 'https://[::ffff:192.168.0.1]/me' }],
    ['revocation_url', { revocation_url: 'https://metadata.google.internal/revoke' }],
    [
      'token_url',
      {
        inputs: [{ key: 'tenant', label: 'Tenant', pattern: '^[a-z]+$', source: 'integration', example: 'acme' }],
        token_url: 'https://{tenant}.corp.internal/token',
      },
    ],
  ])('refuses a private %s on create, naming the field', async (field, change) => {
    const body = offering(change);
    const error = expectError(await asOperator(ADMIN, { method: 'POST', body }), 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field, message: PRIVATE }]);
    expectError(await asOperator(`/api/v1/offerings/${body.id}`), 404, 'not_found');
  });

  it('refuses a private verify.url', async () => {
    const body = apiKeyOffering('https://192.168.1.1/me');
    const error = expectError(await asOperator(ADMIN, { method: 'POST', body }), 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field: 'verify.url', message: PRIVATE }]);
  });

  it('refuses a private URL on update and keeps the offering as it was', async () => {
    const body = offering();
    expect((await asOperator(ADMIN, { method: 'POST', body })).status).toBe(201);
    const res = await asOperator(`${ADMIN}/${body.id}`, { method: 'PATCH', body: { token_url: 'https://[fe80::1]/token' } });
    expect(expectError(res, 400, 'validation_failed').details).toEqual([{ location: 'body', field: 'token_url', message: PRIVATE }]);
    expect((await asOperator(`/api/v1/offerings/${body.id}`)).json.token_url).toBe(body.token_url);
  });

  it('refuses loopback URLs when PUBLIC_URL is https (production)', async () => {
    const deps = await production();
    const body = createOfferingBody.parse(offering({ authorization_url: 'http://127.0.0.1:9/authorize', token_url: 'https://localhost/token' }));
    await expect(createCustomOffering(deps, 'operator', body)).rejects.toMatchObject({
      status: 400,
      code: 'validation_failed',
      details: [
        { location: 'body', field: 'authorization_url', message: expect.stringMatching(/loopback/) },
        { location: 'body', field: 'token_url', message: expect.stringMatching(/loopback/) },
      ],
    });
    const created = await createCustomOffering(deps, 'operator', createOfferingBody.parse(offering()));
    await expect(updateOffering(deps, 'operator', created.definition.id, { token_url: 'https://[::1]/token' })).rejects.toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
    expect((await updateOffering(deps, 'operator', created.definition.id, { enabled: false })).enabled).toBe(false);
  });

  it('accepts loopback URLs while PUBLIC_URL is loopback http (local development)', async () => {
    const res = await asOperator(ADMIN, { method: 'POST', body: offering({ token_url: 'http://127.0.0.1:9/token' }) });
    expect(res.status).toBe(201);
  });
});
