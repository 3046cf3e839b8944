import { type OfferingDefinition, offeringDefinition } from '../definition';
import { catalogSources } from './sources';

export { catalogSources };

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The catalog parsed once at load (defaults applied) and frozen, so no caller can alter it. */
export const catalog: readonly OfferingDefinition[] = deepFreeze(catalogSources.map((source) => offeringDefinition.parse(source)));

const byId = new Map(catalog.map((offering) => [offering.id, offering]));

export function findCatalogOffering(id: string): OfferingDefinition | undefined {
  return byId.get(id);
}
