import { z } from 'zod';
import { idSchema } from '../lib/ids';
import { nameField, timestamp } from '../lib/shapes';

export const apiKeyObject = z
  .object({
    id: idSchema('key'),
    organization_id: idSchema('org'),
    name: z.string(),
    prefix: z.string().describe('The first characters of the key, to tell keys apart.'),
    created_at: timestamp,
    last_used_at: timestamp.nullable(),
    revoked_at: timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const createdApiKeyObject = apiKeyObject
  .extend({ secret: z.string().describe('The API key. Shown only in this response; store it now.') })
  .meta({ id: 'CreatedApiKey' });

export const createApiKeyBody = z.strictObject({ name: nameField });

export const apiKeyIdParam = z.strictObject({ id: idSchema('key') });

export type ApiKeyObject = z.output<typeof apiKeyObject>;
