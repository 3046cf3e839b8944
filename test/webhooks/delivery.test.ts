import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { encrypt, generateKeySpec, parseKeyring } from '../../src/lib/crypto';
import { MAX_ATTEMPTS, retryDelay, retryDueDeliveries } from '../../src/webhooks/delivery';
import { call, newTenant } from '../helpers/api';
import { stubProvider } from '../helpers/outbound';
import { RECEIVER, configureWebhook, emitDeps, recordEvent, eventRow, hasValidSignature, latestEventId } from './fixtures';

afterEach(() => vi.restoreAllMocks());
// The retry pass takes every due event; tests in a file share a database, so none inherits another's.
beforeEach(async () => {
  await env.DB.exec('DELETE FROM events');
});

const MINUTE = 60_000;
const data = { connection_id: 'con_abc123', integration_id: 'int_abc123', end_user: { id: 'user-42' }, status: 'active' };

async function retryAt(now: number) {
  return retryDueDeliveries({ db: createDb(env.DB), keyring: await parseKeyring(env.ENCRYPTION_KEYS) }, now, 100);
}

describe('delivering an event', () => {
  it('POSTs the payload signed with the endpoint secret', async () => {
    const { apiKey, orgId } = await newTenant();
    const secret = await configureWebhook(apiKey);
    const receiver = stubProvider(() => new Response('ok', { status: 200 }));
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.created', data);
    await settle();

    expect(receiver.seen).toHaveLength(1);
    const req = receiver.seen[0]!;
    const id = await latestEventId(orgId);
    expect(req).toMatchObject({ url: RECEIVER, method: 'POST' });
    expect(req.headers.get('content-type')).toBe('application/json');
    expect(req.headers.get('edgelink-event-id')).toBe(id);
    expect(req.headers.get('edgelink-timestamp')).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(req.headers.get('edgelink-timestamp')) - Date.now() / 1000)).toBeLessThan(60);
    expect(req.headers.get('edgelink-signature')).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(await hasValidSignature(secret, req)).toBe(true);
    expect(JSON.parse(req.body)).toEqual({ id, type: 'connection.created', created_at: expect.any(String), data });
    expect(await eventRow(id)).toMatchObject({ delivery_status: 'delivered', attempts: 1, last_response_status: 200, last_error: null, next_attempt_at: null });
  });

  it('signs with the rotated secret once the secret is rotated', async () => {
    const { apiKey, orgId } = await newTenant();
    const old = await configureWebhook(apiKey);
    const rotated = (await call('/api/v1/webhook/rotate_secret', { method: 'POST', token: apiKey })).json.secret as string;
    const receiver = stubProvider(() => new Response(null, { status: 204 }));
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.updated', data);
    await settle();
    expect(await hasValidSignature(rotated, receiver.seen[0]!)).toBe(true);
    expect(await hasValidSignature(old, receiver.seen[0]!)).toBe(false);
  });

  it('a tampered body or timestamp no longer verifies', async () => {
    const { apiKey, orgId } = await newTenant();
    const secret = await configureWebhook(apiKey);
    const receiver = stubProvider(() => new Response(null, { status: 204 }));
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.deleted', data);
    await settle();
    const req = receiver.seen[0]!;
    expect(await hasValidSignature(secret, { ...req, body: req.body.replace('con_abc123', 'con_evil00') })).toBe(false);
    const headers = new Headers(req.headers);
    headers.set('edgelink-timestamp', String(Number(headers.get('edgelink-timestamp')) - 3600));
    expect(await hasValidSignature(secret, { ...req, headers })).toBe(false);
  });

  it('records no_endpoint and sends nothing when the organization has no endpoint', async () => {
    const { orgId } = await newTenant();
    const receiver = stubProvider(() => new Response(null, { status: 204 }));
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.created', data);
    await settle();
    expect(receiver.seen).toHaveLength(0);
    expect(await eventRow(await latestEventId(orgId))).toMatchObject({ delivery_status: 'no_endpoint', attempts: 0, next_attempt_at: null });
  });

  it('sends nothing to a disabled endpoint', async () => {
    const { apiKey, orgId } = await newTenant();
    await configureWebhook(apiKey, { url: RECEIVER, enabled: false });
    const receiver = stubProvider(() => new Response(null, { status: 204 }));
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.created', data);
    await settle();
    expect(receiver.seen).toHaveLength(0);
    expect((await eventRow(await latestEventId(orgId)))!.delivery_status).toBe('no_endpoint');
  });

  it('does not follow a redirect from the endpoint', async () => {
    const { apiKey, orgId } = await newTenant();
    await configureWebhook(apiKey);
    const receiver = stubProvider(() => new Response(null, { status: 302, headers: { location: 'https://elsewhere.example.com/' } }));
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.created', data);
    await settle();
    expect(receiver.seen).toHaveLength(1);
    expect(await eventRow(await latestEventId(orgId))).toMatchObject({ delivery_status: 'pending', last_response_status: 302 });
  });
});

