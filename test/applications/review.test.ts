import { describe, expect, it } from 'vitest';
import { asOperator, call, newTenant } from '../helpers/api';
import { applicationRow, newApplication } from './fixtures';

const pages = { terms_url: 'https://app.example.com/terms', privacy_url: 'https://app.example.com/privacy' };

async function approvedApp() {
  const { apiKey } = await newTenant();
  const app = await newApplication(apiKey, { ...pages, scopes: ['connections.read', 'offline_access'] });
  await call(`/api/v1/applications/${app.id}/publish`, { method: 'POST', token: apiKey });
  const decided = await asOperator(`/api/v1/admin/applications/${app.id}/publish`, { method: 'POST', body: { decision: 'approve' } });
  expect(decided.json).toMatchObject({ publish_state: 'approved', visibility: 'public' });
  const patch = (body: unknown) => call(`/api/v1/applications/${app.id}`, { method: 'PATCH', token: apiKey, body });
  return { app, patch };
}

describe('editing an approved public application', () => {
  it.each([
    ['its name', { name: 'Acme Reports Pro' }],
    ['its redirect URIs', { redirect_uris: ['https://evil.example.com/callback'] }],
    ['its scopes', { scopes: ['connections.read', 'connections.token', 'offline_access'] }],
  ])('changing %s sends it back to review, private until approved again', async (_label, body) => {
    const { app, patch } = await approvedApp();
    const res = await patch(body);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ publish_state: 'pending', visibility: 'private' });
    expect(await applicationRow(app.id)).toMatchObject({ publishState: 'pending', visibility: 'private' });
    const pending = (await asOperator('/api/v1/admin/applications?publish=pending&limit=200')).json.data as { id: string }[];
    expect(pending.map((a) => a.id)).toContain(app.id);
  });

  it('keeps it public for other edits, or the same values again', async () => {
    const { app, patch } = await approvedApp();
    const row = (await applicationRow(app.id))!;
    const res = await patch({ description: 'New words.', name: row.name, redirect_uris: row.redirectUris, scopes: [...row.scopes].reverse() });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ publish_state: 'approved', visibility: 'public' });
  });
});
