import { z } from 'zod';
import { idSchema } from '../lib/ids';
import { listQuery } from '../lib/pagination';
import { nameField, timestamp } from '../lib/shapes';
import { tagFilterQuery, tagsField } from '../lib/tags';
import { CONNECTION_STATUSES } from './schema';

/** Token types that mean "the envelope holds credential fields", not an OAuth access token. */
export const CREDENTIAL_TOKEN_TYPES = ['api_key', 'basic'] as const;

const printable = /^[^\p{Cc}]*$/u;
/** The organization's own id for its end user, as given on links. */
const endUserId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(printable, 'must not contain control characters');
const email = z.email('must be an email address').max(254, 'must be at most 254 characters');
const providerAccountId = endUserId;
// RFC 6749 §3.3 scope-token characters.
const scope = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/, 'must be 1-256 printable characters without spaces, quotes or backslashes');
const scopes = z
  .array(scope)
  .max(100, 'must list at most 100 scopes')
  .refine((s) => new Set(s).size === s.length, 'must not repeat a scope');
const providerMetadata = z
  .record(z.string().regex(/^[A-Za-z0-9_.$@-]{1,64}$/, 'must be a key of letters, digits and _ . $ @ -'), z.string().max(2048))
  .refine((m) => Object.keys(m).length <= 20, 'must have at most 20 entries');

/** The developer's own data on a connection: a JSON object of at most 8 KiB (UTF-8, serialized). */
export const MAX_METADATA_BYTES = 8192;
export const metadataBytes = (value: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify(value)).byteLength;
export const METADATA_TOO_LARGE = `must be at most ${MAX_METADATA_BYTES} bytes as JSON`;
const metadata = z
  .record(z.string(), z.json(), { error: 'must be a JSON object' })
  .refine((m) => metadataBytes(m) <= MAX_METADATA_BYTES, METADATA_TOO_LARGE)
  .describe(`Your own JSON object, at most ${MAX_METADATA_BYTES} bytes serialized`);
const inputs = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be an input key'), z.string().max(253))
  .refine((r) => Object.keys(r).length <= 10, 'must have at most 10 entries');
const credentials = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be a credential key'), z.string().min(1, 'must not be empty').max(4096))
  .refine((r) => Object.keys(r).length >= 1 && Object.keys(r).length <= 10, 'must have 1 to 10 entries');
const token = z.string().min(1, 'must not be empty').max(8192, 'must be at most 8192 characters');

export const connectionIdParam = z.strictObject({ id: idSchema('con') });

export const listConnectionsQuery = listQuery.extend({
  integration_id: idSchema('int').optional(),
  link_id: idSchema('lnk').optional(),
  end_user_id: endUserId.optional(),
  status: z.enum(CONNECTION_STATUSES).optional(),
  tag: tagFilterQuery,
});

const endUserBody = z.strictObject({ id: endUserId, email: email.optional(), display_name: nameField.optional() });

export const importConnectionBody = z
  .strictObject({
    integration_id: idSchema('int'),
    end_user: endUserBody,
    provider_account_id: providerAccountId,
    account: z.strictObject({ email: email.optional(), name: nameField.optional() }).optional(),
    access_token: token.optional().describe('Required for OAuth integrations'),
    refresh_token: token.optional(),
    token_type: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be a token type such as Bearer')
      .refine((t) => !(CREDENTIAL_TOKEN_TYPES as readonly string[]).includes(t.toLowerCase()), 'is reserved for API-key connections')
      .optional()
      .describe('Defaults to Bearer'),
    expires_at: timestamp.optional(),
    expires_in: z.number().int('must be a whole number of seconds').positive('must be positive').max(315_360_000).optional(),
    scopes: scopes.optional().describe("Granted scopes; defaults to the integration's scopes"),
    metadata: metadata.optional(),
    tags: tagsField.optional(),
    provider_metadata: providerMetadata.optional().describe('Provider metadata such as instance_url, as a token reply would give it'),
    inputs: inputs.optional().describe('End-user inputs of the offering (e.g. Salesforce my_domain), used for refresh'),
    credentials: credentials.optional().describe('For API-key and basic integrations, instead of access_token'),
  })
  .superRefine((body, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (body.access_token === undefined && body.credentials === undefined) issue('access_token', 'is required');
    if (body.access_token !== undefined && body.credentials !== undefined) issue('credentials', 'cannot be sent with access_token');
    if (body.credentials !== undefined) {
      for (const field of ['refresh_token', 'token_type', 'expires_at', 'expires_in', 'scopes'] as const) {
        if (body[field] !== undefined) issue(field, 'does not apply to credentials');
      }
    }
    if (body.expires_at !== undefined && body.expires_in !== undefined) issue('expires_in', 'cannot be sent with expires_at');
  });

