import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requireOperator } from '../auth/middleware';
import { listQuery, pageSchema } from '../lib/pagination';
import { describeRoute, validate } from '../lib/validate';
import { organizationIdParam } from '../organizations/shapes';
import { addMember, changeMemberRole, listMembers, removeMember, setPlatformAdmin } from './service';
import { addMemberBody, changeMemberBody, createdMemberObject, memberObject, memberParam, updateUserBody, userIdParam, userObject } from './shapes';

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
  )
  .patch(
    '/:id/users/:userId',
    describeRoute({
      summary: "Change a member's role",
      description: 'An organization keeps at least one owner: demoting the last one is 409 `last_owner`.',
      tags,
      auth: 'operator',
      status: 200,
      response: memberObject,
    }),
    validate('param', memberParam),
    validate('json', changeMemberBody),
    async (c) => {
      const { id, userId } = c.req.valid('param');
      return c.json(await changeMemberRole(c.var.deps.db, id, userId, c.req.valid('json').role), 200);
    },
  )
  .delete(
    '/:id/users/:userId',
    describeRoute({
      summary: 'Remove a member from an organization',
      description: 'The user keeps their account and other memberships. The last owner cannot be removed (409 `last_owner`).',
      tags,
      auth: 'operator',
      status: 204,
    }),
    validate('param', memberParam),
    async (c) => {
      const { id, userId } = c.req.valid('param');
      await removeMember(c.var.deps.db, id, userId);
      return c.body(null, 204);
    },
  );

/** Operator-only, mounted under /admin/users: a person across organizations. */
export const adminUserRoutes = new Hono<AppEnv>().use(requireOperator).patch(
  '/:id',
  describeRoute({
    summary: 'Make a user a platform admin, or take it away',
    description:
      'A platform admin sees the operator pages of the console (`/console/admin`: offerings, publish requests, organizations ' +
      'and users) after signing in. The ADMIN_TOKEN routes keep working for scripts either way.',
    tags,
    auth: 'operator',
    status: 200,
    response: userObject,
  }),
  validate('param', userIdParam),
  validate('json', updateUserBody),
  async (c) => c.json(await setPlatformAdmin(c.var.deps.db, c.req.valid('param').id, c.req.valid('json').is_platform_admin), 200),
);
