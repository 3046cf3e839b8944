import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { call, newTenant } from './api';
import { callWithFault, faultyD1 } from './fault-injection';

describe('the fault-injection harness', () => {
  it('counts the D1 calls of a request and fails each one in turn', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const { apiKey } = await newTenant();
    await call('/api/v1/api_keys', { token: apiKey }); // records last_used_at, which is then not written again for a minute
    const clean = await callWithFault('/api/v1/api_keys', { failAt: null }, { token: apiKey });
    expect(clean.status).toBe(200);
    expect(clean.struck).toBe(false);
    expect(clean.d1Calls).toBe(2); // the key, then the list

    for (let n = 1; n <= clean.d1Calls; n++) {
      const failed = await callWithFault('/api/v1/api_keys', { failAt: n }, { token: apiKey });
      expect(failed).toMatchObject({ status: 500, struck: true, json: { error: { code: 'internal_error' } } });
    }
    const beyond = await callWithFault('/api/v1/api_keys', { failAt: clean.d1Calls + 1 }, { token: apiKey });
    expect(beyond).toMatchObject({ status: 200, struck: false });
  });

  it("fails a call after it ran when timed 'after': the write lands, the Worker sees an error", async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const { apiKey } = await newTenant();
    const before = await call('/api/v1/api_keys', { token: apiKey });
    const probe = await callWithFault('/api/v1/api_keys', { failAt: null }, { method: 'POST', token: apiKey, body: { name: 'probe' } });
    expect(probe.status).toBe(201);

    const lost = await callWithFault(
      '/api/v1/api_keys',
      { failAt: probe.d1Calls, timing: 'after' },
      { method: 'POST', token: apiKey, body: { name: 'lost reply' } },
    );
    expect(lost.status).toBe(500);
    const after = await call('/api/v1/api_keys', { token: apiKey });
    const names = (after.json.data as { name: string }[]).map((k) => k.name);
    expect(names).toContain('lost reply');
    expect(after.json.data.length).toBe(before.json.data.length + 2);
  });

  it('fails `count` consecutive calls from `failAt` on, so a retry can fail too', async () => {
    const faulty = faultyD1(env.DB, { failAt: 2, count: 2 });
    const outcomes = [];
    for (let i = 0; i < 4; i++)
      outcomes.push(
        await faulty.binding
          .prepare('SELECT 1')
          .run()
          .then(
            () => 'ok',
            () => 'failed',
          ),
      );
    expect(outcomes).toEqual(['ok', 'failed', 'failed', 'ok']);
    expect(faulty.calls()).toBe(4);
  });

  it('fails the calls listed in `alsoAt` too, apart from `failAt`, in sessions as on the binding', async () => {
    const faulty = faultyD1(env.DB, { failAt: 1, alsoAt: [3] });
    const session = faulty.binding.withSession('first-unconstrained');
    const outcomes = [];
    for (let i = 0; i < 4; i++)
      outcomes.push(
        await (i % 2 === 0 ? session : faulty.binding)
          .prepare('SELECT 1')
          .raw()
          .then(
            () => 'ok',
            () => 'failed',
          ),
      );
    expect(outcomes).toEqual(['failed', 'ok', 'failed', 'ok']);
    expect(faulty.calls()).toBe(4);
  });
});
