import { describe, expect, it } from 'vitest';
import { call, expectError, newTenant } from '../helpers/api';
import { addMember, newApplication } from '../applications/fixtures';
import { notificationsOf, putTemplate } from './fixtures';

const listTemplates = async (apiKey: string) => {
  const res = await call('/api/v1/notification_templates', { token: apiKey });
  expect(res.status).toBe(200);
  return res.json.data as { kind: string; [key: string]: unknown }[];
};
const templateOf = async (apiKey: string, kind = 'application.created') => (await listTemplates(apiKey)).find((t) => t.kind === kind)!;

const german = {
  subject: 'OAuth-Anwendung „{{app_name}}“ angelegt',
  body: 'Hallo {{ owner }},\n\ndie Anwendung {{app_name}} ({{client_id}}) wurde in {{organization}} angelegt.',
};

describe('notification templates', () => {
  it('lists the built-in rule and template of every kind until the organization saves its own', async () => {
    const { apiKey } = await newTenant();
    const templates = await listTemplates(apiKey);
    expect(templates.map((t) => t.kind)).toEqual(['application.created', 'application.publish_reviewed', 'application.review_requested']);
    expect(templates[0]).toMatchObject({
      recipient_rule: 'owner',
      fixed_addresses: [],
      default_locale: 'en',
      templates: { en: { subject: 'OAuth application "{{app_name}}" created', body: expect.stringContaining('{{client_id}}') } },
      placeholders: ['app_name', 'client_id', 'organization', 'owner'],
      customized: false,
      updated_at: null,
    });
  });

  it('saves subject and body per locale and renders new notifications with the default locale', async () => {
    const { apiKey, orgId } = await newTenant('Müller GmbH');
    const put = await putTemplate(apiKey, {
      kind: 'application.created',
      recipient_rule: 'owner',
      templates: { en: { subject: 'New app {{app_name}}', body: 'Hi {{owner}}' }, de: german },
      default_locale: 'de',
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ customized: true, default_locale: 'de', updated_at: expect.any(String) });
    expect(Object.keys(put.json.templates)).toEqual(['de', 'en']);
    expect(await templateOf(apiKey)).toEqual(put.json);

    const { userId } = await addMember(orgId, { name: 'Jürgen' });
    const app = await newApplication(apiKey, { name: 'Berichte', owner_user_id: userId });
    const [notification] = await notificationsOf(apiKey);
    expect(notification).toMatchObject({
      locale: 'de',
      subject: 'OAuth-Anwendung „Berichte“ angelegt',
      body: `Hallo Jürgen,\n\ndie Anwendung Berichte (${app.client_id}) wurde in Müller GmbH angelegt.`,
    });
  });

  it("uses 'en' when the set has it and no default is named, else the first locale", async () => {
    const { apiKey } = await newTenant();
    const both = await putTemplate(apiKey, {
      kind: 'application.created',
      recipient_rule: 'owner',
      templates: { de: german, en: { subject: 'S', body: 'B' } },
    });
    expect(both.json.default_locale).toBe('en');
    const germanOnly = await putTemplate(apiKey, { kind: 'application.created', recipient_rule: 'owner', templates: { de: german } });
    expect(germanOnly.json.default_locale).toBe('de');
  });

  it('keeps the built-in template when only the recipient rule is changed', async () => {
    const { apiKey } = await newTenant();
    const put = await putTemplate(apiKey, { kind: 'application.created', recipient_rule: 'fixed', fixed_addresses: ['ops@example.com'] });
    expect(put.json).toMatchObject({ customized: true, recipient_rule: 'fixed', fixed_addresses: ['ops@example.com'], default_locale: 'en' });
    expect(put.json.templates.en.subject).toBe('OAuth application "{{app_name}}" created');
  });

  it('renders a value that looks like a placeholder as plain text, once', async () => {
    const { apiKey } = await newTenant();
    await newApplication(apiKey, { name: '{{client_id}} <b>&amp;' });
    expect((await notificationsOf(apiKey))[0]!.subject).toBe('OAuth application "{{client_id}} <b>&amp;" created');
  });

  const valid = { kind: 'application.created', recipient_rule: 'owner', templates: { en: { subject: 'Hi', body: 'Hello' } } };

  it.each([
    [
      'the client secret as a placeholder',
      { templates: { en: { subject: 'Hi', body: 'Secret: {{client_secret}}' } } },
      'templates.en.body',
      'unknown placeholder {{client_secret}}',
    ],
    ['an unknown placeholder with spaces', { templates: { en: { subject: '{{ app }}', body: 'x' } } }, 'templates.en.subject', 'unknown placeholder {{app}}'],
    ['a placeholder of another kind', { templates: { en: { subject: 'Hi', body: '{{reason}}' } } }, 'templates.en.body', 'unknown placeholder {{reason}}'],
    ['an unclosed placeholder', { templates: { en: { subject: 'Hi {{app_name', body: 'x' } } }, 'templates.en.subject', 'not part of a placeholder'],
    ['a subject over 200 characters', { templates: { en: { subject: 'x'.repeat(201), body: 'x' } } }, 'templates.en.subject', '200'],
    ['a subject on two lines', { templates: { en: { subject: 'Hi\r\nBcc: victim@example.com', body: 'x' } } }, 'templates.en.subject', 'one line'],
    ['a body over 5000 characters', { templates: { en: { subject: 'Hi', body: 'x'.repeat(5001) } } }, 'templates.en.body', '5000'],
    ['an empty body', { templates: { en: { subject: 'Hi', body: '' } } }, 'templates.en.body', 'empty'],
    ['no locale', { templates: {} }, 'templates', 'at least one locale'],
    ['a locale that is no language tag', { templates: { English: { subject: 'Hi', body: 'x' } } }, 'templates.English', 'language tag'],
    ['a default locale without a template', { default_locale: 'fr' }, 'default_locale', 'one of the locales'],
    ['an unknown kind', { kind: 'user.created' }, 'kind', ''],
    ['an unknown rule', { recipient_rule: 'everyone' }, 'recipient_rule', ''],
    ['a fixed rule without addresses', { recipient_rule: 'fixed' }, 'fixed_addresses', 'at least one address'],
    ['an address that is not one', { recipient_rule: 'fixed', fixed_addresses: ['ops@example.com', 'not-an-email'] }, 'fixed_addresses.1', 'email'],
    ['an address with a header in it', { recipient_rule: 'fixed', fixed_addresses: ['ops@example.com\r\nBcc: x@evil.example'] }, 'fixed_addresses.0', 'email'],
    [
      'more than 10 addresses',
      { recipient_rule: 'fixed', fixed_addresses: Array.from({ length: 11 }, (_, i) => `a${i}@example.com`) },
      'fixed_addresses',
      '10',
    ],
  ])('refuses %s and keeps what was saved', async (_what, change, field, words) => {
    const { apiKey } = await newTenant();
    const before = await templateOf(apiKey);
    const error = expectError(await putTemplate(apiKey, { ...valid, ...change }), 400, 'validation_failed');
    expect(error.details).toContainEqual({ location: 'body', field, message: expect.stringContaining(words) });
    expect(await templateOf(apiKey)).toEqual(before);
  });

  it("are the organization's own", async () => {
    const a = await newTenant('A');
    const b = await newTenant('B');
    await putTemplate(a.apiKey, { kind: 'application.created', recipient_rule: 'off' });
    expect((await templateOf(a.apiKey)).recipient_rule).toBe('off');
    expect((await templateOf(b.apiKey)).recipient_rule).toBe('owner');
  });
});
