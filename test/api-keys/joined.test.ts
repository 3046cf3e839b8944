import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { apiKeyJoined } from '../../src/api-keys/joined';
import { findActiveApiKey } from '../../src/api-keys/service';
import { createDb } from '../../src/db/client';
import { call, newTenant } from '../helpers/api';
import { joinedFound } from '../helpers/hot-query';

const db = createDb(env.DB);

/** The key as the hot routes' SQL finds it, and as the app's drizzle lookup (activeApiKeyCondition) does. */
async function bothLookups(secret: string) {
  const now = Date.now();
  const hot = await joinedFound(apiKeyJoined, secret, now);
  const row = await findActiveApiKey(db, secret);
  const app = row && { id: row.id, orgId: row.orgId, lastUsedAt: row.lastUsedAt };
  return { hot, app };
}

/** A known last use, so the column is compared as a value and not only as null. */
const stampLastUse = (keyId: string, at: number) => env.DB.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').bind(at, keyId).run();

describe('apiKeyJoined finds the keys activeApiKeyCondition finds', () => {
  it('finds a live key with its id, organization and last use', async () => {
    const { apiKey, keyId, orgId } = await newTenant();
    const lastUsedAt = Date.now() - 3_600_000;
    await stampLastUse(keyId, lastUsedAt);
    const { hot, app } = await bothLookups(apiKey);
    expect(app).toEqual({ id: keyId, orgId, lastUsedAt });
    expect(hot).toEqual(app);
  });

  it('refuses a revoked key, as the app does', async () => {
    const { apiKey } = await newTenant();
    const created = await call('/api/v1/api_keys', { method: 'POST', token: apiKey, body: { name: 'to revoke' } });
    expect(created.status).toBe(201);
    expect((await bothLookups(created.json.secret)).hot?.id).toBe(created.json.id);
    const revoked = await call(`/api/v1/api_keys/${created.json.id}`, { method: 'DELETE', token: apiKey });
    expect(revoked.status).toBe(200);
    const { hot, app } = await bothLookups(created.json.secret);
    expect(app).toBeUndefined();
    expect(hot).toBeUndefined();
  });

  it('refuses a secret whose hash no key has', async () => {
    const { apiKey } = await newTenant();
    const { hot, app } = await bothLookups(`${apiKey.slice(0, -1)}${apiKey.endsWith('A') ? 'B' : 'A'}`);
    expect(app).toBeUndefined();
    expect(hot).toBeUndefined();
  });

  it("gives another organization's key that organization, not the first one's", async () => {
    const first = await newTenant();
    const other = await newTenant();
    await stampLastUse(other.keyId, Date.now());
    const { hot, app } = await bothLookups(other.apiKey);
    expect(app?.orgId).toBe(other.orgId);
    expect(app?.id).toBe(other.keyId);
    expect(hot).toEqual(app);
    expect(hot?.orgId).not.toBe(first.orgId);
  });
});
