import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { newTenant } from '../helpers/api';
import { addUser, browse, PASSWORD, postForm, submitLogin, uniqueEmail } from './fixtures';

async function invitedUser() {
  const { orgId } = await newTenant();
  const email = uniqueEmail('invited');
  const res = await addUser(orgId, { email, role: 'admin' });
  const path = new URL(res.json.set_password_url).pathname;
  return { orgId, email, userId: res.json.user_id as string, path };
}

describe('set-password links', () => {
  it('shows a form for the new password, with the account for password managers', async () => {
    const { email, path } = await invitedUser();
    const res = await browse(path);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<form method="post" action="${path}">`);
    expect(res.text).toContain(`autocomplete="username" value="${email}" readonly`);
    expect(res.text).toMatch(/<label for="password">New password<\/label>/);
    expect(res.text).toMatch(/id="password" name="password" type="password" autocomplete="new-password"/);
    expect(res.text).toMatch(/<label for="confirm">Repeat the password<\/label>/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sets the password once: the user can sign in, and the link is then dead', async () => {
    const { email, path } = await invitedUser();
    const set = await postForm(path, { password: PASSWORD, confirm: PASSWORD });
    expect(set.status).toBe(200);
    expect(set.text).toContain('Your password is set');
    expect((await submitLogin({ email, password: PASSWORD })).status).toBe(303);

    const again = await postForm(path, { password: 'a different long password', confirm: 'a different long password' });
    expect(again.status).toBe(404);
    expect(again.text).toContain('This link cannot be used');
    expect((await browse(path)).status).toBe(404);
    expect((await submitLogin({ email, password: 'a different long password' })).status).toBe(400);
  });

  it('lets only one of two simultaneous submissions set the password', async () => {
    const { email, path } = await invitedUser();
    const [a, b] = await Promise.all([
      postForm(path, { password: 'first long password', confirm: 'first long password' }),
      postForm(path, { password: 'second long password', confirm: 'second long password' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 404]);
    const winner = a.status === 200 ? 'first long password' : 'second long password';
    const loser = a.status === 200 ? 'second long password' : 'first long password';
    expect((await submitLogin({ email, password: winner })).status).toBe(303);
    expect((await submitLogin({ email, password: loser })).status).toBe(400);
  });

  it('refuses a short password or a different confirmation without using up the link', async () => {
    const { path, userId } = await invitedUser();
    const short = await postForm(path, { password: 'short', confirm: 'short' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('Your password must be at least 12 characters.');
    expect(short.text).toContain('role="alert"');
    const mismatch = await postForm(path, { password: PASSWORD, confirm: `${PASSWORD}!` });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('The two passwords are not the same.');
    expect(mismatch.text).not.toContain(PASSWORD);
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind(userId).first<{ password_hash: string | null }>();
    expect(row!.password_hash).toBeNull();
    expect((await postForm(path, { password: PASSWORD, confirm: PASSWORD })).status).toBe(200);
  });

  it('refuses an expired link', async () => {
    const { path, userId } = await invitedUser();
    await env.DB.prepare('UPDATE password_setup_tokens SET expires_at = ? WHERE user_id = ?')
      .bind(Date.now() - 1, userId)
      .run();
    expect((await browse(path)).status).toBe(404);
    expect((await postForm(path, { password: PASSWORD, confirm: PASSWORD })).status).toBe(404);
  });

  it('refuses a made-up or malformed token', async () => {
    expect((await browse(`/login/set-password/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await browse('/login/set-password/short')).status).toBe(404);
  });

  it('replaces the link when the user, still without a password, joins another organization', async () => {
    const first = await invitedUser();
    const other = await newTenant('Other');
    const second = await addUser(other.orgId, { email: first.email, role: 'member' });
    expect(second.status).toBe(201);
    const newPath = new URL(second.json.set_password_url).pathname;
    expect(newPath).not.toBe(first.path);
    expect((await browse(first.path)).status).toBe(404);
    expect((await browse(newPath)).status).toBe(200);
  });

  it('refuses a set-password post from another site', async () => {
    const { path } = await invitedUser();
    const res = await postForm(path, { password: PASSWORD, confirm: PASSWORD }, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect((await browse(path)).status).toBe(200);
  });
});
