import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import worker from '../../src/index';
import { encrypt, parseKeyring } from '../../src/lib/crypto';
import { reencryptStaleSecrets } from '../../src/jobs/reencrypt';
import { retryDueDeliveries } from '../../src/webhooks/delivery';
import { BASE, newTenant, type CallOptions } from '../helpers/api';
import { oauthError, stubProvider } from '../helpers/outbound';
import { quotingD1, serveWith } from '../helpers/quoting-d1';
import { TEST_ENCRYPTION_KEYS } from '../helpers/secrets';
import { expired, oauthTenant, tokenReply } from '../connections/fixtures';
import { newLink } from '../links/fixtures';
import { appWithUser, basic, tokensFor } from '../oauth-server/fixtures';
import { configureWebhook, emitDeps, RECEIVER, recordEvent } from '../webhooks/fixtures';

const lines: string[] = [];
/** Every value bound to D1 by the runs under test, and every secret the tests were issued. */
const bound = new Set<string>();
const issued = new Set<string>();

/** How a console argument would reach the log: an error with its stack, cause and own fields. */
function render(value: unknown): string {
  if (value instanceof Error) return `${value.stack ?? value.message} ${JSON.stringify({ ...value })} ${render(value.cause)}`;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

beforeEach(() => {
  lines.length = 0;
  bound.clear();
  issued.clear();
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(render).join(' ')));
  }
});
afterEach(() => vi.restoreAllMocks());

/** Bound values that are secrets or point at one: envelopes, hashes, emails, password hashes, our own prefixed secrets (a client id is public). */
const isSensitive = (v: string) =>
  v.startsWith('v1.') ||
  /^[0-9a-f]{64}$/i.test(v) ||
  /^[A-Za-z0-9_-]{43}$/.test(v) ||
  v.includes('@') ||
  (v.startsWith('elk_') && !v.startsWith('elk_ci_')) ||
  v.includes('$');

function expectNothingSecretLogged() {
  const all = lines.join('\n');
  const secrets = [...issued, ...[...bound].filter(isSensitive)];
  expect(secrets.length).toBeGreaterThan(0);
  const leaked = secrets.filter((s) => all.includes(s));
  expect(leaked.map((s) => `${s.slice(0, 10)}… (${s.length} chars)`)).toEqual([]);
  expect(lines.length).toBeGreaterThan(0);
}

/** Serves the request once with every D1 call working, then once failing at each of its D1 calls in turn. */
async function failEachD1Call(path: string, options: () => CallOptions) {
  const clean = quotingD1(env.DB, null);
  await serveWith(clean.binding, path, options());
  for (const v of clean.bound) bound.add(v);
  expect(clean.calls()).toBeGreaterThan(0);
  const statuses = [];
  for (let n = 1; n <= clean.calls(); n++) {
    const faulty = quotingD1(env.DB, n);
    statuses.push((await serveWith(faulty.binding, path, options())).status);
    for (const v of faulty.bound) bound.add(v);
  }
  return statuses;
}

const form = (fields: Record<string, string>, headers: Record<string, string> = {}): CallOptions => ({
  method: 'POST',
  rawBody: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE, 'sec-fetch-site': 'same-origin', ...headers },
});

