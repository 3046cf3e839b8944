import { type Context, Hono } from 'hono';
import { createApiKey, listApiKeys, revokeApiKey } from '../api-keys/service';
import { createApiKeyBody } from '../api-keys/shapes';
import { ApiError } from '../lib/errors';
import { idSchema } from '../lib/ids';
import { issuesToDetails } from '../lib/validate';
import { NOTIFICATION_KINDS, type NotificationKind } from '../notifications/kinds';
import { listNotifications } from '../notifications/outbox';
import { putNotificationTemplateBody } from '../notifications/shapes';
import { listNotificationTemplates, putNotificationTemplate } from '../notifications/template-rules';
import { findWebhookEndpoint, getWebhook, putWebhook, rotateWebhookSecret } from '../webhooks/endpoint';
import { listEvents } from '../webhooks/events';
import { putWebhookBody } from '../webhooks/shapes';
import type { ConsoleEnv } from './context';
import { API_KEYS_PATH, ApiKeysPage, NOTIFICATIONS_PATH, NotificationsPage, WEBHOOKS_PATH, WebhooksPage } from './developer-pages';
import { fieldId, type FormValues, formString, type Problems, problemsFrom } from './form';
import { readForm, requireOrg, requireWriter } from './request';
import { parkShownOnce } from './shown-once';

const fromApi = (err: unknown, fields: Record<string, { target: string; label: string }>, fallback: { target: string; label: string }): Problems | null =>
  err instanceof ApiError && err.status < 500 && err.status !== 403 && err.status !== 404
    ? problemsFrom(err.details ?? [{ location: 'body', field: '', message: err.message }], fields, fallback)
    : null;

async function apiKeysPage(c: Context<ConsoleEnv>, problems: Problems = [], name = '', status: 200 | 400 = 200) {
  const org = requireOrg(c);
  const page = await listApiKeys(c.var.deps.db, org.orgId, { limit: 200 });
  return c.html(<ApiKeysPage ctx={c.var.console} keys={page.data} problems={problems} name={name} done={c.req.query('done')} />, status);
}

async function webhooksPage(c: Context<ConsoleEnv>, problems: Problems = [], url?: string, status: 200 | 400 = 200) {
  const org = requireOrg(c);
  const [endpoint, events] = await Promise.all([
    findWebhookEndpoint(c.var.deps.db, org.orgId).then((row) => (row ? getWebhook(c.var.deps, org.orgId) : null)),
    listEvents(c.var.deps.db, org.orgId, { limit: 50 }),
  ]);
  return c.html(
    <WebhooksPage
      ctx={c.var.console}
      endpoint={endpoint}
      events={events.data}
      url={url ?? endpoint?.url ?? ''}
      problems={problems}
      done={c.req.query('done')}
    />,
    status,
  );
}

async function notificationsPage(c: Context<ConsoleEnv>, problems: Problems = [], status: 200 | 400 = 200) {
  const org = requireOrg(c);
  const [templates, outbox] = await Promise.all([
    listNotificationTemplates(c.var.deps.db, org.orgId),
    listNotifications(c.var.deps.db, org.orgId, { limit: 50 }),
  ]);
  return c.html(
    <NotificationsPage ctx={c.var.console} templates={templates.data} outbox={outbox.data} problems={problems} done={c.req.query('done')} />,
    status,
  );
}

/** A notification form as the API's body: the locale rows that have a tag, the first one the default. */
function templateBody(kind: NotificationKind, form: FormValues) {
  const templates: Record<string, { subject: string; body: string }> = {};
  let first: string | undefined;
  for (let n = 0; n < 21; n++) {
    const locale = formString(form, `locale_${n}`);
    if (!locale) continue;
    first ??= locale;
    templates[locale] = { subject: formString(form, `subject_${n}`), body: String(form[`body_${n}`] ?? '') };
  }
  const addresses = formString(form, 'fixed_addresses').split(/\s+/).filter(Boolean);
  return {
    kind,
    recipient_rule: formString(form, 'recipient_rule'),
    ...(addresses.length > 0 ? { fixed_addresses: addresses } : {}),
    ...(first !== undefined ? { templates, default_locale: first } : {}),
  };
}

