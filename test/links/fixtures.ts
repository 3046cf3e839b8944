import { env } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { BASE, call, type CallOptions } from '../helpers/api';
import { oauthError, stubProvider } from '../helpers/outbound';

/** A configured Salesforce integration: its verification is answered `invalid_grant`, which proves the client. */
export async function salesforceIntegration(apiKey: string, name = 'Salesforce') {
  const provider = stubProvider(() => oauthError('invalid_grant'));
  try {
    const res = await call('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: { name, offering_id: 'off_salesforce', client_id: 'sf-client', client_secret: 'sf-secret', scopes: ['api', 'refresh_token'] },
    });
    if (res.status !== 201 || res.json.status !== 'configured') throw new Error(`salesforce integration: ${res.status} ${res.text}`);
    return res.json as { id: string; name: string };
  } finally {
    provider.restore();
  }
}

/** A configured integration of any catalog offering that needs no client credentials or provider call. */
export async function keyIntegration(apiKey: string, offeringId = 'off_stripe', name = 'Stripe') {
  const res = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: { name, offering_id: offeringId } });
  if (res.status !== 201 || res.json.status !== 'configured') throw new Error(`${offeringId} integration: ${res.status} ${res.text}`);
  return res.json as { id: string; name: string };
}

/** A draft integration: Salesforce without a secret never becomes connectable. */
export async function draftIntegration(apiKey: string) {
  const res = await call('/api/v1/integrations', {
    method: 'POST',
    token: apiKey,
    body: { name: 'Draft CRM', offering_id: 'off_salesforce', client_id: 'only-an-id' },
  });
  if (res.status !== 201 || res.json.status !== 'draft') throw new Error(`draft integration: ${res.status} ${res.text}`);
  return res.json as { id: string };
}

export async function newLink(apiKey: string, body: Record<string, unknown> = {}) {
  const res = await call('/api/v1/links', {
    method: 'POST',
    token: apiKey,
    body: { name: 'Onboarding', end_user: { id: 'user-42', email: 'ada@example.com', display_name: 'Ada' }, ...body },
  });
  if (res.status !== 201) throw new Error(`creating a link failed: ${res.status} ${res.text}`);
  return { ...(res.json as { id: string; url: string }), token: tokenOf(res.json.url) };
}

export const tokenOf = (url: string) => url.slice(url.indexOf('/link/') + '/link/'.length);

/**
 * Like `call`, but a redirect is returned rather than followed: the Worker's own fetch would
 * otherwise follow a Location to the provider back into the Worker itself.
 */
export async function browse(path: string, options: CallOptions = {}) {
  const headers = new Headers(options.headers);
  const init: RequestInit = { method: options.method ?? 'GET', headers, body: options.rawBody, redirect: 'manual' };
  const res = await exports.default.fetch(new Request(BASE + path, init));
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Posts a form as a browser on our own page does. */
export function postForm(path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
  return browse(path, {
    method: 'POST',
    rawBody: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE, 'sec-fetch-site': 'same-origin', ...headers },
  });
}

export const countRows = async (table: 'links' | 'connections', orgId: string) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE org_id = ?`).bind(orgId).first<{ n: number }>())!.n;
