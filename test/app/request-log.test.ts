import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, newTenant } from '../helpers/api';

afterEach(() => vi.restoreAllMocks());

function captureLogs() {
  const lines: string[] = [];
  const record = (...args: unknown[]) => lines.push(args.map(String).join(' '));
  vi.spyOn(console, 'log').mockImplementation(record);
  vi.spyOn(console, 'error').mockImplementation(record);
  return lines;
}

describe('request log', () => {
  it('writes one JSON line per request with route, status and organization, and no secret', async () => {
    const { apiKey, orgId } = await newTenant();
    const lines = captureLogs();
    const created = await call('/api/v1/api_keys', { method: 'POST', token: apiKey, body: { name: 'logged' } });
    await call(`/api/v1/api_keys?cursor=${'A'.repeat(20)}`, { token: created.json.secret });

    const entries = lines.filter((l) => l.includes('"msg":"request"')).map((l) => JSON.parse(l));
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      method: 'POST',
      route: '/api/v1/api_keys',
      status: 201,
      org_id: orgId,
      caller: 'api_key',
      request_id: created.headers.get('x-request-id'),
    });
    expect(entries[0].duration_ms).toBeTypeOf('number');
    // Key lookup and insert, plus the once-a-minute last_used_at write when it lands in time.
    expect(entries[0].d1_round_trips).toBeGreaterThanOrEqual(2);
    expect(entries[0].d1_round_trips).toBeLessThanOrEqual(3);
    expect(entries[1]).toMatchObject({ status: 400, route: '/api/v1/api_keys' });
    const all = lines.join('\n');
    expect(all).not.toContain(apiKey);
    expect(all).not.toContain(created.json.secret);
    expect(all).not.toContain('AAAAAAAAAAAAAAAAAAAA');
    expect(all.toLowerCase()).not.toContain('authorization');
  });

  it('logs the route pattern, not the ids in the path', async () => {
    const { apiKey, keyId } = await newTenant();
    const lines = captureLogs();
    await call(`/api/v1/api_keys/${keyId}`, { method: 'DELETE', token: apiKey });
    const entry = JSON.parse(lines.find((l) => l.includes('"msg":"request"'))!);
    expect(entry.route).toBe('/api/v1/api_keys/:id');
    expect(lines.join('\n')).not.toContain(keyId);
  });
});
