import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requireOperator } from '../auth/middleware';
import { createApiKey } from '../api-keys/service';
import { createApiKeyBody, createdApiKeyObject } from '../api-keys/shapes';
import { listQuery, pageSchema } from '../lib/pagination';
import { describeRoute, validate } from '../lib/validate';
import { addMember, listMembers } from '../users/service';
import { addMemberBody, createdMemberObject, memberObject } from '../users/shapes';
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
  )
  .post(
    '/:id/api_keys',
    describeRoute({
      summary: "Create an API key for an organization",
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
  )
  .post(
    '/:id/users',
    describeRoute({
      summary: 'Add a user to an organization',
      description:
        'Creates the user (emails are case-insensitive and unique) or, for an email that already has an account, adds a ' +
        'membership; 409 if they are already a member. Without `password`, a new user gets a one-time `set_password_url` ' +
        '(24 h), shown in this response only. A password is never returned.',
      tags,
      auth: 'operator',
      status: 201,
      response: createdMemberObject,
    }),
    validate('param', organizationIdParam),
    validate('json', addMemberBody),
    async (c) =>
      c.json(await addMember(c.var.deps, c.req.valid('param').id, c.req.valid('json')), 201),
  )
  .get(
    '/:id/users',
    describeRoute({ summary: "List an organization's members", tags, auth: 'operator', status: 200, response: pageSchema(memberObject) }),
    validate('param', organizationIdParam),
    validate('query', listQuery),
    async (c) => c.json(await listMembers(c.var.deps.db, c.req.valid('param').id, c.req.valid('query')), 200),
  );
