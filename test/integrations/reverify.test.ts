import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reverifyDueIntegrations } from '../../src/integrations/reverify';
import { testDeps } from '../helpers/deps';
import { call, newTenant, cookieSet } from '../helpers/api';
import { oauthError, stubProvider } from '../helpers/outbound';
import { newLink, postForm } from '../links/fixtures';
import { getIntegration, MIN, refused, runReverify, scheduleOf, unreachableIntegration } from './reverify-fixtures';

afterEach(() => vi.restoreAllMocks());

const quiet = () => vi.spyOn(console, 'error').mockImplementation(() => {});

describe('an integration whose provider could not be reached', () => {
  it('is draft, not connectable, and says when it is retried', async () => {
    const { apiKey } = await newTenant();
    const before = Date.now();
    const created = await unreachableIntegration(apiKey);
    const res = await getIntegration(apiKey, created.id);
    expect(res.json).toMatchObject({ status: 'draft', connectable: false, verification: { result: 'unreachable', pending_first_connection: false } });
    expect(res.json.verification.message).toMatch(/asks again in the background/);
    const next = Date.parse(res.json.next_verification_at);
    expect(next).toBeGreaterThanOrEqual(before + MIN);
    expect(next).toBeLessThanOrEqual(Date.now() + MIN);
  });

  it('is not on the link page, and a flow on it is refused with a page', async () => {
    const { apiKey } = await newTenant('Acme Corp');
    const created = await unreachableIntegration(apiKey, 'Unreachable CRM');
    const link = await newLink(apiKey);
    const page = await call(`/link/${link.token}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Unreachable CRM');
    expect(page.text).toContain('Nothing to connect yet');

    const started = await postForm(`/link/${link.token}/connect/${created.id}`);
    expect(started.status).toBe(404);
    expect(started.headers.get('location')).toBeNull();
    expect(cookieSet(started.headers)).toBeNull();
    expect(started.text).toContain('This service is not available');
  });

  it('is also not connectable when the provider answers 5xx or asks to try later', async () => {
    const { apiKey } = await newTenant();
    for (const status of [503, 429, 408]) {
      const provider = stubProvider(() => new Response('busy', { status }));
      const res = await call('/api/v1/integrations', {
        method: 'POST',
        token: apiKey,
        body: { name: `Busy ${status}`, offering_id: 'off_salesforce', client_id: 'c', client_secret: 's' },
      });
      provider.restore();
      expect(res.json, String(status)).toMatchObject({
        status: 'draft',
        connectable: false,
        verification: { result: 'unreachable', pending_first_connection: false },
      });
      expect(res.json.next_verification_at, String(status)).not.toBeNull();
    }
  });
});

describe('the reverify_integrations job', () => {
  it('leaves an integration alone until it is due', async () => {
    const { apiKey } = await newTenant();
    const created = await unreachableIntegration(apiKey);
    await runReverify(Date.now() + 30_000);
    expect(await scheduleOf(created.id)).toMatchObject({ status: 'draft', verification_attempts: 1 });
    expect((await getIntegration(apiKey, created.id)).json.next_verification_at).toBe(created.next_verification_at);
  });

  it('verifies it when due: it becomes configured, listed on the link page, and startable', async () => {
    const { apiKey } = await newTenant('Acme Corp');
    const created = await unreachableIntegration(apiKey, 'Salesforce Later');
    const { counts } = await runReverify(Date.parse(created.next_verification_at));
    expect(counts.configured).toBeGreaterThanOrEqual(1);

    const res = await getIntegration(apiKey, created.id);
    expect(res.json).toMatchObject({ status: 'configured', connectable: true, next_verification_at: null, verification: { result: 'verified' } });
    expect(await scheduleOf(created.id)).toMatchObject({ next_verification_at: null, verification_attempts: 0 });

    const link = await newLink(apiKey);
    expect((await call(`/link/${link.token}`)).text).toContain('Salesforce Later');
    const started = await postForm(`/link/${link.token}/connect/${created.id}`);
    expect(started.status).toBe(302);
    expect(started.headers.get('location')).toMatch(/^https:\/\/login\.salesforce\.com\//);
  });

  it('backs off while the provider stays unreachable: 1 min, 5 min, 30 min, 2 h, then every 6 h', async () => {
    const { apiKey } = await newTenant();
    const created = await unreachableIntegration(apiKey);
    let at = Date.parse(created.next_verification_at);
    const waits: number[] = [];
    for (let run = 0; run < 5; run++) {
      await runReverify(at, () => new Response('down', { status: 502 }));
      const row = (await scheduleOf(created.id))!;
      expect(row.status).toBe('draft');
      waits.push((row.next_verification_at! - at) / MIN);
      at = row.next_verification_at!;
    }
    expect(waits).toEqual([5, 30, 120, 360, 360]);
    expect((await scheduleOf(created.id))!.verification_attempts).toBe(6);
    expect((await getIntegration(apiKey, created.id)).json.connectable).toBe(false);
  });

  it('stops retrying when the provider refuses the credentials', async () => {
    const { apiKey } = await newTenant();
    const created = await unreachableIntegration(apiKey);
    const due = Date.parse(created.next_verification_at);
    await runReverify(due, () => oauthError('invalid_client', 401));
    const refusedRes = await getIntegration(apiKey, created.id);
    expect(refusedRes.json).toMatchObject({
      status: 'draft',
      connectable: false,
      next_verification_at: null,
      verification: { result: 'invalid_credentials', provider_error: 'invalid_client' },
    });

    // Much later, the job does not ask again: the verification stays as it was.
    await runReverify(due + 24 * 60 * MIN);
    const later = await getIntegration(apiKey, created.id);
    expect(later.json.verification).toEqual(refusedRes.json.verification);
    expect(later.json.status).toBe('draft');
  });

  it('hands an answer that cannot tell to the first connection, and stops retrying', async () => {
    const { apiKey } = await newTenant();
    const created = await unreachableIntegration(apiKey);
    await runReverify(
      Date.parse(created.next_verification_at),
      () => new Response('<html>oops</html>', { status: 400, headers: { 'content-type': 'text/html' } }),
    );
    const res = await getIntegration(apiKey, created.id);
    expect(res.json).toMatchObject({
      status: 'draft',
      connectable: true,
      next_verification_at: null,
      verification: { result: 'inconclusive', pending_first_connection: true },
    });
  });

  it('keeps a settings change made while the provider was asked', async () => {
    const { apiKey } = await newTenant();
    const created = await unreachableIntegration(apiKey);
    // The job takes every due integration of this file's database, in its order: only this one
    // may be due, or the stub below could answer another's verification first (seen under shuffle).
    await env.DB.prepare('UPDATE integrations SET next_verification_at = NULL WHERE id <> ?').bind(created.id).run();
    let rotating = false;
    let patched: Awaited<ReturnType<typeof call>> | undefined;
    // While the job waits for the provider, a person rotates the secret; their own
    // verification is refused, and the job's older answer must not overwrite it.
    const provider = stubProvider(async () => {
      if (rotating) return oauthError('invalid_client', 401);
      rotating = true;
      patched = await call(`/api/v1/integrations/${created.id}`, { method: 'PATCH', token: apiKey, body: { client_secret: 'rotated-secret' } });
      return oauthError('invalid_grant');
    });
    const counts = await reverifyDueIntegrations(await testDeps(), Date.parse(created.next_verification_at), 200);
    provider.restore();
    expect(patched!.status).toBe(200);
    expect(counts.raced).toBeGreaterThanOrEqual(1);
    expect((await getIntegration(apiKey, created.id)).json).toMatchObject({
      status: 'draft',
      next_verification_at: null,
      verification: { result: 'invalid_credentials' },
    });
  });

  it('Verify now asks at once and starts the backoff over', async () => {
    const { apiKey } = await newTenant();
    const created = await unreachableIntegration(apiKey);
    let at = Date.parse(created.next_verification_at);
    for (let run = 0; run < 2; run++) {
      await runReverify(at, () => new Response('down', { status: 503 }));
      at = (await scheduleOf(created.id))!.next_verification_at!;
    }
    expect((await scheduleOf(created.id))!.verification_attempts).toBe(3);
    const provider = stubProvider(refused);
    const before = Date.now();
    const res = await call(`/api/v1/integrations/${created.id}/verify`, { method: 'POST', token: apiKey });
    provider.restore();
    expect(res.status).toBe(200);
    expect(Date.parse(res.json.next_verification_at) - before).toBeLessThanOrEqual(MIN + 5_000);
    expect((await scheduleOf(created.id))!.verification_attempts).toBe(1);
  });

  it('postpones an integration it cannot verify, so it does not hold the queue', async () => {
    quiet();
    const { apiKey } = await newTenant();
    const created = await unreachableIntegration(apiKey);
    // A secret that no longer decrypts (tampered at rest).
    await env.DB.prepare("UPDATE integrations SET client_secret_enc = 'v1.nope.AAAA.BBBB' WHERE id = ?").bind(created.id).run();
    const at = Date.parse(created.next_verification_at);
    const { counts } = await runReverify(at);
    expect(counts.errors).toBeGreaterThanOrEqual(1);
    const row = (await scheduleOf(created.id))!;
    expect(row).toMatchObject({ status: 'draft', verification_attempts: 2 });
    expect(row.next_verification_at).toBe(at + 5 * MIN);
  });
});

describe('an integration being due', () => {
  it('is due again after a person made it unreachable by PATCH', async () => {
    const { apiKey } = await newTenant();
    const provider = stubProvider(() => oauthError('invalid_grant'));
    const created = await call('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Fine', offering_id: 'off_salesforce', client_id: 'c', client_secret: 's' },
    });
    provider.restore();
    expect(created.json).toMatchObject({ status: 'configured', next_verification_at: null });
    stubProvider(refused);
    const patched = await call(`/api/v1/integrations/${created.json.id}`, { method: 'PATCH', token: apiKey, body: { client_secret: 'new' } });
    expect(patched.json).toMatchObject({ status: 'draft', connectable: false, verification: { result: 'unreachable' } });
    expect(patched.json.next_verification_at).not.toBeNull();
  });
});