describe('a failed delivery', () => {
  it('is recorded with its status, no response body, and a retry a minute later', async () => {
    const { apiKey, orgId } = await newTenant();
    await configureWebhook(apiKey);
    stubProvider(() => new Response('stack trace with internal details', { status: 500 }));
    const { deps, settle } = await emitDeps();
    const before = Date.now();
    await recordEvent(deps, orgId, 'connection.created', data);
    await settle();
    const row = (await eventRow(await latestEventId(orgId)))!;
    expect(row).toMatchObject({ delivery_status: 'pending', attempts: 1, last_response_status: 500, last_error: 'The endpoint answered HTTP 500.' });
    expect(row.next_attempt_at! - before).toBeGreaterThanOrEqual(MINUTE);
    expect(row.next_attempt_at! - Date.now()).toBeLessThanOrEqual(MINUTE);
  });

  it('records a timeout without a status', async () => {
    const { apiKey, orgId } = await newTenant();
    await configureWebhook(apiKey);
    stubProvider(() => {
      throw new DOMException('The operation timed out.', 'TimeoutError');
    });
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.created', data);
    await settle();
    expect(await eventRow(await latestEventId(orgId))).toMatchObject({
      delivery_status: 'pending',
      attempts: 1,
      last_response_status: null,
      last_error: 'The endpoint did not answer within 5 s.',
    });
  });

  it('backs off exponentially, 1 minute doubling, capped at 6 hours', () => {
    expect([1, 2, 3, 4, 7].map(retryDelay)).toEqual([1, 2, 4, 8, 64].map((m) => m * MINUTE));
    expect(retryDelay(20)).toBe(6 * 60 * MINUTE);
  });

  it('is retried by the cron once due, and marked delivered', async () => {
    const { apiKey, orgId } = await newTenant();
    const secret = await configureWebhook(apiKey);
    let answer = 503;
    const receiver = stubProvider(() => new Response(null, { status: answer }));
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.refresh_failed', data);
    await settle();
    const id = await latestEventId(orgId);
    const { next_attempt_at } = (await eventRow(id))!;

    await retryAt(next_attempt_at! - 1);
    expect(receiver.seen).toHaveLength(1);

    answer = 200;
    await retryAt(next_attempt_at!);
    expect(receiver.seen).toHaveLength(2);
    expect(receiver.seen[1]!.headers.get('edgelink-event-id')).toBe(id);
    expect(receiver.seen[1]!.body).toBe(receiver.seen[0]!.body);
    expect(await hasValidSignature(secret, receiver.seen[1]!)).toBe(true);
    expect(await eventRow(id)).toMatchObject({ delivery_status: 'delivered', attempts: 2, last_response_status: 200, last_error: null, next_attempt_at: null });
  });

  it(`is failed for good after ${MAX_ATTEMPTS} attempts`, async () => {
    const { apiKey, orgId } = await newTenant();
    await configureWebhook(apiKey);
    const receiver = stubProvider(() => new Response(null, { status: 500 }));
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.created', data);
    await settle();
    const id = await latestEventId(orgId);
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      const { next_attempt_at } = (await eventRow(id))!;
      await retryAt(next_attempt_at!);
    }
    expect(receiver.seen).toHaveLength(MAX_ATTEMPTS);
    expect(await eventRow(id)).toMatchObject({ delivery_status: 'failed', attempts: MAX_ATTEMPTS, next_attempt_at: null });
    await retryAt(Date.now() + 7 * 24 * 60 * MINUTE);
    expect(receiver.seen).toHaveLength(MAX_ATTEMPTS);
  });

  it('is given up when the endpoint is disabled before the retry', async () => {
    const { apiKey, orgId } = await newTenant();
    await configureWebhook(apiKey);
    const receiver = stubProvider(() => new Response(null, { status: 500 }));
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.created', data);
    await settle();
    await configureWebhook(apiKey, { url: RECEIVER, enabled: false });
    const id = await latestEventId(orgId);
    await retryAt((await eventRow(id))!.next_attempt_at!);
    expect(receiver.seen).toHaveLength(1);
    expect(await eventRow(id)).toMatchObject({ delivery_status: 'failed', last_error: expect.stringContaining('disabled') });
  });

  it('is failed with a reason when the signing secret no longer decrypts, without holding up others', async () => {
    const broken = await newTenant();
    const healthy = await newTenant();
    await configureWebhook(broken.apiKey);
    await configureWebhook(healthy.apiKey);
    let answer = 500;
    const receiver = stubProvider(() => new Response(null, { status: answer }));
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, broken.orgId, 'connection.created', data);
    await recordEvent(deps, healthy.orgId, 'connection.created', data);
    await settle();
    // The key that sealed one organization's secret leaves the keyring before the retry.
    const lostKey = await encrypt(await parseKeyring(generateKeySpec('k0')), 'whsec_lost', `webhook_endpoints/${broken.orgId}/secret`);
    await env.DB.prepare('UPDATE webhook_endpoints SET secret_enc = ? WHERE org_id = ?').bind(lostKey, broken.orgId).run();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    answer = 204;

    expect(await retryAt(Date.now() + 2 * MINUTE)).toMatchObject({ due: 2, delivered: 1, failed: 1 });
    expect(receiver.seen).toHaveLength(3);
    expect(await eventRow(await latestEventId(broken.orgId))).toMatchObject({
      delivery_status: 'failed',
      last_error: expect.stringContaining('rotate_secret'),
    });
    expect((await eventRow(await latestEventId(healthy.orgId)))!.delivery_status).toBe('delivered');
  });

  it('is sent once when two cron runs overlap', async () => {
    const { apiKey, orgId } = await newTenant();
    await configureWebhook(apiKey);
    let answer = 500;
    const receiver = stubProvider(() => new Response(null, { status: answer }));
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.created', data);
    await settle();
    answer = 200;
    const due = (await eventRow(await latestEventId(orgId)))!.next_attempt_at!;
    const [a, b] = await Promise.all([retryAt(due), retryAt(due)]);
    expect(receiver.seen).toHaveLength(2);
    expect(a.delivered + b.delivered).toBe(1);
  });

  it('is picked up by the cron when the first attempt was lost', async () => {
    const { apiKey, orgId } = await newTenant();
    await configureWebhook(apiKey);
    // The first attempt never comes back, as when the isolate is evicted mid-delivery.
    let calls = 0;
    const receiver = stubProvider(() => (calls++ === 0 ? new Promise<Response>(() => {}) : new Response(null, { status: 200 })));
    const { deps } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.created', data);
    const id = await latestEventId(orgId);
    await vi.waitFor(() => expect(receiver.seen).toHaveLength(1));

    await retryAt(Date.now() + 30_000);
    expect(receiver.seen).toHaveLength(1);
    await retryAt(Date.now() + 2 * MINUTE);
    expect(receiver.seen).toHaveLength(2);
    expect(await eventRow(id)).toMatchObject({ delivery_status: 'delivered', attempts: 1 });
  });
});