describe('log lines never hold a bound value or a secret', () => {
  it('when a management API request fails at any of its D1 calls', async () => {
    const { apiKey } = await newTenant();
    issued.add(apiKey);
    const provider = stubProvider(() => oauthError('invalid_grant'));
    const clientSecret = 'integration-client-secret-0123456789';
    issued.add(clientSecret).add('end.user@example.com');
    const statuses = [
      ...(await failEachD1Call('/api/v1/api_keys', () => ({ token: apiKey }))),
      ...(await failEachD1Call('/api/v1/integrations', () => ({
        method: 'POST',
        token: apiKey,
        body: { name: 'SF', offering_id: 'off_salesforce', client_id: 'cid', client_secret: clientSecret, scopes: ['api', 'refresh_token'] },
      }))),
      ...(await failEachD1Call('/api/v1/links', () => ({
        method: 'POST',
        token: apiKey,
        body: { name: 'Onboarding', end_user: { id: 'u-1', email: 'end.user@example.com' } },
      }))),
      ...(await failEachD1Call('/api/v1/webhook', () => ({ method: 'PUT', token: apiKey, body: { url: 'https://hooks.example.com/x' } }))),
    ];
    provider.restore();
    expect(statuses).toContain(500);
    expectNothingSecretLogged();
  });

  it('when a page or an OAuth endpoint fails at any of its D1 calls', async () => {
    const f = await appWithUser();
    const link = await newLink(f.apiKey);
    const tokens = await tokensFor(f);
    issued.add(f.email).add(f.password).add(f.app.client_secret).add(link.token).add(tokens.json.refresh_token).add(tokens.json.access_token);
    issued.add(f.cookie.slice(f.cookie.indexOf('=') + 1));
    const statuses = [
      ...(await failEachD1Call(`/link/${link.token}`, () => ({}))),
      ...(await failEachD1Call('/login', () => form({ email: f.email, password: f.password }))),
      ...(await failEachD1Call(`/oauth/authorize?client_id=${f.app.client_id}&response_type=code`, () => ({ headers: { cookie: f.cookie } }))),
      ...(await failEachD1Call('/oauth/token', () => ({
        ...form({ grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(f.app.client_id, f.app.client_secret) },
      }))),
      ...(await failEachD1Call('/api/v1/connections', () => ({ token: tokens.json.access_token }))),
    ];
    expect(statuses).toContain(500);
    expectNothingSecretLogged();
  });

  it('when an envelope does not decrypt', async () => {
    const { apiKey, orgId } = await newTenant();
    const link = await newLink(apiKey);
    issued.add(link.token);
    // Sealed for another row: it does not open here.
    const misplaced = await encrypt(await parseKeyring(env.ENCRYPTION_KEYS), link.token, 'links/lnk_other/token');
    await env.DB.prepare('UPDATE links SET token_enc = ? WHERE id = ?').bind(misplaced, link.id).run();
    issued.add(misplaced);
    const secret = await configureWebhook(apiKey);
    const k1 = TEST_ENCRYPTION_KEYS.split(',').find((entry) => entry.startsWith('k1:'))!;
    const staleMisplaced = await encrypt(await parseKeyring(k1), secret, 'webhook_endpoints/org_other/secret');
    await env.DB.prepare('UPDATE webhook_endpoints SET secret_enc = ? WHERE org_id = ?').bind(staleMisplaced, orgId).run();
    issued.add(secret).add(staleMisplaced);
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.created', { connection_id: 'con_x' });
    await settle();

    expect((await serveWith(env.DB, `/api/v1/links/${link.id}`, { token: apiKey })).status).toBe(500);
    await reencryptStaleSecrets(createDb(env.DB), await parseKeyring(env.ENCRYPTION_KEYS), 100);
    await retryDueDeliveries({ db: createDb(env.DB), keyring: await parseKeyring(env.ENCRYPTION_KEYS) }, Date.now() + 3_600_000, 100);
    expectNothingSecretLogged();
    await env.DB.prepare('DELETE FROM links WHERE id = ?').bind(link.id).run();
    await env.DB.prepare('DELETE FROM webhook_endpoints WHERE org_id = ?').bind(orgId).run();
  });

  it('when a refresh fails at the provider, or the provider echoes the tokens it was sent', async () => {
    const t = await oauthTenant();
    const refreshToken = 'rt-provider-echo-0123456789abcdef';
    const accessToken = 'at-provider-echo-0123456789abcdef';
    issued.add(refreshToken).add(accessToken);
    const echoes = [
      () => tokenReply({ error: refreshToken, error_description: `bad ${refreshToken}` }, 500),
      () => new Response(`upstream broke on ${refreshToken}`, { status: 502 }),
      () => {
        throw new TypeError(`Network connection lost while sending ${refreshToken}`);
      },
      () => tokenReply({ access_token: 42, refresh_token: { nested: refreshToken } }),
      () => tokenReply({ error: 'invalid_grant', error_description: refreshToken }, 400),
    ];
    for (const echo of echoes) {
      const id = await t.connect({ access_token: accessToken, refresh_token: refreshToken, expires_at: expired(), provider_account_id: crypto.randomUUID() });
      t.provider.onRefresh = echo;
      await serveWith(env.DB, `/api/v1/connections/${id}/refresh`, { method: 'POST', token: t.apiKey });
      // Deleting revokes at the provider, which echoes the token it was sent as well.
      t.provider.onRevoke = () => {
        const reply = echo();
        return reply instanceof Response && reply.status === 200 ? tokenReply({ error: refreshToken }, 400) : reply;
      };
      await serveWith(env.DB, `/api/v1/connections/${id}`, { method: 'DELETE', token: t.apiKey });
    }
    expectNothingSecretLogged();
  });

  it('when a webhook delivery fails, and when the cron fails at any of its D1 calls', async () => {
    const { apiKey, orgId } = await newTenant();
    issued.add(apiKey);
    const secret = await configureWebhook(apiKey, { url: `${RECEIVER}?token=receiver-token-0123456789` });
    issued.add(secret).add('receiver-token-0123456789');
    stubProvider((req) => {
      throw new TypeError(`connection refused: ${req.url} ${req.headers.get('edgelink-signature')}`);
    });
    const { deps, settle } = await emitDeps();
    await recordEvent(deps, orgId, 'connection.created', { connection_id: 'con_y' });
    await settle();
    await retryDueDeliveries({ db: createDb(env.DB), keyring: await parseKeyring(env.ENCRYPTION_KEYS) }, Date.now() + 3_600_000, 100);

    const runCron = async (d1: D1Database) => {
      const ctx = createExecutionContext();
      await worker.scheduled!(createScheduledController({ scheduledTime: new Date(), cron: '*/5 * * * *' }), { ...env, DB: d1 }, ctx);
      await waitOnExecutionContext(ctx).catch(() => {});
    };
    const clean = quotingD1(env.DB, null);
    await runCron(clean.binding);
    for (let n = 1; n <= clean.calls() + 1; n++) {
      const faulty = quotingD1(env.DB, n);
      await runCron(faulty.binding);
      for (const v of faulty.bound) bound.add(v);
    }
    expect(lines.some((l) => l.includes('"ok":false'))).toBe(true);
    expectNothingSecretLogged();
  });
});
