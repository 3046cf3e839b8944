import { describe, expect, it } from 'vitest';
import { catalog, findCatalogOffering } from '../../src/offerings/catalog';

describe('offering catalog', () => {
  it('has at least 40 offerings with unique ids', () => {
    const ids = catalog.map((offering) => offering.id);
    expect(ids.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('offers Salesforce production and sandbox as separate offerings', () => {
    expect(findCatalogOffering('off_salesforce')?.name).toBe('Salesforce (production)');
    expect(findCatalogOffering('off_salesforce_sandbox')?.name).toBe('Salesforce (sandbox)');
  });

  it('includes every provider the catalog promises', () => {
    const providers = new Set(catalog.map((offering) => offering.provider));
    for (const provider of [
      'salesforce',
      'google',
      'microsoft',
      'github',
      'slack',
      'hubspot',
      'notion',
      'zendesk',
      'shopify',
      'atlassian',
      'dropbox',
      'box',
      'zoom',
      'linear',
      'asana',
      'intercom',
      'pipedrive',
      'intuit',
      'xero',
      'airtable',
      'gitlab',
      'close',
      'stripe',
      'openai',
      'edgelink',
    ]) {
      expect(providers, provider).toContain(provider);
    }
    const keyed = catalog.filter((offering) => offering.auth_mode !== 'oauth2');
    expect(keyed.length).toBeGreaterThanOrEqual(3);
    expect(findCatalogOffering('off_jira_api_token')?.auth_mode).toBe('basic');
  });

  it('returns undefined for an unknown id', () => {
    expect(findCatalogOffering('off_nope')).toBeUndefined();
  });

  it('cannot be altered by a caller', () => {
    const google = findCatalogOffering('off_google');
    expect(Object.isFrozen(google)).toBe(true);
    expect(() => (google!.default_scopes as string[]).push('x')).toThrow();
  });
});
