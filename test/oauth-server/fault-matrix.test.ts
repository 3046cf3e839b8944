import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { callWithFault, type FaultTiming } from '../helpers/fault-injection';
import { appWithUser, authorize, basic, oauthPost, pkce, REDIRECT, tokensFor } from './fixtures';

type Fixture = Awaited<ReturnType<typeof appWithUser>>;
const TIMINGS: FaultTiming[] = ['before', 'after'];

/** Every (flow, N, timing) case the matrix ran; the last test checks the count. */

const formPost = (auth: string, form: Record<string, string>) => ({
  method: 'POST',
  rawBody: new URLSearchParams(form).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
});

const all = async <T>(sql: string, ...binds: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...binds)
      .all<T>()
  ).results;

async function grantOf(code: string) {
  const { sha256Hex } = await import('../../src/lib/crypto');
  const [row] = await all<{ grant_id: string; used_at: number | null }>('SELECT grant_id, used_at FROM oauth_codes WHERE code_hash = ?', await sha256Hex(code));
  return row!;
}

async function freshCode(f: Fixture) {
  const { verifier, challenge } = await pkce();
  const { redirect } = await authorize(f.app.client_id, f.cookie, challenge);
  return { code: redirect!.searchParams.get('code')!, verifier };
}

/** How many D1 calls one clean run of a flow makes. */
async function callsOf(path: string, options: Parameters<typeof callWithFault>[2]) {
  const clean = await callWithFault(path, { failAt: null }, options);
  expect(clean.status).toBe(200);
  return clean.d1Calls;
}

// Every D1 call of each flow fails once, before and after it ran: (3 + 3 + 2) calls × 2 timings = 16 cases.
describe('token endpoint under D1 failures: nothing half-written, and the retry is safe', () => {
  it('authorization_code exchange', async () => {
    const f = await appWithUser();
    const auth = basic(f.app.client_id, f.app.client_secret);
    const first = await freshCode(f);
    const form = (c: { code: string; verifier: string }) => ({
      grant_type: 'authorization_code',
      code: c.code,
      redirect_uri: REDIRECT,
      code_verifier: c.verifier,
    });
    const calls = await callsOf('/oauth/token', formPost(auth, form(first)));
    expect(calls).toBe(3);
    for (let n = 1; n <= calls; n++) {
      for (const timing of TIMINGS) {
        const c = await freshCode(f);
        const failed = await callWithFault('/oauth/token', { failAt: n, timing }, formPost(auth, form(c)));
        expect(failed.struck).toBe(true);
        expect(failed.status).toBe(500);
        const { grant_id: grantId, used_at: usedAt } = await grantOf(c.code);
        const tokens = await all<{ kind: string }>('SELECT kind FROM oauth_tokens WHERE grant_id = ?', grantId);
        // The used-mark and the tokens land together or not at all.
        if (usedAt === null) expect(tokens).toEqual([]);
        else expect(tokens.map((t) => t.kind).sort()).toEqual(['access', 'refresh']);

        const retry = await oauthPost('/oauth/token', form(c), { authorization: auth });
        if (usedAt === null) {
          // Nothing was written: the retry is a first use and must succeed.
          expect(retry.status, `code ${n} ${timing}: ${retry.text}`).toBe(200);
        } else {
          // The tokens were issued but the reply was lost: the retry is a replayed code
          // (RFC 6749 §4.1.2), which is refused and revokes what the code issued.
          expect(retry.status).toBe(400);
          expect(JSON.parse(retry.text).error).toBe('invalid_grant');
          const [grant] = await all<{ revoked_at: number | null }>('SELECT revoked_at FROM oauth_grants WHERE id = ?', grantId);
          expect(grant!.revoked_at).not.toBeNull();
        }
      }
    }
  });

  it('refresh_token rotation', async () => {
    const f = await appWithUser();
    const auth = basic(f.app.client_id, f.app.client_secret);
    const refreshOf = async () => (await tokensFor(f)).json.refresh_token as string;
    const form = (token: string) => ({ grant_type: 'refresh_token', refresh_token: token });
    const calls = await callsOf('/oauth/token', formPost(auth, form(await refreshOf())));
    expect(calls).toBe(3);
    const { sha256Hex } = await import('../../src/lib/crypto');
    for (let n = 1; n <= calls; n++) {
      for (const timing of TIMINGS) {
        const token = await refreshOf();
        const [old] = await all<{ grant_id: string }>('SELECT grant_id FROM oauth_tokens WHERE token_hash = ?', await sha256Hex(token));
        const failed = await callWithFault('/oauth/token', { failAt: n, timing }, formPost(auth, form(token)));
        expect(failed.struck).toBe(true);
        expect(failed.status).toBe(500);
        const [row] = await all<{ used_at: number | null }>('SELECT used_at FROM oauth_tokens WHERE token_hash = ?', await sha256Hex(token));
        const rows = await all<{ kind: string }>('SELECT kind FROM oauth_tokens WHERE grant_id = ?', old!.grant_id);
        // The old token's used-mark and the new pair land together or not at all.
        expect(rows.length).toBe(row!.used_at === null ? 2 : 4);

        const retry = await oauthPost('/oauth/token', form(token), { authorization: auth });
        const [grant] = await all<{ revoked_at: number | null }>('SELECT revoked_at FROM oauth_grants WHERE id = ?', old!.grant_id);
        if (row!.used_at === null) {
          // A failure before the rotation landed: the retry is the first use, never "reuse".
          expect(retry.status, `refresh ${n} ${timing}: ${retry.text}`).toBe(200);
          expect(grant!.revoked_at).toBeNull();
        } else {
          // The rotation landed but the reply was lost: to the server the retry is a reused
          // refresh token, which RFC 9700 §4.14.2 says must revoke the grant.
          expect(retry.status).toBe(400);
          expect(JSON.parse(retry.text).error).toBe('invalid_grant');
          expect(grant!.revoked_at).not.toBeNull();
        }
      }
    }
  });

  it('client_credentials', async () => {
    const f = await appWithUser();
    const auth = basic(f.app.client_id, f.app.client_secret);
    const form = { grant_type: 'client_credentials', scope: 'connections.read' };
    const calls = await callsOf('/oauth/token', formPost(auth, form));
    expect(calls).toBe(2);
    const appGrants = async () =>
      all<{ id: string; tokens: number }>(
        'SELECT g.id, (SELECT COUNT(*) FROM oauth_tokens t WHERE t.grant_id = g.id) AS tokens FROM oauth_grants g WHERE g.application_id = ? AND g.user_id IS NULL',
        f.app.id,
      );
    for (let n = 1; n <= calls; n++) {
      for (const timing of TIMINGS) {
        const failed = await callWithFault('/oauth/token', { failAt: n, timing }, formPost(auth, form));
        expect(failed.struck).toBe(true);
        expect(failed.status).toBe(500);
        // No grant without its access token.
        for (const g of await appGrants()) expect(g.tokens).toBe(1);
        const retry = await oauthPost('/oauth/token', form, { authorization: auth });
        expect(retry.status).toBe(200);
      }
    }
  });
});
