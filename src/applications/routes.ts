import { Hono } from 'hono';
import { requireOperator, requireOrganization } from '../auth/middleware';
import type { AppEnv } from '../env';
import { pageSchema } from '../lib/pagination';
import { describeRoute, validate } from '../lib/validate';
import { accessOf } from './access';
import { decidePublish, listApplicationsForReview, requestPublish } from './publish';
import { createApplication, deleteApplication, findApplication, listApplications, renderApplication, rotateClientSecret, updateApplication } from './service';
import {
  adminListApplicationsQuery,
  applicationIdParam,
  applicationObject,
  applicationWithSecretObject,
  createApplicationBody,
  deletedApplicationObject,
  listApplicationsQuery,
  publishDecisionBody,
  updateApplicationBody,
} from './shapes';

const tags = ['OAuth applications'];

export const applicationRoutes = new Hono<AppEnv>()
  .use(requireOrganization)
  .post(
    '/',
    describeRoute({
      summary: 'Register an OAuth application',
      description:
        'Returns the application with its `client_id` and `client_secret`. The secret is in this response only: Edgelink ' +
        'keeps its SHA-256. The owner gets an `application.created` notification. New applications are private: only ' +
        'members of the organization may authorize them until an operator approves a publish request. `grant_types` says ' +
        'which OAuth grants it may use (default: all three); one that only uses `client_credentials` needs no redirect URI. ' +
        '`listed: true` asks for a place in the public directory at /apps once it is approved.',
      tags,
      auth: 'organization',
      status: 201,
      response: applicationWithSecretObject,
    }),
    validate('json', createApplicationBody),
    async (c) => {
      const access = await accessOf(c.var.deps.db, c.var.caller);
      return c.json(await createApplication(c.var.deps, access, c.req.valid('json')), 201);
    },
  )
  .get(
    '/',
    describeRoute({ summary: 'List OAuth applications', tags, auth: 'organization', status: 200, response: pageSchema(applicationObject) }),
    validate('query', listApplicationsQuery),
    async (c) => c.json(await listApplications(c.var.deps.db, await accessOf(c.var.deps.db, c.var.caller), c.req.valid('query')), 200),
  )
  .get(
    '/:id',
    describeRoute({ summary: 'Get an OAuth application', tags, auth: 'organization', status: 200, response: applicationObject }),
    validate('param', applicationIdParam),
    async (c) => {
      const row = await findApplication(c.var.deps.db, await accessOf(c.var.deps.db, c.var.caller), c.req.valid('param').id);
      return c.json(renderApplication(row), 200);
    },
  )
  .patch(
    '/:id',
    describeRoute({
      summary: 'Update an OAuth application',
      description:
        '`active: false` deactivates it: no new authorizations or token grants, and its tokens stop working. Changing an ' +
        "approved public application's `name`, `redirect_uris` or `scopes` sends it back to review: `publish_state` " +
        'pending and `visibility` private until an operator approves it again (grants already given keep working), and ' +
        'the owner gets an `application.review_requested` notification. The grant type rules are checked against the ' +
        'application as it will be.',
      tags,
      auth: 'organization',
      status: 200,
      response: applicationObject,
    }),
    validate('param', applicationIdParam),
    validate('json', updateApplicationBody),
    async (c) => {
      const access = await accessOf(c.var.deps.db, c.var.caller);
      return c.json(await updateApplication(c.var.deps, access, c.req.valid('param').id, c.req.valid('json')), 200);
    },
  )
  .delete(
    '/:id',
    describeRoute({
      summary: 'Delete an OAuth application',
      description: 'Everything it was issued (grants, codes, tokens) is deleted with it.',
      tags,
      auth: 'organization',
      status: 200,
      response: deletedApplicationObject,
    }),
    validate('param', applicationIdParam),
    async (c) => c.json(await deleteApplication(c.var.deps.db, await accessOf(c.var.deps.db, c.var.caller), c.req.valid('param').id), 200),
  )
  .post(
    '/:id/secret',
    describeRoute({
      summary: "Rotate an OAuth application's client secret",
      description: 'Returns the new `client_secret`, in this response only. The old secret stops working at once.',
      tags,
      auth: 'organization',
      status: 200,
      response: applicationWithSecretObject,
    }),
    validate('param', applicationIdParam),
    async (c) => c.json(await rotateClientSecret(c.var.deps.db, await accessOf(c.var.deps.db, c.var.caller), c.req.valid('param').id), 200),
  )
  .post(
    '/:id/publish',
    describeRoute({
      summary: 'Ask for an OAuth application to be made public',
      description:
        'Sets `publish_state` to pending for an operator to approve or reject. Needs `terms_url` and `privacy_url`; ' +
        '409 while a request is pending or after approval.',
      tags,
      auth: 'organization',
      status: 200,
      response: applicationObject,
    }),
    validate('param', applicationIdParam),
    async (c) => c.json(await requestPublish(c.var.deps.db, await accessOf(c.var.deps.db, c.var.caller), c.req.valid('param').id), 200),
  );

const adminTags = ['Operator'];

/** Operator-only: publish requests across organizations. */
export const adminApplicationRoutes = new Hono<AppEnv>()
  .use(requireOperator)
  .get(
    '/',
    describeRoute({
      summary: 'List OAuth applications of every organization',
      description: '`?publish=pending` lists the publish requests waiting for a decision.',
      tags: adminTags,
      auth: 'operator',
      status: 200,
      response: pageSchema(applicationObject),
    }),
    validate('query', adminListApplicationsQuery),
    async (c) => c.json(await listApplicationsForReview(c.var.deps.db, c.req.valid('query')), 200),
  )
  .post(
    '/:id/publish',
    describeRoute({
      summary: 'Approve or reject a publish request',
      description:
        'approve makes the application public: users of any organization may authorize it. reject keeps it private and needs a `reason` (400 without one). ' +
        'The owner is notified either way, with the reason. 409 unless a request is pending.',
      tags: adminTags,
      auth: 'operator',
      status: 200,
      response: applicationObject,
    }),
    validate('param', applicationIdParam),
    validate('json', publishDecisionBody),
    async (c) => c.json(await decidePublish(c.var.deps, c.req.valid('param').id, c.req.valid('json')), 200),
  );
