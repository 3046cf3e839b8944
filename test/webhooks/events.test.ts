import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, expectError, newTenant } from '../helpers/api';
import { stubProvider } from '../helpers/outbound';
import { configureWebhook, emitDeps, recordEvent, latestEventId } from './fixtures';

afterEach(() => vi.restoreAllMocks());

/** A tenant with one delivered, one failed-attempt and one undeliverable event. */
async function tenantWithEvents() {
  const tenant = await newTenant();
  const { deps, settle } = await emitDeps();
  // A millisecond apart, so newest-first order does not fall back to the random ids.
  const t = Date.now();
  await recordEvent(deps, tenant.orgId, 'connection.created', { connection_id: 'con_first0' }, t);
  await configureWebhook(tenant.apiKey);
  const receiver = stubProvider((req) => new Response(null, { status: req.body.includes('con_third0') ? 500 : 200 }));
  await recordEvent(deps, tenant.orgId, 'connection.updated', { connection_id: 'con_second' }, t + 1);
  await recordEvent(deps, tenant.orgId, 'connection.deleted', { connection_id: 'con_third0' }, t + 2);
  await settle();
  receiver.restore();
  return tenant;
}

describe('GET /api/v1/events', () => {
  it('lists what was sent, newest first, with the delivery state', async () => {
    const { apiKey } = await tenantWithEvents();
    const res = await call('/api/v1/events', { token: apiKey });
    expect(res.status).toBe(200);
    expect(res.json.next_cursor).toBeNull();
    expect(res.json.data.map((e: any) => [e.type, e.delivery_status, e.attempts])).toEqual([
      ['connection.deleted', 'pending', 1],
      ['connection.updated', 'delivered', 1],
      ['connection.created', 'no_endpoint', 0],
    ]);
    const [failed] = res.json.data;
    expect(failed).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      payload: { id: failed.id, type: 'connection.deleted', data: { connection_id: 'con_third0' } },
      last_response_status: 500,
      last_error: 'The endpoint answered HTTP 500.',
      next_attempt_at: expect.any(String),
      last_attempt_at: expect.any(String),
    });
    expect(res.json.data[1].next_attempt_at).toBeNull();
  });

  it('filters by type and by delivery status', async () => {
    const { apiKey } = await tenantWithEvents();
    const byType = await call('/api/v1/events?type=connection.updated', { token: apiKey });
    expect(byType.json.data.map((e: any) => e.type)).toEqual(['connection.updated']);
    const pending = await call('/api/v1/events?delivery_status=pending', { token: apiKey });
    expect(pending.json.data.map((e: any) => e.type)).toEqual(['connection.deleted']);
    const none = await call('/api/v1/events?type=connection.created&delivery_status=delivered', { token: apiKey });
    expect(none.json.data).toEqual([]);
  });

  it('pages with limit and cursor', async () => {
    const { apiKey } = await tenantWithEvents();
    const first = await call('/api/v1/events?limit=2', { token: apiKey });
    expect(first.json.data).toHaveLength(2);
    const second = await call(`/api/v1/events?limit=2&cursor=${first.json.next_cursor}`, { token: apiKey });
    expect(second.json.data.map((e: any) => e.type)).toEqual(['connection.created']);
    expect(second.json.next_cursor).toBeNull();
  });

  it('refuses an unknown filter value', async () => {
    const { apiKey } = await newTenant();
    const error = expectError(await call('/api/v1/events?delivery_status=lost', { token: apiKey }), 400, 'validation_failed');
    expect(error.details?.[0]?.field).toBe('delivery_status');
  });

  it("does not list another organization's events", async () => {
    await tenantWithEvents();
    const other = await newTenant();
    expect((await call('/api/v1/events', { token: other.apiKey })).json.data).toEqual([]);
  });
});

describe('GET /api/v1/events/{id}', () => {
  it('shows one event', async () => {
    const { apiKey, orgId } = await tenantWithEvents();
    const id = await latestEventId(orgId);
    const res = await call(`/api/v1/events/${id}`, { token: apiKey });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, payload: { id }, attempts: expect.any(Number) });
  });

  it("is 404 for another organization's event", async () => {
    const { orgId } = await tenantWithEvents();
    const other = await newTenant();
    const id = await latestEventId(orgId);
    expectError(await call(`/api/v1/events/${id}`, { token: other.apiKey }), 404, 'not_found');
  });

  it('is 404 for an unknown id and 400 for a malformed one', async () => {
    const { apiKey } = await newTenant();
    expectError(await call('/api/v1/events/evt_doesnotexist0000', { token: apiKey }), 404, 'not_found');
    expectError(await call('/api/v1/events/con_abc', { token: apiKey }), 400, 'validation_failed');
  });
});
