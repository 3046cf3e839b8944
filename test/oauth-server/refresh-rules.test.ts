import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/lib/crypto';
import { REFRESH_ABSOLUTE_TTL_MS, REFRESH_IDLE_TTL_MS } from '../../src/oauth-server/tokens';
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

describe('refresh token lifetimes', () => {
  const DAY = 24 * 60 * 60_000;

  it('expire after 30 days unused (idle), at refresh and at introspection', async () => {
    const { tokens, refresh, introspect } = await issued();
    const hash = await sha256Hex(tokens.refresh_token);
    await env.DB.prepare('UPDATE oauth_tokens SET created_at = created_at - ?, expires_at = expires_at - ? WHERE token_hash = ?')
      .bind(REFRESH_IDLE_TTL_MS + 1000, REFRESH_IDLE_TTL_MS + 1000, hash)
      .run();
    expect(await introspect(tokens.refresh_token)).toEqual({ active: false });
    const res = await refresh(tokens.refresh_token);
    expect(res.status).toBe(400);
    expect(json(res).error).toBe('invalid_grant');
  });

  it('expire 90 days after the user authorized (absolute), however often they rotate', async () => {
    const { f, tokens, refresh, introspect } = await issued();
    expect(REFRESH_ABSOLUTE_TTL_MS).toBe(90 * DAY);
    await env.DB.prepare('UPDATE oauth_grants SET created_at = created_at - ? WHERE application_id = ?')
      .bind(REFRESH_ABSOLUTE_TTL_MS + 1000, f.app.id)
      .run();
    expect(await introspect(tokens.refresh_token)).toEqual({ active: false });
    const res = await refresh(tokens.refresh_token);
    expect(res.status).toBe(400);
    expect(json(res).error).toBe('invalid_grant');
  });

  it('report their idle expiry, capped by the absolute one', async () => {
    const { tokens, introspect } = await issued();
    const live = await introspect(tokens.refresh_token);
    expect(live.active).toBe(true);
    expect(live.exp - live.iat).toBeGreaterThanOrEqual(REFRESH_IDLE_TTL_MS / 1000 - 2);
    expect(live.exp - live.iat).toBeLessThanOrEqual(REFRESH_IDLE_TTL_MS / 1000 + 2);
  });
});
