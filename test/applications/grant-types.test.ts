import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { updateApplication } from '../../src/applications/service';
import { createDb, interceptD1 } from '../../src/db/client';
import { testDeps } from '../helpers/deps';
import { call, expectError, newTenant } from '../helpers/api';
import { applicationRow, countApplications, newApplication, REDIRECT, validApplication } from './fixtures';

const create = (apiKey: string, body: Record<string, unknown>) => call('/api/v1/applications', { method: 'POST', token: apiKey, body });
const patch = (apiKey: string, id: string, body: Record<string, unknown>) => call(`/api/v1/applications/${id}`, { method: 'PATCH', token: apiKey, body });

describe('grant types of an application', () => {
  it('default to every grant, as applications had before they declared any', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey);
    expect(app.grant_types).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
    expect((await applicationRow(app.id))!.grantTypes).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
  });

  it('fills in every grant for a row written without them, as the migration does for existing rows', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey);
    // The column's DEFAULT is what ALTER TABLE … ADD gave the rows that were there before it.
    const copy = `app_${crypto.randomUUID().replaceAll('-', '')}`;
    await env.DB.prepare(
      `INSERT INTO applications (id, org_id, name, description, redirect_uris, active, visibility, publish_state, scopes, client_id, client_secret_hash, created_at, updated_at)
       SELECT ?, org_id, name, description, redirect_uris, active, visibility, publish_state, scopes, ?, client_secret_hash, created_at, updated_at FROM applications WHERE id = ?`,
    )
      .bind(copy, `elk_ci_${copy.slice(4, 26)}`, app.id)
      .run();
    const got = await call(`/api/v1/applications/${copy}`, { token: apiKey });
    expect(got.json).toMatchObject({ grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], listed: false });
  });

  it('lets an application that only uses client credentials go without a redirect URI', async () => {
    const { apiKey } = await newTenant();
    const { redirect_uris: _, ...noRedirect } = validApplication;
    const res = await create(apiKey, { ...noRedirect, grant_types: ['client_credentials'] });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ grant_types: ['client_credentials'], redirect_uris: [] });
    const empty = await create(apiKey, { ...validApplication, redirect_uris: [], grant_types: ['client_credentials'] });
    expect(empty.status).toBe(201);
  });

  it.each([
    ['no grant types', { grant_types: [] }, 'grant_types', 'must list at least one grant type'],
    ['an unknown grant type', { grant_types: ['password'] }, 'grant_types.0', "'password' is not a grant type"],
    ['authorization_code without a redirect URI', { grant_types: ['authorization_code'], redirect_uris: [] }, 'redirect_uris', 'authorization_code'],
    ['the default grants without a redirect URI', { redirect_uris: [] }, 'redirect_uris', 'authorization_code'],
    [
      'refresh_token without authorization_code',
      { grant_types: ['refresh_token', 'client_credentials'] },
      'grant_types',
      'refresh_token needs authorization_code',
    ],
  ])('refuses %s with 400 and stores nothing', async (_label, body, field, words) => {
    const { apiKey, orgId } = await newTenant();
    const error = expectError(await create(apiKey, { ...validApplication, ...body }), 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field, message: expect.stringContaining(words) }]);
    expect(await countApplications(orgId)).toBe(0);
  });

  it('are checked on change against the application as it will be, and a refused change keeps it as it was', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey, { grant_types: ['client_credentials'], redirect_uris: [] });
    // Adding the authorization code grant needs a redirect URI, in the same request or already stored.
    const noUri = expectError(await patch(apiKey, app.id, { grant_types: ['authorization_code', 'client_credentials'] }), 400, 'validation_failed');
    expect(noUri.details).toEqual([{ location: 'body', field: 'redirect_uris', message: expect.stringContaining('authorization_code') }]);
    const refresh = expectError(await patch(apiKey, app.id, { grant_types: ['refresh_token'] }), 400, 'validation_failed');
    expect(refresh.details!.map((d) => d.field)).toEqual(['grant_types']);
    expectError(await patch(apiKey, app.id, { grant_types: ['implicit'] }), 400, 'validation_failed');
    expect(await applicationRow(app.id)).toMatchObject({ grantTypes: ['client_credentials'], redirectUris: [] });

    const both = await patch(apiKey, app.id, { grant_types: ['authorization_code', 'client_credentials'], redirect_uris: [REDIRECT] });
    expect(both.status).toBe(200);
    expect(both.json).toMatchObject({ grant_types: ['authorization_code', 'client_credentials'], redirect_uris: [REDIRECT] });
    // Now that it uses authorization codes, its last redirect URI cannot go.
    expectError(await patch(apiKey, app.id, { redirect_uris: [] }), 400, 'validation_failed');
    expect((await applicationRow(app.id))!.redirectUris).toEqual([REDIRECT]);
  });

  it('refuses grant types that are not a list', async () => {
    const { apiKey, orgId } = await newTenant();
    const error = expectError(await create(apiKey, { ...validApplication, grant_types: 'client_credentials' }), 400, 'validation_failed');
    expect(new Set(error.details!.map((d) => d.field))).toEqual(new Set(['grant_types']));
    expect(await countApplications(orgId)).toBe(0);
  });

  it('refuses an edit whose read went stale, so two edits cannot combine into authorization_code without a redirect URI', async () => {
    const { apiKey, orgId } = await newTenant();
    const app = await newApplication(apiKey, { grant_types: ['client_credentials'], redirect_uris: [REDIRECT] });
    // Between this edit's read and its write, another edit clears the redirect URIs.
    let calls = 0;
    const racing = interceptD1(env.DB, async (run) => {
      if (++calls === 2) {
        await env.DB.prepare("UPDATE applications SET redirect_uris = '[]', updated_at = updated_at + 1 WHERE id = ?").bind(app.id).run();
      }
      return run();
    });
    const deps = { ...(await testDeps()), db: createDb(racing) };
    const access = { defaultOrgId: orgId, readable: [orgId], writable: new Set([orgId]), userId: null };
    const edit = updateApplication(deps, access, app.id, { grant_types: ['authorization_code', 'client_credentials'] });
    await expect(edit).rejects.toMatchObject({ status: 409, code: 'conflict' });
    expect(await applicationRow(app.id)).toMatchObject({ grantTypes: ['client_credentials'], redirectUris: [] });
  });

  it('lists each grant type once', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey, { grant_types: ['client_credentials', 'client_credentials'] });
    expect(app.grant_types).toEqual(['client_credentials']);
  });
});
