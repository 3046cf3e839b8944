import { describe, expect, it } from 'vitest';
import { catalogSources } from '../../src/offerings/catalog';
import { offeringDefinition } from '../../src/offerings/definition';
import { asOperator, expectError } from '../helpers/api';

const ADMIN = '/api/v1/admin/offerings';
let counter = 0;

const custom = (tokenUrl: string, input: Record<string, unknown> = {}) => ({
  id: `off_host_${Date.now().toString(36)}_${counter++}`,
  name: 'Custom',
  provider: 'custom',
  auth_mode: 'oauth2',
  authorization_url: 'https://idp.example.com/authorize',
  token_url: tokenUrl,
  inputs: [{ key: 'host', label: 'Host', pattern: '^[a-z0-9.-]+$', source: 'end_user', example: 'acme', ...input }],
});
const issues = (body: unknown) => {
  const result = offeringDefinition.safeParse(body);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('end-user inputs in URL hosts', () => {
  it.each([
    ['the whole host', 'https://{host}/token'],
    ['the registrable domain', 'https://login.{host}/token'],
    ['a label under a one-label suffix', 'https://{host}.com/token'],
    ['the host before a port', 'https://{host}:8443/token'],
  ])('refuses a token URL where the end user fills %s', (_name, url) => {
    expect(issues(custom(url, { example: 'acme.example' }))).toContainEqual(expect.stringMatching(/^token_url: lets the end user choose the host/));
  });

  it('refuses such an offering at the admin API with 400 naming the field', async () => {
    const res = await asOperator(ADMIN, { method: 'POST', body: custom('https://{host}/token', { example: 'acme.example' }) });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details).toContainEqual(expect.objectContaining({ field: 'token_url', message: expect.stringContaining('choose the host') }));
  });

  it('refuses the change at PATCH too', async () => {
    const created = await asOperator(ADMIN, { method: 'POST', body: custom('https://{host}.example.com/token') });
    expect(created.status).toBe(201);
    const res = await asOperator(`${ADMIN}/${created.json.id}`, { method: 'PATCH', body: { token_url: 'https://{host}/token' } });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details).toContainEqual(expect.objectContaining({ field: 'token_url' }));
  });

  it.each([
    ['a label under a fixed domain', 'https://{host}.example.com/token', {}],
    ['a path segment', 'https://idp.example.com/{host}/token', {}],
    [
      'labels whose pattern guarantees a fixed domain',
      'https://{host}/token',
      { pattern: '^(?:login\\.example\\.com|[a-z0-9-]{1,40}\\.my\\.example\\.com)$', example: 'acme.my.example.com' },
    ],
    ['a closed list of literal values', 'https://accounts.example.{host}/token', { pattern: '^(?:com|eu|com\\.au)$', example: 'eu' }],
  ])('accepts %s', (_name, url, input) => {
    expect(issues(custom(url, input))).toEqual([]);
  });

  it('an integration input may still fill the whole host (the organization chooses it)', () => {
    expect(issues(custom('https://{host}/token', { source: 'integration', example: 'gitlab.acme.example' }))).toEqual([]);
  });

  it('holds for every catalog offering', () => {
    const failing = catalogSources.filter((source) => !offeringDefinition.safeParse(source).success).map((source) => source.id);
    expect(failing).toEqual([]);
  });
});
