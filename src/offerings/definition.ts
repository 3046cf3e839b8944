import type { z } from 'zod';
import { checkOfferingDefinition } from './definition-rules';
import { offeringFields } from './fields';

/** An offering's fields and the rules that span them: what every catalog entry and custom offering passes. */
export const offeringDefinition = offeringFields.superRefine(checkOfferingDefinition);

/** A parsed offering, defaults applied. */
export type OfferingDefinition = z.output<typeof offeringDefinition>;
/** What an offering may be written as (catalog modules, operator request bodies). */
export type OfferingDefinitionInput = z.input<typeof offeringDefinition>;
