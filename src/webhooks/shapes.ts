import { z } from 'zod';
import { idSchema } from '../lib/ids';
import { listQuery } from '../lib/pagination';
import { timestamp } from '../lib/shapes';
import { outboundUrl } from '../lib/outbound-url';
import { DELIVERY_STATUSES, EVENT_TYPES } from './schema';

export const putWebhookBody = z.strictObject({
  url: outboundUrl.describe('Where events are POSTed: https to a public host; loopback (http too) only while PUBLIC_URL is loopback, for local development'),
  enabled: z.boolean().optional().describe('Defaults to true when the endpoint is created; unchanged otherwise'),
});

export const webhookObject = z
  .object({
    url: z.string(),
    enabled: z.boolean(),
    secret_hint: z.string().describe('The last 4 characters of the signing secret, to tell secrets apart.'),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'WebhookEndpoint' });

export const webhookWithSecretObject = webhookObject
  .extend({
    secret: z.string().optional().describe('The signing secret (`whsec_…`). Present only in the response that created or rotated it; store it now.'),
  })
  .meta({ id: 'WebhookEndpointWithSecret' });

export const eventObject = z
  .object({
    id: idSchema('evt'),
    type: z.enum(EVENT_TYPES),
    created_at: timestamp,
    payload: z
      .object({
        id: z.string(),
        type: z.string(),
        created_at: timestamp,
        data: z
          .record(z.string(), z.unknown())
          .describe(
            "Connection events: connection_id, integration_id, end_user_id, provider_account_id, status, and tags (the connection's, as they are at the event); never credentials or metadata.",
          ),
      })
      .describe('Exactly the JSON body POSTed to the endpoint.'),
    delivery_status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    last_attempt_at: timestamp.nullable(),
    last_response_status: z.number().int().nullable().describe("The endpoint's HTTP status at the last attempt, if it answered."),
    last_error: z.string().nullable(),
    next_attempt_at: timestamp.nullable().describe('When the next retry is due, while delivery_status is pending.'),
  })
  .meta({ id: 'Event' });

export const listEventsQuery = listQuery.extend({
  type: z.enum(EVENT_TYPES).optional(),
  delivery_status: z.enum(DELIVERY_STATUSES).optional(),
});

export const eventIdParam = z.strictObject({ id: idSchema('evt') });

export type PutWebhookBody = z.output<typeof putWebhookBody>;
export type WebhookObject = z.output<typeof webhookObject>;
export type EventObject = z.output<typeof eventObject>;
export type ListEventsQuery = z.output<typeof listEventsQuery>;
