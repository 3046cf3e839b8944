import { describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { call } from '../helpers/api';

describe('GET /openapi.json', () => {
  it('documents every management route the app registers', async () => {
    const res = await call('/openapi.json');
    expect(res.status).toBe(200);
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(res.json.paths as Record<string, object>)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const registered = app.routes
      .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/v1/'))
      .map((r) => `${r.method} ${r.path.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}')}`);
    expect(registered.length).toBeGreaterThan(0);
    expect([...new Set(registered)].filter((r) => !documented.has(r))).toEqual([]);
  });

  it('describes request bodies and errors from the validating schemas', async () => {
    const doc = (await call('/openapi.json')).json;
    const create = doc.paths['/api/v1/api_keys'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.properties.name).toMatchObject({ type: 'string', maxLength: 100 });
    expect(body.additionalProperties).toBe(false);
    expect(create.responses['201'].content['application/json'].schema.$ref).toBe('#/components/schemas/CreatedApiKey');
    expect(create.responses['415']).toBeDefined();
    const list = doc.paths['/api/v1/api_keys'].get;
    expect(list.parameters.map((p: any) => p.name)).toEqual(['limit', 'cursor']);
    expect(doc.components.schemas.Error).toBeDefined();
  });

  it('names every way an organization route can be called, and the OAuth scopes', async () => {
    const doc = (await call('/openapi.json')).json;
    expect(doc.paths['/api/v1/integrations'].get.security).toEqual([{ apiKey: [] }, { session: [] }, { oauth2: [] }]);
    expect(doc.paths['/api/v1/admin/organizations'].post.security).toEqual([{ operatorToken: [] }]);
    expect(Object.keys(doc.components.securitySchemes.oauth2.flows.authorizationCode.scopes)).toContain('connections.token');
  });

  it('shows the scope an access token needs on each organization route, all.full_access where a route declares none', async () => {
    const paths = (await call('/openapi.json')).json.paths;
    expect(paths['/api/v1/integrations'].get['x-oauth-scope']).toBe('integrations.read');
    expect(paths['/api/v1/integrations/{id}'].patch['x-oauth-scope']).toBe('integrations.write');
    expect(paths['/api/v1/offerings'].get['x-oauth-scope']).toBe('integrations.read');
    expect(paths['/api/v1/links/{id}'].get['x-oauth-scope']).toBe('links.write');
    expect(paths['/api/v1/connections/{id}'].get['x-oauth-scope']).toBe('connections.read');
    expect(paths['/api/v1/connections/{id}/token'].get['x-oauth-scope']).toBe('connections.token');
    expect(paths['/api/v1/connections/{id}'].delete['x-oauth-scope']).toBe('all.full_access');
    expect(paths['/api/v1/api_keys'].get['x-oauth-scope']).toBe('all.full_access');
    expect(paths['/api/v1/admin/organizations'].post['x-oauth-scope']).toBeUndefined();
  });
});
