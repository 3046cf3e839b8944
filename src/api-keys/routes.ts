import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { orgOf, requireOrganization } from '../auth/middleware';
import { listQuery, pageSchema } from '../lib/pagination';
import { describeRoute, validate } from '../lib/validate';
import { createApiKey, listApiKeys, revokeApiKey } from './service';
import { apiKeyIdParam, apiKeyObject, createApiKeyBody, createdApiKeyObject } from './shapes';

const tags = ['API keys'];

export const apiKeyRoutes = new Hono<AppEnv>()
  .use(requireOrganization)
  .get(
    '/',
    describeRoute({ summary: 'List API keys', tags, auth: 'organization', status: 200, response: pageSchema(apiKeyObject) }),
    validate('query', listQuery),
    async (c) => c.json(await listApiKeys(c.var.deps.db, orgOf(c.var.caller).orgId, c.req.valid('query')), 200),
  )
  .post(
    '/',
    describeRoute({
      summary: 'Create an API key',
      description: 'The secret is in this response only; Edgelink keeps its SHA-256.',
      tags,
      auth: 'organization',
      status: 201,
      response: createdApiKeyObject,
    }),
    validate('json', createApiKeyBody),
    async (c) => c.json(await createApiKey(c.var.deps.db, orgOf(c.var.caller).orgId, c.req.valid('json').name), 201),
  )
  .delete(
    '/:id',
    describeRoute({ summary: 'Revoke an API key', tags, auth: 'organization', status: 200, response: apiKeyObject }),
    validate('param', apiKeyIdParam),
    async (c) => c.json(await revokeApiKey(c.var.deps.db, orgOf(c.var.caller).orgId, c.req.valid('param').id), 200),
  );
