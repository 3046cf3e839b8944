import { z } from 'zod';
import { listQuery } from '../lib/pagination';
import { timestamp } from '../lib/shapes';
import { KINDS, NOTIFICATION_KINDS, RECIPIENT_RULES } from './kinds';
import { placeholderProblems } from './placeholders';

export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed', 'stored'] as const;

export const MAX_FIXED_ADDRESSES = 10;
const MAX_LOCALES = 20;

const locale = z
  .string()
  .max(35, 'must be at most 35 characters')
  .regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/, "must be a language tag such as 'en' or 'de-CH'");

const localizedTemplate = z.strictObject({
  subject: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .regex(/^[^\p{Cc}]*$/u, 'must be one line without control characters'),
  body: z
    .string()
    .min(1, 'must not be empty')
    .max(5000, 'must be at most 5000 characters')
    .regex(/^(?:[^\p{Cc}]|[\t\n\r])*$/u, 'must not contain control characters other than tabs and line breaks'),
});

const email = z.email('must be an email address').max(320, 'must be at most 320 characters');

export const putNotificationTemplateBody = z
  .strictObject({
    kind: z.enum(NOTIFICATION_KINDS),
    recipient_rule: z
      .enum(RECIPIENT_RULES)
      .describe(
        "owner: the application owner's email, or the organization owners' when the application has none; fixed: fixed_addresses; off: nothing is sent or stored",
      ),
    fixed_addresses: z
      .array(email)
      .max(MAX_FIXED_ADDRESSES, `must list at most ${MAX_FIXED_ADDRESSES} addresses`)
      .optional()
      .describe('The recipients when recipient_rule is fixed; kept for later otherwise'),
    templates: z
      .record(locale, localizedTemplate, {
        error: (issue) => (issue.code === 'invalid_key' ? "must be a language tag such as 'en' or 'de-CH'" : undefined),
      })
      .optional()
      .describe('Subject and body per locale; leave out to use the built-in English template'),
    default_locale: locale.optional().describe("The locale notifications use; defaults to 'en' when present, else the first locale given"),
  })
  .superRefine((body, ctx) => {
    if (body.recipient_rule === 'fixed' && (body.fixed_addresses ?? []).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['fixed_addresses'], message: 'must list at least one address when recipient_rule is fixed' });
    }
    if (body.templates === undefined) {
      if (body.default_locale !== undefined && body.default_locale !== 'en') {
        ctx.addIssue({ code: 'custom', path: ['default_locale'], message: 'must be one of the locales in templates' });
      }
      return;
    }
    const locales = Object.keys(body.templates);
    if (locales.length === 0) ctx.addIssue({ code: 'custom', path: ['templates'], message: 'must have at least one locale' });
    if (locales.length > MAX_LOCALES) ctx.addIssue({ code: 'custom', path: ['templates'], message: `must have at most ${MAX_LOCALES} locales` });
    if (body.default_locale !== undefined && !locales.includes(body.default_locale)) {
      ctx.addIssue({ code: 'custom', path: ['default_locale'], message: 'must be one of the locales in templates' });
    }
    const allowed = KINDS[body.kind].placeholders;
    for (const [loc, template] of Object.entries(body.templates)) {
      for (const field of ['subject', 'body'] as const) {
        for (const message of placeholderProblems(template[field], allowed)) {
          ctx.addIssue({ code: 'custom', path: ['templates', loc, field], message });
        }
      }
    }
  });

export const notificationTemplateObject = z
  .object({
    kind: z.enum(NOTIFICATION_KINDS),
    description: z.string(),
    recipient_rule: z.enum(RECIPIENT_RULES),
    fixed_addresses: z.array(z.string()),
    default_locale: z.string(),
    templates: z.record(z.string(), z.object({ subject: z.string(), body: z.string() })),
    placeholders: z.array(z.string()).describe('The {{name}}s the templates of this kind may use'),
    customized: z.boolean().describe('false: the built-in rule and template'),
    updated_at: timestamp.nullable(),
  })
  .meta({ id: 'NotificationTemplate' });

export const notificationObject = z
  .object({
    id: z.string(),
    kind: z.string(),
    recipients: z.array(z.string()),
    locale: z.string(),
    subject: z.string(),
    body: z.string(),
    status: z.enum(NOTIFICATION_STATUSES).describe('stored: kept here only, no transport configured or no recipient; pending: being sent'),
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    created_at: timestamp,
    sent_at: timestamp.nullable(),
  })
  .meta({ id: 'Notification' });

export const listNotificationsQuery = listQuery.extend({
  kind: z.enum(NOTIFICATION_KINDS).optional(),
  status: z.enum(NOTIFICATION_STATUSES).optional(),
});

export type PutNotificationTemplateBody = z.output<typeof putNotificationTemplateBody>;
export type NotificationTemplateObject = z.output<typeof notificationTemplateObject>;
export type NotificationObject = z.output<typeof notificationObject>;
export type ListNotificationsQuery = z.output<typeof listNotificationsQuery>;
