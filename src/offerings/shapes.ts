import { z } from 'zod';
import { listQuery } from '../lib/pagination';
import { timestamp } from '../lib/shapes';
import { OFFERING_ID_PATTERN, offeringFields } from './fields';

export const offeringIdParam = z.strictObject({
  id: z.string().regex(OFFERING_ID_PATTERN, "must be an id starting with 'off_'"),
});

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listOfferingsQuery = listQuery.extend({
  name: z.string().trim().min(1).max(100).optional().describe('Substring of the name or provider, any case'),
  auth_mode: z.enum(['oauth2', 'api_key', 'basic']).optional(),
  enabled: booleanQuery.optional(),
});

export const createOfferingBody = offeringFields.extend({
  id: offeringFields.shape.id.optional().describe('Optional; a random off_ id is made if absent'),
  enabled: z.boolean().default(true),
});

/** An organization's own offering: its id is always made for it (ids are global, its offering private). */
export const createOrganizationOfferingBody = createOfferingBody.omit({ id: true });

/** Defaults must not fill in absent fields of a PATCH, or every PATCH would reset them. */
function withoutDefault(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault ? (schema.unwrap() as z.ZodType) : schema;
}

const { id: _id, ...editable } = offeringFields.shape;

export const updateOfferingBody = z.strictObject({
  ...(Object.fromEntries(Object.entries(editable).map(([key, schema]) => [key, withoutDefault(schema as z.ZodType).optional()])) as {
    [K in keyof typeof editable]: z.ZodOptional<z.ZodType<z.output<(typeof editable)[K]>>>;
  }),
  enabled: z.boolean().optional(),
});

export const offeringObject = offeringFields
  .extend({
    source: z.enum(['catalog', 'custom']),
    organization_id: z.string().nullable().describe("The organization a private custom offering belongs to; null for catalog and the operator's shared ones"),
    enabled: z.boolean(),
    created_at: timestamp.nullable(),
    updated_at: timestamp.nullable(),
  })
  .meta({ id: 'Offering' });
