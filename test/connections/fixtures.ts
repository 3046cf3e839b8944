import { env } from 'cloudflare:test';
import { createDb } from '../../src/db/client';
import { findIntegration } from '../../src/integrations/service';
import { testDeps } from '../helpers/deps';
import { asOperator, call, newTenant } from '../helpers/api';
import { oauthError, stubProvider, type SeenRequest } from '../helpers/outbound';

export const TOKEN_URL = 'https://auth.fake-provider.example/oauth/token';
export const REVOKE_URL = 'https://auth.fake-provider.example/oauth/revoke';
export const CLIENT_SECRET = 'fake-client-secret-never-shown';

/** The integration's row, as the connect flow has it when it saves a connection. */
export const integrationRow = (orgId: string, id: string) => findIntegration(createDb(env.DB), orgId, id);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const tokenReply = (body: Record<string, unknown>, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export interface FakeProvider {
  seen: SeenRequest[];
  /** The form of every refresh request, in order. */
  refreshes: () => URLSearchParams[];
  revocations: () => SeenRequest[];
  onRefresh: (form: URLSearchParams) => Response | Promise<Response>;
  onRevoke: (req: SeenRequest) => Response | Promise<Response>;
}

/**
 * A tenant with a configured integration on a custom OAuth offering whose endpoints are served
 * by a stub: verification's bogus code gets invalid_grant, refreshes and revocations go to the
 * handlers a test sets.
 */
export async function oauthTenant(options: { revocation?: boolean; scopes?: string[] } = {}) {
  const tenant = await newTenant();
  const offeringId = `off_t_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const provider: FakeProvider = {
    seen: [],
    refreshes: () =>
      provider.seen
        .filter((r) => r.url === TOKEN_URL && new URLSearchParams(r.body).get('grant_type') === 'refresh_token')
        .map((r) => new URLSearchParams(r.body)),
    revocations: () => provider.seen.filter((r) => r.url === REVOKE_URL),
    onRefresh: () => new Response('no refresh handler set', { status: 500 }),
    onRevoke: () => new Response(null, { status: 200 }),
  };
  const stub = stubProvider(async (req) => {
    if (req.url === REVOKE_URL) return provider.onRevoke(req);
    const grant = new URLSearchParams(req.body).get('grant_type');
    if (grant === 'authorization_code') return oauthError('invalid_grant');
    if (grant === 'refresh_token') return provider.onRefresh(new URLSearchParams(req.body));
    return new Response('unexpected request', { status: 500 });
  });
  provider.seen = stub.seen;
  const offering = await asOperator('/api/v1/admin/offerings', {
    method: 'POST',
    body: {
      id: offeringId,
      name: 'Fake CRM',
      provider: 'fakecrm',
      auth_mode: 'oauth2',
      authorization_url: 'https://auth.fake-provider.example/oauth/authorize',
      token_url: TOKEN_URL,
      ...(options.revocation === false ? {} : { revocation_url: REVOKE_URL }),
      default_scopes: ['read', 'write'],
      optional_scopes: ['admin'],
      token_auth_method: 'client_secret_basic',
      token_response: { metadata: ['instance_url'] },
    },
  });
  if (offering.status !== 201) throw new Error(`creating the offering failed: ${offering.status} ${offering.text}`);
  const integration = await call('/api/v1/integrations', {
    method: 'POST',
    token: tenant.apiKey,
    body: { name: 'Fake CRM', offering_id: offeringId, client_id: 'fake-client', client_secret: CLIENT_SECRET, scopes: options.scopes ?? ['read', 'write'] },
  });
  if (integration.status !== 201 || integration.json.status !== 'configured') {
    throw new Error(`creating the integration failed: ${integration.status} ${integration.text}`);
  }
  const integrationId = integration.json.id as string;

  /** POST /connections with sensible defaults: a fresh token for end user u-1, account acct-1. */
  const importConnection = (body: Record<string, unknown> = {}) =>
    call('/api/v1/connections', {
      method: 'POST',
      token: tenant.apiKey,
      body: {
        integration_id: integrationId,
        end_user: { id: 'u-1', email: 'ada@example.com', display_name: 'Ada' },
        provider_account_id: 'acct-1',
        access_token: 'at-1',
        refresh_token: 'rt-1',
        ...('expires_at' in body ? {} : { expires_in: 3600 }),
        ...body,
      },
    });
  /** Imports and returns the connection id, failing loudly otherwise. */
  const connect = async (body: Record<string, unknown> = {}) => {
    const res = await importConnection(body);
    if (res.status !== 201 && res.status !== 200) throw new Error(`import failed: ${res.status} ${res.text}`);
    return res.json.id as string;
  };
  const getToken = (id: string, token: string = tenant.apiKey) => call(`/api/v1/connections/${id}/token`, { token });
  return { ...tenant, offeringId, integrationId, provider, importConnection, connect, getToken };
}

export const expired = () => new Date(Date.now() - 60_000).toISOString();

export { testDeps };

/**
 * Counts D1 round trips by wrapping the D1 binding's prototypes: the Worker under test runs in
 * this isolate, so its binding shares them. Calls made from inside another counted call
 * (a method implemented on top of another) count once.
 */
export function countD1RoundTrips() {
  const db = Object.getPrototypeOf(env.DB) as Record<string, unknown>;
  const statement = Object.getPrototypeOf(env.DB.prepare('SELECT 1')) as Record<string, unknown>;
  const targets: [Record<string, unknown>, string][] = [
    [db, 'batch'],
    [db, 'exec'],
    ...(['all', 'raw', 'run', 'first'] as const).map((m): [Record<string, unknown>, string] => [statement, m]),
  ];
  const originals: [Record<string, unknown>, string, unknown][] = [];
  const counter = {
    count: 0,
    restore: () => {
      for (const [proto, name, fn] of originals) proto[name] = fn;
    },
  };
  let depth = 0;
  for (const [proto, name] of targets) {
    const original = proto[name] as (...args: unknown[]) => unknown;
    originals.push([proto, name, original]);
    proto[name] = function (this: unknown, ...args: unknown[]) {
      if (depth === 0) counter.count++;
      depth++;
      try {
        return original.apply(this, args);
      } finally {
        depth--;
      }
    };
  }
  return counter;
}

/** Direct reads for what the API deliberately does not show (ciphertexts, backoff times). */
export const connectionRow = (id: string) => env.DB.prepare('SELECT * FROM connections WHERE id = ?').bind(id).first<Record<string, unknown>>();

export const countConnections = async (orgId: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM connections WHERE org_id = ?').bind(orgId).first<{ n: number }>())!.n;

/**
 * Makes the fake provider rotate refresh tokens as Salesforce, HubSpot or our own server do:
 * each refresh answers a new pair and kills the refresh token it was sent, so a refresh that
 * sends a dead one (a lost reply) gets invalid_grant. Each of `first` starts a chain of its own.
 */
export function rotateRefreshTokens(provider: FakeProvider, first: string[] = ['rt-1']) {
  const live = new Set(first);
  let issued = 0;
  const dead: string[] = [];
  provider.onRefresh = (form) => {
    const sent = form.get('refresh_token') ?? '';
    if (!live.delete(sent)) {
      dead.push(sent);
      return tokenReply({ error: 'invalid_grant', error_description: 'refresh token was rotated' }, 400);
    }
    issued++;
    live.add(`rt-rotated-${issued}`);
    return tokenReply({ access_token: `at-rotated-${issued}`, refresh_token: `rt-rotated-${issued}`, expires_in: 3600 });
  };
  return {
    /** Starts another chain, for a connection created with this refresh token. */
    accept: (token: string) => void live.add(token),
    /** Refresh tokens the provider still accepts, one per chain. */
    live: () => [...live],
    /** Refresh tokens sent after the provider had rotated them away. */
    deadTokensSent: () => dead,
    issued: () => issued,
  };
}

/** Lets a held lease run out, as if its time had passed. */
export const expireLease = (id: string, agoMs = 1) =>
  env.DB.prepare('UPDATE connections SET lease_until = ? WHERE id = ? AND lease_until IS NOT NULL')
    .bind(Date.now() - agoMs, id)
    .run();

export const countEvents = async (orgId: string, type: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM events WHERE org_id = ? AND type = ?').bind(orgId, type).first<{ n: number }>())!.n;

/** Events of one type about one connection. */
export const countConnectionEvents = async (id: string, type: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM events WHERE type = ? AND json_extract(payload, '$.data.connection_id') = ?")
    .bind(type, id)
    .first<{ n: number }>())!.n;
