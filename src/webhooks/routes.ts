import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { orgOf, requireOrganization } from '../auth/middleware';
import { pageSchema } from '../lib/pagination';
import { describeRoute, validate } from '../lib/validate';
import { getWebhook, putWebhook, rotateWebhookSecret } from './endpoint';
import { findEvent, listEvents } from './events';
import { MAX_ATTEMPTS } from './delivery';
import { eventIdParam, eventObject, listEventsQuery, putWebhookBody, webhookObject, webhookWithSecretObject } from './shapes';

const SIGNING =
  'Each delivery is a POST of the event JSON with headers `Edgelink-Event-Id` (the same on every retry: deduplicate on it), ' +
  '`Edgelink-Timestamp` (unix seconds of this attempt) and `Edgelink-Signature: v1=<hex>`, where hex is ' +
  'HMAC-SHA256 keyed with the whole `whsec_…` secret over `{timestamp}.{raw body}`. Verify over the raw body, compare in ' +
  'constant time, accept any matching `v1=` entry of the comma-separated header, and refuse timestamps more than 5 minutes ' +
  `away. A 2xx within 5 s is success; anything else is retried with exponential backoff (1, 2, 4 … minutes), ${MAX_ATTEMPTS} attempts in all.`;

const webhookTags = ['Webhooks'];

export const webhookRoutes = new Hono<AppEnv>()
  .use(requireOrganization)
  .get(
    '/',
    describeRoute({
      summary: "Get the organization's webhook endpoint",
      description: 'Shows the URL and the last 4 characters of the signing secret, never the secret. 404 until one is configured.',
      tags: webhookTags,
      auth: 'organization',
      status: 200,
      response: webhookObject,
    }),
    async (c) => c.json(await getWebhook(c.var.deps, orgOf(c.var.caller).orgId), 200),
  )
  .put(
    '/',
    describeRoute({
      summary: 'Create or update the webhook endpoint',
      description: `The first PUT creates the endpoint and returns its signing secret in \`secret\`, this once; later PUTs change the URL or \`enabled\` and keep the secret. ${SIGNING}`,
      tags: webhookTags,
      auth: 'organization',
      status: 200,
      response: webhookWithSecretObject,
    }),
    validate('json', putWebhookBody),
    async (c) => c.json(await putWebhook(c.var.deps, orgOf(c.var.caller).orgId, c.req.valid('json')), 200),
  )
  .post(
    '/rotate_secret',
    describeRoute({
      summary: 'Rotate the webhook signing secret',
      description: `Returns the new secret in \`secret\`, this once. It signs every delivery from now on, retries included. ${SIGNING}`,
      tags: webhookTags,
      auth: 'organization',
      status: 200,
      response: webhookWithSecretObject,
    }),
    async (c) => c.json(await rotateWebhookSecret(c.var.deps, orgOf(c.var.caller).orgId), 200),
  );

const eventTags = ['Events'];

export const eventRoutes = new Hono<AppEnv>()
  .use(requireOrganization)
  .get(
    '/',
    describeRoute({
      summary: 'List events',
      description: 'Every event of the organization, newest first, with the state of its webhook delivery.',
      tags: eventTags,
      auth: 'organization',
      status: 200,
      response: pageSchema(eventObject),
    }),
    validate('query', listEventsQuery),
    async (c) => c.json(await listEvents(c.var.deps.db, orgOf(c.var.caller).orgId, c.req.valid('query')), 200),
  )
  .get(
    '/:id',
    describeRoute({ summary: 'Get an event', tags: eventTags, auth: 'organization', status: 200, response: eventObject }),
    validate('param', eventIdParam),
    async (c) => c.json(await findEvent(c.var.deps.db, orgOf(c.var.caller).orgId, c.req.valid('param').id), 200),
  );
