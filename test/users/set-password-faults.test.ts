import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { newTenant } from '../helpers/api';
import { callWithFault, type FaultTiming } from '../helpers/fault-injection';
import { addUser, PASSWORD, postForm, submitLogin, uniqueEmail } from './fixtures';

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://127.0.0.1:8787', 'sec-fetch-site': 'same-origin' };
const formBody = new URLSearchParams({ password: PASSWORD, confirm: PASSWORD }).toString();

async function invitedUser() {
  const { orgId } = await newTenant();
  const email = uniqueEmail('invited');
  const res = await addUser(orgId, { email, role: 'admin' });
  return { email, userId: res.json.user_id as string, path: new URL(res.json.set_password_url).pathname };
}

async function stateOf(userId: string) {
  const user = await env.DB.prepare('SELECT password_hash AS hash FROM users WHERE id = ?').bind(userId).first<{ hash: string | null }>();
  const token = await env.DB.prepare('SELECT used_at AS usedAt FROM password_setup_tokens WHERE user_id = ?').bind(userId).first<{ usedAt: number | null }>();
  return { passwordSet: user!.hash !== null, tokenUsed: token!.usedAt !== null };
}

describe('set-password under D1 failures', () => {
  it('sets the password and uses the token together, or neither, whichever D1 call fails', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const probe = await invitedUser();
    const clean = await callWithFault(probe.path, { failAt: null }, { method: 'POST', headers: FORM_HEADERS, rawBody: formBody });
    expect(clean.status).toBe(200);
    expect(clean.d1Calls).toBe(2); // the token lookup, then the one batch that writes

    let cases = 0;
    for (let n = 1; n <= clean.d1Calls; n++) {
      for (const timing of ['before', 'after'] satisfies FaultTiming[]) {
        const { email, userId, path } = await invitedUser();
        const failed = await callWithFault(path, { failAt: n, timing }, { method: 'POST', headers: FORM_HEADERS, rawBody: formBody });
        expect(failed.struck, `call ${n} ${timing}`).toBe(true);
        const state = await stateOf(userId);
        expect(state.passwordSet, `call ${n} ${timing}: ${JSON.stringify(state)}`).toBe(state.tokenUsed);
        if (!state.tokenUsed) {
          const retry = await postForm(path, { password: PASSWORD, confirm: PASSWORD });
          expect(retry.status, `retry after call ${n} ${timing}`).toBe(200);
        }
        expect((await submitLogin({ email, password: PASSWORD })).status, `sign-in after call ${n} ${timing}`).toBe(303);
        cases++;
      }
    }
    expect(cases).toBe(clean.d1Calls * 2);
  });
});
