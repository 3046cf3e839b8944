import { expect } from 'vitest';
import { asOperator, call, newTenant } from '../helpers/api';
import { stubProvider, type SeenRequest } from '../helpers/outbound';
import { browse, newLink, postForm } from '../links/fixtures';
import { RECEIVER } from '../webhooks/fixtures';

export const IDP = 'https://idp.example.test';
let offeringCounter = 0;

/** A custom OAuth offering on a provider the tests answer for, and a configured integration on it. */
export async function setup(linkBody: Record<string, unknown> = {}) {
  const tenant = await newTenant();
  const offering = await asOperator('/api/v1/admin/offerings', {
    method: 'POST',
    body: {
      id: `off_cb_${Date.now().toString(36)}_${offeringCounter++}`,
      name: 'Example IdP',
      provider: 'example_idp',
      auth_mode: 'oauth2',
      authorization_url: `${IDP}/authorize`,
      token_url: `${IDP}/token`,
      userinfo_url: `${IDP}/userinfo`,
      revocation_url: `${IDP}/revoke`,
      default_scopes: ['openid', 'offline_access'],
      token_auth_method: 'client_secret_basic',
      token_response: { metadata: ['instance_url'] },
      account: { id: 'sub', email: 'email', name: 'name' },
    },
  });
  const verification = stubProvider(() => Response.json({ error: 'invalid_grant' }, { status: 400 }));
  const integration = await call('/api/v1/integrations', {
    method: 'POST',
    token: tenant.apiKey,
    body: { name: 'Example', offering_id: offering.json.id, client_id: 'cid', client_secret: 'client-secret-xyz' },
  });
  verification.restore();
  expect(integration.json.status).toBe('configured');
  const link = await newLink(tenant.apiKey, linkBody);
  return { ...tenant, integrationId: integration.json.id as string, link };
}

/** Starts a flow as the browser does; returns the state the provider would send back and the cookie. */
export async function start(link: { token: string }, integrationId: string) {
  const res = await postForm(`/link/${link.token}/connect/${integrationId}`);
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return { state: location.searchParams.get('state')!, cookie };
}

export interface ProviderScript {
  token?: (req: SeenRequest) => Response | Promise<Response>;
  userinfo?: (req: SeenRequest) => Response | Promise<Response>;
  account?: string;
}

/** The provider's token and userinfo endpoints. */
export function provider(script: ProviderScript = {}) {
  return stubProvider((req) => {
    if (req.url === `${IDP}/token`) {
      return (
        script.token?.(req) ??
        Response.json({ access_token: 'at-1', refresh_token: 'rt-1', token_type: 'Bearer', expires_in: 3600, instance_url: 'https://acme.example.test' })
      );
    }
    if (req.url === `${IDP}/userinfo`) {
      return script.userinfo?.(req) ?? Response.json({ sub: script.account ?? 'acct-1', email: 'ada@idp.test', name: 'Ada' });
    }
    if (req.url === `${IDP}/revoke`) return new Response(null, { status: 200 });
    if (req.url === RECEIVER) return new Response('ok', { status: 200 });
    return new Response('unexpected', { status: 599 });
  });
}

/** The tokens the provider was asked to revoke (RFC 7009 `token`), in order. */
export const revokedTokens = (seen: SeenRequest[]) => seen.filter((r) => r.url === `${IDP}/revoke`).map((r) => new URLSearchParams(r.body).get('token'));

export const callback = (query: Record<string, string>, cookie?: string) =>
  browse(`/api/v1/oauth/callback?${new URLSearchParams(query)}`, { headers: cookie ? { cookie } : {} });
