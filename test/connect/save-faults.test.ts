import { afterEach, describe, expect, it, vi } from 'vitest';
import { settleParkedCallbacks } from '../../src/connect/settle-callbacks';
import { call, newTenant } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import { callWithFault, type FaultTiming } from '../helpers/fault-injection';
import { stubProvider, type SeenRequest } from '../helpers/outbound';
import { keyIntegration, postForm } from '../links/fixtures';
import { configureWebhook, RECEIVER } from '../webhooks/fixtures';
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
  stripeBalance,
  tokenRoute,
  tokensForCode,
} from './grant-fixtures';

// Every D1 call of each connect flow fails in turn, before it ran (nothing written) and after it
// ran (written, reply lost). After each failure: no half-written rows (a connection exists only
// with its link use and its one event), and the next step (the flow's own retry, the end user
// reloading or resubmitting, the settle job) ends with exactly one connection whose tokens work
// on the token route, the link's use counted once, one event, and every grant the provider
// issued either stored or revoked; a stored connection carries its link's tags. Each flow's call count is pinned below, so a change to its D1
// cost shows here. 3 flows, 30 (flow, N, timing) cases in all:
//   OAuth callback ............. 5 calls × 2 = 10
//   OAuth callback, reconnect .. 5 calls × 2 = 10 (the update path, connection.updated)
//   credentials form ........... 5 calls × 2 = 10
// Both: 1 batch or read before the exchange or check, 1 read of the existing connection (joined
// with the link's tags), the store batch, then the event's first delivery in the background (2 calls).

afterEach(() => vi.restoreAllMocks());

const TIMINGS: FaultTiming[] = ['before', 'after'];

interface Case {
  link: { id: string; token: string };
  /** The link's tags, which its connection must carry whenever it exists. */
  tags: Record<string, string>;
  /** What the stored connection's token must be: from this case's grant or credentials. */
  secret: string;
  /** What the case starts from: a reconnect has a connection (its use and event counted) already. */
  before: { connections: number; uses: number; events: string[] };
  /** The event the case's change writes. */
  event: 'connection.created' | 'connection.updated';
  attempt: (failAt: number | null, timing: FaultTiming) => Promise<{ d1Calls: number; struck: boolean; status: number }>;
  /** The next step after a failure; resolves once it is done. */
  next: () => Promise<void>;
  /** Grants the provider issued for this case that were not stored must have been revoked. */
  grantsAccountedFor: (storedSecret: string) => void;
  parked: () => Promise<string | null>;
}

interface Flow {
  name: string;
  calls: number;
  prepare: () => Promise<{ apiKey: string; begin: (n: number) => Promise<Case>; tokenOf: (json: any) => string }>;
}

async function settle() {
  const deps = await testDeps();
  await settleParkedCallbacks(deps, Date.now(), 100);
  await Promise.allSettled(deps.pending);
}

const codesExchanged = (seen: SeenRequest[]) => seen.filter((r) => r.url === `${IDP}/token`).map((r) => new URLSearchParams(r.body).get('code'));

function callbackFlow(name: string, reconnect: boolean): Flow {
  return {
    name,
    calls: 5,
    prepare: async () => {
      const { apiKey, integrationId } = await setup();
      await configureWebhook(apiKey);
      const idp = provider({ token: tokensForCode });
      const begin = async (n: number): Promise<Case> => {
        const tags = { case: `callback-${n}` };
        const link = await linkForNewEndUser(apiKey, { tags });
        if (reconnect) {
          const first = await start(link, integrationId);
          expect((await callback({ state: first.state, code: `first-${n}` }, first.cookie)).status).toBe(200);
        }
        const flow = await start(link, integrationId);
        const code = `case-${n}`;
        const path = `/api/v1/oauth/callback?${new URLSearchParams({ state: flow.state, code })}`;
        const c: Case = {
          link,
          tags,
          secret: `at-${code}`,
          before: reconnect ? { connections: 1, uses: 1, events: ['connection.created'] } : { connections: 0, uses: 0, events: [] },
          event: reconnect ? 'connection.updated' : 'connection.created',
          attempt: (failAt, timing) => callWithFault(path, { failAt, timing }, { headers: { cookie: flow.cookie } }),
          next: async () => {
            if ((await tokenOfLink(apiKey, link.id)) === c.secret) return;
            // The end user reloads the page; a flow already past its guard is refused as a replay.
            await callback({ state: flow.state, code }, flow.cookie);
            if ((await tokenOfLink(apiKey, link.id)) === c.secret) return;
            await settle();
            if ((await tokenOfLink(apiKey, link.id)) === c.secret) return;
            // Only a flow that never reached its code exchange may need starting over: no grant was issued.
            expect(codesExchanged(idp.seen).filter((seen) => seen === code)).toEqual([]);
            const again = await start(link, integrationId);
            c.secret = `at-${code}-again`;
            expect((await callback({ state: again.state, code: `${code}-again` }, again.cookie)).status).toBe(200);
          },
          grantsAccountedFor: (stored) => {
            const issued = codesExchanged(idp.seen).filter((seen) => seen?.startsWith(code));
            const revoked = revokedTokens(idp.seen).filter((token) => token?.startsWith(`rt-${code}`));
            expect(issued.filter((seen) => `at-${seen}` !== stored).map((seen) => `rt-${seen}`)).toEqual(revoked);
          },
          parked: () => parkedReplyOf(flow.state),
        };
        return c;
      };
      return { apiKey, begin, tokenOf: (json) => json.access_token };
    },
  };
}

