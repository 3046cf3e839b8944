import type { AppDeps } from '../deps';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client';
import { valuesWhere } from '../db/conditional-insert';
import type { IntegrationRow } from '../integrations/service';
import { randomToken } from '../lib/crypto';
import { newId } from '../lib/ids';
import { connectionEventData } from './render';
import { connections, type ConnectionRow } from './schema';
import { sealAccessToken, sealCredentials, sealRefreshToken, type CredentialMode } from './sealed';

// How a connection is written: sealed over its row id, as one statement for whichever batch
// must land it together with other writes (the connect flow's, or an import's with its event).

export interface EndUser {
  id: string;
  email?: string | null;
  name?: string | null;
}

export interface ProviderAccount {
  id: string;
  email?: string | null;
  name?: string | null;
}

export interface GrantTokens {
  accessToken: string;
  /** Absent: a reconnect keeps the refresh token the connection had. */
  refreshToken?: string;
  tokenType: string;
  /** Epoch ms; null when the token does not expire. */
  expiresAt: number | null;
}

export type Secret = { kind: 'oauth'; tokens: GrantTokens } | { kind: 'credentials'; mode: CredentialMode; credentials: Record<string, string> };

/** Everything a stored connection is made of, whichever way it was obtained. */
export interface ConnectionWrite {
  integration: IntegrationRow;
  linkId: string | null;
  endUser: EndUser;
  account: ProviderAccount;
  /** Provider metadata (instance_url); a reconnect adds to what the connection has. */
  metadata: Record<string, string>;
  /** The developer's own tags and metadata: set when given; a reconnect without them keeps the connection's. */
  tags?: Record<string, string>;
  userMetadata?: Record<string, unknown>;
  inputs: Record<string, string>;
  scopes: string[];
  secret: Secret;
}

/**
 * A link's tags as a connection write's: a link with tags gives them (a reconnect's tags are
 * replaced by them, so the cap of 10 holds); a link without any leaves a reconnect's own.
 */
export const tagsFromLink = (tags: Record<string, string> | undefined): Pick<ConnectionWrite, 'tags'> => (tags && Object.keys(tags).length > 0 ? { tags } : {});

async function sealSecret(deps: Pick<AppDeps, 'keyring'>, id: string, secret: Secret) {
  if (secret.kind === 'credentials') {
    return {
      accessTokenEnc: await sealCredentials(deps.keyring, id, secret.credentials),
      refreshTokenEnc: null,
      // token_type keeps naming the mode: it is what the token route has always answered.
      tokenType: secret.mode,
      credentialMode: secret.mode,
      expiresAt: null,
    };
  }
  const { tokens } = secret;
  return {
    accessTokenEnc: await sealAccessToken(deps.keyring, id, tokens.accessToken),
    refreshTokenEnc: tokens.refreshToken ? await sealRefreshToken(deps.keyring, id, tokens.refreshToken) : null,
    tokenType: tokens.tokenType,
    credentialMode: 'oauth' as const,
    expiresAt: tokens.expiresAt,
  };
}

/** Rows of the same integration, end user and provider account: the one a reconnect updates. */
export function sameAccount(write: Pick<ConnectionWrite, 'integration' | 'endUser' | 'account'>): SQL {
  return and(
    eq(connections.integrationId, write.integration.id),
    eq(connections.endUserId, write.endUser.id),
    eq(connections.providerAccountId, write.account.id),
  )!;
}

/** The connection of the same integration, end user and provider account (a reconnect), if any. */
export function findAccountConnection(db: Db, write: Pick<ConnectionWrite, 'integration' | 'endUser' | 'account'>): Promise<ConnectionRow | undefined> {
  return db.query.connections.findFirst({ where: sameAccount(write) });
}

