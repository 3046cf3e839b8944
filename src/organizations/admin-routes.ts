import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requireOperator } from '../auth/middleware';
import { listQuery, pageSchema } from '../lib/pagination';
import { describeRoute, validate } from '../lib/validate';
import { createOrganization, getOrganization, listOrganizations } from './service';
import { createOrganizationBody, organizationIdParam, organizationObject } from './shapes';

const tags = ['Operator'];

/** Operator-only: tenants are created here, not by themselves. */
export const adminOrganizationRoutes = new Hono<AppEnv>()
  .use(requireOperator)
  .post(
    '/',
    describeRoute({ summary: 'Create an organization', tags, auth: 'operator', status: 201, response: organizationObject }),
    validate('json', createOrganizationBody),
    async (c) => c.json(await createOrganization(c.var.deps.db, c.req.valid('json').name), 201),
  )
  .get(
    '/',
    describeRoute({ summary: 'List organizations', tags, auth: 'operator', status: 200, response: pageSchema(organizationObject) }),
    validate('query', listQuery),
    async (c) => c.json(await listOrganizations(c.var.deps.db, c.req.valid('query')), 200),
  )
  .get(
    '/:id',
    describeRoute({ summary: 'Get an organization', tags, auth: 'operator', status: 200, response: organizationObject }),
    validate('param', organizationIdParam),
    async (c) => c.json(await getOrganization(c.var.deps.db, c.req.valid('param').id), 200),
  );
