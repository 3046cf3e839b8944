import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { attemptDelivery, LOST_AFTER_MS, retryDueNotifications, type NotificationRow } from '../../src/notifications/outbox';
import { notificationTransport } from '../../src/notifications/transport';
import { buildRawEmail } from '../../src/notifications/email';
import { newTenant } from '../helpers/api';
import { stubProvider } from '../helpers/outbound';
import { addMember, newApplication } from '../applications/fixtures';
import { configure, NOTIFY_TOKEN, NOTIFY_URL, notificationsOf, settledNotification } from './fixtures';

let unconfigure: (() => void) | undefined;
// The retry pass takes every due notification; tests in a file share a database.
beforeEach(async () => {
  await env.DB.exec('DELETE FROM notifications');
});
afterEach(() => {
  unconfigure?.();
  unconfigure = undefined;
  vi.restoreAllMocks();
});

async function tenantWithOwner() {
  const tenant = await newTenant('Globex');
  const owner = await addMember(tenant.orgId, { email: `grace.${tenant.orgId}@globex.example`, name: 'Grace' });
  return { ...tenant, ...owner };
}

describe('delivery over HTTPS', () => {
  it('POSTs the rendered notification with the bearer token and records it sent', async () => {
    unconfigure = configure({ NOTIFY_URL, NOTIFY_TOKEN });
    const endpoint = stubProvider(() => new Response(null, { status: 202 }));
    const { apiKey, userId, email } = await tenantWithOwner();
    const app = await newApplication(apiKey, { name: 'Ledger', owner_user_id: userId });

    const notification = await settledNotification(apiKey);
    expect(notification).toMatchObject({ status: 'sent', attempts: 1, last_error: null, sent_at: expect.any(String) });
    expect(endpoint.seen).toHaveLength(1);
    const req = endpoint.seen[0]!;
    expect(req).toMatchObject({ url: NOTIFY_URL, method: 'POST' });
    expect(req.headers.get('authorization')).toBe(`Bearer ${NOTIFY_TOKEN}`);
    expect(req.headers.get('content-type')).toBe('application/json');
    expect(req.headers.get('idempotency-key')).toBe(notification.id);
    expect(JSON.parse(req.body)).toEqual({
      id: notification.id,
      kind: 'application.created',
      to: [email],
      subject: 'OAuth application "Ledger" created',
      body: notification.body,
    });
    expect(req.body).not.toContain(app.client_secret);
  });

  it('records a refused delivery as failed, without the token, and the retry pass sends it', async () => {
    unconfigure = configure({ NOTIFY_URL, NOTIFY_TOKEN });
    let answer = 500;
    const endpoint = stubProvider(() => new Response(`denied ${NOTIFY_TOKEN}`, { status: answer }));
    const { apiKey, userId } = await tenantWithOwner();
    await newApplication(apiKey, { owner_user_id: userId });

    const failed = await settledNotification(apiKey);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_error: 'The notification endpoint answered HTTP 500.', sent_at: null });
    expect(JSON.stringify(failed)).not.toContain(NOTIFY_TOKEN);

    answer = 200;
    const result = await retryDueNotifications({ db: createDb(env.DB), transport: notificationTransport(env) }, Date.now(), 10);
    expect(result).toEqual({ retried: 1, sent: 1 });
    expect((await notificationsOf(apiKey))[0]).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    expect(endpoint.seen).toHaveLength(2);
    expect(endpoint.seen[0]!.headers.get('idempotency-key')).toBe(endpoint.seen[1]!.headers.get('idempotency-key'));
  });

  it('records an unreachable endpoint as failed', async () => {
    unconfigure = configure({ NOTIFY_URL, NOTIFY_TOKEN });
    stubProvider(() => {
      throw new TypeError('Network connection lost.');
    });
    const { apiKey, userId } = await tenantWithOwner();
    await newApplication(apiKey, { owner_user_id: userId });
    expect(await settledNotification(apiKey)).toMatchObject({ status: 'failed', last_error: expect.stringContaining('could not be reached') });
  });

  it('fails clearly when NOTIFY_TOKEN is missing, sending nothing', async () => {
    unconfigure = configure({ NOTIFY_URL });
    const endpoint = stubProvider(() => new Response(null, { status: 200 }));
    const { apiKey, userId } = await tenantWithOwner();
    await newApplication(apiKey, { owner_user_id: userId });
    expect(await settledNotification(apiKey)).toMatchObject({ status: 'failed', last_error: 'NOTIFY_TOKEN is not set.' });
    expect(endpoint.seen).toEqual([]);
  });

  it('stops retrying after five attempts', async () => {
    unconfigure = configure({ NOTIFY_URL, NOTIFY_TOKEN });
    stubProvider(() => new Response(null, { status: 503 }));
    const { apiKey, userId } = await tenantWithOwner();
    await newApplication(apiKey, { owner_user_id: userId });
    await settledNotification(apiKey);
    const deps = { db: createDb(env.DB), transport: notificationTransport(env) };
    for (let i = 0; i < 6; i++) await retryDueNotifications(deps, Date.now(), 10);
    expect((await notificationsOf(apiKey))[0]).toMatchObject({ status: 'failed', attempts: 5 });
  });

  it('sends nothing and keeps the notification stored when no transport is configured', async () => {
    const endpoint = stubProvider(() => new Response(null, { status: 200 }));
    const { apiKey, userId } = await tenantWithOwner();
    await newApplication(apiKey, { owner_user_id: userId });
    expect((await notificationsOf(apiKey))[0]).toMatchObject({ status: 'stored', attempts: 0 });
    expect(endpoint.seen).toEqual([]);
  });

  it('sends nothing when there is no recipient, even with a transport', async () => {
    unconfigure = configure({ NOTIFY_URL, NOTIFY_TOKEN });
    const endpoint = stubProvider(() => new Response(null, { status: 200 }));
    const { apiKey } = await newTenant();
    await newApplication(apiKey);
    expect((await notificationsOf(apiKey))[0]).toMatchObject({ status: 'stored', recipients: [] });
    expect(endpoint.seen).toEqual([]);
  });
});

