import { Hono } from 'hono';
import type { Caller } from '../auth/caller';
import type { AppEnv } from '../env';
import { orgOf, requireCaller, requireOperator, requireOrganization } from '../auth/middleware';
import { requireScope } from '../auth/scope';
import { pageSchema } from '../lib/pagination';
import { describeRoute, validate } from '../lib/validate';
import { createCustomOffering, deleteCustomOffering, getOffering, listOfferings, type OfferingAudience, renderOffering, updateOffering } from './service';
import { createOfferingBody, createOrganizationOfferingBody, listOfferingsQuery, offeringIdParam, offeringObject, updateOfferingBody } from './shapes';

const tags = ['Offerings'];

/** The operator sees the catalog and shared offerings, disabled ones too; an organization also its own. */
const audienceOf = (caller: Caller | null): OfferingAudience => (caller?.kind === 'operator' ? 'operator' : { orgId: orgOf(caller).orgId });

const ownOffering = (caller: Caller | null): OfferingAudience => ({ orgId: orgOf(caller).orgId });

/**
 * What an organization may build integrations on (the catalog, the operator's shared custom
 * offerings and its own), and its own custom offerings, which no other organization sees.
 */
export const offeringRoutes = new Hono<AppEnv>()
  .use(requireCaller)
  .get(
    '/',
    describeRoute({
      summary: 'List offerings',
      description: "The catalog, the operator's shared custom offerings and your organization's own (`organization_id` set), which no other organization sees.",
      tags,
      auth: 'organization',
      status: 200,
      response: pageSchema(offeringObject),
    }),
    requireScope('integrations.read'),
    validate('query', listOfferingsQuery),
    async (c) => {
      const page = await listOfferings(c.var.deps.db, c.req.valid('query'), audienceOf(c.var.caller));
      return c.json({ ...page, data: page.data.map((o) => renderOffering(o, c.env.PUBLIC_URL)) }, 200);
    },
  )
  .get(
    '/:id',
    describeRoute({
      summary: 'Get an offering',
      description: "Another organization's own offering is not found (404).",
      tags,
      auth: 'organization',
      status: 200,
      response: offeringObject,
    }),
    requireScope('integrations.read'),
    validate('param', offeringIdParam),
    async (c) => {
      const offering = await getOffering(c.var.deps.db, c.req.valid('param').id, audienceOf(c.var.caller));
      return c.json(renderOffering(offering, c.env.PUBLIC_URL), 200);
    },
  )
  .post(
    '/',
    describeRoute({
      summary: "Create your organization's own offering",
      description:
        "Integry's \"authorization\": the same fields as an operator's custom offering, private to your organization. The id is always made for you. Every URL passes the outbound-URL policy (https to public hosts; loopback only in local development), and an end-user input may fill only labels under a fixed domain of a URL's host.",
      tags,
      auth: 'organization',
      status: 201,
      response: offeringObject,
    }),
    requireOrganization,
    requireScope('integrations.write'),
    validate('json', createOrganizationOfferingBody),
    async (c) => {
      const offering = await createCustomOffering(c.var.deps, ownOffering(c.var.caller), c.req.valid('json'));
      return c.json(renderOffering(offering, c.env.PUBLIC_URL), 201);
    },
  )
  .patch(
    '/:id',
    describeRoute({
      summary: "Update, enable or disable your organization's own offering",
      description:
        "Catalog offerings answer 409 `catalog_offering_read_only`, the operator's shared ones 409 `shared_offering_read_only`, another organization's 404.",
      tags,
      auth: 'organization',
      status: 200,
      response: offeringObject,
    }),
    requireOrganization,
    requireScope('integrations.write'),
    validate('param', offeringIdParam),
    validate('json', updateOfferingBody),
    async (c) => {
      const offering = await updateOffering(c.var.deps, ownOffering(c.var.caller), c.req.valid('param').id, c.req.valid('json'));
      return c.json(renderOffering(offering, c.env.PUBLIC_URL), 200);
    },
  )
  .delete(
    '/:id',
    describeRoute({
      summary: "Delete your organization's own offering",
      description: 'One that integrations still use answers 409; catalog and shared offerings 409 as for PATCH.',
      tags,
      auth: 'organization',
      status: 204,
    }),
    requireOrganization,
    requireScope('integrations.write'),
    validate('param', offeringIdParam),
    async (c) => {
      await deleteCustomOffering(c.var.deps, ownOffering(c.var.caller), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

const adminTags = ['Operator'];

/** The operator's shared custom offerings and the catalog's switches; organizations' own are not here. */
export const adminOfferingRoutes = new Hono<AppEnv>()
  .use(requireOperator)
  .post(
    '/',
    describeRoute({ summary: 'Create a shared custom offering', tags: adminTags, auth: 'operator', status: 201, response: offeringObject }),
    validate('json', createOfferingBody),
    async (c) => c.json(renderOffering(await createCustomOffering(c.var.deps, 'operator', c.req.valid('json')), c.env.PUBLIC_URL), 201),
  )
  .patch(
    '/:id',
    describeRoute({
      summary: 'Update, enable or disable an offering',
      description: "Shared custom offerings accept any field; catalog offerings only `enabled`. An organization's own offering is not found here.",
      tags: adminTags,
      auth: 'operator',
      status: 200,
      response: offeringObject,
    }),
    validate('param', offeringIdParam),
    validate('json', updateOfferingBody),
    async (c) => {
      const offering = await updateOffering(c.var.deps, 'operator', c.req.valid('param').id, c.req.valid('json'));
      return c.json(renderOffering(offering, c.env.PUBLIC_URL), 200);
    },
  )
  .delete(
    '/:id',
    describeRoute({ summary: 'Delete a shared custom offering', tags: adminTags, auth: 'operator', status: 204 }),
    validate('param', offeringIdParam),
    async (c) => {
      await deleteCustomOffering(c.var.deps, 'operator', c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
