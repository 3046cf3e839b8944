import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requireOperator } from '../auth/middleware';
import { describeRoute, validate } from '../lib/validate';
import { getOrganization } from '../organizations/service';
import { organizationIdParam } from '../organizations/shapes';
import { createApiKey } from './service';
import { createApiKeyBody, createdApiKeyObject } from './shapes';

const tags = ['Operator'];

/** Operator-only, mounted under /admin/organizations: an organization's first key comes from here. */
export const adminApiKeyRoutes = new Hono<AppEnv>().use(requireOperator).post(
  '/:id/api_keys',
  describeRoute({
    summary: 'Create an API key for an organization',
    description: 'The secret is in this response only.',
    tags,
    auth: 'operator',
    status: 201,
    response: createdApiKeyObject,
  }),
  validate('param', organizationIdParam),
  validate('json', createApiKeyBody),
  async (c) => {
    const org = await getOrganization(c.var.deps.db, c.req.valid('param').id);
    return c.json(await createApiKey(c.var.deps.db, org.id, c.req.valid('json').name), 201);
  },
);
