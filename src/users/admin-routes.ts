import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requireOperator } from '../auth/middleware';
import { listQuery, pageSchema } from '../lib/pagination';
import { describeRoute, validate } from '../lib/validate';
import { organizationIdParam } from '../organizations/shapes';
import { addMember, listMembers } from './service';
import { addMemberBody, createdMemberObject, memberObject } from './shapes';

const tags = ['Operator'];

/** Operator-only, mounted under /admin/organizations: the people of an organization. */
export const adminMemberRoutes = new Hono<AppEnv>()
  .use(requireOperator)
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
    async (c) => c.json(await addMember(c.var.deps, c.req.valid('param').id, c.req.valid('json')), 201),
  )
  .get(
    '/:id/users',
    describeRoute({ summary: "List an organization's members", tags, auth: 'operator', status: 200, response: pageSchema(memberObject) }),
    validate('param', organizationIdParam),
    validate('query', listQuery),
    async (c) => c.json(await listMembers(c.var.deps.db, c.req.valid('param').id, c.req.valid('query')), 200),
  );
