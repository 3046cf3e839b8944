import { applyD1Migrations, createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index';
import { bookmarkOf, sessionStart } from '../../src/lib/d1-session';
import { buildRequest, type CallOptions } from '../helpers/api';
import { oauthTenant } from '../connections/fixtures';
import { consoleUser, csrfOf, page } from '../console/fixtures';
import { keyIntegration, newLink } from '../links/fixtures';
import { BASE } from '../helpers/api';

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

/**
 * DB as D1 with read replication looks to the Worker: sessions started on the primary read DB;
 * any other start reads `replica` (a database that lags: it has only what the test put there).
 * `starts` records every session the Worker opened, in order.
 */
function replicated(replica: D1Database) {
  const starts: string[] = [];
  const binding = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'withSession')
        return (start: string) => {
          starts.push(start);
          return start === 'first-primary' ? target.withSession(start) : replica.withSession('first-unconstrained');
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { binding, starts };
}

/** Copies the rows of `table` where `column` = `value` from the primary into `replica`. */
async function copyRows(replica: D1Database, table: string, column: string, value: string) {
  const { results } = await env.DB.prepare(`SELECT * FROM ${table} WHERE ${column} = ?`).bind(value).all<Record<string, unknown>>();
  for (const row of results) {
    const names = Object.keys(row);
    await replica
      .prepare(`INSERT OR IGNORE INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`)
      .bind(...names.map((n) => row[n]))
      .run();
  }
}

async function fetchWith(DB: D1Database, path: string, options: CallOptions = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(buildRequest(path, options), { ...env, DB }, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, headers: res.headers, text };
}

describe('where a request reads: sessionStart and bookmarkOf', () => {
  const headers = (init: Record<string, string> = {}) => new Headers(init);
  const bookmark = '0000002a-0000000c-00004f8c-5ee7a1aea2ad37cb9cb6ba6f3e1c5d24';

  it('writes, the OAuth server, the callback and the app-served token route start on the primary', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
      expect(sessionStart(method, '/api/v1/links', headers({ 'edgelink-bookmark': bookmark }))).toBe('first-primary');
    for (const path of ['/oauth/authorize', '/oauth/token', '/api/v1/oauth/callback', '/api/v1/connections/con_abc123/token'])
      expect(sessionStart('GET', path, headers())).toBe('first-primary');
  });

  it('other reads start anywhere, or from the bookmark they bring (header before cookie)', () => {
    expect(sessionStart('GET', '/api/v1/connections', headers())).toBe('first-unconstrained');
    expect(sessionStart('GET', '/link/abc', headers({ cookie: `a=b; edgelink_bookmark=${bookmark}` }))).toBe(bookmark);
    const other = '00000001-00000002-00000003-00000000000000000000000000000000';
    expect(bookmarkOf(headers({ 'Edgelink-Bookmark': other, cookie: `edgelink_bookmark=${bookmark}` }))).toBe(other);
  });

  it('a malformed bookmark is ignored, never handed to D1', () => {
    const bad = ['', 'first-primary', 'abc', `${bookmark} x`, 'zz-00', '0-'.repeat(120), `${'a'.repeat(65)}-0`, "0000'--", `${bookmark}\u00e9`];
    for (const given of bad) {
      expect(bookmarkOf(headers({ 'edgelink-bookmark': encodeURI(given) })), given).toBeNull();
      expect(sessionStart('GET', '/api/v1/connections', headers({ cookie: `edgelink_bookmark=${encodeURI(given)}` })), given).toBe('first-unconstrained');
    }
    expect(bookmarkOf(headers({ 'edgelink-bookmark': `${bookmark};x` }))).toBeNull();
  });
});

