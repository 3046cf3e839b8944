import type { LocalizedTemplate } from './schema';

export const NOTIFICATION_KINDS = ['application.created', 'application.publish_reviewed', 'application.review_requested'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const RECIPIENT_RULES = ['owner', 'fixed', 'off'] as const;
export type RecipientRule = (typeof RECIPIENT_RULES)[number];

export interface KindDefinition {
  description: string;
  /** The `{{name}}`s its templates may use; any other name is refused when a template is saved. */
  placeholders: readonly string[];
  /** The built-in set, used until the organization saves its own. */
  templates: Readonly<Record<string, LocalizedTemplate>>;
}

const APPLICATION_PLACEHOLDERS = ['app_name', 'client_id', 'organization', 'owner'] as const;

// No placeholder can carry the client secret: it never reaches a notification (the creation
// email names the app; the secret stays in the one API response that showed it).
export const KINDS: Record<NotificationKind, KindDefinition> = {
  'application.created': {
    description: "An OAuth application was created; sent to its owner's email by default (the organization's owners when it has none).",
    placeholders: APPLICATION_PLACEHOLDERS,
    templates: {
      en: {
        subject: 'OAuth application "{{app_name}}" created',
        body: [
          'Hello {{owner}},',
          '',
          'The OAuth application "{{app_name}}" was created in the organization {{organization}}.',
          '',
          'Client ID: {{client_id}}',
          '',
          'The client secret was shown once, when the application was created. Edgelink keeps only a hash of it and cannot show it again; if it is lost, rotate it to get a new one.',
        ].join('\n'),
      },
    },
  },
  'application.publish_reviewed': {
    description:
      "An operator approved or rejected a request to make an OAuth application public; sent to its owner's email by default (the organization's owners when it has none).",
    placeholders: [...APPLICATION_PLACEHOLDERS, 'decision', 'reason'],
    templates: {
      en: {
        subject: 'OAuth application "{{app_name}}": publish request {{decision}}',
        body: [
          'Hello {{owner}},',
          '',
          'The request to make the OAuth application "{{app_name}}" ({{client_id}}) of {{organization}} public was {{decision}}.',
          '',
          'Reason: {{reason}}',
        ].join('\n'),
      },
    },
  },
  'application.review_requested': {
    description:
      "An approved public OAuth application's name, redirect URIs or scopes changed, so it went back to review; sent to its owner's email by default (the organization's owners when it has none).",
    placeholders: [...APPLICATION_PLACEHOLDERS, 'changes'],
    templates: {
      en: {
        subject: 'OAuth application "{{app_name}}" is back in review',
        body: [
          'Hello {{owner}},',
          '',
          'The OAuth application "{{app_name}}" ({{client_id}}) of {{organization}} was public, and its {{changes}} changed, so it went back to review.',
          '',
          'Until an operator approves it again, only members of {{organization}} can authorize it and it is not listed in the directory. People who already authorized it keep their access.',
        ].join('\n'),
      },
    },
  },
};

/** The locale used when a template set does not say otherwise. */
export const FALLBACK_LOCALE = 'en';
