import { describe, expect, it } from 'vitest';
import { call, expectError, newTenant } from '../helpers/api';
import { addMember, newApplication } from '../applications/fixtures';
import { notificationsOf, putTemplate } from './fixtures';

describe('the application.created notification', () => {
  it("is stored with the rendered subject and body, addressed to the owner's email", async () => {
    const { apiKey, orgId } = await newTenant('Globex');
    const { userId } = await addMember(orgId, { email: 'grace@globex.example', name: 'Grace Hopper' });
    const app = await newApplication(apiKey, { name: 'Ledger Sync', owner_user_id: userId });

    const [notification, ...rest] = await notificationsOf(apiKey);
    expect(rest).toEqual([]);
    expect(notification).toMatchObject({
      id: expect.stringMatching(/^ntf_/),
      kind: 'application.created',
      recipients: ['grace@globex.example'],
      locale: 'en',
      subject: 'OAuth application "Ledger Sync" created',
      status: 'stored',
      attempts: 0,
      last_error: null,
      sent_at: null,
    });
    expect(notification!.body).toContain('Hello Grace Hopper,');
    expect(notification!.body).toContain('"Ledger Sync" was created in the organization Globex.');
    expect(notification!.body).toContain(`Client ID: ${app.client_id}`);
    expect(notification!.body).not.toMatch(/\{\{|\}\}/);
  });

  it('never carries the client secret', async () => {
    const { apiKey, orgId } = await newTenant();
    const { userId } = await addMember(orgId);
    const app = await newApplication(apiKey, { owner_user_id: userId });
    const rotated = (await call(`/api/v1/applications/${app.id}/secret`, { method: 'POST', token: apiKey })).json.client_secret;
    const listed = await call('/api/v1/notifications', { token: apiKey });
    expect(listed.json.data).toHaveLength(1);
    expect(listed.text).not.toContain(app.client_secret);
    expect(listed.text).not.toContain(rotated);
    expect(listed.text).not.toContain('elk_cs_');
  });

  it('names the owner by email when they have no name', async () => {
    const { apiKey, orgId } = await newTenant();
    const { userId } = await addMember(orgId, { email: 'nameless@example.com', name: null });
    await newApplication(apiKey, { owner_user_id: userId });
    expect((await notificationsOf(apiKey))[0]!.body).toContain('Hello nameless@example.com,');
  });

  it("goes to the organization's owners when an API key created the application with no owner", async () => {
    const { apiKey, orgId } = await newTenant();
    await addMember(orgId, { email: 'first-owner@example.com', name: 'Ada', role: 'owner' });
    await addMember(orgId, { email: 'second-owner@example.com', name: null, role: 'owner' });
    await addMember(orgId, { email: 'admin@example.com', role: 'admin' });
    await newApplication(apiKey);
    const [notification] = await notificationsOf(apiKey);
    // Both joined in the same millisecond here, so their order is not what is checked.
    expect([...notification!.recipients].sort()).toEqual(['first-owner@example.com', 'second-owner@example.com']);
    expect(notification!.body).toMatch(/^Hello (Ada, second-owner@example\.com|second-owner@example\.com, Ada),/);
  });

  it('is kept without recipients when neither the application nor its organization has an owner', async () => {
    const { apiKey } = await newTenant();
    await newApplication(apiKey);
    const [notification] = await notificationsOf(apiKey);
    expect(notification).toMatchObject({ recipients: [], status: 'stored', last_error: expect.stringContaining('nor its organization has an owner') });
  });

  it('goes to the fixed addresses when the rule says so', async () => {
    const { apiKey, orgId } = await newTenant();
    const { userId } = await addMember(orgId, { email: 'owner@example.com' });
    const put = await putTemplate(apiKey, {
      kind: 'application.created',
      recipient_rule: 'fixed',
      fixed_addresses: ['security@example.com', 'dev@example.com', 'Security@example.com'],
    });
    expect(put.status).toBe(200);
    await newApplication(apiKey, { owner_user_id: userId });
    expect((await notificationsOf(apiKey))[0]!.recipients).toEqual(['security@example.com', 'dev@example.com']);
  });

  it('is not stored at all when the rule is off', async () => {
    const { apiKey, orgId } = await newTenant();
    const { userId } = await addMember(orgId);
    expect((await putTemplate(apiKey, { kind: 'application.created', recipient_rule: 'off' })).status).toBe(200);
    await newApplication(apiKey, { owner_user_id: userId });
    expect(await notificationsOf(apiKey)).toEqual([]);
  });

  it("belongs to the application's organization only", async () => {
    const a = await newTenant('A');
    const b = await newTenant('B');
    await newApplication(a.apiKey);
    expect(await notificationsOf(a.apiKey)).toHaveLength(1);
    expect(await notificationsOf(b.apiKey)).toEqual([]);
  });
});

describe('listing notifications', () => {
  it('filters by kind and status, newest first', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey, { terms_url: 'https://a.example.com/t', privacy_url: 'https://a.example.com/p' });
    await newApplication(apiKey, { name: 'Second' });
    await call(`/api/v1/applications/${app.id}/publish`, { method: 'POST', token: apiKey });
    const { asOperator } = await import('../helpers/api');
    await asOperator(`/api/v1/admin/applications/${app.id}/publish`, { method: 'POST', body: { decision: 'reject', reason: 'Logo missing.' } });

    expect((await notificationsOf(apiKey)).map((n) => n.kind)).toEqual(['application.publish_reviewed', 'application.created', 'application.created']);
    expect(await notificationsOf(apiKey, '?kind=application.created')).toHaveLength(2);
    expect(await notificationsOf(apiKey, '?status=stored')).toHaveLength(3);
    expect(await notificationsOf(apiKey, '?status=sent')).toEqual([]);
    const page = await call('/api/v1/notifications?limit=1', { token: apiKey });
    expect(page.json.data).toHaveLength(1);
    expect(page.json.next_cursor).toEqual(expect.any(String));
    expectError(await call('/api/v1/notifications?kind=user.created', { token: apiKey }), 400, 'validation_failed');
    expectError(await call('/api/v1/notifications?status=lost', { token: apiKey }), 400, 'validation_failed');
  });

  it('tells the owner about a publish decision, with the reason', async () => {
    const { apiKey, orgId } = await newTenant('Initech');
    const { userId } = await addMember(orgId, { email: 'peter@initech.example', name: 'Peter' });
    const app = await newApplication(apiKey, {
      name: 'TPS',
      owner_user_id: userId,
      terms_url: 'https://a.example.com/t',
      privacy_url: 'https://a.example.com/p',
    });
    await call(`/api/v1/applications/${app.id}/publish`, { method: 'POST', token: apiKey });
    const { asOperator } = await import('../helpers/api');
    await asOperator(`/api/v1/admin/applications/${app.id}/publish`, { method: 'POST', body: { decision: 'reject', reason: 'The privacy page is empty.' } });
    const [reviewed] = await notificationsOf(apiKey, '?kind=application.publish_reviewed');
    expect(reviewed).toMatchObject({ recipients: ['peter@initech.example'], subject: 'OAuth application "TPS": publish request rejected' });
    expect(reviewed!.body).toContain('Reason: The privacy page is empty.');
    expect(reviewed!.body).toContain(app.client_id);
  });

  it('needs an organization credential', async () => {
    expectError(await call('/api/v1/notifications'), 401, 'unauthorized');
  });
});
