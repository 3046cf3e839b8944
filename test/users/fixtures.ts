import { env } from 'cloudflare:test';
import { asOperator, call, newTenant, type CallOptions } from '../helpers/api';
import { browse, postForm } from '../links/fixtures';

export const PASSWORD = 'correct horse battery staple';

let counter = 0;

/** An email no other test uses: tests never share accounts. */
export const uniqueEmail = (label = 'user') => `${label}-${Date.now().toString(36)}-${++counter}@example.com`;

/** A client address no other test uses, so per-address limits stay apart. */
export const uniqueIp = () => {
  const n = ++counter;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

export async function addUser(orgId: string, body: Record<string, unknown>) {
  return asOperator(`/api/v1/admin/organizations/${orgId}/users`, { method: 'POST', body });
}

/** Posts the sign-in form from our own page; the redirect is returned, not followed. */
export function submitLogin(fields: { email: string; password: string; next?: string }, ip = uniqueIp(), headers: Record<string, string> = {}) {
  const form: Record<string, string> = { email: fields.email, password: fields.password };
  if (fields.next !== undefined) form.next = fields.next;
  return postForm('/login', form, { 'cf-connecting-ip': ip, ...headers });
}

/** `name=value` of the session cookie a response set. */
export function sessionCookieOf(res: { headers: Headers }): string {
  const header = res.headers.get('set-cookie');
  if (!header) throw new Error('no Set-Cookie');
  return header.split(';')[0]!;
}

/** A user with `role` in a fresh organization, signed in: the cookie to send and the tenant's API key. */
export async function signedInUser(role: 'owner' | 'admin' | 'member' = 'member') {
  const tenant = await newTenant(`${role} org`);
  const email = uniqueEmail(role);
  const created = await addUser(tenant.orgId, { email, role, password: PASSWORD });
  if (created.status !== 201) throw new Error(`adding a user failed: ${created.status} ${created.text}`);
  const res = await submitLogin({ email, password: PASSWORD });
  if (res.status !== 303) throw new Error(`signing in failed: ${res.status} ${res.text}`);
  return { ...tenant, email, userId: created.json.user_id as string, cookie: sessionCookieOf(res) };
}

/** Calls the JSON API as a browser page of ours would, with the session cookie. */
export function asUser(cookie: string, path: string, options: CallOptions = {}) {
  const sameOrigin: Record<string, string> = options.method && options.method !== 'GET' ? { 'sec-fetch-site': 'same-origin' } : {};
  return call(path, { ...options, headers: { cookie, ...sameOrigin, ...options.headers } });
}

export const countRows = async (sql: string, ...params: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>())!.n;

export { browse, postForm };
