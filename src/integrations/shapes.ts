import { z } from 'zod';
import { idSchema } from '../lib/ids';
import { listQuery } from '../lib/pagination';
import { nameField, timestamp } from '../lib/shapes';
import { OFFERING_ID_PATTERN } from '../offerings/fields';
import { INTEGRATION_STATUSES } from './schema';

const clientId = z.string().trim().min(1, 'must not be empty').max(512, 'must be at most 512 characters');
const clientSecret = z
  .string()
  .min(1, 'must not be empty')
  .max(2048, 'must be at most 2048 characters')
  .describe('Write-only: encrypted at rest, never returned.');
const scopes = z.array(z.string().max(256, 'must be at most 256 characters')).max(100, 'must list at most 100 scopes');
const params = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a query parameter name'), z.string().max(500))
  .refine((r) => Object.keys(r).length <= 20, 'must have at most 20 entries');
const inputs = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), z.string().max(253))
  .refine((r) => Object.keys(r).length <= 10, 'must have at most 10 entries');

export const createIntegrationBody = z.strictObject({
  name: nameField,
  offering_id: z.string().regex(OFFERING_ID_PATTERN, "must be an offering id starting with 'off_'"),
  client_id: clientId.optional(),
  client_secret: clientSecret.optional(),
  scopes: scopes.optional().describe("Defaults to the offering's default scopes"),
  authorization_params: params.optional().describe('Extra query parameters for the authorization URL'),
  inputs: inputs.optional().describe('Values for the offering inputs given by the organization (e.g. Salesforce My Domain)'),
});

export const updateIntegrationBody = z.strictObject({
  name: nameField.optional(),
  client_id: clientId.optional(),
  client_secret: clientSecret.optional().describe('A new secret rotates it and runs verification again'),
  scopes: scopes.optional(),
  authorization_params: params.optional(),
  inputs: inputs.optional(),
});

export const integrationIdParam = z.strictObject({ id: idSchema('int') });

export const listIntegrationsQuery = listQuery.extend({
  offering_id: z.string().regex(OFFERING_ID_PATTERN).optional(),
  status: z.enum(INTEGRATION_STATUSES).optional(),
  name: z.string().trim().min(1).max(100).optional().describe('Substring of the name, any case'),
});

export const deleteIntegrationQuery = z.strictObject({
  cascade: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

export const verificationObject = z
  .object({
    result: z
      .enum(['verified', 'invalid_credentials', 'inconclusive', 'unreachable', 'not_needed', 'incomplete'])
      .describe('unreachable: no answer, a 5xx, 408 or 429 (retried in the background); inconclusive: an answer that cannot tell'),
    message: z.string(),
    provider_error: z.string().optional(),
    checked_at: timestamp,
    pending_first_connection: z
      .boolean()
      .describe(
        'The provider answered but could not tell a bad client from a bad code; the first successful connection will verify the integration. ' +
          'Never true for unreachable: that is retried in the background (next_verification_at).',
      ),
  })
  .meta({ id: 'Verification' });

export const integrationObject = z
  .object({
    id: idSchema('int'),
    name: z.string(),
    offering_id: z.string(),
    client_id: z.string().nullable(),
    has_client_secret: z.boolean(),
    scopes: z.array(z.string()),
    authorization_params: z.record(z.string(), z.string()),
    inputs: z.record(z.string(), z.string()),
    status: z.enum(INTEGRATION_STATUSES),
    connectable: z.boolean().describe('Whether links may start connections with it now'),
    verification: verificationObject.nullable(),
    next_verification_at: timestamp
      .nullable()
      .describe(
        'When Edgelink asks the provider again, after a verification that could not reach it (retries back off: 1 min, 5 min, 30 min, 2 h, then every 6 h); null when nothing is to retry.',
      ),
    callback_url: z.string().describe('Register this exact URL at the provider; the same for every integration.'),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Integration' });

const deletedConnections = z.number().int().describe('Connections this request deleted');

/** 200 when the request finished the delete; 202 (status deleting) when connections remain for the background. */
export const integrationDeletionObject = z
  .union([
    z.object({ deleted_connections: deletedConnections }),
    z.object({
      status: z.literal('deleting').describe('Connections remain; they are deleted in the background, and repeating the DELETE continues too'),
      deleted_connections: deletedConnections,
    }),
  ])
  .meta({ id: 'IntegrationDeletion' });

export type IntegrationObject = z.output<typeof integrationObject>;
export type CreateIntegrationBody = z.output<typeof createIntegrationBody>;
export type UpdateIntegrationBody = z.output<typeof updateIntegrationBody>;
