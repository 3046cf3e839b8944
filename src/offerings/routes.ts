import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requireCaller, requireOperator } from '../auth/middleware';
import { requireScope } from '../auth/scope';
import { pageSchema } from '../lib/pagination';
import { describeRoute, validate } from '../lib/validate';
import { createCustomOffering, deleteCustomOffering, getOffering, listOfferings, renderOffering, updateOffering } from './service';
import { createOfferingBody, listOfferingsQuery, offeringIdParam, offeringObject, updateOfferingBody } from './shapes';

const tags = ['Offerings'];

/** What an organization may build integrations on; the operator also sees disabled ones. */
export const offeringRoutes = new Hono<AppEnv>()
  .use(requireCaller)
  .get(
    '/',
    describeRoute({ summary: 'List offerings', tags, auth: 'organization', status: 200, response: pageSchema(offeringObject) }),
    requireScope('integrations.read'),
    validate('query', listOfferingsQuery),
    async (c) => {
      const includeDisabled = c.var.caller?.kind === 'operator';
      const page = await listOfferings(c.var.deps.db, c.req.valid('query'), { includeDisabled });
      return c.json({ ...page, data: page.data.map((o) => renderOffering(o, c.env.PUBLIC_URL)) }, 200);
    },
  )
  .get(
    '/:id',
    describeRoute({ summary: 'Get an offering', tags, auth: 'organization', status: 200, response: offeringObject }),
    requireScope('integrations.read'),
    validate('param', offeringIdParam),
    async (c) => {
      const includeDisabled = c.var.caller?.kind === 'operator';
      const offering = await getOffering(c.var.deps.db, c.req.valid('param').id, { includeDisabled });
      return c.json(renderOffering(offering, c.env.PUBLIC_URL), 200);
    },
  );

const adminTags = ['Operator'];

export const adminOfferingRoutes = new Hono<AppEnv>()
  .use(requireOperator)
  .post(
    '/',
    describeRoute({ summary: 'Create a custom offering', tags: adminTags, auth: 'operator', status: 201, response: offeringObject }),
    validate('json', createOfferingBody),
    async (c) => c.json(renderOffering(await createCustomOffering(c.var.deps, c.req.valid('json')), c.env.PUBLIC_URL), 201),
  )
  .patch(
    '/:id',
    describeRoute({
      summary: 'Update, enable or disable an offering',
      description: 'Custom offerings accept any field; catalog offerings only `enabled`.',
      tags: adminTags,
      auth: 'operator',
      status: 200,
      response: offeringObject,
    }),
    validate('param', offeringIdParam),
    validate('json', updateOfferingBody),
    async (c) => {
      const offering = await updateOffering(c.var.deps, c.req.valid('param').id, c.req.valid('json'));
      return c.json(renderOffering(offering, c.env.PUBLIC_URL), 200);
    },
  )
  .delete(
    '/:id',
    describeRoute({ summary: 'Delete a custom offering', tags: adminTags, auth: 'operator', status: 204 }),
    validate('param', offeringIdParam),
    async (c) => {
      await deleteCustomOffering(c.var.deps, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
