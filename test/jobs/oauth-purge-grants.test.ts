import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client';
import { GRANT_RETENTION_MS, purgeOAuthRows } from '../../src/oauth-server/purge';
import { appWithUser, tokensFor } from '../oauth-server/fixtures';

const DAY = 24 * 60 * 60_000;
const grantsOf = async (applicationId: string) =>
  (await env.DB.prepare('SELECT id FROM oauth_grants WHERE application_id = ?').bind(applicationId).all<{ id: string }>()).results.map((r) => r.id);

async function purgeUntilDone(now: number, limit = 100) {
  const db = createDb(env.DB);
  for (let i = 0; i < 50; i++) {
    const counts = await purgeOAuthRows({ db }, now, limit);
    if (counts.oauth_codes + counts.oauth_tokens + counts.oauth_grants === 0) return;
  }
}

describe('purging OAuth grants without walking them all', () => {
  it('still purges a grant left with no token and no code some other way', async () => {
    const f = await appWithUser();
    await tokensFor(f);
    const [grantId] = await grantsOf(f.app.id);
    // Its rows went without the purge seeing them: no run deletes a code or token of this grant.
    await env.DB.batch([
      env.DB.prepare('DELETE FROM oauth_tokens WHERE grant_id = ?').bind(grantId),
      env.DB.prepare('DELETE FROM oauth_codes WHERE grant_id = ?').bind(grantId),
    ]);
    await purgeUntilDone(Date.now() + GRANT_RETENTION_MS + DAY);
    expect(await grantsOf(f.app.id)).toEqual([]);
  });

  it('purges a revoked grant in the next run, tokens and all', async () => {
    const f = await appWithUser();
    await tokensFor(f);
    const [grantId] = await grantsOf(f.app.id);
    await env.DB.prepare('UPDATE oauth_grants SET revoked_at = ? WHERE id = ?').bind(Date.now(), grantId).run();
    await purgeUntilDone(Date.now());
    expect(await grantsOf(f.app.id)).toEqual([]);
    expect((await env.DB.prepare('SELECT count(*) AS n FROM oauth_tokens WHERE grant_id = ?').bind(grantId).first<{ n: number }>())!.n).toBe(0);
  });

  it('keeps a grant whose refresh token is live when its access token and code are purged', async () => {
    const f = await appWithUser();
    await tokensFor(f);
    await purgeUntilDone(Date.now() + 2 * DAY);
    expect(await grantsOf(f.app.id)).toHaveLength(1);
  });

  it('purges every emptied grant when runs are bounded to one row of each kind', async () => {
    const f = await appWithUser();
    // Without offline_access: an access token and a used code each, both long gone two days later.
    for (let i = 0; i < 3; i++) expect((await tokensFor(f, 'connections.read')).json.refresh_token).toBeUndefined();
    const grants = await grantsOf(f.app.id);
    expect(grants).toHaveLength(3);
    await purgeUntilDone(Date.now() + 2 * DAY, 1);
    expect(await grantsOf(f.app.id)).toEqual([]);
  });
});
