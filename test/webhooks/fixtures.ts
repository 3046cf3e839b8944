import { outboxEvent } from '../../src/webhooks/emit';
import type { EventType } from '../../src/webhooks/schema';
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { hmacSha256Hex } from '../../src/lib/crypto';
import { testDeps } from '../helpers/deps';
import { call } from '../helpers/api';
import type { SeenRequest } from '../helpers/outbound';

export const RECEIVER = 'https://hooks.example.com/edgelink';

/** recordEvent's deps with a waitUntil that keeps the background work, so a test can await it. */
export async function emitDeps() {
  const deps = await testDeps();
  return { deps, settle: () => Promise.all(deps.pending.splice(0)) };
}

/** Configures the tenant's endpoint and returns its signing secret. */
export async function configureWebhook(apiKey: string, body: Record<string, unknown> = { url: RECEIVER }): Promise<string> {
  const res = await call('/api/v1/webhook', { method: 'PUT', token: apiKey, body });
  expect(res.status).toBe(200);
  return res.json.secret as string;
}

/** What a receiver does: recompute `v1=` HMAC-SHA256(secret, "{timestamp}.{body}") and compare. */
export async function hasValidSignature(secret: string, req: SeenRequest): Promise<boolean> {
  const timestamp = req.headers.get('edgelink-timestamp');
  const signature = req.headers.get('edgelink-signature');
  if (!timestamp || !signature) return false;
  return signature === `v1=${await hmacSha256Hex(secret, `${timestamp}.${req.body}`)}`;
}

export async function eventRow(id: string) {
  return env.DB.prepare('SELECT * FROM events WHERE id = ?').bind(id).first<{
    delivery_status: string;
    attempts: number;
    next_attempt_at: number | null;
    last_response_status: number | null;
    last_error: string | null;
    payload: string;
  }>();
}

export async function latestEventId(orgId: string): Promise<string> {
  const row = await env.DB.prepare('SELECT id FROM events WHERE org_id = ? ORDER BY created_at DESC, id DESC LIMIT 1').bind(orgId).first<{ id: string }>();
  if (!row) throw new Error(`no event for ${orgId}`);
  return row.id;
}

/** Records an event as a change's batch would (its outbox insert), then delivers it in the background. */
export async function recordEvent(deps: Parameters<typeof outboxEvent>[0], orgId: string, type: EventType, data: Record<string, unknown>, now = Date.now()) {
  const event = await outboxEvent(deps, orgId, type, data, { now });
  event.deliver(await event.statement);
}
