import type { AppDeps } from '../deps';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { decrypt, encrypt, type Keyring } from '../lib/crypto';
import { notFound } from '../lib/errors';
import { outboundPolicy, requireOutboundUrls } from '../lib/outbound-url';
import { iso } from '../lib/shapes';
import { webhookSecretAad } from './sealed';
import { webhookEndpoints } from './schema';
import type { PutWebhookBody, WebhookObject } from './shapes';
import { newSigningSecret } from './signature';

type EndpointRow = typeof webhookEndpoints.$inferSelect;

export async function decryptWebhookSecret(keyring: Keyring, row: Pick<EndpointRow, 'orgId' | 'secretEnc'>): Promise<string> {
  return decrypt(keyring, row.secretEnc, webhookSecretAad(row.orgId));
}

function renderWebhook(row: EndpointRow, secret: string): WebhookObject {
  return {
    url: row.url,
    enabled: row.enabled,
    secret_hint: secret.slice(-4),
    created_at: iso(row.createdAt)!,
    updated_at: iso(row.updatedAt)!,
  };
}

export async function findWebhookEndpoint(db: Db, orgId: string): Promise<EndpointRow | undefined> {
  return db.query.webhookEndpoints.findFirst({ where: eq(webhookEndpoints.orgId, orgId) });
}

/**
 * The organization's signing secret, or null without a configured endpoint. Besides webhook
 * deliveries it signs the connect flow's redirect to a link's redirect_url.
 */
export async function findSigningSecret(deps: Pick<AppDeps, 'db' | 'keyring'>, orgId: string): Promise<string | null> {
  const row = await findWebhookEndpoint(deps.db, orgId);
  return row ? decryptWebhookSecret(deps.keyring, row) : null;
}

export async function getWebhook(deps: Pick<AppDeps, 'db' | 'keyring'>, orgId: string): Promise<WebhookObject> {
  const row = await findWebhookEndpoint(deps.db, orgId);
  if (!row) throw notFound('webhook endpoint; configure one with PUT /api/v1/webhook');
  return renderWebhook(row, await decryptWebhookSecret(deps.keyring, row));
}

/**
 * Creates the organization's endpoint with a new signing secret (returned this once), or
 * updates its URL and switch, keeping the secret. The insert is conditional, so two first
 * PUTs racing create one endpoint and only the winner sees a secret.
 */
export async function putWebhook(deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>, orgId: string, body: PutWebhookBody, now = Date.now()) {
  requireOutboundUrls(outboundPolicy(deps.publicUrl), { url: body.url });
  const secret = newSigningSecret();
  const [created] = await deps.db
    .insert(webhookEndpoints)
    .values({
      orgId,
      url: body.url,
      secretEnc: await encrypt(deps.keyring, secret, webhookSecretAad(orgId)),
      enabled: body.enabled ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (created) return { ...renderWebhook(created, secret), secret };

  const [updated] = await deps.db
    .update(webhookEndpoints)
    .set({ url: body.url, ...(body.enabled === undefined ? {} : { enabled: body.enabled }), updatedAt: now })
    .where(eq(webhookEndpoints.orgId, orgId))
    .returning();
  if (!updated) throw notFound('webhook endpoint');
  return renderWebhook(updated, await decryptWebhookSecret(deps.keyring, updated));
}

/** Replaces the signing secret at once (retries of pending events are signed with the new one). */
export async function rotateWebhookSecret(deps: Pick<AppDeps, 'db' | 'keyring'>, orgId: string, now = Date.now()) {
  const secret = newSigningSecret();
  const [row] = await deps.db
    .update(webhookEndpoints)
    .set({ secretEnc: await encrypt(deps.keyring, secret, webhookSecretAad(orgId)), updatedAt: now })
    .where(eq(webhookEndpoints.orgId, orgId))
    .returning();
  if (!row) throw notFound('webhook endpoint; configure one with PUT /api/v1/webhook');
  return { ...renderWebhook(row, secret), secret };
}
