import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { completeOAuthCallback } from '../../src/connect/callback';
import { settleParkedCallbacks } from '../../src/connect/settle-callbacks';
import { JOBS, runScheduledJobs } from '../../src/jobs/run';
import { call, newTenant } from '../helpers/api';
import { stubProvider } from '../helpers/outbound';
import { keyIntegration, postForm } from '../links/fixtures';
import { callWithFault, faultyDeps } from '../helpers/fault-injection';
import { testDeps } from '../helpers/deps';
import { configureWebhook } from '../webhooks/fixtures';
import { callback, IDP, provider, revokedTokens, setup, start } from './fixtures';
import {
  connectionsOfLink,
  eventsOfLink,
  formPath,
  formPost,
  linkForNewEndUser,
  linkUses,
  parkedReplyOf,
  renderedSubmission,
  STRIPE_KEY,
  stripeBalance,
  tokenRoute,
  tokensForCode,
} from './grant-fixtures';

afterEach(() => vi.restoreAllMocks());

const quiet = () => {
  for (const level of ['log', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
};

const callbackPath = (flow: { state: string }, code: string) => `/api/v1/oauth/callback?${new URLSearchParams({ state: flow.state, code })}`;

/** The cron's settle job, run now. */
async function settle() {
  const deps = await testDeps();
  const counts = await settleParkedCallbacks(deps, Date.now(), 100);
  await Promise.allSettled(deps.pending);
  return counts;
}

/**
 * The store batch is the third D1 call of both flows: the callback's replay guard with its reads
 * (one batch), or the form's link lookup, then the existing-connection read, then the batch.
 */
const STORE_BATCH_CALL = 3;

describe('a callback whose save fails', () => {
  it('lets exactly one of two flows racing for the last use of a single-use link store, and revokes the other grant', async () => {
    quiet();
    const { apiKey, integrationId } = await setup();
    const link = await linkForNewEndUser(apiKey, { max_uses: 1 });
    const a = await start(link, integrationId);
    const b = await start(link, integrationId);
    const idp = provider({ token: tokensForCode });
    const results = await Promise.all([callback({ state: a.state, code: 'a' }, a.cookie), callback({ state: b.state, code: 'b' }, b.cookie)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 410]);
    const [connectionId, ...others] = await connectionsOfLink(link.id);
    expect(others).toEqual([]);
    expect(await linkUses(link.id)).toBe(1);
    expect(await eventsOfLink(link.id)).toEqual(['connection.created']);
    const winner = (await tokenRoute(apiKey, connectionId!)).json.access_token as string;
    const loser = winner === 'at-a' ? 'b' : 'a';
    expect(revokedTokens(idp.seen)).toEqual([`rt-${loser}`]);
    expect(await parkedReplyOf(a.state)).toBeNull();
    expect(await parkedReplyOf(b.state)).toBeNull();
  });

  it('revokes the tokens of a flow that finds the link used up after the code exchange', async () => {
    quiet();
    const { apiKey, integrationId } = await setup();
    const link = await linkForNewEndUser(apiKey, { max_uses: 1 });
    const first = await start(link, integrationId);
    const second = await start(link, integrationId);
    // While the second flow's code is being exchanged, the first flow takes the last use.
    let firstStatus = 0;
    const idp = provider({
      token: async (req) => {
        if (new URLSearchParams(req.body).get('code') === 'c2') firstStatus = (await callback({ state: first.state, code: 'c1' }, first.cookie)).status;
        return tokensForCode(req);
      },
    });
    const late = await callback({ state: second.state, code: 'c2' }, second.cookie);
    expect(firstStatus).toBe(200);
    expect(late.status).toBe(410);
    expect(late.text).toContain('used up');
    expect(revokedTokens(idp.seen)).toEqual(['rt-c2']);
    expect(await linkUses(link.id)).toBe(1);
  });

  it('shows a 503 page without redirecting when the save and its retry fail, and the settle job stores the grant', async () => {
    quiet();
    const { apiKey, integrationId } = await setup();
    await configureWebhook(apiKey);
    const link = await linkForNewEndUser(apiKey, { redirect_url: 'https://app.example.com/done' });
    const flow = await start(link, integrationId);
    const idp = provider({ token: tokensForCode });
    const res = await callWithFault(callbackPath(flow, 'deferred'), { failAt: STORE_BATCH_CALL, count: 2 }, { headers: { cookie: flow.cookie } });
    expect(res.status).toBe(503);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('authorized');
    expect(res.text).toContain('will be saved within a few minutes');
    expect(res.text).not.toContain('at-deferred');
    expect(await connectionsOfLink(link.id)).toEqual([]);
    expect(await linkUses(link.id)).toBe(0);
    expect(await parkedReplyOf(flow.state)).not.toBeNull();

    expect(await settle()).toMatchObject({ stored: 1, revoked: 0 });
    const [connectionId, ...others] = await connectionsOfLink(link.id);
    expect(others).toEqual([]);
    expect((await tokenRoute(apiKey, connectionId!)).json.access_token).toBe('at-deferred');
    expect(await linkUses(link.id)).toBe(1);
    expect(await eventsOfLink(link.id)).toEqual(['connection.created']);
    expect(await parkedReplyOf(flow.state)).toBeNull();
    expect(revokedTokens(idp.seen)).toEqual([]);
    expect(await settle()).toMatchObject({ stored: 0, revoked: 0 });
  });

  it('succeeds when the save landed but its reply and its retry failed: the flow marker says it was stored', async () => {
    quiet();
    const { apiKey, integrationId } = await setup();
    const link = await linkForNewEndUser(apiKey, { max_uses: 1 });
    const flow = await start(link, integrationId);
    provider({ token: tokensForCode });
    const res = await callWithFault(callbackPath(flow, 'lost'), { failAt: STORE_BATCH_CALL, count: 2, timing: 'after' }, { headers: { cookie: flow.cookie } });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<h1[^>]*>Connected<\/h1>/);
    const [connectionId, ...others] = await connectionsOfLink(link.id);
    expect(others).toEqual([]);
    expect((await tokenRoute(apiKey, connectionId!)).json.access_token).toBe('at-lost');
    expect(await linkUses(link.id)).toBe(1);
    expect(await eventsOfLink(link.id)).toEqual(['connection.created']);
    expect(await parkedReplyOf(flow.state)).toBeNull();
  });

  it('revokes a parked grant the settle job can no longer store, once the link was disabled', async () => {
    quiet();
    const { apiKey, integrationId } = await setup();
    const link = await linkForNewEndUser(apiKey);
    const flow = await start(link, integrationId);
    const idp = provider({ token: tokensForCode });
    const res = await callWithFault(callbackPath(flow, 'orphan'), { failAt: STORE_BATCH_CALL, count: 2 }, { headers: { cookie: flow.cookie } });
    expect(res.status).toBe(503);
    await call(`/api/v1/links/${link.id}`, { method: 'PATCH', token: apiKey, body: { disabled: true } });
    expect(await settle()).toMatchObject({ stored: 0, revoked: 1 });
    expect(revokedTokens(idp.seen)).toEqual(['rt-orphan']);
    expect(idp.seen.find((r) => r.url === `${IDP}/revoke`)!.headers.get('authorization')).toBe(`Basic ${btoa('cid:client-secret-xyz')}`);
    expect(await connectionsOfLink(link.id)).toEqual([]);
    expect(await linkUses(link.id)).toBe(0);
    expect(await parkedReplyOf(flow.state)).toBeNull();
  });

  it('verifies a draft integration waiting for its first connection in the same batch', async () => {
    const { apiKey, integrationId } = await setup();
    await env.DB.prepare("UPDATE integrations SET status = 'draft', verification = ? WHERE id = ?")
      .bind(
        JSON.stringify({ result: 'inconclusive', message: 'cannot tell', checked_at: new Date().toISOString(), pending_first_connection: true }),
        integrationId,
      )
      .run();
    const link = await linkForNewEndUser(apiKey);
    const flow = await start(link, integrationId);
    provider({ token: tokensForCode });
    expect((await callback({ state: flow.state, code: 'first' }, flow.cookie)).status).toBe(200);
    const integration = await call(`/api/v1/integrations/${integrationId}`, { token: apiKey });
    expect(integration.json.status).toBe('configured');
    expect(integration.json.verification).toMatchObject({ result: 'verified', pending_first_connection: false });
  });
});

describe('a credentials form whose save fails', () => {
  const stripeTenant = async () => {
    const { apiKey } = await newTenant();
    return { apiKey, stripe: await keyIntegration(apiKey) };
  };

  it('carries a one-time submission id, a new one on every render', async () => {
    const { apiKey, stripe } = await stripeTenant();
    const link = await linkForNewEndUser(apiKey);
    const [a, b] = [await renderedSubmission(link, stripe.id), await renderedSubmission(link, stripe.id)];
    expect(a).toMatch(/^[A-Za-z0-9_-]{22,64}$/);
    expect(b).not.toBe(a);
  });

  it('shows the form again with a clear error when the save and its retry fail, and the resubmission stores it once', async () => {
    quiet();
    const { apiKey, stripe } = await stripeTenant();
    const link = await linkForNewEndUser(apiKey, { max_uses: 2 });
    stubProvider(stripeBalance);
    const submission = await renderedSubmission(link, stripe.id);
    const fields = { api_key: STRIPE_KEY, submission };
    const failed = await callWithFault(formPath(link, stripe.id), { failAt: STORE_BATCH_CALL, count: 2 }, formPost(fields));
    expect(failed.status).toBe(503);
    expect(failed.text).toContain('could not be saved just now');
    expect(failed.text).toContain('role="alert"');
    expect(failed.text).toContain(`name="submission" value="${submission}"`);
    expect(failed.text).not.toContain(STRIPE_KEY);
    expect(await connectionsOfLink(link.id)).toEqual([]);

    const again = await postForm(formPath(link, stripe.id), fields);
    expect(again.status).toBe(200);
    expect(again.text).toContain('Stripe is connected');
    expect(await connectionsOfLink(link.id)).toHaveLength(1);
    expect(await linkUses(link.id)).toBe(1);
  });

  it('shows success for the connection already stored when a form whose reply was lost is sent again, counting the use once', async () => {
    quiet();
    const { apiKey, stripe } = await stripeTenant();
    const link = await linkForNewEndUser(apiKey, { max_uses: 1 });
    stubProvider(stripeBalance);
    const submission = await renderedSubmission(link, stripe.id);
    const fields = { api_key: STRIPE_KEY, submission };
    // The batch lands but its reply is lost, and so are the retry's and the marker read's.
    const lost = await callWithFault(formPath(link, stripe.id), { failAt: STORE_BATCH_CALL, count: 3, timing: 'after' }, formPost(fields));
    expect(lost.status).toBe(503);
    const [connectionId] = await connectionsOfLink(link.id);
    expect(connectionId).toBeDefined();

    const again = await postForm(formPath(link, stripe.id), fields);
    expect(again.status).toBe(200);
    expect(again.text).toContain('Stripe is connected');
    expect(await connectionsOfLink(link.id)).toEqual([connectionId]);
    expect(await linkUses(link.id)).toBe(1);
    expect(await eventsOfLink(link.id)).toEqual(['connection.created']);
    // A fresh form on the used-up link is refused as before.
    const other = await postForm(formPath(link, stripe.id), { api_key: STRIPE_KEY, submission: 'x'.repeat(24) });
    expect(other.status).toBe(410);
  });

  it('counts a resubmission on a link with uses left once, too', async () => {
    quiet();
    const { apiKey, stripe } = await stripeTenant();
    const link = await linkForNewEndUser(apiKey, { max_uses: 3 });
    stubProvider(stripeBalance);
    const fields = { api_key: STRIPE_KEY, submission: await renderedSubmission(link, stripe.id) };
    expect((await postForm(formPath(link, stripe.id), fields)).status).toBe(200);
    expect((await postForm(formPath(link, stripe.id), fields)).status).toBe(200);
    expect(await connectionsOfLink(link.id)).toHaveLength(1);
    expect(await linkUses(link.id)).toBe(1);
    expect(await eventsOfLink(link.id)).toEqual(['connection.created']);
  });
});

describe('the settle_callbacks cron job', () => {
  it('runs with the other jobs and stores a parked callback reply', async () => {
    quiet();
    const { apiKey, integrationId } = await setup();
    const link = await linkForNewEndUser(apiKey);
    const flow = await start(link, integrationId);
    provider({ token: tokensForCode });
    const failed = await callWithFault(callbackPath(flow, 'cron'), { failAt: STORE_BATCH_CALL, count: 2 }, { headers: { cookie: flow.cookie } });
    expect(failed.status).toBe(503);
    const deps = await testDeps();
    expect(await runScheduledJobs(deps, Date.now(), { settle_callbacks: JOBS.settle_callbacks! })).toEqual([]);
    await Promise.allSettled(deps.pending);
    const [connectionId] = await connectionsOfLink(link.id);
    expect((await tokenRoute(apiKey, connectionId!)).json.access_token).toBe('at-cron');
  });
});

describe('a callback reply that cannot be parked', () => {
  it('is revoked when the save fails too, with a page that says nothing was stored', async () => {
    quiet();
    const { apiKey, integrationId } = await setup();
    const link = await linkForNewEndUser(apiKey);
    const flow = await start(link, integrationId);
    const idp = provider({ token: tokensForCode });
    const { deps, settle: settleBackground } = await faultyDeps({ failAt: STORE_BATCH_CALL, count: 2 });
    const kv = new Proxy(deps.kv, {
      get: (target, prop) => (prop === 'put' ? () => Promise.reject(new Error('KV put failed')) : Reflect.get(target, prop, target).bind(target)),
    });
    const outcome = await completeOAuthCallback({ ...deps, kv }, { state: flow.state, code: 'unparked', all: {} }, flow.cookie.split('=')[1]);
    await settleBackground();
    expect(outcome).toMatchObject({ ok: false, status: 503, reason: 'saving_failed' });
    expect(revokedTokens(idp.seen)).toEqual(['rt-unparked']);
    expect(await connectionsOfLink(link.id)).toEqual([]);
    expect(await linkUses(link.id)).toBe(0);
  });
});

describe('the settle job, for an integration deleted meanwhile', () => {
  it('drops the parked reply: its client credentials, needed to revoke, went with it', async () => {
    quiet();
    const { apiKey, integrationId } = await setup();
    const link = await linkForNewEndUser(apiKey);
    const flow = await start(link, integrationId);
    provider({ token: tokensForCode });
    expect((await callWithFault(callbackPath(flow, 'gone'), { failAt: STORE_BATCH_CALL, count: 2 }, { headers: { cookie: flow.cookie } })).status).toBe(503);
    expect((await call(`/api/v1/integrations/${integrationId}`, { method: 'DELETE', token: apiKey })).status).toBe(200);
    expect(await settle()).toMatchObject({ stored: 0, dropped: 1 });
    expect(await parkedReplyOf(flow.state)).toBeNull();
    expect(await connectionsOfLink(link.id)).toEqual([]);
  });
});