describe('payloads', () => {
  it('never carry credentials, even when an emitter passes them', async () => {
    const { apiKey, orgId } = await newTenant();
    await configureWebhook(apiKey);
    const receiver = stubProvider(() => new Response(null, { status: 204 }));
    const { deps, settle } = await emitDeps();
    const leaky = {
      connection_id: 'con_abc123',
      access_token: 'ya29.ACCESS-TOKEN-VALUE',
      has_refresh_token: true,
      metadata: { instance_url: 'https://acme.my.salesforce.com', refresh_token: 'REFRESH-TOKEN-VALUE', Client_Secret: 'CLIENT-SECRET-VALUE' },
      credentials: { password: 'PASSWORD-VALUE' },
      apiKey: 'API-KEY-VALUE',
      notes: ['fine', 'elk_at_TOKENSHAPEDVALUE'],
      id_hint: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln',
    };
    await recordEvent(deps, orgId, 'connection.updated', leaky);
    await settle();
    const sent = receiver.seen[0]!.body;
    const stored = (await eventRow(await latestEventId(orgId)))!.payload;
    for (const text of [sent, stored]) {
      for (const value of ['ACCESS-TOKEN', 'REFRESH-TOKEN', 'CLIENT-SECRET', 'PASSWORD-VALUE', 'API-KEY-VALUE', 'TOKENSHAPED', 'eyJhbGci']) {
        expect(text).not.toContain(value);
      }
    }
    expect(JSON.parse(sent).data).toEqual({
      connection_id: 'con_abc123',
      has_refresh_token: true,
      metadata: { instance_url: 'https://acme.my.salesforce.com' },
      notes: ['fine'],
    });
  });

  it('logs the names of removed fields, never their values', async () => {
    const { orgId } = await newTenant();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { deps } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.created', { access_token: 'ACCESS-TOKEN-VALUE' });
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0]![0]);
    expect(JSON.parse(line)).toMatchObject({ level: 'warn', fields: ['data.access_token'] });
    expect(line).not.toContain('ACCESS-TOKEN-VALUE');
  });
});
