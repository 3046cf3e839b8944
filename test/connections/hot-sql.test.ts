import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { apiKeyJoined } from '../../src/api-keys/joined';
import type { JoinedCredential } from '../../src/auth/joined-credential';
import { callerAndShownRow, callerAndTokenRow, type HotShownRow, type HotTokenRow } from '../../src/connections/hot-sql';
import { handsOutAsIs } from '../../src/connections/refresh';
import { renderConnection } from '../../src/connections/render';
import type { ConnectionRow } from '../../src/connections/schema';
import { findConnection, findKeyAndConnection } from '../../src/connections/service';
import { renderToken } from '../../src/connections/token';
import { createDb } from '../../src/db/client';
import { sha256Hex } from '../../src/lib/crypto';
import { ApiError } from '../../src/lib/errors';
import { accessTokenJoined } from '../../src/oauth-server/joined';
import { call } from '../helpers/api';
import { d1Query } from '../helpers/hot-query';
import { appWithUserIn, clientCredentialsToken } from '../oauth-server/fixtures';
import { CLIENT_SECRET, oauthTenant, testDeps } from './fixtures';

// callerAndTokenRow and callerAndShownRow against the drizzle queries the app answers the same
// routes with: findKeyAndConnection (the token route with an API key) and findConnection (with
// the organization an access token, or GET /connections/{id}'s caller, acts for). Each case runs
// with both credentials the hot routes accept.

const db = createDb(env.DB);

// Every column each hot route reads, listed once; `satisfies` fails to compile if one is missing.
const TOKEN_KEYS = Object.keys({
  id: 1,
  orgId: 1,
  status: 1,
  credentialMode: 1,
  leaseId: 1,
  leaseUntil: 1,
  expiresAt: 1,
  providerAccountId: 1,
  scopes: 1,
  metadata: 1,
  tokenType: 1,
  accessTokenEnc: 1,
} satisfies Record<keyof HotTokenRow, 1>);

const SHOWN_KEYS = Object.keys({
  id: 1,
  orgId: 1,
  integrationId: 1,
  linkId: 1,
  endUserId: 1,
  endUserEmail: 1,
  endUserName: 1,
  providerAccountId: 1,
  accountEmail: 1,
  accountName: 1,
  metadata: 1,
  userMetadata: 1,
  tags: 1,
  scopes: 1,
  status: 1,
  expiresAt: 1,
  lastRefreshedAt: 1,
  lastRefreshError: 1,
  createdAt: 1,
  updatedAt: 1,
} satisfies Record<keyof HotShownRow, 1>);

/** The drizzle row cut to the keys a hot statement reads, as its `.raw()` reader should make it. */
const pick = (row: ConnectionRow, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, row[k as keyof ConnectionRow]]));

