import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { putWebhook } from '../../src/webhooks/endpoint';
import { call, expectError, newTenant } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import { stubProvider } from '../helpers/outbound';
import { configureWebhook, emitDeps, recordEvent, eventRow, latestEventId } from './fixtures';

afterEach(() => vi.restoreAllMocks());

const endpointRow = (orgId: string) => env.DB.prepare('SELECT url FROM webhook_endpoints WHERE org_id = ?').bind(orgId).first<{ url: string }>();
const production = async () => ({ ...(await testDeps()), publicUrl: 'https://edgelink.example.com' });
const PRIVATE = 'URL must not point at a private or internal address';

describe('webhook URLs and the outbound-URL policy', () => {
  it.each([
    'https://169.254.169.254/latest/meta-data/',
    'https://10.0.0.1/hooks',
    'https://0x0a000001/hooks',
    'https://167772161/hooks',
    'https://192.168.1.20/hooks',
    'https://100.64.0.1/hooks',
    'https://[fd00::1]/hooks',
    'https://[::ffff:10.0.0.1]/hooks',
    'https://metadata.google.internal/computeMetadata/v1/',
    'https://metadata.google.internal./computeMetadata/v1/',
  ])('refuses %s and stores nothing', async (url) => {
    const { apiKey, orgId } = await newTenant();
    const res = await call('/api/v1/webhook', { method: 'PUT', token: apiKey, body: { url } });
    expect(expectError(res, 400, 'validation_failed').details).toEqual([{ location: 'body', field: 'url', message: PRIVATE }]);
    expect(await endpointRow(orgId)).toBeNull();
  });

  it('refuses loopback in every spelling when PUBLIC_URL is https (production)', async () => {
    const { orgId } = await newTenant();
    const deps = await production();
    for (const url of [
      'https://127.0.0.1/hooks',
      'http://127.0.0.1:9000/hooks',
      'https://127.1/hooks',
      'https://0x7f000001/',
      'https://[::1]/',
      'https://localhost/',
    ]) {
      await expect(putWebhook(deps, orgId, { url })).rejects.toMatchObject({
        status: 400,
        code: 'validation_failed',
        details: [{ location: 'body', field: 'url', message: expect.stringMatching(/^URL must not point at a loopback address/) }],
      });
    }
    expect(await endpointRow(orgId)).toBeNull();
  });

  it('accepts an https URL on a public host in production', async () => {
    const { orgId } = await newTenant();
    const created = await putWebhook(await production(), orgId, { url: 'https://hooks.example.com/edgelink' });
    expect(created.url).toBe('https://hooks.example.com/edgelink');
  });
});

describe('delivering to a stored endpoint', () => {
  it('sends nothing to a private URL stored before the policy existed, and says why', async () => {
    const { apiKey, orgId } = await newTenant();
    await configureWebhook(apiKey);
    await env.DB.prepare('UPDATE webhook_endpoints SET url = ? WHERE org_id = ?').bind('https://169.254.169.254/latest/meta-data/', orgId).run();
    const receiver = stubProvider(() => new Response(null, { status: 204 }));
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.created', { connection_id: 'con_abc123' });
    await settle();
    expect(receiver.seen).toHaveLength(0);
    expect(await eventRow(await latestEventId(orgId))).toMatchObject({
      delivery_status: 'failed',
      last_error: 'The webhook URL must not point at a private or internal address; change it with PUT /api/v1/webhook.',
    });
  });
});
