import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asOperator, newTenant } from '../helpers/api';
import { addUser, asUser, browse, postForm, sessionCookieOf, submitLogin, uniqueEmail } from './fixtures';

afterEach(() => vi.restoreAllMocks());

interface Seen {
  status: number;
  headers: Headers;
  text: string;
}

describe('passwords and their hashes', () => {
  it('never appear in any response or log line, through the whole life of an account', async () => {
    const lines: string[] = [];
    const record = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, level).mockImplementation(record);
    const responses: Seen[] = [];
    const seen = <T extends Seen>(res: T) => {
      responses.push(res);
      return res;
    };

    const initial = 'initial password of the owner';
    const chosen = 'password chosen through the link';
    const { orgId } = await newTenant();
    const ownerEmail = uniqueEmail('owner');
    const invitedEmail = uniqueEmail('invited');
    seen(await addUser(orgId, { email: ownerEmail, role: 'owner', password: initial }));
    const invited = seen(await addUser(orgId, { email: invitedEmail, role: 'admin' }));
    seen(await addUser(orgId, { email: 'bad', role: 'owner', password: 'a password with a bad email' }));
    seen(await addUser(orgId, { email: uniqueEmail(), role: 'owner', password: 'too short' }));
    seen(await asOperator(`/api/v1/admin/organizations/${orgId}/users`));

    const setup = new URL(invited.json.set_password_url).pathname;
    seen(await browse(setup));
    seen(await postForm(setup, { password: 'too short', confirm: 'too short' }));
    seen(await postForm(setup, { password: chosen, confirm: `${chosen}?` }));
    seen(await postForm(setup, { password: chosen, confirm: chosen }));

    seen(await submitLogin({ email: ownerEmail, password: `${initial} but wrong` }));
    seen(await submitLogin({ email: uniqueEmail('nobody'), password: initial }));
    const signedIn = seen(await submitLogin({ email: ownerEmail, password: initial }));
    const cookie = sessionCookieOf(signedIn);
    seen(await submitLogin({ email: invitedEmail, password: chosen }));
    seen(await browse('/login', { headers: { cookie } }));
    seen(await asUser(cookie, '/api/v1/integrations'));
    seen(await postForm('/logout', {}, { cookie }));

    const stored = await env.DB.prepare('SELECT password_hash FROM users WHERE email IN (?, ?)')
      .bind(ownerEmail, invitedEmail)
      .all<{ password_hash: string }>();
    const hashes = stored.results.map((r) => r.password_hash);
    expect(hashes).toHaveLength(2);
    const forbidden = [initial, chosen, 'a password with a bad email', 'too short', ...hashes, ...hashes.flatMap((h) => h.split('$').slice(2))];

    const everything = [...responses.map((r) => `${r.status}\n${[...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${r.text}`), ...lines].join('\n');
    expect(lines.some((l) => l.includes('"msg":"request"'))).toBe(true);
    for (const secret of forbidden) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/pbkdf2|password_hash/i);
    // The session and set-password tokens are meant for the browser, never for the logs.
    const logs = lines.join('\n');
    expect(logs).not.toContain(cookie.split('=')[1]!);
    expect(logs).not.toContain(setup.split('/').pop()!);
  });
});
