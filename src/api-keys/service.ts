import { and, eq, isNull, lt, or, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { pageWindow, toPage, type ListQuery } from '../lib/pagination';
import { sha256Hex } from '../lib/crypto';
import { safeError } from '../lib/log';
import { iso } from '../lib/shapes';
import type { ApiKeyObject } from './shapes';
import { apiKeys } from './schema';
import { issueApiKeySecret } from './secret';

type ApiKeyRow = typeof apiKeys.$inferSelect;

export function renderApiKey(row: ApiKeyRow): ApiKeyObject {
  return {
    id: row.id,
    organization_id: row.orgId,
    name: row.name,
    prefix: row.prefix,
    created_at: iso(row.createdAt)!,
    last_used_at: iso(row.lastUsedAt),
    revoked_at: iso(row.revokedAt),
  };
}

/** Creates a key; the returned `secret` exists only in this response. */
export async function createApiKey(db: Db, orgId: string, name: string, now = Date.now()) {
  const issued = await issueApiKeySecret();
  const row: ApiKeyRow = {
    id: newId('key'),
    orgId,
    name,
    prefix: issued.prefix,
    secretHash: issued.secretHash,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
  };
  await db.insert(apiKeys).values(row);
  return { ...renderApiKey(row), secret: issued.secret };
}

export async function listApiKeys(db: Db, orgId: string, query: ListQuery) {
  const { after, orderBy } = pageWindow(apiKeys, query.cursor);
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, orgId), after))
    .orderBy(...orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, renderApiKey);
}

/** Revoking twice is harmless: the first revocation time stays. */
export async function revokeApiKey(db: Db, orgId: string, id: string, now = Date.now()) {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt)))
    .returning();
  if (row) return renderApiKey(row);
  const existing = await db.query.apiKeys.findFirst({ where: and(eq(apiKeys.id, id), eq(apiKeys.orgId, orgId)) });
  if (!existing) throw notFound('API key', id);
  return renderApiKey(existing);
}

/** Selects the live key with this secret; queries that authenticate in a join (the token route) use it too. */
export async function activeApiKeyCondition(secret: string): Promise<SQL> {
  const secretHash = await sha256Hex(secret);
  return and(eq(apiKeys.secretHash, secretHash), isNull(apiKeys.revokedAt))!;
}

export async function findActiveApiKey(db: Db, secret: string): Promise<ApiKeyRow | undefined> {
  return db.query.apiKeys.findFirst({ where: await activeApiKeyCondition(secret) });
}

const TOUCH_INTERVAL_MS = 60_000;

/** Records use at most once a minute, so a busy key does not cost a write per request. */
export const touchDue = (key: Pick<ApiKeyRow, 'lastUsedAt'>, now: number) => key.lastUsedAt === null || now - key.lastUsedAt >= TOUCH_INTERVAL_MS;

export async function touchApiKey(db: Db, key: Pick<ApiKeyRow, 'id' | 'lastUsedAt'>, now: number): Promise<void> {
  if (!touchDue(key, now)) return;
  const stale = now - TOUCH_INTERVAL_MS;
  try {
    await db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, key.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, stale))));
  } catch (err) {
    // Background work the caller never waits for: a stamp that fails is made by the key's next
    // use, and must not surface as an unhandled rejection.
    console.warn(JSON.stringify({ level: 'warn', msg: 'api key last use not recorded', key_id: key.id, ...safeError(err) }));
  }
}
