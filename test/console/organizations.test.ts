import { describe, expect, it } from 'vitest';
import { asOperator, call, cookieSet } from '../helpers/api';
import { keyIntegration } from '../links/fixtures';
import { addUser, PASSWORD, sessionCookieOf, submitLogin, uniqueEmail } from '../users/fixtures';
import { consoleUser, page, submit } from './fixtures';

/** Someone who owns one organization and is a member of another. */
async function personInTwo() {
  const owner = await consoleUser('owner');
  const other = await asOperator('/api/v1/admin/organizations', { method: 'POST', body: { name: 'Zeta member org' } });
  const email = uniqueEmail('two');
  await addUser(owner.orgId, { email, role: 'owner', password: PASSWORD });
  await addUser(other.json.id, { email, role: 'member' });
  const cookie = sessionCookieOf(await submitLogin({ email, password: PASSWORD }));
  return { ...owner, cookie, otherOrgId: other.json.id as string };
}

describe('console: the organization switcher', () => {
  it('switches the pages to the chosen organization, and the role with it', async () => {
    const person = await personInTwo();
    const first = await page(person, '/console/oauth');
    expect(first.text).toContain('<select id="org-switcher" name="org_id">');
    expect(first.text).toContain('Add Integration');
    const switched = await submit(person, '/console/organization', [
      ['org_id', person.otherOrgId],
      ['return_to', '/console/oauth'],
    ]);
    expect(switched.status).toBe(303);
    expect(switched.headers.get('location')).toBe('/console/oauth');
    const cookie = `${person.cookie}; ${cookieSet(switched.headers)!.split(';')[0]}`;
    const there = await page({ ...person, cookie }, '/console/oauth');
    expect(there.text).toContain(`<option value="${person.otherOrgId}" selected="">Zeta member org</option>`);
    expect(there.text).toContain('you can look at everything here');
    expect(there.text).not.toContain('Add Integration');
  });

  it('refuses an organization the person is not in, and ignores a stale choice', async () => {
    const person = await personInTwo();
    const stranger = await asOperator('/api/v1/admin/organizations', { method: 'POST', body: { name: 'Not theirs' } });
    const res = await submit(person, '/console/organization', [['org_id', stranger.json.id]]);
    expect(res.status).toBe(404);
    expect(cookieSet(res.headers)).toBeNull();
    const forged = await page({ ...person, cookie: `${person.cookie}; elk_console_org=${stranger.json.id}` }, '/console/oauth');
    expect(forged.status).toBe(200);
    expect(forged.text).not.toContain('Not theirs');
  });
});

describe('console: deleting an integration that has connections', () => {
  it('refuses until the cascade is confirmed, then deletes both', async () => {
    const user = await consoleUser();
    const stripe = await keyIntegration(user.apiKey);
    const connection = await call('/api/v1/connections', {
      method: 'POST',
      token: user.apiKey,
      body: { integration_id: stripe.id, end_user: { id: 'u' }, provider_account_id: 'u', credentials: { api_key: 'sk_test_1' } },
    });
    const refused = await submit(user, `/console/oauth/${stripe.id}/delete`, []);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('This integration has 1 connection(s).');
    expect((await call(`/api/v1/integrations/${stripe.id}`, { token: user.apiKey })).status).toBe(200);
    const confirmed = await submit(user, `/console/oauth/${stripe.id}/delete`, [['cascade', 'yes']]);
    expect(confirmed.status).toBe(303);
    expect((await call(`/api/v1/integrations/${stripe.id}`, { token: user.apiKey })).status).toBe(404);
    expect((await call(`/api/v1/connections/${connection.json.id}`, { token: user.apiKey })).status).toBe(404);
  });
});
