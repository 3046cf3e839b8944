import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, expectError, newTenant } from '../helpers/api';

afterEach(() => vi.restoreAllMocks());

// Storage is per test file, so breaking the database here harms no other test.
describe('unexpected failures', () => {
  it('answer 500 with a request id and no internals', async () => {
    const { apiKey } = await newTenant();
    await env.DB.exec('DROP TABLE api_keys');
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => errors.push(args.map(String).join(' ')));

    const res = await call('/api/v1/api_keys', { token: apiKey });
    const error = expectError(res, 500, 'internal_error');
    expect(error.message).toContain(error.request_id);
    // The request id is random base64url and may spell any of these words; look past it.
    expect(res.text.replaceAll(error.request_id, '')).not.toMatch(/api_keys|SQL|D1|sqlite|stack/i);
    expect(res.headers.get('x-request-id')).toBe(error.request_id);

    const logged = errors.map((l) => JSON.parse(l));
    expect(logged).toEqual([expect.objectContaining({ level: 'error', request_id: error.request_id })]);
    expect(errors.join('\n')).not.toContain(apiKey);
  });

  it('answer an HTML page on the consent endpoint, with the request id and no internals', async () => {
    await env.DB.exec('DROP TABLE applications');
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => errors.push(args.map(String).join(' ')));

    const res = await call('/oauth/authorize?client_id=elk_app_unknown&response_type=code');
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.json).toBeUndefined();
    const requestId = res.headers.get('x-request-id')!;
    expect(res.text).toContain(requestId);
    // As above: the random request id may spell "D1" or "SQL"; look past it.
    expect(res.text.replaceAll(requestId, '')).not.toMatch(/applications|SQL|D1|sqlite|stack|\.tsx?\b/i);

    const logged = errors.map((l) => JSON.parse(l));
    expect(logged).toEqual([expect.objectContaining({ level: 'error', request_id: requestId })]);
  });
});
