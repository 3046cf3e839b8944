import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { orgOf, requireOrganization } from '../auth/middleware';
import { requireScope } from '../auth/scope';
import { pageSchema } from '../lib/pagination';
import { describeRoute, validate } from '../lib/validate';
import { createLink, deleteLink, getLink, listLinks, updateLink } from './service';
import { createLinkBody, deletedLinkObject, linkIdParam, linkObject, listLinksQuery, updateLinkBody } from './shapes';

const tags = ['Links'];

export const linkRoutes = new Hono<AppEnv>()
  .use(requireOrganization)
  .post(
    '/',
    describeRoute({
      summary: 'Create a link',
      description: 'Returns the link with its `url`, which the API shows again on every later read.',
      tags,
      auth: 'organization',
      status: 201,
      response: linkObject,
    }),
    requireScope('links.write'),
    validate('json', createLinkBody),
    async (c) => c.json(await createLink(c.var.deps, orgOf(c.var.caller).orgId, c.req.valid('json')), 201),
  )
  .get(
    '/',
    describeRoute({
      summary: 'List links',
      description: 'Filter by tag with `?tag=key:value`; repeat it to require every tag given.',
      tags,
      auth: 'organization',
      status: 200,
      response: pageSchema(linkObject),
    }),
    requireScope('links.write'),
    validate('query', listLinksQuery),
    async (c) => c.json(await listLinks(c.var.deps, orgOf(c.var.caller).orgId, c.req.valid('query')), 200),
  )
  .get(
    '/:id',
    describeRoute({ summary: 'Get a link', tags, auth: 'organization', status: 200, response: linkObject }),
    requireScope('links.write'),
    validate('param', linkIdParam),
    async (c) => c.json(await getLink(c.var.deps, orgOf(c.var.caller).orgId, c.req.valid('param').id), 200),
  )
  .patch(
    '/:id',
    describeRoute({ summary: 'Update a link', tags, auth: 'organization', status: 200, response: linkObject }),
    requireScope('links.write'),
    validate('param', linkIdParam),
    validate('json', updateLinkBody),
    async (c) => c.json(await updateLink(c.var.deps, orgOf(c.var.caller).orgId, c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .delete(
    '/:id',
    describeRoute({
      summary: 'Delete a link',
      description: 'The URL stops working at once; connections made through it stay.',
      tags,
      auth: 'organization',
      status: 200,
      response: deletedLinkObject,
    }),
    requireScope('links.write'),
    validate('param', linkIdParam),
    async (c) => c.json(await deleteLink(c.var.deps.db, orgOf(c.var.caller).orgId, c.req.valid('param').id), 200),
  );
