import { env } from 'cloudflare:test';
import { sha256Hex } from '../../src/lib/crypto';
import { call } from '../helpers/api';
import type { SeenRequest } from '../helpers/outbound';
import { newLink } from '../links/fixtures';

/** A token reply whose tokens name the code they were issued for, so a stored grant can be traced. */
export const tokensForCode = (req: SeenRequest) => {
  const code = new URLSearchParams(req.body).get('code');
  return Response.json({ access_token: `at-${code}`, refresh_token: `rt-${code}`, token_type: 'Bearer', expires_in: 3600 });
};

let endUsers = 0;

/** A link for an end user no other test or case shares, so each has its own connection. */
export async function linkForNewEndUser(apiKey: string, body: Record<string, unknown> = {}) {
  const endUserId = `eu-${Date.now().toString(36)}-${++endUsers}`;
  return newLink(apiKey, { end_user: { id: endUserId, email: 'ada@example.com', display_name: 'Ada' }, ...body });
}

export const linkUses = async (linkId: string) => (await env.DB.prepare('SELECT uses FROM links WHERE id = ?').bind(linkId).first<{ uses: number }>())!.uses;

export const connectionsOfLink = async (linkId: string) =>
  (await env.DB.prepare('SELECT id FROM connections WHERE link_id = ?').bind(linkId).all<{ id: string }>()).results.map((r) => r.id);

/** Events about the connections made through this link, by type. */
export const eventsOfLink = async (linkId: string) =>
  (
    await env.DB.prepare("SELECT e.type AS type FROM events e JOIN connections c ON c.id = json_extract(e.payload, '$.data.connection_id') WHERE c.link_id = ?")
      .bind(linkId)
      .all<{ type: string }>()
  ).results.map((r) => r.type);

export const parkedReplyOf = async (state: string) => env.KV.get(`callback-reply:${await sha256Hex(state)}`);

export const tokenRoute = (apiKey: string, connectionId: string) => call(`/api/v1/connections/${connectionId}/token`, { token: apiKey });

export const STRIPE_KEY = 'sk_test_51ResubmitSafeKey0123456789';

export const stripeBalance = () => new Response(JSON.stringify({ object: 'balance' }), { status: 200, headers: { 'content-type': 'application/json' } });

export const formPath = (link: { token: string }, integrationId: string) => `/link/${link.token}/connect/${integrationId}`;

/** The one-time submission id of the form the page renders. */
export async function renderedSubmission(link: { token: string }, integrationId: string): Promise<string> {
  const page = await call(formPath(link, integrationId));
  const match = /<input type="hidden" name="submission" value="([^"]+)"/.exec(page.text);
  if (!match) throw new Error('the form has no submission id');
  return match[1]!;
}

/** The request options of a form post from our own page, as a browser sends it. */
export const formPost = (fields: Record<string, string>) => ({
  method: 'POST',
  rawBody: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://127.0.0.1:8787', 'sec-fetch-site': 'same-origin' },
});
