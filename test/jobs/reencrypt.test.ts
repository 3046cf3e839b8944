import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { decrypt, encrypt, generateKeySpec, parseKeyring } from '../../src/lib/crypto';
import { reencryptStaleSecrets } from '../../src/jobs/reencrypt';
import worker from '../../src/index';
import { call, newTenant } from '../helpers/api';
import { ageIntegration, createIntegration, insertConnection, insertLink, integrationSecret, keyring, sealWithOldKey } from './fixtures';

afterEach(() => vi.restoreAllMocks());

const runJob = async (db = createDb(env.DB)) => reencryptStaleSecrets(db, await keyring(), 100);

describe('the re-encryption job', () => {
  it('re-encrypts every sealed column under the active key, and the values still decrypt', async () => {
    const { apiKey, orgId } = await newTenant();
    const integrationId = await createIntegration(apiKey);
    await ageIntegration(integrationId);
    const connectionId = await insertConnection(orgId, integrationId);
    const linkId = await insertLink(orgId);

    const counts = await runJob();
    expect(counts).toMatchObject({ reencrypted: 4, raced: 0, failed: 0 });

    const ring = await keyring();
    const conn = (await env.DB.prepare('SELECT access_token_enc AS a, refresh_token_enc AS r FROM connections WHERE id = ?')
      .bind(connectionId)
      .first<{ a: string; r: string }>())!;
    const link = (await env.DB.prepare('SELECT token_enc AS t FROM links WHERE id = ?').bind(linkId).first<{ t: string }>())!;
    const sealed = [
      [await integrationSecret(integrationId), `integrations/${integrationId}/client_secret`, 'old-client-secret'],
      [conn.a, `connections/${connectionId}/access_token`, 'old-access-token'],
      [conn.r, `connections/${connectionId}/refresh_token`, 'old-refresh-token'],
      [link.t, `links/${linkId}/token`, 'old-link-token'],
    ] as const;
    for (const [envelope, aad, plaintext] of sealed) {
      expect(envelope).toMatch(/^v1\.k2\./);
      expect(await decrypt(ring, envelope, aad)).toBe(plaintext);
    }
    expect(await runJob()).toMatchObject({ stale: 0, reencrypted: 0 });
  });

  it('re-encrypts a webhook secret when the cron runs, and the endpoint keeps its secret', async () => {
    const { apiKey, orgId } = await newTenant();
    const put = await call('/api/v1/webhook', { method: 'PUT', token: apiKey, body: { url: 'https://hooks.example.com/' } });
    const secret = put.json.secret as string;
    const aad = `webhook_endpoints/${orgId}/secret`;
    await env.DB.prepare('UPDATE webhook_endpoints SET secret_enc = ? WHERE org_id = ?')
      .bind(await sealWithOldKey(secret, aad), orgId)
      .run();

    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ scheduledTime: new Date(), cron: '*/5 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);

    const row = (await env.DB.prepare('SELECT secret_enc AS v FROM webhook_endpoints WHERE org_id = ?').bind(orgId).first<{ v: string }>())!;
    expect(row.v).toMatch(/^v1\.k2\./);
    expect(await decrypt(await keyring(), row.v, aad)).toBe(secret);
    expect((await call('/api/v1/webhook', { token: apiKey })).json.secret_hint).toBe(secret.slice(-4));
  });

  it('leaves a value written meanwhile in place', async () => {
    const { apiKey } = await newTenant();
    const id = await createIntegration(apiKey);
    await ageIntegration(id);
    const rotated = await encrypt(await keyring(), 'rotated-by-the-user', `integrations/${id}/client_secret`);
    // A PATCH lands between the job's read and its write.
    const racingD1 = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === 'batch') {
          return async (statements: D1PreparedStatement[]) => {
            await target.prepare('UPDATE integrations SET client_secret_enc = ? WHERE id = ?').bind(rotated, id).run();
            return target.batch(statements);
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    expect(await runJob(createDb(racingD1))).toMatchObject({ reencrypted: 0, raced: 1 });
    expect(await integrationSecret(id)).toBe(rotated);
  });

  it('skips an envelope that does not decrypt and carries on with the rest', async () => {
    const { apiKey } = await newTenant();
    const broken = await createIntegration(apiKey);
    const good = await createIntegration(apiKey);
    // Sealed for another row: the AAD does not match, so it cannot be opened here.
    const misplaced = await sealWithOldKey('old-client-secret', `integrations/${good}/client_secret`);
    await env.DB.prepare('UPDATE integrations SET client_secret_enc = ? WHERE id = ?').bind(misplaced, broken).run();
    await ageIntegration(good);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});

    expect(await runJob()).toMatchObject({ reencrypted: 1, failed: 1 });
    expect(await integrationSecret(broken)).toBe(misplaced);
    expect(await integrationSecret(good)).toMatch(/^v1\.k2\./);
    expect(error.mock.calls.map((c) => String(c[0])).join('\n')).not.toContain('old-client-secret');
    await env.DB.prepare('DELETE FROM integrations WHERE id = ?').bind(broken).run();
  });

  it('leaves envelopes of keys no longer in the keyring alone', async () => {
    const { apiKey } = await newTenant();
    const id = await createIntegration(apiKey);
    const gone = await encrypt(await parseKeyring(generateKeySpec('k0')), 'lost', `integrations/${id}/client_secret`);
    await env.DB.prepare('UPDATE integrations SET client_secret_enc = ? WHERE id = ?').bind(gone, id).run();
    expect(await runJob()).toMatchObject({ stale: 0, failed: 0 });
    expect(await integrationSecret(id)).toBe(gone);
  });
});