export const updateConnectionBody = z.strictObject({
  end_user: z
    .strictObject({ email: email.nullable().optional(), display_name: nameField.nullable().optional() })
    .optional()
    .describe('The end user id is fixed; email and display name may change (null clears them)'),
  metadata: metadata
    .nullable()
    .optional()
    .describe(
      'Replaces your metadata (null clears it); with metadata_mode merge, sets the keys given (shallow) and deletes those given as null. ' +
        `The result must be at most ${MAX_METADATA_BYTES} bytes.`,
    ),
  metadata_mode: z.enum(['replace', 'merge']).default('replace').describe('How metadata is applied; replace unless merge is asked for'),
  tags: tagsField.optional().describe('Replaces every tag; {} removes them'),
});

export const connectionObject = z
  .object({
    id: idSchema('con'),
    integration_id: idSchema('int'),
    offering_id: z.string().nullable(),
    link_id: z.string().nullable().describe('The link the connection was last made through; null when imported'),
    end_user: z.object({ id: z.string(), email: z.string().nullable(), display_name: z.string().nullable() }),
    provider_account_id: z.string(),
    account: z.object({ email: z.string().nullable(), name: z.string().nullable() }),
    metadata: z.record(z.string(), z.unknown()).describe('Your own JSON object; {} when none'),
    tags: z.record(z.string(), z.string()).describe("Your own key/value pairs; a connection made through a link gets the link's"),
    provider_metadata: z.record(z.string(), z.string()).describe('Read-only: what the provider said, e.g. Salesforce instance_url'),
    scopes: z.array(z.string()).describe('Granted scopes'),
    missing_scopes: z.array(z.string()).describe('Scopes the integration now asks for that this connection was not granted'),
    status: z.enum(CONNECTION_STATUSES),
    expires_at: timestamp.nullable().describe('When the access token expires; null when it does not'),
    last_refreshed_at: timestamp.nullable(),
    last_refresh_error: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Connection' });

const tokenCommon = {
  connection_id: idSchema('con'),
  provider_account_id: z.string(),
  expires_at: timestamp.nullable(),
  scopes: z.array(z.string()),
  provider_metadata: z.record(z.string(), z.string()).describe('What the provider said, e.g. Salesforce instance_url'),
};

export const connectionTokenObject = z
  .union([
    z.object({ ...tokenCommon, access_token: z.string(), token_type: z.string().describe('Usually Bearer') }),
    z.object({
      ...tokenCommon,
      token_type: z.enum(CREDENTIAL_TOKEN_TYPES),
      credentials: z.record(z.string(), z.string()).describe('The fields the end user gave, e.g. api_key'),
    }),
  ])
  .meta({ id: 'ConnectionToken' });

export const deletedConnectionObject = z.object({
  id: idSchema('con'),
  deleted: z.literal(true),
  revoked_at_provider: z.boolean().describe('Whether the provider confirmed revoking the grant (RFC 7009)'),
  revocation_skipped: z
    .enum(['undecryptable'])
    .optional()
    .describe(
      'Present when revocation was not tried: undecryptable means the stored tokens, or the integration client secret, no longer decrypt (key removed or envelope damaged)',
    ),
});

export type ConnectionObject = z.output<typeof connectionObject>;
export type ConnectionTokenObject = z.output<typeof connectionTokenObject>;
export type ImportConnectionBody = z.output<typeof importConnectionBody>;
export type UpdateConnectionBody = z.output<typeof updateConnectionBody>;
export type ListConnectionsQuery = z.output<typeof listConnectionsQuery>;
