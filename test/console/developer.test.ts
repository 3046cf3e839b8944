import { describe, expect, it } from 'vitest';
import { call } from '../helpers/api';
import { keyIntegration } from '../links/fixtures';
import { consoleUser, page, submit } from './fixtures';

const DEV = '/console/settings/developer';

const shownSecret = (html: string) => /<code id="shown-0">([^<]+)<\/code>/.exec(html)?.[1];

describe('console: API keys', () => {
  it('creates a key shown once, which works on the API, and revokes it', async () => {
    const user = await consoleUser();
    const res = await submit(user, `${DEV}/api-keys`, [['name', 'Production backend']]);
    expect(res.status).toBe(303);
    const shown = await page(user, res.headers.get('location')!);
    const secret = shownSecret(shown.text)!;
    expect(secret).toMatch(/^elk_sk_/);
    expect((await call('/api/v1/integrations', { token: secret })).status).toBe(200);
    const list = await page(user, `${DEV}/api-keys`);
    expect(list.text).toContain('<td>Production backend</td>');
    expect(list.text).not.toContain(secret);
    const keys = await call('/api/v1/api_keys', { token: user.apiKey });
    const id = keys.json.data.find((k: { name: string }) => k.name === 'Production backend').id;
    const revoked = await submit(user, `${DEV}/api-keys/${id}/revoke`, []);
    expect(revoked.headers.get('location')).toBe(`${DEV}/api-keys?done=revoked`);
    expect((await call('/api/v1/integrations', { token: secret })).status).toBe(401);
  });

  it('refuses a key without a name', async () => {
    const user = await consoleUser();
    const res = await submit(user, `${DEV}/api-keys`, [['name', '']]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('<a href="#field-name">Key name: ');
    expect((await call('/api/v1/api_keys', { token: user.apiKey })).json.data).toHaveLength(1);
  });
});

describe('console: Webhooks', () => {
  it.each([
    ['a private address', 'https://10.0.0.1/hooks'],
    ['the metadata host', 'https://169.254.169.254/latest'],
    ['plain http', 'http://hooks.example.com/in'],
  ])('refuses %s as the endpoint and stores nothing', async (_, url) => {
    const user = await consoleUser();
    const res = await submit(user, `${DEV}/webhooks`, [
      ['url', url],
      ['enabled', 'yes'],
    ]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Endpoint URL: ');
    expect((await call('/api/v1/webhook', { token: user.apiKey })).status).toBe(404);
  });

  it('shows the signing secret once when the endpoint is made and when it is rotated, and lists events', async () => {
    const user = await consoleUser();
    const res = await submit(user, `${DEV}/webhooks`, [
      ['url', 'https://hooks.example.com/in'],
      ['enabled', 'yes'],
    ]);
    const first = shownSecret((await page(user, res.headers.get('location')!)).text)!;
    expect(first).toMatch(/^whsec_/);
    const again = await submit(user, `${DEV}/webhooks`, [
      ['url', 'https://hooks.example.com/v2'],
      ['enabled', 'yes'],
    ]);
    expect(again.headers.get('location')).toBe(`${DEV}/webhooks?done=saved`);
    const rotated = await submit(user, `${DEV}/webhooks/rotate`, []);
    const second = shownSecret((await page(user, rotated.headers.get('location')!)).text)!;
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);
    const webhook = await call('/api/v1/webhook', { token: user.apiKey });
    expect(webhook.json).toMatchObject({ url: 'https://hooks.example.com/v2', secret_hint: second.slice(-4) });

    const stripe = await keyIntegration(user.apiKey);
    await call('/api/v1/connections', {
      method: 'POST',
      token: user.apiKey,
      body: { integration_id: stripe.id, end_user: { id: 'u1' }, provider_account_id: 'u1', credentials: { api_key: 'sk_test_hidden' } },
    });
    const log = await page(user, `${DEV}/webhooks`);
    expect(log.text).toContain('<code>connection.created</code>');
    expect(log.text).not.toContain(second);
    expect(log.text).not.toContain('sk_test_hidden');
  });
});

describe('console: Notifications', () => {
  it('saves a rule with fixed recipients and a German template', async () => {
    const user = await consoleUser();
    const res = await submit(user, `${DEV}/notifications/application.created`, [
      ['recipient_rule', 'fixed'],
      ['fixed_addresses', 'ops@acme.example\nsecurity@acme.example'],
      ['locale_0', 'de'],
      ['subject_0', 'Anwendung {{app_name}} angelegt'],
      ['body_0', 'Hallo {{owner}}, die Anwendung {{app_name}} ist da.'],
    ]);
    expect(res.status, res.text).toBe(303);
    const rules = await call('/api/v1/notification_templates', { token: user.apiKey });
    const rule = rules.json.data.find((r: { kind: string }) => r.kind === 'application.created');
    expect(rule).toMatchObject({
      recipient_rule: 'fixed',
      fixed_addresses: ['ops@acme.example', 'security@acme.example'],
      default_locale: 'de',
      customized: true,
    });
    expect((await page(user, `${DEV}/notifications`)).text).toContain('Anwendung {{app_name}} angelegt');
  });

  it.each([
    [
      'an unknown placeholder',
      [
        ['recipient_rule', 'owner'],
        ['locale_0', 'en'],
        ['subject_0', 'Hi {{secret}}'],
        ['body_0', 'x'],
      ],
      '{{secret}}',
    ],
    ['fixed recipients without an address', [['recipient_rule', 'fixed']], 'must list at least one address when recipient_rule is fixed'],
    [
      'a bad language tag',
      [
        ['recipient_rule', 'owner'],
        ['locale_0', 'English!'],
        ['subject_0', 'Hi'],
        ['body_0', 'x'],
      ],
      'must be a language tag',
    ],
  ] as [string, [string, string][], string][])('refuses %s with the API’s message', async (_, fields, message) => {
    const user = await consoleUser();
    const res = await submit(user, `${DEV}/notifications/application.created`, fields);
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    const rules = await call('/api/v1/notification_templates', { token: user.apiKey });
    expect(rules.json.data.every((r: { customized: boolean }) => !r.customized)).toBe(true);
  });
});

describe('console: large forms', () => {
  it('takes a notification form with several long languages (beyond the sign-in forms’ 16 KiB)', async () => {
    const user = await consoleUser();
    const body = `Hello {{owner}}, ${'x'.repeat(4900)}`;
    const fields: [string, string][] = [['recipient_rule', 'owner']];
    for (const [n, locale] of ['en', 'de', 'fr', 'es'].entries())
      fields.push([`locale_${n}`, locale], [`subject_${n}`, `Subject ${locale}`], [`body_${n}`, body]);
    const res = await submit(user, `${DEV}/notifications/application.created`, fields);
    expect(res.status, res.text.slice(0, 200)).toBe(303);
    const rules = await call('/api/v1/notification_templates', { token: user.apiKey });
    const rule = rules.json.data.find((r: { kind: string }) => r.kind === 'application.created');
    expect(Object.keys(rule.templates)).toEqual(['en', 'de', 'fr', 'es']);
  });
});
