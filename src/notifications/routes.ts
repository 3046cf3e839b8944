import { Hono } from 'hono';
import { orgOf, requireOrganization } from '../auth/middleware';
import type { AppEnv } from '../env';
import { pageSchema } from '../lib/pagination';
import { describeRoute, validate } from '../lib/validate';
import { listNotifications } from './outbox';
import { listNotificationsQuery, notificationObject, notificationTemplateObject, putNotificationTemplateBody } from './shapes';
import { listNotificationTemplates, putNotificationTemplate } from './template-rules';

const tags = ['Notifications'];

export const notificationRoutes = new Hono<AppEnv>().use(requireOrganization).get(
  '/',
  describeRoute({
    summary: 'List notifications',
    description:
      'The outbox, newest first: every notification as rendered, its recipients and whether the transport took it. ' +
      'Without a configured transport (the EMAIL binding or NOTIFY_URL) notifications stay `stored` and are read here.',
    tags,
    auth: 'organization',
    status: 200,
    response: pageSchema(notificationObject),
  }),
  validate('query', listNotificationsQuery),
  async (c) => c.json(await listNotifications(c.var.deps.db, orgOf(c.var.caller).orgId, c.req.valid('query')), 200),
);

export const notificationTemplateRoutes = new Hono<AppEnv>()
  .use(requireOrganization)
  .get(
    '/',
    describeRoute({
      summary: 'List notification templates',
      description: "One entry per kind: the organization's recipient rule and templates, or the built-in ones (customized: false).",
      tags,
      auth: 'organization',
      status: 200,
      response: pageSchema(notificationTemplateObject),
    }),
    async (c) => c.json(await listNotificationTemplates(c.var.deps.db, orgOf(c.var.caller).orgId), 200),
  )
  .put(
    '/',
    describeRoute({
      summary: 'Set the recipient rule and templates of a notification kind',
      description:
        'Replaces the rule for `kind`. Subjects (≤ 200 characters, one line) and bodies (≤ 5000) are plain text with ' +
        '`{{placeholder}}`s; an unknown placeholder is refused. Leave `templates` out to use the built-in ones.',
      tags,
      auth: 'organization',
      status: 200,
      response: notificationTemplateObject,
    }),
    validate('json', putNotificationTemplateBody),
    async (c) => c.json(await putNotificationTemplate(c.var.deps.db, orgOf(c.var.caller).orgId, c.req.valid('json')), 200),
  );
