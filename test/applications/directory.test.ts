import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { asOperator, call, newTenant } from '../helpers/api';
import { newApplication } from './fixtures';

const pages = { terms_url: 'https://app.example.com/terms', privacy_url: 'https://app.example.com/privacy' };

async function approved(apiKey: string, body: Record<string, unknown>) {
  const app = await newApplication(apiKey, { ...pages, ...body });
  await call(`/api/v1/applications/${app.id}/publish`, { method: 'POST', token: apiKey });
  const res = await asOperator(`/api/v1/admin/applications/${app.id}/publish`, { method: 'POST', body: { decision: 'approve' } });
  expect(res.status).toBe(200);
  return app;
}

const unique = (label: string) => `${label} ${crypto.randomUUID().slice(0, 8)}`;

describe('the public app directory at /apps', () => {
  it('lists approved, public, active applications that asked to be listed, with their pages, without signing in', async () => {
    const { apiKey } = await newTenant('Reports Inc');
    const listed = unique('Listed');
    const app = await approved(apiKey, { name: listed, description: 'Weekly reports from your CRM.', listed: true });
    const res = await call('/apps');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain(listed);
    expect(res.text).toContain('Weekly reports from your CRM.');
    expect(res.text).toContain('by Reports Inc');
    expect(res.text).toContain('<a href="https://app.example.com/terms" rel="noopener noreferrer nofollow"');
    expect(res.text).toContain('<a href="https://app.example.com/privacy" rel="noopener noreferrer nofollow"');
    // Nothing of the client's credentials is public.
    expect(res.text).not.toContain(app.client_id);
    expect(res.text).not.toContain(app.client_secret);
  });

  it('is the one public page search engines may index; sign-in still asks them not to', async () => {
    expect((await call('/apps')).text).not.toContain('noindex');
    expect((await call('/login')).text).toContain('<meta name="robots" content="noindex, nofollow"/>');
  });

  it.each([
    ['not asking to be listed', { listed: false }, async () => {}],
    [
      'inactive',
      { listed: true },
      async (id: string, apiKey: string) => void (await call(`/api/v1/applications/${id}`, { method: 'PATCH', token: apiKey, body: { active: false } })),
    ],
  ])('leaves out an approved application %s', async (_label, body, after) => {
    const { apiKey } = await newTenant();
    const name = unique('Hidden');
    const app = await approved(apiKey, { name, ...body });
    await after(app.id, apiKey);
    expect((await call('/apps')).text).not.toContain(name);
  });

  it('leaves out listed applications no operator approved: private, pending or rejected', async () => {
    const { apiKey } = await newTenant();
    const privateName = unique('Private');
    await newApplication(apiKey, { ...pages, name: privateName, listed: true });
    const pendingName = unique('Pending');
    const pending = await newApplication(apiKey, { ...pages, name: pendingName, listed: true });
    await call(`/api/v1/applications/${pending.id}/publish`, { method: 'POST', token: apiKey });
    const rejectedName = unique('Rejected');
    const rejected = await newApplication(apiKey, { ...pages, name: rejectedName, listed: true });
    await call(`/api/v1/applications/${rejected.id}/publish`, { method: 'POST', token: apiKey });
    await asOperator(`/api/v1/admin/applications/${rejected.id}/publish`, { method: 'POST', body: { decision: 'reject', reason: 'No.' } });
    const text = (await call('/apps')).text;
    for (const name of [privateName, pendingName, rejectedName]) expect(text).not.toContain(name);
  });

  it('sorts by name, any case, and pages by 50', async () => {
    const { apiKey } = await newTenant();
    // Names that sort before anything else other tests list, so they fill the first page.
    const prefix = `!${crypto.randomUUID().slice(0, 6)}`;
    const names = ['b', 'A', 'c'].map((l) => `${prefix} ${l}`);
    for (const name of names) await approved(apiKey, { name, listed: true });
    const text = (await call('/apps')).text;
    const positions = [`${prefix} A`, `${prefix} b`, `${prefix} c`].map((n) => text.indexOf(n));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);

    // 50 more listed rows, written straight to D1: the pages, not the API, are under test here.
    const [row] = (await env.DB.prepare('SELECT * FROM applications WHERE name = ?').bind(names[0]).all()).results as Record<string, unknown>[];
    const stmts = Array.from({ length: 50 }, (_, i) =>
      env.DB.prepare(
        'INSERT INTO applications (id, org_id, name, description, redirect_uris, active, visibility, publish_state, scopes, client_id, client_secret_hash, created_at, updated_at, grant_types, listed) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, 1)',
      ).bind(
        `app_${prefix.slice(1)}${i}x`,
        row!.org_id,
        `${prefix} d${String(i).padStart(2, '0')}`,
        '',
        row!.redirect_uris,
        'public',
        'approved',
        row!.scopes,
        `elk_ci_${prefix.slice(1)}${i}`,
        row!.client_secret_hash,
        Date.now(),
        Date.now(),
        row!.grant_types,
      ),
    );
    await env.DB.batch(stmts);
    const first = (await call('/apps')).text;
    expect(first).toContain('href="/apps?page=2"');
    expect(first).not.toContain(`${prefix} d47`);
    const second = await call('/apps?page=2');
    expect(second.status).toBe(200);
    expect(second.text).toContain(`${prefix} d47`);
    expect(second.text).toContain('href="/apps"');
    // Leaves the directory's first page to the other tests of this file (storage is per file).
    await env.DB.prepare('DELETE FROM applications WHERE org_id = ?').bind(row!.org_id).run();
  });

  it.each(['0', '-1', 'two', '1.5', '100000'])('answers page=%s with a 400 page', async (page) => {
    const res = await call(`/apps?page=${page}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('page');
  });

  it('shows only http(s) links, whatever got into a row', async () => {
    const { apiKey } = await newTenant();
    const name = unique('Odd links');
    const app = await approved(apiKey, { name, listed: true });
    await env.DB.prepare("UPDATE applications SET terms_url = 'javascript:alert(1)' WHERE id = ?").bind(app.id).run();
    const text = (await call('/apps')).text;
    expect(text).toContain(name);
    expect(text).not.toContain('javascript:');
  });
});
