import { describe, expect, it } from 'vitest';
import { catalogSources } from '../../src/offerings/catalog/sources';
import { offeringDefinition } from '../../src/offerings/definition';

// Imports the raw entries only, so one bad entry fails its own test instead of the catalog module.
describe('catalog entries', () => {
  it.each(catalogSources.map((source) => [source.id, source] as const))('%s parses with offeringDefinition', (_id, source) => {
    const result = offeringDefinition.safeParse(source);
    expect(result.error?.issues ?? []).toEqual([]);
  });
});
