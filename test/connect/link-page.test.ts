import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadLinkPage } from '../../src/connect/link-page-data';
import { createDb } from '../../src/db/client';
import { base64urlEncode, sha256Bytes } from '../../src/lib/crypto';
import { asOperator, call, newTenant, cookieSet } from '../helpers/api';
import { stubProvider } from '../helpers/outbound';
import { d1Query } from '../helpers/hot-query';
import { quotingD1 } from '../helpers/quoting-d1';
import { draftIntegration, keyIntegration, newLink, postForm, salesforceIntegration } from '../links/fixtures';

afterEach(() => vi.restoreAllMocks());

function cspOf(res: { headers: Headers }): Map<string, string> {
  const header = res.headers.get('content-security-policy') ?? '';
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values.join(' ')]),
  );
}

async function importConnection(apiKey: string, integrationId: string, endUserId: string, email = 'ada@acme.example', accountId = `acct-${endUserId}`) {
  const res = await call('/api/v1/connections', {
    method: 'POST',
    token: apiKey,
    body: {
      integration_id: integrationId,
      end_user: { id: endUserId },
      provider_account_id: accountId,
      account: { email },
      access_token: 'imported-access-token',
      expires_in: 3600,
    },
  });
  if (res.status !== 201) throw new Error(`importing a connection failed: ${res.status} ${res.text}`);
  return res.json as { id: string };
}

