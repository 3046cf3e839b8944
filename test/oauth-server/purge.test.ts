import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client';
import { purgeOAuthRows } from '../../src/oauth-server/purge';
import { REFRESH_IDLE_TTL_MS } from '../../src/oauth-server/tokens';
import { appWithUser, authorize, pkce, tokensFor } from './fixtures';

const DAY = 24 * 60 * 60_000;
const count = async (sql: string, ...binds: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...binds)
    .first<{ n: number }>())!.n;

async function purgeUntilDone(now: number) {
  const db = createDb(env.DB);
  for (let i = 0; i < 50; i++) {
    const counts = await purgeOAuthRows({ db }, now, 100);
    if (counts.oauth_codes + counts.oauth_tokens + counts.oauth_grants === 0) return;
  }
}

describe('purging the authorization server', () => {
  it('deletes expired codes and tokens and the grants left with nothing, and keeps live ones', async () => {
    const f = await appWithUser();
    const { challenge } = await pkce();
    await authorize(f.app.client_id, f.cookie, challenge); // a code never exchanged
    await tokensFor(f); // a live grant
    const app = f.app.id;
    expect(await count('SELECT COUNT(*) AS n FROM oauth_grants WHERE application_id = ?', app)).toBe(2);

    // Two days later the access tokens and the codes are past their time; the live grant keeps its refresh token.
    await purgeUntilDone(Date.now() + 2 * DAY);
    const tokens = () => count('SELECT COUNT(*) AS n FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id WHERE g.application_id = ?', app);
    expect(
      await count("SELECT COUNT(*) AS n FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id WHERE g.application_id = ? AND t.kind = 'access'", app),
    ).toBe(0);
    expect(await tokens()).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM oauth_codes c JOIN oauth_grants g ON g.id = c.grant_id WHERE g.application_id = ?', app)).toBe(0);
    // The grant of the unexchanged code (no code, no token left) is gone; the live one stays.
    expect(await count('SELECT COUNT(*) AS n FROM oauth_grants WHERE application_id = ?', app)).toBe(1);

    // Past the idle lifetime the refresh token goes, and its grant with it.
    await purgeUntilDone(Date.now() + REFRESH_IDLE_TTL_MS + DAY);
    expect(await tokens()).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM oauth_grants WHERE application_id = ?', app)).toBe(0);
  });

  it('deletes at most the limit of each kind per run', async () => {
    const f = await appWithUser();
    for (let i = 0; i < 3; i++) await tokensFor(f, 'connections.read');
    const later = Date.now() + 2 * DAY;
    const db = createDb(env.DB);
    const first = await purgeOAuthRows({ db }, later, 2);
    expect(first.oauth_tokens).toBeLessThanOrEqual(2);
    expect(first.oauth_codes).toBeLessThanOrEqual(2);
    expect(first.oauth_grants).toBeLessThanOrEqual(2);
  });
});
