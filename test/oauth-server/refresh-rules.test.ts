import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { appWithUser, basic, oauthPost, tokensFor } from './fixtures';

const json = (res: { text: string }) => JSON.parse(res.text);

async function issued() {
  const f = await appWithUser();
  const auth = { authorization: basic(f.app.client_id, f.app.client_secret) };
  const { json: tokens } = await tokensFor(f);
  const refresh = (token: string) => oauthPost('/oauth/token', { grant_type: 'refresh_token', refresh_token: token }, auth);
  const introspect = async (token: string) => json(await oauthPost('/oauth/introspect', { token }, auth));
  return { f, tokens, refresh, introspect };
}

describe('refresh tokens', () => {
  it('a used (rotated) refresh token introspects inactive', async () => {
    const { tokens, refresh, introspect } = await issued();
    expect((await introspect(tokens.refresh_token)).active).toBe(true);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
    expect(await introspect(tokens.refresh_token)).toEqual({ active: false });
  });

  it('stop minting tokens when the user leaves the organization', async () => {
    const { f, tokens, refresh } = await issued();
    await env.DB.prepare('DELETE FROM memberships WHERE org_id = ?').bind(f.orgId).run();
    const res = await refresh(tokens.refresh_token);
    expect(res.status).toBe(400);
    expect(json(res).error).toBe('invalid_grant');
  });
});
