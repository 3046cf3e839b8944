import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { encrypt, parseKeyring } from '../../src/lib/crypto';
import { call, newTenant } from '../helpers/api';
import { oauthError, stubProvider } from '../helpers/outbound';
import { TEST_ENCRYPTION_KEYS } from '../helpers/secrets';

const K1_ONLY = TEST_ENCRYPTION_KEYS.split(',').find((entry) => entry.startsWith('k1:'))!;
export const keyring = () => parseKeyring(env.ENCRYPTION_KEYS);
export const sealWithOldKey = async (plaintext: string, aad: string) => encrypt(await parseKeyring(K1_ONLY), plaintext, aad);

export async function createIntegration(apiKey: string) {
  const provider = stubProvider(() => oauthError('invalid_grant'));
  const res = await call('/api/v1/integrations', {
    method: 'POST',
    token: apiKey,
    body: { name: 'Salesforce', offering_id: 'off_salesforce', client_id: 'cid', client_secret: 'old-client-secret', scopes: ['api', 'refresh_token'] },
  });
  provider.restore();
  expect(res.status).toBe(201);
  return res.json.id as string;
}

/** Puts a k1 envelope in place, as a row written before the key rotation would hold. */
export async function ageIntegration(id: string, plaintext = 'old-client-secret') {
  const envelope = await sealWithOldKey(plaintext, `integrations/${id}/client_secret`);
  await env.DB.prepare('UPDATE integrations SET client_secret_enc = ? WHERE id = ?').bind(envelope, id).run();
  return envelope;
}

export const integrationSecret = async (id: string) =>
  (await env.DB.prepare('SELECT client_secret_enc AS v FROM integrations WHERE id = ?').bind(id).first<{ v: string }>())!.v;

export async function insertConnection(orgId: string, integrationId: string, tokens = { access: 'old-access-token', refresh: 'old-refresh-token' }) {
  const id = `con_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO connections (id, org_id, integration_id, end_user_id, provider_account_id, metadata, scopes, status,
       access_token_enc, refresh_token_enc, token_type, expires_at, last_refreshed_at, created_at, updated_at)
     VALUES (?, ?, ?, 'user-1', ?, '{}', '[]', 'active', ?, ?, 'Bearer', ?, ?, ?, ?)`,
  )
    .bind(
      id,
      orgId,
      integrationId,
      `acct-${id}`,
      await sealWithOldKey(tokens.access, `connections/${id}/access_token`),
      await sealWithOldKey(tokens.refresh, `connections/${id}/refresh_token`),
      now + 24 * 60 * 60_000,
      now,
      now,
      now,
    )
    .run();
  return id;
}

export async function insertLink(orgId: string, token = 'old-link-token') {
  const id = `lnk_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO links (id, org_id, name, end_user_id, token_hash, token_enc, created_at, updated_at) VALUES (?, ?, 'Link', 'user-1', ?, ?, ?, ?)`,
  )
    .bind(id, orgId, `hash-${id}`, await sealWithOldKey(token, `links/${id}/token`), now, now)
    .run();
  return id;
}

/** One sealed value as a test put it in place: where it lives, what it binds to, what it holds. */
export interface PlantedSecret {
  table: string;
  column: string;
  keyColumn: string;
  key: string;
  aad: string;
  plaintext: string;
}

export const readEnvelope = async (s: PlantedSecret) =>
  (await env.DB.prepare(`SELECT ${s.column} AS v FROM ${s.table} WHERE ${s.keyColumn} = ?`).bind(s.key).first<{ v: string }>())!.v;

/** A tenant whose every sealed column holds an envelope under the old key `k1`. */
export async function tenantWithStaleSecrets(): Promise<PlantedSecret[]> {
  const { apiKey, orgId } = await newTenant();
  const tag = crypto.randomUUID();
  const integrationId = await createIntegration(apiKey);
  await ageIntegration(integrationId, `client-secret-${tag}`);
  const connectionId = await insertConnection(orgId, integrationId, { access: `access-${tag}`, refresh: `refresh-${tag}` });
  const linkId = await insertLink(orgId, `link-${tag}`);
  const put = await call('/api/v1/webhook', { method: 'PUT', token: apiKey, body: { url: 'https://hooks.example.com/' } });
  expect(put.status).toBe(200);
  await env.DB.prepare('UPDATE webhook_endpoints SET secret_enc = ? WHERE org_id = ?')
    .bind(await sealWithOldKey(put.json.secret, `webhook_endpoints/${orgId}/secret`), orgId)
    .run();
  return [
    {
      table: 'integrations',
      column: 'client_secret_enc',
      keyColumn: 'id',
      key: integrationId,
      aad: `integrations/${integrationId}/client_secret`,
      plaintext: `client-secret-${tag}`,
    },
    {
      table: 'connections',
      column: 'access_token_enc',
      keyColumn: 'id',
      key: connectionId,
      aad: `connections/${connectionId}/access_token`,
      plaintext: `access-${tag}`,
    },
    {
      table: 'connections',
      column: 'refresh_token_enc',
      keyColumn: 'id',
      key: connectionId,
      aad: `connections/${connectionId}/refresh_token`,
      plaintext: `refresh-${tag}`,
    },
    { table: 'links', column: 'token_enc', keyColumn: 'id', key: linkId, aad: `links/${linkId}/token`, plaintext: `link-${tag}` },
    { table: 'webhook_endpoints', column: 'secret_enc', keyColumn: 'org_id', key: orgId, aad: `webhook_endpoints/${orgId}/secret`, plaintext: put.json.secret },
  ];
}
