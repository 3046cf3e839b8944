import { describe, expect, it } from 'vitest';
import { BASE, asOperator, call, expectError, newTenant } from '../helpers/api';

type Offering = Record<string, any> & { id: string; name: string; provider: string; auth_mode: string };

/** Every offering the caller may see for a query, following next_cursor. */
async function listAll(token: string, query = '', limit = 200): Promise<Offering[]> {
  const seen: Offering[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const params = new URLSearchParams(query);
    params.set('limit', String(limit));
    if (cursor) params.set('cursor', cursor);
    const page = await call(`/api/v1/offerings?${params}`, { token });
    if (page.status !== 200) throw new Error(`listing offerings failed: ${page.status} ${page.text}`);
    seen.push(...page.json.data);
    cursor = page.json.next_cursor;
    if (!cursor) return seen;
  }
  throw new Error('next_cursor never ran out');
}

/** A templated URL with each `{input}` replaced by that input's default, as a client would fill it. */
function withInputDefaults(offering: Offering, template: string): string {
  return template.replace(/\{([a-z_]+)\}/g, (placeholder, key: string) => {
    const input = (offering.inputs as { key: string; default?: string }[]).find((i) => i.key === key);
    return input?.default ?? placeholder;
  });
}

describe('GET /api/v1/offerings', () => {
  it('lists at least 40 offerings, both Salesforce environments among them', async () => {
    const { apiKey } = await newTenant();
    const all = await listAll(apiKey);
    expect(all.length).toBeGreaterThanOrEqual(40);
    const ids = all.map((o) => o.id);
    expect(ids).toContain('off_salesforce');
    expect(ids).toContain('off_salesforce_sandbox');
  });

  it('gives each Salesforce environment its own login host for the token endpoint', async () => {
    const { apiKey } = await newTenant();
    const all = await listAll(apiKey, 'name=salesforce');
    const production = all.find((o) => o.id === 'off_salesforce')!;
    const sandbox = all.find((o) => o.id === 'off_salesforce_sandbox')!;
    expect(new URL(withInputDefaults(production, production.token_url)).host).toBe('login.salesforce.com');
    expect(new URL(withInputDefaults(sandbox, sandbox.token_url)).host).toBe('test.salesforce.com');
  });

  it('returns every offering once', async () => {
    const { apiKey } = await newTenant();
    const ids = (await listAll(apiKey)).map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('pages through the same offerings without overlap when the limit is small', async () => {
    const { apiKey } = await newTenant();
    const onePage = await call('/api/v1/offerings?limit=200', { token: apiKey });
    expect(onePage.json.next_cursor).toBeNull();

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call(`/api/v1/offerings?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { token: apiKey });
      expect(page.status).toBe(200);
      expect(page.json.data.length).toBeLessThanOrEqual(7);
      pages.push(page.json.data.map((o: Offering) => o.id));
      cursor = page.json.next_cursor;
    } while (cursor && pages.length < 50);

    expect(pages.length).toBeGreaterThan(1);
    const flat = pages.flat();
    expect(new Set(flat).size).toBe(flat.length);
    expect(flat.sort()).toEqual(onePage.json.data.map((o: Offering) => o.id).sort());
  });

  it('refuses a limit above 200', async () => {
    const { apiKey } = await newTenant();
    const error = expectError(await call('/api/v1/offerings?limit=201', { token: apiKey }), 400, 'validation_failed');
    expect(error.details).toContainEqual(expect.objectContaining({ location: 'query', field: 'limit' }));
  });

  it.each(['sales', 'SALES', 'SaLeS'])('filters by name substring in any case (name=%s)', async (needle) => {
    const { apiKey } = await newTenant();
    const found = await listAll(apiKey, `name=${needle}`);
    const ids = found.map((o) => o.id);
    expect(ids).toContain('off_salesforce');
    expect(ids).toContain('off_salesforce_sandbox');
    for (const o of found) expect(`${o.name} ${o.provider}`.toLowerCase()).toContain('sales');
  });

  it('filters by auth mode', async () => {
    const { apiKey } = await newTenant();
    const found = await listAll(apiKey, 'auth_mode=api_key');
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(found.map((o) => o.auth_mode)).toEqual(found.map(() => 'api_key'));
    const everything = await listAll(apiKey);
    expect(found.length).toBe(everything.filter((o) => o.auth_mode === 'api_key').length);
  });

  it('refuses an unknown auth mode with a detail on auth_mode', async () => {
    const { apiKey } = await newTenant();
    const error = expectError(await call('/api/v1/offerings?auth_mode=bogus', { token: apiKey }), 400, 'validation_failed');
    expect(error.details).toContainEqual(expect.objectContaining({ location: 'query', field: 'auth_mode' }));
  });

  it('refuses an unknown query parameter', async () => {
    const { apiKey } = await newTenant();
    const error = expectError(await call('/api/v1/offerings?colour=blue', { token: apiKey }), 400, 'validation_failed');
    expect(error.details).toContainEqual(expect.objectContaining({ location: 'query', field: 'colour' }));
  });

  it('refuses a caller without credentials', async () => {
    expectError(await call('/api/v1/offerings'), 401, 'unauthorized');
  });
});

describe('GET /api/v1/offerings/:id', () => {
  it('returns a catalog offering by id', async () => {
    const { apiKey } = await newTenant();
    const res = await call('/api/v1/offerings/off_salesforce', { token: apiKey });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: 'off_salesforce',
      provider: 'salesforce',
      auth_mode: 'oauth2',
      source: 'catalog',
      enabled: true,
      required_scopes: expect.arrayContaining(['api', 'refresh_token']),
    });
  });

  it('refuses a caller without credentials', async () => {
    expectError(await call('/api/v1/offerings/off_salesforce'), 401, 'unauthorized');
  });

  it('answers 404 for an id no offering has', async () => {
    const { apiKey } = await newTenant();
    expectError(await call('/api/v1/offerings/off_no_such_provider', { token: apiKey }), 404, 'not_found');
  });

  it.each(['salesforce', 'off_Salesforce', 'int_salesforce', 'off_x'])('refuses the malformed id %s with 400', async (id) => {
    const { apiKey } = await newTenant();
    const error = expectError(await call(`/api/v1/offerings/${id}`, { token: apiKey }), 400, 'validation_failed');
    expect(error.details).toContainEqual(expect.objectContaining({ location: 'path', field: 'id' }));
  });

  it("shows the self offering's endpoints under PUBLIC_URL", async () => {
    const { apiKey } = await newTenant();
    const res = await call('/api/v1/offerings/off_edgelink', { token: apiKey });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      authorization_url: `${BASE}/oauth/authorize`,
      token_url: `${BASE}/oauth/token`,
      userinfo_url: `${BASE}/oauth/userinfo`,
      revocation_url: `${BASE}/oauth/revoke`,
      introspection_url: `${BASE}/oauth/introspect`,
    });
    expect(res.text).not.toContain('{public_url}');
  });

  it('shows the self offering with real URLs in the list too', async () => {
    const { apiKey } = await newTenant();
    const self = (await listAll(apiKey, 'name=edgelink')).find((o) => o.id === 'off_edgelink');
    expect(self?.token_url).toBe(`${BASE}/oauth/token`);
    expect(JSON.stringify(self)).not.toContain('{public_url}');
  });

  it('lets the operator read offerings too', async () => {
    const res = await asOperator('/api/v1/offerings/off_salesforce_sandbox');
    expect(res.status).toBe(200);
    expect(res.json.id).toBe('off_salesforce_sandbox');
  });
});