describe('the retry pass', () => {
  async function storedNotification(): Promise<NotificationRow> {
    const { apiKey, userId } = await tenantWithOwner();
    await newApplication(apiKey, { owner_user_id: userId });
    const [latest] = await notificationsOf(apiKey);
    return (await createDb(env.DB).query.notifications.findFirst({ where: (t, { eq }) => eq(t.id, latest!.id) }))!;
  }
  const setRow = (id: string, status: string, createdAt: number) =>
    env.DB.prepare('UPDATE notifications SET status = ?, created_at = ? WHERE id = ?').bind(status, createdAt, id).run();

  it('takes over a pending notification whose first attempt was lost, but not a fresh one or a stored one', async () => {
    const lost = await storedNotification();
    const fresh = await storedNotification();
    const stored = await storedNotification();
    await setRow(lost.id, 'pending', Date.now() - LOST_AFTER_MS - 1000);
    await setRow(fresh.id, 'pending', Date.now());
    unconfigure = configure({ NOTIFY_URL, NOTIFY_TOKEN });
    const endpoint = stubProvider(() => new Response(null, { status: 200 }));
    expect(await retryDueNotifications({ db: createDb(env.DB), transport: notificationTransport(env) }, Date.now(), 10)).toEqual({ retried: 1, sent: 1 });
    expect(endpoint.seen.map((r) => JSON.parse(r.body).id)).toEqual([lost.id]);
    const status = async (id: string) => (await env.DB.prepare('SELECT status FROM notifications WHERE id = ?').bind(id).first<{ status: string }>())!.status;
    expect([await status(lost.id), await status(fresh.id), await status(stored.id)]).toEqual(['sent', 'pending', 'stored']);
  });

  it('sends once when two attempts race for the same notification', async () => {
    const row = await storedNotification();
    await setRow(row.id, 'pending', row.createdAt);
    unconfigure = configure({ NOTIFY_URL, NOTIFY_TOKEN });
    const endpoint = stubProvider(() => new Response(null, { status: 200 }));
    const transport = notificationTransport(env)!;
    const db = createDb(env.DB);
    const pending = { ...row, status: 'pending' as const };
    const results = await Promise.all([attemptDelivery(db, transport, pending), attemptDelivery(db, transport, pending)]);
    expect(results.sort()).toEqual([null, 'sent'].sort());
    expect(endpoint.seen).toHaveLength(1);
  });

  it('does nothing without a transport', async () => {
    expect(await retryDueNotifications({ db: createDb(env.DB), transport: null }, Date.now(), 10)).toEqual({ retried: 0, sent: 0 });
  });
});

describe('delivery by the send_email binding', () => {
  it('sends one message per recipient from NOTIFY_FROM and records it sent', async () => {
    const sent: { from: string; to: string }[] = [];
    unconfigure = configure({
      EMAIL: { send: async (message: { from: string; to: string }) => void sent.push({ from: message.from, to: message.to }) },
      NOTIFY_FROM: 'apps@edgelink.example',
    });
    const { apiKey } = await tenantWithOwner();
    const { call } = await import('../helpers/api');
    await call('/api/v1/notification_templates', {
      method: 'PUT',
      token: apiKey,
      body: { kind: 'application.created', recipient_rule: 'fixed', fixed_addresses: ['a@example.com', 'b@example.com'] },
    });
    await newApplication(apiKey);
    expect(await settledNotification(apiKey)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(sent).toEqual([
      { from: 'apps@edgelink.example', to: 'a@example.com' },
      { from: 'apps@edgelink.example', to: 'b@example.com' },
    ]);
  });

  it('records what the binding refused', async () => {
    unconfigure = configure({
      EMAIL: {
        send: async () => {
          throw new Error('destination address not verified');
        },
      },
    });
    const { apiKey, userId } = await tenantWithOwner();
    await newApplication(apiKey, { owner_user_id: userId });
    expect(await settledNotification(apiKey)).toMatchObject({
      status: 'failed',
      last_error: 'Email: sending to recipient 1 failed (destination address not verified).',
    });
  });

  it('builds a plain-text RFC 5322 message', () => {
    const raw = buildRawEmail({
      messageId: 'ntf_abc.0',
      from: 'apps@edgelink.example',
      to: 'grace@globex.example',
      subject: 'Anwendung „Berichte“ angelegt',
      body: 'Hallo,\nZeile zwei',
      date: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
    });
    const [head, encoded] = raw.split('\r\n\r\n') as [string, string];
    expect(head.split('\r\n')).toEqual([
      'From: Edgelink <apps@edgelink.example>',
      'To: <grace@globex.example>',
      `Subject: =?UTF-8?B?${btoa(String.fromCharCode(...new TextEncoder().encode('Anwendung „Berichte“ angelegt')))}?=`,
      'Date: Wed, 02 Jan 2030 03:04:05 +0000',
      'Message-ID: <ntf_abc.0@edgelink.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
    ]);
    const bytes = Uint8Array.from(atob(encoded.replaceAll('\r\n', '')), (c) => c.charCodeAt(0));
    expect(new TextDecoder().decode(bytes)).toBe('Hallo,\r\nZeile zwei');
    expect(encoded.split('\r\n').every((line) => line.length <= 76)).toBe(true);
  });
});