/** The access token of the link's one connection, or null without one. */
async function tokenOfLink(apiKey: string, linkId: string): Promise<string | null> {
  const [id] = await connectionsOfLink(linkId);
  return id ? (await tokenRoute(apiKey, id)).json.access_token : null;
}

const formFlow: Flow = {
  name: 'credentials form',
  calls: 5,
  prepare: async () => {
    const { apiKey } = await newTenant();
    const stripe = await keyIntegration(apiKey);
    await configureWebhook(apiKey);
    stubProvider((req) => (req.url === RECEIVER ? new Response('ok') : stripeBalance()));
    const begin = async (n: number): Promise<Case> => {
      const tags = { case: `form-${n}` };
      const link = await linkForNewEndUser(apiKey, { max_uses: 1, tags });
      const fields = { api_key: `sk_test_case_${n}_0123456789abcdef`, submission: await renderedSubmission(link, stripe.id) };
      return {
        link,
        tags,
        secret: fields.api_key,
        before: { connections: 0, uses: 0, events: [] },
        event: 'connection.created',
        attempt: (failAt, timing) => callWithFault(formPath(link, stripe.id), { failAt, timing }, formPost(fields)),
        next: async () => {
          if ((await connectionsOfLink(link.id)).length > 0) return;
          // The end user sends the form again, as the page asks.
          expect((await postForm(formPath(link, stripe.id), fields)).status).toBe(200);
        },
        grantsAccountedFor: () => {},
        parked: async () => null,
      };
    };
    return { apiKey, begin, tokenOf: (json) => json.credentials?.api_key };
  },
};

/**
 * The case's change exists only whole: its connection with its one use of the link and its one
 * event, its tokens working; or nothing of it at all. Returns whether it landed.
 */
async function expectWhole(apiKey: string, c: Case, tokenOf: (json: any) => string, where: string): Promise<boolean> {
  const ids = await connectionsOfLink(c.link.id);
  expect(ids.length, `${where}: connections`).toBeLessThanOrEqual(1);
  const stored = ids.length === 1 ? tokenOf((await tokenRoute(apiKey, ids[0]!)).json) : null;
  const landed = stored === c.secret;
  expect(ids.length, `${where}: connections`).toBe(landed ? 1 : c.before.connections);
  expect(await linkUses(c.link.id), `${where}: link uses`).toBe(c.before.uses + (landed ? 1 : 0));
  expect(await eventsOfLink(c.link.id), `${where}: events`).toEqual([...c.before.events, ...(landed ? [c.event] : [])]);
  if (ids.length === 1) expect((await call(`/api/v1/connections/${ids[0]}`, { token: apiKey })).json.tags, `${where}: tags`).toEqual(c.tags);
  return landed;
}

describe('connect flows under failing D1 writes', () => {
  for (const flow of [callbackFlow('OAuth callback', false), callbackFlow('OAuth callback, reconnect', true), formFlow]) {
    it(`${flow.name}: each of its ${flow.calls} D1 calls fails, before and after running (${flow.calls * 2} cases)`, { timeout: 120_000 }, async () => {
      for (const level of ['log', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
      const { apiKey, begin, tokenOf } = await flow.prepare();
      let n = 0;

      const clean = await begin(++n);
      const measured = await clean.attempt(null, 'before');
      expect(measured.d1Calls).toBe(flow.calls);
      expect(await expectWhole(apiKey, clean, tokenOf, 'no fault')).toBe(true);

      let cases = 0;
      for (let failAt = 1; failAt <= flow.calls; failAt++) {
        for (const timing of TIMINGS) {
          const where = `${flow.name}, D1 call ${failAt} failing ${timing}`;
          const c = await begin(++n);
          const result = await c.attempt(failAt, timing);
          expect(result.struck, where).toBe(true);
          await expectWhole(apiKey, c, tokenOf, where);

          await c.next();
          expect(await expectWhole(apiKey, c, tokenOf, `${where}, then the next step`), `${where}: not stored after the next step`).toBe(true);
          c.grantsAccountedFor(c.secret);
          expect(await c.parked(), `${where}: a reply left parked`).toBeNull();
          cases++;
        }
      }
      expect(cases).toBe(flow.calls * 2);
    });
  }
});