/** A connection's INSERT or UPDATE, sealed and ready for a batch. */
export interface ConnectionWritePlan {
  connectionId: string;
  created: boolean;
  /** Runs only where the `when` it was planned with holds; RETURNING the row when it landed. */
  statement: BatchItem<'sqlite'>;
  /** Holds later in the same batch exactly when the statement landed (it wrote its own mark). */
  landed: SQL;
  event: { type: 'connection.created' | 'connection.updated'; data: Record<string, unknown> };
}

/**
 * Plans the write over what was read (`existing`: one read, before sealing, since the AAD holds
 * the row id). The row gets a random write mark in `lease_id` (with `lease_until` null the
 * lease is free, and an in-flight refresh, conditional on its own lease id, misses), so `landed`
 * tells this write from any other. An update is conditional on the version read; an insert
 * that loses the unique index to a concurrent first connect does nothing. Either way a miss
 * leaves `landed` false and the caller reads again.
 */
export async function planConnectionWrite(
  deps: Pick<AppDeps, 'db' | 'keyring'>,
  existing: ConnectionRow | undefined,
  write: ConnectionWrite,
  when: SQL,
  now = Date.now(),
): Promise<ConnectionWritePlan> {
  const { integration } = write;
  const mark = randomToken(16);
  if (existing) {
    const sealed = await sealSecret(deps, existing.id, write.secret);
    const set = {
      linkId: write.linkId ?? existing.linkId,
      endUserEmail: write.endUser.email ?? existing.endUserEmail,
      endUserName: write.endUser.name ?? existing.endUserName,
      accountEmail: write.account.email ?? existing.accountEmail,
      accountName: write.account.name ?? existing.accountName,
      metadata: { ...existing.metadata, ...write.metadata },
      tags: write.tags ?? existing.tags,
      userMetadata: write.userMetadata ?? existing.userMetadata,
      inputs: write.inputs,
      scopes: write.scopes,
      status: 'active' as const,
      ...sealed,
      // A new grant without a refresh token keeps the one we have (the envelope is bound to this id).
      refreshTokenEnc: sealed.refreshTokenEnc ?? (write.secret.kind === 'oauth' ? existing.refreshTokenEnc : null),
      lastRefreshError: null,
      refreshFailures: 0,
      nextRefreshAttemptAt: null,
      leaseId: mark,
      leaseUntil: null,
      updatedAt: now,
    };
    const statement = deps.db
      .update(connections)
      .set({ ...set, version: sql`${connections.version} + 1` })
      .where(and(eq(connections.id, existing.id), eq(connections.version, existing.version), when))
      .returning();
    return {
      connectionId: existing.id,
      created: false,
      statement,
      landed: sql`exists (select 1 from ${connections} where ${and(eq(connections.id, existing.id), eq(connections.leaseId, mark))})`,
      event: { type: 'connection.updated', data: connectionEventData({ ...existing, ...set, version: existing.version + 1 }) },
    };
  }
  const id = newId('con');
  const row: ConnectionRow = {
    id,
    orgId: integration.orgId,
    integrationId: integration.id,
    linkId: write.linkId,
    endUserId: write.endUser.id,
    endUserEmail: write.endUser.email ?? null,
    endUserName: write.endUser.name ?? null,
    providerAccountId: write.account.id,
    accountEmail: write.account.email ?? null,
    accountName: write.account.name ?? null,
    metadata: write.metadata,
    userMetadata: write.userMetadata ?? {},
    tags: write.tags ?? {},
    inputs: write.inputs,
    scopes: write.scopes,
    status: 'active',
    ...(await sealSecret(deps, id, write.secret)),
    lastRefreshedAt: null,
    lastRefreshError: null,
    refreshFailures: 0,
    nextRefreshAttemptAt: null,
    leaseId: mark,
    leaseUntil: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  return {
    connectionId: id,
    created: true,
    statement: deps.db
      .insert(connections)
      .select(valuesWhere(connections, row, when))
      .onConflictDoNothing()
      .returning(),
    landed: sql`exists (select 1 from ${connections} where ${and(eq(connections.id, id), eq(connections.leaseId, mark))})`,
    event: { type: 'connection.created', data: connectionEventData(row) },
  };
}
