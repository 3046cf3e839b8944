import { z } from 'zod';
import { idSchema } from '../lib/ids';
import { listQuery } from '../lib/pagination';
import { displayName, nameField, timestamp } from '../lib/shapes';
import { outboundUrl } from '../lib/outbound-url';
import { tagFilterQuery, tagsField } from '../lib/tags';

export const LINK_STATUSES = ['active', 'expired', 'used_up', 'disabled'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

const noControl = /^[^\p{Cc}]*$/u;

const endUserId = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters').regex(noControl, 'must not contain control characters');

const endUser = z.strictObject({
  id: endUserId.describe('Your identifier for the end user; connections made through the link carry it'),
  email: z.email('must be an email address').max(320).optional(),
  display_name: displayName(200).optional(),
});

const integrationIds = z
  .array(idSchema('int'))
  .min(1, 'must list at least one integration; leave it out to allow all')
  .max(100, 'must list at most 100 integrations')
  .transform((ids) => [...new Set(ids)]);

const expiresAt = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time such as 2030-01-01T00:00:00Z' });
const maxUses = z
  .number({ error: 'must be a whole number of at least 1' })
  .int('must be a whole number of at least 1')
  .min(1, 'must be at least 1 (1 means single use)')
  .max(1_000_000, 'must be at most 1000000');

export const MAX_EXPIRES_IN_SECONDS = 366 * 24 * 3600;

export const createLinkBody = z
  .strictObject({
    name: nameField,
    integration_ids: integrationIds.optional().describe('Integrations the link offers; leave out for every connectable one, now and later'),
    end_user: endUser,
    expires_at: expiresAt.optional().describe('When the link stops working; must be in the future'),
    expires_in: z
      .number({ error: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(60, 'must be at least 60 seconds')
      .max(MAX_EXPIRES_IN_SECONDS, `must be at most ${MAX_EXPIRES_IN_SECONDS} seconds (366 days)`)
      .optional()
      .describe('Seconds from now until the link expires; instead of expires_at'),
    max_uses: maxUses.optional().describe('How many connections the link may make; 1 = single use; leave out for no limit'),
    redirect_url: outboundUrl.optional().describe('Where the end user goes after connecting, with connection_id, status and a signature'),
    tags: tagsField.optional().describe("Given to every connection made through the link (a reconnect's tags are replaced by them)"),
  })
  .superRefine((body, ctx) => {
    if (body.expires_at !== undefined && body.expires_in !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['expires_in'], message: 'give expires_at or expires_in, not both' });
    }
  });

export const updateLinkBody = z.strictObject({
  name: nameField.optional(),
  integration_ids: integrationIds.nullable().optional().describe('null: every connectable integration'),
  expires_at: expiresAt.nullable().optional().describe('null: never expires'),
  max_uses: maxUses.nullable().optional().describe('null: no limit'),
  redirect_url: outboundUrl.nullable().optional(),
  disabled: z.boolean().optional().describe('A disabled link shows a page saying so and connects nothing'),
  tags: tagsField.optional().describe('Replaces every tag; {} removes them. Connections already made keep theirs'),
});

export const linkIdParam = z.strictObject({ id: idSchema('lnk') });

export const listLinksQuery = listQuery.extend({
  end_user_id: endUserId.optional(),
  integration_id: idSchema('int').optional().describe('Links that offer this integration, including links that offer every one'),
  status: z.enum(LINK_STATUSES).optional(),
  tag: tagFilterQuery,
});

export const linkObject = z
  .object({
    id: idSchema('lnk'),
    name: z.string(),
    url: z.string().describe('The address to give the end user; readable again at any time'),
    integration_ids: z.array(z.string()).nullable().describe('null: every connectable integration of the organization'),
    end_user: z.object({ id: z.string(), email: z.string().nullable(), display_name: z.string().nullable() }),
    expires_at: timestamp.nullable(),
    max_uses: z.number().int().nullable(),
    uses: z.number().int().describe('Connections made through the link'),
    redirect_url: z.string().nullable(),
    disabled: z.boolean(),
    tags: z.record(z.string(), z.string()).describe('Your own key/value pairs, given to connections made through the link'),
    status: z.enum(LINK_STATUSES).describe('disabled, else expired, else used_up, else active'),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Link' });

export const deletedLinkObject = z.object({ id: idSchema('lnk'), deleted: z.literal(true) }).meta({ id: 'DeletedLink' });

export type LinkObject = z.output<typeof linkObject>;
export type CreateLinkBody = z.output<typeof createLinkBody>;
export type UpdateLinkBody = z.output<typeof updateLinkBody>;
export type ListLinksQuery = z.output<typeof listLinksQuery>;
