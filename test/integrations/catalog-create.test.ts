import { afterEach, describe, expect, it, vi } from 'vitest';
import { catalog } from '../../src/offerings/catalog';
import { call, newTenant } from '../helpers/api';
import { oauthError, stubProvider } from '../helpers/outbound';

afterEach(() => vi.restoreAllMocks());

/** A create body an organization could plausibly send for the offering. */
function plausibleBody(offering: (typeof catalog)[number]) {
  const inputs = Object.fromEntries(offering.inputs.filter((i) => i.source === 'integration').map((i) => [i.key, i.default ?? i.example]));
  const oauth = offering.auth_mode === 'oauth2';
  return {
    name: `${offering.name} test`,
    offering_id: offering.id,
    ...(oauth ? { client_id: 'client-id-1234', client_secret: 'client-secret-1234567890' } : {}),
    ...(Object.keys(inputs).length > 0 ? { inputs } : {}),
  };
}

describe('creating an integration for every catalog offering', () => {
  it('never answers 5xx', async () => {
    const { apiKey } = await newTenant();
    // No provider is reachable from tests: every token endpoint answers at once.
    stubProvider(() => oauthError('invalid_grant'));
    const failures: string[] = [];
    for (const offering of catalog) {
      const res = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: plausibleBody(offering) });
      if (res.status !== 201) failures.push(`${offering.id}: ${res.status} ${res.text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  });

  it('leaves offerings whose token URL needs an end-user input pending their first connection', async () => {
    const { apiKey } = await newTenant();
    const provider = stubProvider(() => oauthError('invalid_grant'));
    for (const id of ['off_zendesk', 'off_shopify', 'off_netsuite']) {
      const offering = catalog.find((o) => o.id === id)!;
      const res = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: plausibleBody(offering) });
      expect(res.status, id).toBe(201);
      expect(res.json.status, id).toBe('draft');
      expect(res.json.connectable, id).toBe(true);
      expect(res.json.verification, id).toMatchObject({ pending_first_connection: true });
      expect(res.json.verification.message, id).toMatch(/first connection/i);
    }
    expect(provider.seen).toHaveLength(0);
  });
});
