import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { orgOf, requireOrganization } from '../auth/middleware';
import { requireScope } from '../auth/scope';
import { pageSchema } from '../lib/pagination';
import { describeRoute, validate } from '../lib/validate';
import { deleteIntegration } from './delete';
import { createIntegration, findIntegration, listIntegrations, renderIntegration, updateIntegration, verifyIntegration } from './service';
import {
  createIntegrationBody,
  deleteIntegrationQuery,
  integrationDeletionObject,
  integrationIdParam,
  integrationObject,
  listIntegrationsQuery,
  updateIntegrationBody,
} from './shapes';

const tags = ['Integrations'];

export const integrationRoutes = new Hono<AppEnv>()
  .use(requireOrganization)
  .post(
    '/',
    describeRoute({
      summary: 'Create an integration',
      description:
        'Stores the client credentials (the secret encrypted) and verifies them at the provider. Only a configured integration (or one the ' +
        'provider cannot verify before a first connection: verification.pending_first_connection) is connectable; an unreachable provider is asked again in the background.',
      tags,
      auth: 'organization',
      status: 201,
      response: integrationObject,
    }),
    requireScope('integrations.write'),
    validate('json', createIntegrationBody),
    async (c) => c.json(await createIntegration(c.var.deps, orgOf(c.var.caller).orgId, c.req.valid('json')), 201),
  )
  .get(
    '/',
    describeRoute({ summary: 'List integrations', tags, auth: 'organization', status: 200, response: pageSchema(integrationObject) }),
    requireScope('integrations.read'),
    validate('query', listIntegrationsQuery),
    async (c) => c.json(await listIntegrations(c.var.deps, orgOf(c.var.caller).orgId, c.req.valid('query')), 200),
  )
  .get(
    '/:id',
    describeRoute({ summary: 'Get an integration', tags, auth: 'organization', status: 200, response: integrationObject }),
    requireScope('integrations.read'),
    validate('param', integrationIdParam),
    async (c) => {
      const row = await findIntegration(c.var.deps.db, orgOf(c.var.caller).orgId, c.req.valid('param').id);
      return c.json(renderIntegration(row, c.env.PUBLIC_URL), 200);
    },
  )
  .patch(
    '/:id',
    describeRoute({
      summary: 'Update an integration',
      description: 'A new client_id, client_secret or inputs reset verification and run it again.',
      tags,
      auth: 'organization',
      status: 200,
      response: integrationObject,
    }),
    requireScope('integrations.write'),
    validate('param', integrationIdParam),
    validate('json', updateIntegrationBody),
    async (c) => c.json(await updateIntegration(c.var.deps, orgOf(c.var.caller).orgId, c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .delete(
    '/:id',
    describeRoute({
      summary: 'Delete an integration',
      description:
        'Refused with 409 while it has connections, unless ?cascade=true. A cascade makes the integration disappear at once, then ' +
        'deletes its connections in chunks, each chunk with a connection.deleted event per connection. 200 when the request finished; ' +
        '202 with status deleting when connections remain: a background job finishes them, and repeating the DELETE continues too.',
      tags,
      auth: 'organization',
      status: 200,
      response: integrationDeletionObject,
    }),
    requireScope('integrations.write'),
    validate('param', integrationIdParam),
    validate('query', deleteIntegrationQuery),
    async (c) => {
      const { cascade = false } = c.req.valid('query');
      const result = await deleteIntegration(c.var.deps, orgOf(c.var.caller).orgId, c.req.valid('param').id, cascade);
      if (!result.finished) return c.json({ status: 'deleting' as const, deleted_connections: result.deletedConnections }, 202);
      return c.json({ deleted_connections: result.deletedConnections }, 200);
    },
  )
  .post(
    '/:id/verify',
    describeRoute({
      summary: "Verify an integration's client credentials at the provider",
      description:
        'Asks the token endpoint now. A verification that could not reach the provider (no answer, 5xx, 408, 429) leaves the integration ' +
        'draft and not connectable, and a background job asks again after 1 min, 5 min, 30 min, 2 h, then every 6 h (next_verification_at); ' +
        'calling this starts that schedule over. A refusal (invalid_credentials) or any other answer ends the retries.',
      tags,
      auth: 'organization',
      status: 200,
      response: integrationObject,
    }),
    requireScope('integrations.write'),
    validate('param', integrationIdParam),
    async (c) => c.json(await verifyIntegration(c.var.deps, orgOf(c.var.caller).orgId, c.req.valid('param').id), 200),
  );