describe('the link page', () => {
  it('lists the allowed integrations with a Connect form each', async () => {
    const { apiKey } = await newTenant('Acme Corp');
    const sf = await salesforceIntegration(apiKey, 'Salesforce CRM');
    const stripe = await keyIntegration(apiKey);
    const link = await newLink(apiKey);
    const res = await call(`/link/${link.token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toMatch(/^<!doctype html>/i);
    expect(res.text).toContain('<html lang="en">');
    expect(res.text).toContain('name="viewport"');
    expect(res.text).toContain('<main');
    expect(res.text).toContain('Acme Corp');
    expect(res.text).toContain('Salesforce CRM');
    expect(res.text).toContain('Stripe');
    // OAuth: a POST form straight to the flow; API key: a link to the key form.
    expect(res.text).toContain(`<form method="post" action="/link/${link.token}/connect/${sf.id}">`);
    expect(res.text).toContain(`href="/link/${link.token}/connect/${stripe.id}"`);
  });

  it('posts every OAuth Connect, and a post without the inputs to ask answers their form', async () => {
    const { apiKey } = await newTenant();
    const offering = await asOperator('/api/v1/admin/offerings', {
      method: 'POST',
      body: {
        id: `off_ask_${Date.now().toString(36)}`,
        name: 'Tenant IdP',
        provider: 'tenant_idp',
        auth_mode: 'oauth2',
        inputs: [{ key: 'tenant', label: 'Tenant', pattern: '^[a-z0-9-]{1,40}$', source: 'end_user', example: 'acme' }],
        authorization_url: 'https://idp.example.test/{tenant}/authorize',
        token_url: 'https://idp.example.test/token',
        token_auth_method: 'client_secret_post',
      },
    });
    expect(offering.status, offering.text).toBe(201);
    // Saved without a secret, then marked configured: creating it with one 500s today, since
    // client verification resolves the end-user input (integrations/, not this feature).
    const integration = await call('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Tenant IdP', offering_id: offering.json.id, client_id: 'cid' },
    });
    expect(integration.status, integration.text).toBe(201);
    await env.DB.prepare("UPDATE integrations SET status = 'configured' WHERE id = ?").bind(integration.json.id).run();
    const link = await newLink(apiKey);
    const res = await call(`/link/${link.token}`);
    expect(res.text).toContain(`<form method="post" action="/link/${link.token}/connect/${integration.json.id}">`);
    expect(res.text).not.toContain(`href="/link/${link.token}/connect/${integration.json.id}"`);
    const form = await postForm(`/link/${link.token}/connect/${integration.json.id}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="tenant"');
    expect(form.text).not.toContain('role="alert"');
    expect(cookieSet(form.headers)).toBeNull();
  });

  it('sends a strict Content-Security-Policy and the other security headers', async () => {
    const { apiKey } = await newTenant();
    await salesforceIntegration(apiKey);
    const link = await newLink(apiKey);
    const res = await call(`/link/${link.token}`);
    const csp = cspOf(res);
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('style-src')).toMatch(/^'sha256-[A-Za-z0-9+/]+=*'$/);
    expect(csp.get('img-src')).toBe('data:');
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.has('script-src')).toBe(false);
    // Chrome checks form-action on the redirect a form causes, so the provider is named.
    expect(csp.get('form-action')).toBe("'self' https://login.salesforce.com");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('allows its one stylesheet by hash, and nothing else', async () => {
    const { apiKey } = await newTenant();
    await salesforceIntegration(apiKey);
    const link = await newLink(apiKey);
    const res = await call(`/link/${link.token}`);
    const styles = [...res.text.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(styles).toHaveLength(1);
    const hash = base64urlEncode(await sha256Bytes(styles[0]!))
      .replaceAll('-', '+')
      .replaceAll('_', '/');
    expect(cspOf(res).get('style-src')).toBe(`'sha256-${hash}${'='.repeat((4 - (hash.length % 4)) % 4)}'`);
    expect(res.text).not.toMatch(/<script/i);
    expect(res.text).not.toMatch(/\sstyle=/i);
    expect(res.text).not.toMatch(/\son[a-z]+=/i);
    expect(res.text).not.toMatch(/\ssrc=/i);
    expect(res.text).not.toMatch(/href="(https?:)?\/\//i);
    expect(res.text).not.toMatch(/<link\s/i);
  });

  it('labels every Connect button with its service', async () => {
    const { apiKey } = await newTenant();
    await salesforceIntegration(apiKey, 'Sales Cloud');
    await keyIntegration(apiKey, 'off_stripe', 'Payments');
    const link = await newLink(apiKey);
    const res = await call(`/link/${link.token}`);
    expect(res.text).toContain('aria-label="Connect Sales Cloud"');
    expect(res.text).toContain('aria-label="Connect Payments"');
  });

  it('shows only the integrations the link allows, and never drafts', async () => {
    const { apiKey } = await newTenant();
    await salesforceIntegration(apiKey, 'Hidden CRM');
    const stripe = await keyIntegration(apiKey, 'off_stripe', 'Allowed Payments');
    const draft = await draftIntegration(apiKey);
    const link = await newLink(apiKey, { integration_ids: [stripe.id, draft.id] });
    const res = await call(`/link/${link.token}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Allowed Payments');
    expect(res.text).not.toContain('Hidden CRM');
    expect(res.text).not.toContain('Draft CRM');
  });

  it('offers an integration its first connection will verify, without telling the end user', async () => {
    const { apiKey } = await newTenant();
    // An answer that cannot tell a bad client from a bad code: connectable, pending its first connection.
    const provider = stubProvider(() => new Response('<html>oops</html>', { status: 400, headers: { 'content-type': 'text/html' } }));
    const created = await call('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Acme Salesforce', offering_id: 'off_salesforce', client_id: 'c', client_secret: 's' },
    });
    provider.restore();
    expect(created.json).toMatchObject({ connectable: true, verification: { pending_first_connection: true } });
    const link = await newLink(apiKey);
    const page = await call(`/link/${link.token}`);
    const form = await call(`/link/${link.token}/connect/${created.json.id}`);
    for (const res of [page, form]) {
      expect(res.status).toBe(200);
      expect(res.text).toContain('Acme Salesforce');
      expect(res.text).not.toMatch(/verif|first connection|pending|draft|not configured|inconclusive/i);
    }
  });

  it("never shows another organization's integrations", async () => {
    const other = await newTenant('Other Org');
    await keyIntegration(other.apiKey, 'off_openai', 'Their Secret Service');
    const { apiKey } = await newTenant('Mine');
    await keyIntegration(apiKey);
    const link = await newLink(apiKey);
    const res = await call(`/link/${link.token}`);
    expect(res.text).not.toContain('Their Secret Service');
    expect(res.text).not.toContain('Other Org');
  });

  it('costs one D1 round trip, connections included', async () => {
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    await keyIntegration(apiKey);
    await importConnection(apiKey, sf.id, 'user-42');
    const link = await newLink(apiKey);
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    const res = await call(`/link/${link.token}`);
    expect(res.text).toContain('Connected ✓');
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.route === '/link/:token');
    expect(logged.d1_round_trips).toBe(1);
    // The log names the route pattern, never the token.
    expect(lines.join('\n')).not.toContain(link.token);
  });

  it('says when there is nothing to connect', async () => {
    const { apiKey } = await newTenant();
    await draftIntegration(apiKey);
    const link = await newLink(apiKey);
    const res = await call(`/link/${link.token}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Nothing to connect yet');
    expect(res.text).not.toContain('<form');
  });
});

describe('link states', () => {
  it('answers an unknown token with a 404 page that says nothing more', async () => {
    const res = await call(`/link/${'A'.repeat(43)}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('This link does not work');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('answers a malformed token with the same 404 page', async () => {
    for (const token of ['short', 'x'.repeat(44), `${'A'.repeat(42)}%25`]) {
      const res = await call(`/link/${token}`);
      expect(res.status).toBe(404);
      expect(res.text).toContain('This link does not work');
    }
  });

  it('shows an expired link as gone (410)', async () => {
    const { apiKey } = await newTenant();
    await keyIntegration(apiKey);
    const link = await newLink(apiKey, { expires_in: 60 });
    await env.DB.prepare('UPDATE links SET expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1, link.id)
      .run();
    const res = await call(`/link/${link.token}`);
    expect(res.status).toBe(410);
    expect(res.text).toContain('This link has expired');
    expect(res.text).not.toContain('<form');
  });

  it('shows a used-up link as gone (410)', async () => {
    const { apiKey } = await newTenant();
    await keyIntegration(apiKey);
    const link = await newLink(apiKey, { max_uses: 2 });
    await env.DB.prepare('UPDATE links SET uses = 2 WHERE id = ?').bind(link.id).run();
    const res = await call(`/link/${link.token}`);
    expect(res.status).toBe(410);
    expect(res.text).toContain('This link has been used up');
  });

  it('shows a disabled link as forbidden (403)', async () => {
    const { apiKey } = await newTenant();
    await keyIntegration(apiKey);
    const link = await newLink(apiKey);
    await call(`/api/v1/links/${link.id}`, { method: 'PATCH', token: apiKey, body: { disabled: true } });
    const res = await call(`/link/${link.token}`);
    expect(res.status).toBe(403);
    expect(res.text).toContain('This link has been turned off');
  });
});

describe("the end user's existing connections", () => {
  it('marks a connected integration with ✓ and offers to reconnect', async () => {
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    await keyIntegration(apiKey);
    await importConnection(apiKey, sf.id, 'user-42');
    const link = await newLink(apiKey);
    const res = await call(`/link/${link.token}`);
    expect(res.text).toContain('Connected ✓');
    expect(res.text).toContain('ada@acme.example');
    expect(res.text).toContain(`aria-label="Reconnect Salesforce"`);
    // Stripe is not connected yet.
    expect(res.text).toContain('aria-label="Connect Stripe"');
  });

  it('says when a connection needs reconnecting', async () => {
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    const connection = await importConnection(apiKey, sf.id, 'user-42');
    await env.DB.prepare("UPDATE connections SET status = 'needs_reauth' WHERE id = ?").bind(connection.id).run();
    const link = await newLink(apiKey);
    const res = await call(`/link/${link.token}`);
    expect(res.text).toContain('Needs reconnecting');
    expect(res.text).not.toContain('Connected ✓');
    expect(res.text).toContain('aria-label="Reconnect Salesforce"');
  });

  it("does not count another end user's connection", async () => {
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    await importConnection(apiKey, sf.id, 'someone-else', 'someone@else.example');
    const link = await newLink(apiKey, { end_user: { id: 'user-42' } });
    const res = await call(`/link/${link.token}`);
    expect(res.text).not.toContain('Connected ✓');
    expect(res.text).not.toContain('someone@else.example');
    expect(res.text).toContain('aria-label="Connect Salesforce"');
  });

  it('shows one connection per integration however many the end user has: active first, then the newest; revoked ones count as none', async () => {
    const { apiKey } = await newTenant();
    const sales = await salesforceIntegration(apiKey, 'Sales');
    const support = await salesforceIntegration(apiKey, 'Support');
    const finance = await salesforceIntegration(apiKey, 'Finance');
    // Per integration, twenty connections of user-42 (and one of someone else), each updated a
    // minute after the one before it: the pattern repeats, then the last ones are the tail.
    type Status = 'active' | 'needs_reauth' | 'revoked';
    const plans: [string, Status[], Status[]][] = [
      [sales.id, ['active', 'needs_reauth', 'revoked'], ['active', 'needs_reauth', 'revoked']],
      [support.id, ['needs_reauth', 'revoked'], ['needs_reauth', 'revoked', 'revoked']],
      [finance.id, ['revoked'], ['revoked']],
    ];
    const emails: string[] = [];
    let minute = 0;
    for (const [integrationId, pattern, tail] of plans) {
      for (let i = 0; i < 20; i++) {
        const status = i >= 20 - tail.length ? tail[i - (20 - tail.length)]! : pattern[i % pattern.length]!;
        const email = `${status}-${integrationId.slice(-6)}-${i}@acme.example`;
        emails.push(email);
        const { id } = await importConnection(apiKey, integrationId, 'user-42', email, `acct-${i}`);
        await env.DB.prepare('UPDATE connections SET status = ?, updated_at = ? WHERE id = ?')
          .bind(status, Date.UTC(2026, 0, 1) + ++minute * 60_000, id)
          .run();
      }
      await importConnection(apiKey, integrationId, 'someone-else', `other-${integrationId.slice(-6)}@acme.example`);
    }
    const link = await newLink(apiKey);
    const res = await call(`/link/${link.token}`);
    expect(res.status).toBe(200);
    // Sales: the newest active one (19 is revoked, 18 needs reconnecting, 17 is active).
    // Support: none is active, so the newest needing reconnection (18 and 19 are revoked).
    // Finance: every one is revoked, so nothing is connected.
    const shown = [...new Set(res.text.match(/[\w-]+@acme\.example/g))].sort();
    expect(shown).toEqual([`active-${sales.id.slice(-6)}-17@acme.example`, `needs_reauth-${support.id.slice(-6)}-17@acme.example`]);
    expect(emails).toEqual(expect.arrayContaining(shown));
    expect(res.text.match(/Connected ✓/g)).toHaveLength(1);
    expect(res.text.match(/Needs reconnecting/g)).toHaveLength(1);
    expect(res.text).toContain('aria-label="Reconnect Sales"');
    expect(res.text).toContain('aria-label="Reconnect Support"');
    expect(res.text).toContain('aria-label="Connect Finance"');
  });

  it("reads the same through the hot route's raw query as through the drizzle client", async () => {
    const { apiKey } = await newTenant();
    const sales = await salesforceIntegration(apiKey, 'Sales');
    const support = await salesforceIntegration(apiKey, 'Support');
    await keyIntegration(apiKey);
    await draftIntegration(apiKey);
    // An organization's own offering: its definition is a JSON column of the statement.
    const own = await call('/api/v1/offerings', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Acme keys', provider: 'acme-keys', auth_mode: 'api_key', credentials: [{ key: 'api_key', label: 'API key', secret: true }] },
    });
    expect(own.status, own.text).toBe(201);
    await keyIntegration(apiKey, own.json.id, 'Acme');
    await importConnection(apiKey, sales.id, 'user-42', 'ada@acme.example');
    const { id } = await importConnection(apiKey, support.id, 'user-42', 'grace@acme.example');
    await env.DB.prepare("UPDATE connections SET status = 'needs_reauth' WHERE id = ?").bind(id).run();
    const link = await newLink(apiKey);
    const db = createDb(env.DB);
    const viaDrizzle = await loadLinkPage(db, link.token);
    const viaRaw = await loadLinkPage(db, link.token, d1Query);
    expect(viaDrizzle?.entries.map((e) => [e.integration.name, e.connection?.status ?? null, e.connection?.accountEmail ?? null])).toEqual([
      ['Acme', null, null],
      ['Sales', 'active', 'ada@acme.example'],
      ['Stripe', null, null],
      ['Support', 'needs_reauth', 'grace@acme.example'],
    ]);
    expect(viaRaw).toEqual(viaDrizzle);
    expect(await loadLinkPage(db, `${link.token.slice(0, -1)}x`, d1Query)).toBeUndefined();

    // A link that names its integrations, expires and counts its uses: every link column set.
    const narrow = await newLink(apiKey, { integration_ids: [support.id, sales.id], expires_in: 3600, max_uses: 3 });
    const narrowViaDrizzle = await loadLinkPage(db, narrow.token);
    expect(narrowViaDrizzle?.link).toMatchObject({ integrationIds: [support.id, sales.id], maxUses: 3, disabled: false });
    expect(narrowViaDrizzle?.entries.map((e) => e.integration.name)).toEqual(['Sales', 'Support']);
    expect(await loadLinkPage(db, narrow.token, d1Query)).toEqual(narrowViaDrizzle);
  });

  it('reads every table through an index: no scan of connections, integrations, links or offerings', async () => {
    const { apiKey } = await newTenant();
    const sf = await salesforceIntegration(apiKey);
    await keyIntegration(apiKey);
    await importConnection(apiKey, sf.id, 'user-42');
    const link = await newLink(apiKey);
    const recorder = quotingD1(env.DB, null);
    const data = await loadLinkPage(createDb(recorder.binding), link.token);
    expect(data?.entries.map((e) => [e.integration.name, e.connection?.status ?? null])).toEqual([
      ['Salesforce', 'active'],
      ['Stripe', null],
    ]);
    expect(recorder.executed.length).toBeGreaterThan(0);
    const scans: string[] = [];
    for (const { sql, params } of recorder.executed) {
      const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      for (const { detail } of plan.results) {
        if (/^SCAN \w+/.test(detail) && !/USING (COVERING )?INDEX/.test(detail)) scans.push(`${detail}  ←  ${sql}`);
      }
    }
    expect(scans).toEqual([]);
  });
});
