import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { app } from '../../src/app';
import { linkPageHotRoute } from '../../src/connect/link-page-hot';
import { dbFor } from '../../src/db/client';
import { parseKeyring } from '../../src/lib/crypto';
import worker from '../../src/index';
import { buildRequest, call, newTenant } from '../helpers/api';
import { d1Query } from '../helpers/hot-query';
import { keyIntegration, newLink, salesforceIntegration } from '../links/fixtures';

afterEach(() => vi.restoreAllMocks());

/** The same request answered by the Worker (hot routes first) and by the app alone, with the Worker's log lines. */
async function both(path: string) {
  const answer = async (serve: (r: Request, ctx: ExecutionContext) => Promise<Response> | Response) => {
    const ctx = createExecutionContext();
    const res = await serve(buildRequest(path), ctx);
    const body = await res.text();
    await waitOnExecutionContext(ctx);
    const headers = Object.fromEntries([...res.headers].filter(([name]) => name !== 'x-request-id'));
    return { status: res.status, body, headers, requestId: res.headers.get('x-request-id') };
  };
  const log = vi.spyOn(console, 'log');
  const hot = await answer((r, ctx) => worker.fetch(r, env, ctx));
  const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)));
  log.mockRestore();
  const plain = await answer((r, ctx) => app.fetch(r, env, ctx));
  return { hot, plain, lines };
}

const withoutRequestIds = (body: string) => body.replaceAll(/req_[A-Za-z0-9_-]{16}/g, 'req_');

/** Whether the hot route itself answers this path (rather than leaving it to the app). */
async function servedHot(path: string): Promise<boolean> {
  const params = linkPageHotRoute.match(path);
  if (!params) return false;
  const deps = {
    query: d1Query,
    db: dbFor(env.DB),
    keyring: await parseKeyring(env.ENCRYPTION_KEYS),
    waitUntil: () => {},
    now: Date.now(),
    publicUrl: env.PUBLIC_URL,
  };
  return (await linkPageHotRoute.serve(buildRequest(path), params, deps)) !== null;
}

describe('the link page answered before the app', () => {
  it('is byte for byte the page the app renders, with the same headers and one logged round trip', async () => {
    const { apiKey } = await newTenant('Hot & Co <Ltd>');
    await salesforceIntegration(apiKey, 'Salesforce "CRM"');
    await keyIntegration(apiKey);
    const link = await newLink(apiKey, { end_user: { id: 'hot-user', display_name: 'Zoë <b>' } });
    const { hot, plain, lines } = await both(`/link/${link.token}`);
    expect(hot.status).toBe(200);
    expect(hot.body).toBe(plain.body);
    expect(hot.headers).toEqual(plain.headers);
    // Salesforce's Connect posts straight on to its login host: the policy names it.
    expect(hot.headers['content-security-policy']).toContain('https://login.salesforce.com');
    expect(hot.body).toContain('Hot &amp; Co &lt;Ltd&gt;');
    expect(hot.requestId).toMatch(/^req_[A-Za-z0-9_-]{16}$/);
    expect(lines).toEqual([expect.objectContaining({ route: '/link/:token', status: 200, d1_round_trips: 1, caller: null, request_id: hot.requestId })]);
    expect(await servedHot(`/link/${link.token}`)).toBe(true);
  });

  it('leaves every other answer to the app: unknown, turned off, nothing to connect, or a path that is not a link', async () => {
    const { apiKey } = await newTenant();
    const empty = await newLink(apiKey);
    await keyIntegration(apiKey);
    const off = await newLink(apiKey);
    await call(`/api/v1/links/${off.id}`, { method: 'PATCH', token: apiKey, body: { disabled: true } });
    const { apiKey: otherKey } = await newTenant();
    const nothing = await newLink(otherKey);
    const cases: [string, number][] = [
      [`/link/${'A'.repeat(43)}`, 404],
      [`/link/${off.token}`, 403],
      [`/link/${nothing.token}`, 200],
      [`/link/${empty.token}/`, 404],
      [`/link/${empty.token.slice(1)}`, 404],
    ];
    for (const [path, status] of cases) {
      const { hot, plain } = await both(path);
      expect({ path, status: hot.status }).toEqual({ path, status });
      expect(withoutRequestIds(hot.body)).toBe(withoutRequestIds(plain.body));
      expect(await servedHot(path)).toBe(false);
    }
  });
});
