import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchOutbound } from '../../src/lib/http';

afterEach(() => vi.restoreAllMocks());

describe('fetchOutbound', () => {
  it('never follows a redirect: it asks fetch not to and hands the 3xx back', async () => {
    const seen: RequestInit[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (_input, init) => {
      seen.push(init ?? {});
      return new Response(null, { status: 302, headers: { location: 'https://169.254.169.254/latest/meta-data/' } });
    });
    const result = await fetchOutbound('https://hooks.example.com/edgelink', { method: 'POST', body: '{}' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.redirect).toBe('manual');
    expect(result).toMatchObject({ ok: true, status: 302 });
  });
});
