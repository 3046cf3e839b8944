import { exports } from 'cloudflare:workers';
import { TEST_ADMIN_TOKEN } from './secrets';

export const BASE = 'http://127.0.0.1:8787';

export interface CallOptions {
  method?: string;
  token?: string | null;
  body?: unknown;
  /** Sent as-is, for malformed-body tests. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** The request a client would send for these options. */
export function buildRequest(path: string, options: CallOptions = {}): Request {
  const headers = new Headers(options.headers);
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  return new Request(BASE + path, { method: options.method ?? 'GET', headers, body });
}

/** Calls the Worker through its real fetch handler, as a client would. */
export async function call(path: string, options: CallOptions = {}) {
  const res = await exports.default.fetch(buildRequest(path, options));
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON; tests that care read `text`.
  }
  return { status: res.status, headers: res.headers, json, text };
}

export const asOperator = (path: string, options: CallOptions = {}) => call(path, { token: TEST_ADMIN_TOKEN, ...options });

/** A fresh organization with its own API key: tests never share tenants. */
export async function newTenant(name = 'Acme') {
  const org = await asOperator('/api/v1/admin/organizations', { method: 'POST', body: { name } });
  if (org.status !== 201) throw new Error(`creating an organization failed: ${org.status} ${org.text}`);
  const key = await asOperator(`/api/v1/admin/organizations/${org.json.id}/api_keys`, {
    method: 'POST',
    body: { name: 'test key' },
  });
  if (key.status !== 201) throw new Error(`creating an API key failed: ${key.status} ${key.text}`);
  return { orgId: org.json.id as string, apiKey: key.json.secret as string, keyId: key.json.id as string };
}

/** Asserts the one error shape and returns its body for further checks. */
export function expectError(res: { status: number; json: any }, status: number, code: string) {
  if (res.status !== status || res.json?.error?.code !== code || typeof res.json?.error?.request_id !== 'string') {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.json)}`);
  }
  return res.json.error as { code: string; message: string; request_id: string; details?: { location: string; field: string; message: string }[] };
}

/**
 * The cookie a response sets, leaving out the read-your-writes bookmark every write's page
 * gets (src/lib/d1-session.ts); null when it sets none.
 */
export function cookieSet(headers: Headers): string | null {
  const cookies = headers.getSetCookie().filter((c) => !c.startsWith('edgelink_bookmark='));
  if (cookies.length > 1) throw new Error(`expected one cookie, got ${cookies.length}`);
  return cookies[0] ?? null;
}
