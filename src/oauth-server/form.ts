import type { Context } from 'hono';
import { invalidRequest } from './errors';

const MAX_FORM_BYTES = 16 * 1024;

/**
 * The body of an OAuth endpoint: form-encoded only (RFC 6749 §3.2), each parameter at most
 * once (§3.1), nothing oversized. Anything else is `invalid_request`.
 */
export async function readOAuthForm(c: Context): Promise<Map<string, string>> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw invalidRequest('Send the parameters form-encoded (Content-Type: application/x-www-form-urlencoded).');
  }
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > MAX_FORM_BYTES) throw invalidRequest('The request body is too large.');
  const form = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(new TextDecoder().decode(bytes))) {
    if (form.has(key)) throw invalidRequest(`The parameter "${key}" is repeated.`);
    form.set(key, value);
  }
  return form;
}