export const developerConsoleRoutes = new Hono<ConsoleEnv>()
  .get('/api-keys', (c) => apiKeysPage(c))
  .post('/api-keys', async (c) => {
    const org = requireWriter(c);
    const name = formString(await readForm(c), 'name');
    const fields = { name: { target: fieldId('name'), label: 'Key name' } };
    const parsed = createApiKeyBody.safeParse({ name });
    if (!parsed.success) return apiKeysPage(c, problemsFrom(issuesToDetails(parsed.error, 'body'), fields, fields.name), name, 400);
    const created = await createApiKey(c.var.deps.db, org.orgId, parsed.data.name);
    const ticket = await parkShownOnce(c.var.deps, c.var.console.viewer.userId, {
      title: `The API key ${created.name}`,
      subject: `the API key ${created.name}`,
      items: [{ label: 'API key', value: created.secret, secret: true }],
      next: { href: API_KEYS_PATH, label: 'Back to API keys' },
    });
    return c.redirect(`/console/shown-once/${ticket}`, 303);
  })
  .post('/api-keys/:id/revoke', async (c) => {
    const org = requireWriter(c);
    const id = c.req.param('id');
    if (!idSchema('key').safeParse(id).success) throw new ApiError(404, 'not_found', 'No such API key.');
    await revokeApiKey(c.var.deps.db, org.orgId, id);
    return c.redirect(`${API_KEYS_PATH}?done=revoked`, 303);
  })
  .get('/webhooks', (c) => webhooksPage(c))
  .post('/webhooks', async (c) => {
    const org = requireWriter(c);
    const form = await readForm(c);
    const url = formString(form, 'url');
    const fields = { url: { target: fieldId('url'), label: 'Endpoint URL' } };
    const parsed = putWebhookBody.safeParse({ url, enabled: formString(form, 'enabled') === 'yes' });
    if (!parsed.success) return webhooksPage(c, problemsFrom(issuesToDetails(parsed.error, 'body'), fields, fields.url), url, 400);
    let saved: Awaited<ReturnType<typeof putWebhook>>;
    try {
      saved = await putWebhook(c.var.deps, org.orgId, parsed.data);
    } catch (err) {
      const problems = fromApi(err, fields, fields.url);
      if (problems) return webhooksPage(c, problems, url, 400);
      throw err;
    }
    if (!('secret' in saved) || saved.secret === undefined) return c.redirect(`${WEBHOOKS_PATH}?done=saved`, 303);
    const ticket = await parkShownOnce(c.var.deps, c.var.console.viewer.userId, {
      title: 'Your webhook signing secret',
      subject: 'the webhook endpoint',
      items: [{ label: 'Signing secret', value: saved.secret, secret: true }],
      next: { href: WEBHOOKS_PATH, label: 'Back to Webhooks' },
    });
    return c.redirect(`/console/shown-once/${ticket}`, 303);
  })
  .post('/webhooks/rotate', async (c) => {
    const org = requireWriter(c);
    const rotated = await rotateWebhookSecret(c.var.deps, org.orgId);
    const ticket = await parkShownOnce(c.var.deps, c.var.console.viewer.userId, {
      title: 'Your new webhook signing secret',
      subject: 'the webhook endpoint',
      items: [{ label: 'Signing secret', value: rotated.secret, secret: true }],
      next: { href: WEBHOOKS_PATH, label: 'Back to Webhooks' },
    });
    return c.redirect(`/console/shown-once/${ticket}`, 303);
  })
  .get('/notifications', (c) => notificationsPage(c))
  .post('/notifications/:kind', async (c) => {
    const org = requireWriter(c);
    const kind = NOTIFICATION_KINDS.find((k) => k === c.req.param('kind'));
    if (!kind) throw new ApiError(404, 'not_found', 'No such notification.');
    const slug = kind.replaceAll('.', '-');
    const fields: Record<string, { target: string; label: string }> = {
      recipient_rule: { target: `${slug}-rule-owner`, label: `${kind}: Who receives it` },
      fixed_addresses: { target: `${slug}-addresses`, label: `${kind}: Addresses` },
      templates: { target: `${slug}-locale-0`, label: `${kind}: Languages` },
      default_locale: { target: `${slug}-locale-0`, label: `${kind}: Language tag` },
    };
    const parsed = putNotificationTemplateBody.safeParse(templateBody(kind, await readForm(c)));
    if (!parsed.success) return notificationsPage(c, problemsFrom(issuesToDetails(parsed.error, 'body'), fields, fields.templates!), 400);
    await putNotificationTemplate(c.var.deps.db, org.orgId, parsed.data);
    return c.redirect(`${NOTIFICATIONS_PATH}?done=saved`, 303);
  });