/** findConnection's answer, or null for its 404. */
async function foundOrNull(orgId: string, id: string) {
  try {
    return await findConnection(db, orgId, id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

type Tenant = Awaited<ReturnType<typeof oauthTenant>>;

interface Way {
  name: string;
  credential: JoinedCredential;
  secret: string;
  /** The token route's drizzle read of the connection for this credential. */
  tokenTwin: (id: string) => Promise<ConnectionRow | null>;
}

/** The tenant's API key, and a client-credentials access token of an application in its organization. */
async function waysToCall(t: Tenant): Promise<Way[]> {
  const f = await appWithUserIn(t);
  const token = await clientCredentialsToken(f.app, 'connections.read connections.token');
  return [
    { name: 'API key', credential: apiKeyJoined, secret: t.apiKey, tokenTwin: async (id) => (await findKeyAndConnection(db, t.apiKey, id))!.connection },
    { name: 'access token', credential: accessTokenJoined, secret: token, tokenTwin: async (id) => (await foundOrNull(t.orgId, id))?.connection ?? null },
  ];
}

/** Both statements' answers for one connection id, each checked against its twin; the hot answers are returned. */
async function hotAndTwins(t: Tenant, way: Way, id: string) {
  const now = Date.now();
  const hash = await sha256Hex(way.secret);
  const token = await callerAndTokenRow(d1Query, way.credential, hash, now, id);
  const shown = await callerAndShownRow(d1Query, way.credential, hash, now, id);
  expect(token && way.credential.caller(token.found), way.name).toMatchObject({ orgId: t.orgId });
  expect(shown && way.credential.caller(shown.found), way.name).toMatchObject({ orgId: t.orgId });

  const tokenTwin = await way.tokenTwin(id);
  expect(token!.resource, way.name).toEqual(tokenTwin && pick(tokenTwin, TOKEN_KEYS));
  const shownTwin = await foundOrNull(t.orgId, id);
  expect(shown!.resource, way.name).toEqual(shownTwin && { connection: pick(shownTwin.connection, SHOWN_KEYS), integration: shownTwin.integration });

  // What the routes make of them, as the app would make of its rows.
  if (token!.resource && tokenTwin) {
    const { keyring } = await testDeps();
    expect(await renderToken(keyring, token!.resource), way.name).toEqual(await renderToken(keyring, tokenTwin));
    expect(handsOutAsIs(token!.resource, now), way.name).toBe(handsOutAsIs(tokenTwin, now));
  }
  if (shown!.resource && shownTwin) {
    expect(renderConnection(shown!.resource.connection, shown!.resource.integration), way.name).toEqual(
      renderConnection(shownTwin.connection, shownTwin.integration),
    );
  }
  return { token: token!.resource, shown: shown!.resource };
}

describe('the hot routes read the rows their drizzle twins read', () => {
  it("reads a connection of the caller's organization", async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    for (const way of await waysToCall(t)) {
      const { token, shown } = await hotAndTwins(t, way, id);
      expect(token?.id, way.name).toBe(id);
      expect(Object.keys(token!).sort(), way.name).toEqual([...TOKEN_KEYS].sort());
      expect(shown?.connection.id, way.name).toBe(id);
      expect(Object.keys(shown!.connection).sort(), way.name).toEqual([...SHOWN_KEYS].sort());
    }
  });

  it('finds no connection of another organization: the caller, and a null resource', async () => {
    const t = await oauthTenant();
    const other = await oauthTenant();
    const theirs = await other.connect();
    for (const way of await waysToCall(t)) {
      const { token, shown } = await hotAndTwins(t, way, theirs);
      expect(token, way.name).toBeNull();
      expect(shown, way.name).toBeNull();
    }
  });

  it('finds no connection for an id no connection has', async () => {
    const t = await oauthTenant();
    await t.connect();
    for (const way of await waysToCall(t)) {
      const { token, shown } = await hotAndTwins(t, way, `con_${crypto.randomUUID().replaceAll('-', '')}`);
      expect(token, way.name).toBeNull();
      expect(shown, way.name).toBeNull();
    }
  });

  it('parses the JSON columns as drizzle does: metadata, provider metadata, tags and scopes', async () => {
    const t = await oauthTenant();
    const id = await t.connect({
      end_user: { id: 'u-json', email: 'grace@example.com', display_name: 'Grace' },
      account: { email: 'billing@example.com', name: 'Billing' },
      scopes: ['read'],
      metadata: { plan: 'pro', seats: 12, trial: false, owner: { team: ['growth', 'eu'] }, note: null },
      tags: { team: 'growth', region: 'eu' },
      provider_metadata: { instance_url: 'https://acme.fake-provider.example' },
      token_type: 'MAC',
    });
    for (const way of await waysToCall(t)) {
      const { token, shown } = await hotAndTwins(t, way, id);
      expect(token?.scopes, way.name).toEqual(['read']);
      expect(token?.metadata, way.name).toEqual({ instance_url: 'https://acme.fake-provider.example' });
      expect(shown?.connection.userMetadata, way.name).toEqual({ plan: 'pro', seats: 12, trial: false, owner: { team: ['growth', 'eu'] }, note: null });
      expect(shown?.connection.tags, way.name).toEqual({ team: 'growth', region: 'eu' });
    }
  });

  it("reads its own integration's offering and scopes (missing_scopes comes from them), not another of the organization's", async () => {
    const t = await oauthTenant();
    const second = await call('/api/v1/integrations', {
      method: 'POST',
      token: t.apiKey,
      body: { name: 'Fake CRM admin', offering_id: t.offeringId, client_id: 'fake-client-2', client_secret: CLIENT_SECRET, scopes: ['read', 'write', 'admin'] },
    });
    expect(second.status).toBe(201);
    const id = await t.connect({ integration_id: second.json.id, scopes: ['read'] });
    for (const way of await waysToCall(t)) {
      const { shown } = await hotAndTwins(t, way, id);
      expect(shown?.integration, way.name).toEqual({ offeringId: t.offeringId, scopes: ['read', 'write', 'admin'] });
      expect(renderConnection(shown!.connection, shown!.integration).missing_scopes, way.name).toEqual(['write', 'admin']);
    }
  });
});
