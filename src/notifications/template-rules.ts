import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { iso } from '../lib/shapes';
import { FALLBACK_LOCALE, KINDS, NOTIFICATION_KINDS, type NotificationKind, type RecipientRule } from './kinds';
import { notificationTemplates, type LocalizedTemplate } from './schema';
import type { NotificationTemplateObject, PutNotificationTemplateBody } from './shapes';

type TemplateRow = typeof notificationTemplates.$inferSelect;

/** Who receives a kind of notification and what it says: the organization's, or the built-in one. */
export interface TemplateRule {
  kind: NotificationKind;
  recipientRule: RecipientRule;
  fixedAddresses: string[];
  /** The default locale first. */
  templates: Record<string, LocalizedTemplate>;
  customized: boolean;
  updatedAt: number | null;
}

/** The organization's saved rule for one kind; feed its rows to {@link ruleFrom}. */
export function templateRuleQuery(db: Db, orgId: string, kind: NotificationKind) {
  return db
    .select()
    .from(notificationTemplates)
    .where(and(eq(notificationTemplates.orgId, orgId), eq(notificationTemplates.kind, kind)))
    .limit(1);
}

/** An empty stored set means "the built-in templates", so they stay current for that organization. */
export function ruleFrom(kind: NotificationKind, row: TemplateRow | undefined): TemplateRule {
  if (!row) {
    return { kind, recipientRule: 'owner', fixedAddresses: [], templates: { ...KINDS[kind].templates }, customized: false, updatedAt: null };
  }
  const templates = Object.keys(row.templates).length > 0 ? row.templates : { ...KINDS[kind].templates };
  return { kind, recipientRule: row.recipientRule, fixedAddresses: row.fixedAddresses, templates, customized: true, updatedAt: row.updatedAt };
}

/** The locale a notification is written in, and its template. */
export function templateFor(rule: TemplateRule): { locale: string; template: LocalizedTemplate } {
  const [locale, template] = Object.entries(rule.templates)[0] ?? [FALLBACK_LOCALE, KINDS[rule.kind].templates[FALLBACK_LOCALE]!];
  return { locale, template };
}

export function renderTemplateRule(rule: TemplateRule): NotificationTemplateObject {
  return {
    kind: rule.kind,
    description: KINDS[rule.kind].description,
    recipient_rule: rule.recipientRule,
    fixed_addresses: rule.fixedAddresses,
    default_locale: templateFor(rule).locale,
    templates: rule.templates,
    placeholders: [...KINDS[rule.kind].placeholders],
    customized: rule.customized,
    updated_at: iso(rule.updatedAt),
  };
}

/** Every kind, the organization's rule where it saved one and the built-in one elsewhere. */
export async function listNotificationTemplates(db: Db, orgId: string): Promise<{ data: NotificationTemplateObject[]; next_cursor: null }> {
  const rows = await db.select().from(notificationTemplates).where(eq(notificationTemplates.orgId, orgId));
  const byKind = new Map(rows.map((row) => [row.kind, row]));
  return { data: NOTIFICATION_KINDS.map((kind) => renderTemplateRule(ruleFrom(kind, byKind.get(kind)))), next_cursor: null };
}

/** Stores the locales with the default one first: that order is how the default is kept. */
function orderedTemplates(body: PutNotificationTemplateBody): Record<string, LocalizedTemplate> {
  if (body.templates === undefined) return {};
  const locales = Object.keys(body.templates);
  const first = body.default_locale ?? (locales.includes(FALLBACK_LOCALE) ? FALLBACK_LOCALE : locales[0]!);
  return Object.fromEntries([first, ...locales.filter((l) => l !== first)].map((l) => [l, body.templates![l]!]));
}

/** Replaces the organization's rule for the kind; addresses are kept once each, in the order given. */
export async function putNotificationTemplate(db: Db, orgId: string, body: PutNotificationTemplateBody, now = Date.now()): Promise<NotificationTemplateObject> {
  const seen = new Set<string>();
  const fixedAddresses = (body.fixed_addresses ?? []).filter((address) => {
    const key = address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const row: TemplateRow = {
    orgId,
    kind: body.kind,
    recipientRule: body.recipient_rule,
    fixedAddresses,
    templates: orderedTemplates(body),
    updatedAt: now,
  };
  await db
    .insert(notificationTemplates)
    .values(row)
    .onConflictDoUpdate({
      target: [notificationTemplates.orgId, notificationTemplates.kind],
      set: { recipientRule: row.recipientRule, fixedAddresses: row.fixedAddresses, templates: row.templates, updatedAt: now },
    });
  return renderTemplateRule(ruleFrom(body.kind, row));
}