describe('reads served by a replica', () => {
  let lagging: D1Database;
  beforeAll(async () => {
    lagging = env.TEST_REPLICA;
    await applyD1Migrations(lagging, env.TEST_MIGRATIONS);
  });

  it('reads go to a replica and never to the primary when the replica has what they need', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_in: 3600 });
    // The "replica" is the primary's own data: nothing misses, so nothing is re-asked.
    const { binding, starts } = replicated(env.DB);
    for (const path of [`/api/v1/connections/${id}/token`, `/api/v1/connections/${id}`, '/api/v1/connections', '/api/v1/integrations']) {
      starts.length = 0;
      const res = await fetchWith(binding, path, { token: t.apiKey });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('edgelink-bookmark'), path).toBeNull();
      expect(starts.includes('first-primary'), `${path}: ${starts}`).toBe(false);
    }
    starts.length = 0;
    const bookmark = '00000001-00000002-00000003-00000000000000000000000000000000';
    expect((await fetchWith(binding, `/api/v1/connections/${id}/token`, { token: t.apiKey, headers: { 'edgelink-bookmark': bookmark } })).status).toBe(200);
    expect(starts).toEqual([bookmark]);
  });

  it('a key and a connection made a moment ago work at once though the replica has neither yet', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_in: 3600 });
    const { binding, starts } = replicated(lagging);
    const plain = await fetchWith(env.DB, `/api/v1/connections/${id}/token`, { token: t.apiKey });
    for (const path of [`/api/v1/connections/${id}/token`, `/api/v1/connections/${id}`, '/api/v1/connections']) {
      starts.length = 0;
      const res = await fetchWith(binding, path, { token: t.apiKey });
      expect(res.status, `${path}: ${res.text}`).toBe(200);
      expect(res.text).toContain(id);
      // Tried near the user first, then settled on the primary.
      expect(starts[0]).toBe('first-unconstrained');
      expect(starts.at(-1)).toBe('first-primary');
    }
    expect((await fetchWith(binding, `/api/v1/connections/${id}/token`, { token: t.apiKey })).text).toBe(plain.text);
  });

  it('a link made a moment ago opens at once though the replica has not got it yet', async () => {
    const t = await oauthTenant();
    const link = await newLink(t.apiKey);
    const { binding, starts } = replicated(lagging);
    for (const path of [`/link/${link.token}`, `/link/${link.token}/connect/${t.integrationId}`]) {
      starts.length = 0;
      const res = await fetchWith(binding, path);
      expect(res.status, `${path}: ${res.text}`).toBe(200);
      expect(res.text).toContain('Fake CRM');
      expect(starts[0]).toBe('first-unconstrained');
      expect(starts.at(-1)).toBe('first-primary');
    }
    starts.length = 0;
    expect((await fetchWith(binding, `/link/${'A'.repeat(43)}`)).status).toBe(404);
    expect(starts.at(-1)).toBe('first-primary');
  });

  it('a connection or link made a moment ago is found by id though the replica knows only the key', async () => {
    const t = await oauthTenant();
    // The replica has the organization and its key, not what was made since.
    await copyRows(lagging, 'organizations', 'id', t.orgId);
    await copyRows(lagging, 'api_keys', 'org_id', t.orgId);
    const id = await t.connect({ expires_in: 3600 });
    const link = await newLink(t.apiKey);
    const { binding, starts } = replicated(lagging);
    for (const [path, route, expected] of [
      [`/api/v1/connections/${id}`, '/api/v1/connections/:id', id],
      [`/api/v1/links/${link.id}`, '/api/v1/links/:id', link.id],
    ] as const) {
      starts.length = 0;
      const log = vi.spyOn(console, 'log');
      const res = await fetchWith(binding, path, { token: t.apiKey });
      const lines = log.mock.calls.map(([line]) => JSON.parse(String(line))).filter((line) => line.msg === 'request');
      log.mockRestore();
      expect(res.status, `${path}: ${res.text}`).toBe(200);
      expect(JSON.parse(res.text).id).toBe(expected);
      expect(starts[0]).toBe('first-unconstrained');
      expect(starts.at(-1)).toBe('first-primary');
      // Two tries, two log lines, each saying which it was.
      expect(lines.map((l) => [l.route, l.status, l.retry])).toEqual([
        [route, 404, 'replica_miss'],
        [route, 200, 'primary'],
      ]);
    }
    // A thing the primary has not got either is still a 404, asked there once.
    starts.length = 0;
    const missing = await fetchWith(binding, '/api/v1/connections/con_doesnotexist', { token: t.apiKey });
    expect(missing.status).toBe(404);
    expect(starts.filter((s) => s === 'first-primary')).toHaveLength(1);
  });

  it('an unknown key is refused only after the primary says so', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_in: 3600 });
    const { binding, starts } = replicated(env.DB);
    const plain = await fetchWith(env.DB, `/api/v1/connections/${id}`, { token: `${t.apiKey}x` });
    const res = await fetchWith(binding, `/api/v1/connections/${id}`, { token: `${t.apiKey}x` });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text).error.code).toBe(JSON.parse(plain.text).error.code);
    expect(starts).toEqual(['first-unconstrained', 'first-unconstrained', 'first-primary']);
  });
});

describe('a response that follows a write hands back a bookmark', () => {
  it('the API answers a write with Edgelink-Bookmark; the next read that brings it starts there', async () => {
    const t = await oauthTenant();
    const stripe = await keyIntegration(t.apiKey);
    const { binding, starts } = replicated(env.DB);
    const made = await fetchWith(binding, '/api/v1/links', {
      method: 'POST',
      token: t.apiKey,
      body: { name: 'Replica test', end_user: { id: 'replica-user' }, integration_ids: [stripe.id] },
    });
    expect(made.status, made.text).toBe(201);
    expect(starts).toEqual(['first-primary']);
    const bookmark = made.headers.get('edgelink-bookmark');
    expect(bookmark).toMatch(BOOKMARK);
    expect(made.headers.get('set-cookie')).toBeNull();
    starts.length = 0;
    const read = await fetchWith(binding, `/api/v1/links/${JSON.parse(made.text).id}`, { token: t.apiKey, headers: { 'edgelink-bookmark': bookmark! } });
    expect(read.status).toBe(200);
    expect(starts).toEqual([bookmark]);
    expect(read.headers.get('edgelink-bookmark')).toBeNull();
  });

  it('a console form post sets a short-lived bookmark cookie the page it redirects to reads from', async () => {
    const user = await consoleUser();
    const form = await page(user, '/console/settings/developer/api-keys');
    expect(form.status).toBe(200);
    const { binding, starts } = replicated(env.DB);
    const posted = await fetchWith(binding, '/console/settings/developer/api-keys', {
      method: 'POST',
      rawBody: new URLSearchParams({ _csrf: csrfOf(form.text), name: 'replica test key' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE, 'sec-fetch-site': 'same-origin', cookie: user.cookie },
    });
    expect(posted.status, posted.text).toBe(303);
    const cookie = posted.headers.get('set-cookie') ?? '';
    const value = /edgelink_bookmark=([^;]+)/.exec(cookie)?.[1];
    expect(value).toMatch(BOOKMARK);
    expect(cookie).toMatch(/Max-Age=60/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(posted.headers.get('edgelink-bookmark')).toBeNull();
    starts.length = 0;
    const next = await fetchWith(binding, posted.headers.get('location')!, { headers: { cookie: `${user.cookie}; edgelink_bookmark=${value}` } });
    expect(next.status).toBe(200);
    expect(starts).toEqual([value]);
  });
});
