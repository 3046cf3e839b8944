import { inject } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../../helpers/secrets';

export const workerUrl = () => inject('workerUrl');

/** Calls the running Worker over HTTP, as a backend would. */
export async function http(path: string, options: { method?: string; token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(workerUrl() + path, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    redirect: 'manual',
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export const asOperator = (path: string, options: { method?: string; body?: unknown } = {}) => http(path, { ...options, token: TEST_ADMIN_TOKEN });

/** A fresh organization and API key on the running Worker. */
export async function newTenant(name = 'E2E org') {
  const org = await asOperator('/api/v1/admin/organizations', { method: 'POST', body: { name } });
  const key = await asOperator(`/api/v1/admin/organizations/${org.json.id}/api_keys`, { method: 'POST', body: { name: 'e2e' } });
  if (key.status !== 201) throw new Error(`tenant setup failed: ${key.status} ${key.text}`);
  return { orgId: org.json.id as string, apiKey: key.json.secret as string };
}

let offeringCounter = 0;

/** A custom offering pointing at the loopback oidc-provider, as an operator would define it. */
export async function peerOffering(tokenUrl?: string) {
  const issuer = inject('oidcIssuer');
  const id = `off_peer_${Date.now().toString(36)}_${offeringCounter++}`;
  const res = await asOperator('/api/v1/admin/offerings', {
    method: 'POST',
    body: {
      id,
      name: 'Loopback OpenID provider',
      provider: 'oidc_peer',
      auth_mode: 'oauth2',
      authorization_url: `${issuer}/auth`,
      token_url: tokenUrl ?? `${issuer}/token`,
      userinfo_url: `${issuer}/me`,
      revocation_url: `${issuer}/token/revocation`,
      default_scopes: ['openid', 'offline_access', 'email', 'profile'],
      required_scopes: ['openid', 'offline_access'],
      token_auth_method: 'client_secret_basic',
      pkce: true,
      account: { id: 'sub', email: 'email', name: 'name' },
      // oidc-provider grants offline_access (a refresh token) only with prompt=consent.
      authorization_params: { prompt: 'consent' },
    },
  });
  if (res.status !== 201) throw new Error(`offering setup failed: ${res.status} ${res.text}`);
  return id;
}
