import { env } from 'cloudflare:test';
import { call } from '../helpers/api';
import type { oauthTenant } from '../connections/fixtures';

export type Tenant = Awaited<ReturnType<typeof oauthTenant>>;

let accounts = 0;

/** Another configured integration of the tenant's offering, with `n` connections imported through the API. */
export async function integrationWithConnections(t: Tenant, n: number) {
  const res = await call('/api/v1/integrations', {
    method: 'POST',
    token: t.apiKey,
    body: { name: 'Fake CRM', offering_id: t.offeringId, client_id: 'fake-client', client_secret: 'fake-secret', scopes: ['read', 'write'] },
  });
  if (res.status !== 201) throw new Error(`creating the integration failed: ${res.status} ${res.text}`);
  const integrationId = res.json.id as string;
  const connectionIds: string[] = [];
  for (let i = 0; i < n; i++) connectionIds.push(await t.connect({ integration_id: integrationId, provider_account_id: `acct-${++accounts}` }));
  return { integrationId, connectionIds };
}

/** What is stored of an integration being deleted: its row (with deleting_at) and its connections. */
export async function storedIntegration(integrationId: string) {
  const row = await env.DB.prepare('SELECT deleting_at FROM integrations WHERE id = ?').bind(integrationId).first<{ deleting_at: number | null }>();
  const left = await env.DB.prepare('SELECT id FROM connections WHERE integration_id = ?').bind(integrationId).all<{ id: string }>();
  return { exists: row !== null, deleting: row !== null && row.deleting_at !== null, connections: left.results.map((r) => r.id) };
}

/** connection.deleted events per connection id. */
export async function deletedEventsOf(connectionIds: string[]): Promise<Record<string, number>> {
  const rows = await env.DB.prepare(
    "SELECT json_extract(payload, '$.data.connection_id') AS id, count(*) AS n FROM events WHERE type = 'connection.deleted' GROUP BY 1",
  ).all<{ id: string; n: number }>();
  const byId = new Map(rows.results.map((r) => [r.id, r.n]));
  return Object.fromEntries(connectionIds.map((id) => [id, byId.get(id) ?? 0]));
}

export const deleteCascade = (t: Tenant, integrationId: string) =>
  call(`/api/v1/integrations/${integrationId}?cascade=true`, { method: 'DELETE', token: t.apiKey });
