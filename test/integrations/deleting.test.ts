import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, expectError } from '../helpers/api';
import { callback, provider, setup, start } from '../connect/fixtures';
import { browse, postForm } from '../links/fixtures';
import { countRows } from '../links/fixtures';

afterEach(() => vi.restoreAllMocks());

// From the moment a cascade delete starts (deleting_at set, connections still being deleted in
// chunks) the integration is gone for every reader, as it will be once its row goes.
const startDeleting = (integrationId: string) => env.DB.prepare('UPDATE integrations SET deleting_at = ? WHERE id = ?').bind(Date.now(), integrationId).run();

describe('an integration being deleted', () => {
  it('is a 404 on the API and missing from the list', async () => {
    const { apiKey, integrationId } = await setup();
    await startDeleting(integrationId);
    expectError(await call(`/api/v1/integrations/${integrationId}`, { token: apiKey }), 404, 'not_found');
    expectError(await call(`/api/v1/integrations/${integrationId}`, { method: 'PATCH', token: apiKey, body: { name: 'Back' } }), 404, 'not_found');
    expectError(await call(`/api/v1/integrations/${integrationId}/verify`, { method: 'POST', token: apiKey }), 404, 'not_found');
    expect((await call('/api/v1/integrations', { token: apiKey })).json.data).toEqual([]);
    const row = await env.DB.prepare('SELECT name FROM integrations WHERE id = ?').bind(integrationId).first<{ name: string }>();
    expect(row!.name).toBe('Example');
  });

  it('is not offered on the link page, and cannot be started', async () => {
    const { integrationId, link } = await setup();
    await startDeleting(integrationId);
    const page = await browse(`/link/${link.token}`);
    expect(page.text).not.toContain(`/connect/${integrationId}`);
    const started = await postForm(`/link/${link.token}/connect/${integrationId}`);
    expect(started.status).toBe(404);
    expect(started.text).toContain('not available');
  });

  it('turns away a callback of a flow started before the delete', async () => {
    const { orgId, integrationId, link } = await setup();
    const flow = await start(link, integrationId);
    await startDeleting(integrationId);
    const idp = provider();
    const res = await callback({ state: flow.state, code: 'code-1' }, flow.cookie);
    expect(res.status).toBe(410);
    expect(idp.seen).toHaveLength(0);
    expect(await countRows('connections', orgId)).toBe(0);
  });
});

describe('an integration being deleted takes nothing new', () => {
  it('refuses a link that names it, and an imported connection into it, and stores neither', async () => {
    const { apiKey, orgId, integrationId } = await setup();
    await startDeleting(integrationId);
    const link = await call('/api/v1/links', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Late', integration_ids: [integrationId], end_user: { id: 'late' } },
    });
    expectError(link, 400, 'validation_failed');
    expect(link.json.error.details[0]).toMatchObject({ field: 'integration_ids.0' });
    const imported = await call('/api/v1/connections', {
      method: 'POST',
      token: apiKey,
      body: { integration_id: integrationId, end_user: { id: 'late' }, provider_account_id: 'late', access_token: 'at-late' },
    });
    expectError(imported, 400, 'validation_failed');
    expect(imported.json.error.details[0]).toMatchObject({ field: 'integration_id' });
    expect(await countRows('connections', orgId)).toBe(0);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM links WHERE name = 'Late' AND org_id = ?").bind(orgId).first<{ n: number }>())!.n).toBe(0);
  });
});
