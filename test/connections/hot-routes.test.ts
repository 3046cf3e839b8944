import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import worker from '../../src/index';
import { buildRequest } from '../helpers/api';
import { oauthTenant } from './fixtures';

/** The same request answered by the Worker (hot routes first) and by the app alone. */
async function both(path: string, token: string) {
  const answer = async (serve: (r: Request, ctx: ExecutionContext) => Promise<Response> | Response) => {
    const ctx = createExecutionContext();
    const res = await serve(buildRequest(path, { token }), ctx);
    const body = await res.text();
    await waitOnExecutionContext(ctx);
    const headers = Object.fromEntries([...res.headers].filter(([name]) => name !== 'x-request-id'));
    return { status: res.status, body, headers, requestId: res.headers.get('x-request-id') };
  };
  const hot = await answer((r, ctx) => worker.fetch(r, env, ctx));
  const plain = await answer((r, ctx) => app.fetch(r, env, ctx));
  return { hot, plain };
}

describe('hot routes answer byte for byte as the app does', () => {
  it('the token route and GET connection with an API key, and every refusal left to the app', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_in: 3600 });
    for (const path of [`/api/v1/connections/${id}/token`, `/api/v1/connections/${id}`]) {
      const { hot, plain } = await both(path, t.apiKey);
      expect(hot.status).toBe(200);
      expect(hot.body).toBe(plain.body);
      expect(hot.headers).toEqual(plain.headers);
      expect(hot.requestId).toMatch(/^req_[A-Za-z0-9_-]{16}$/);
    }
    const other = await oauthTenant();
    const cases: [string, string, number][] = [
      [`/api/v1/connections/${id}/token`, `${t.apiKey}x`, 401],
      [`/api/v1/connections/${id}/token`, other.apiKey, 404],
      [`/api/v1/connections/con_doesnotexist/token`, t.apiKey, 404],
      [`/api/v1/connections/${id}`, other.apiKey, 404],
    ];
    for (const [path, token, status] of cases) {
      const { hot, plain } = await both(path, token);
      expect(hot.status).toBe(status);
      expect(JSON.parse(hot.body).error.code).toBe(JSON.parse(plain.body).error.code);
    }
  });

  it('a token due for refresh is left to the app, which refreshes it', async () => {
    const t = await oauthTenant();
    t.provider.onRefresh = () => Response.json({ access_token: 'refreshed-access-token', token_type: 'Bearer', expires_in: 3600 });
    const id = await t.connect({ expires_in: 60 });
    const res = await t.getToken(id);
    expect(res.status).toBe(200);
    expect(res.json.access_token).toBe('refreshed-access-token');
  });
});
