import type { AppDeps } from '../deps';
import { and, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client';
import { randomToken } from '../lib/crypto';
import { integrations } from '../integrations/schema';
import type { IntegrationRow } from '../integrations/service';
import { ApiError, notFound, type ErrorDetail } from '../lib/errors';
import { newId } from '../lib/ids';
import { validationError } from '../lib/validate';
import type { OfferingDefinition } from '../offerings/definition';
import { inputValueProblem } from '../offerings/inputs';
import { findOffering } from '../offerings/service';
import { outboxEvent } from '../webhooks/emit';
import { connectionEventData, renderConnection } from './render';
import type { ConnectionRow } from './schema';
import { connections } from './schema';
import { sealAccessToken, sealCredentials, sealRefreshToken, type CredentialMode } from './sealed';
import type { ConnectionObject, ImportConnectionBody } from './shapes';

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

/** What the connect flow's callback has after a successful code exchange. */
export interface GrantInput {
  /** The organization the connection is for; it must own the integration. */
  orgId: string;
  /** The integration row the caller already read (and found connectable). */
  integration: IntegrationRow;
  linkId: string | null;
  endUser: EndUser;
  account: ProviderAccount;
  metadata: Record<string, string>;
  /** End-user inputs (Salesforce My Domain): refresh and revocation go to the same host. */
  inputs: Record<string, string>;
  scopes: string[];
  tokens: GrantTokens;
}

/** What the link page's form has for an API-key or basic offering, after verifying it. */
export interface CredentialsInput {
  /** The organization the connection is for; it must own the integration. */
  orgId: string;
  /** The integration row the caller already read (and found connectable). */
  integration: IntegrationRow;
  linkId: string | null;
  endUser: EndUser;
  account: ProviderAccount;
  credentials: Record<string, string>;
  inputs?: Record<string, string>;
  metadata?: Record<string, string>;
}

export interface SavedConnection {
  connection: ConnectionObject;
  created: boolean;
}

export type Secret = { kind: 'oauth'; tokens: GrantTokens } | { kind: 'credentials'; mode: CredentialMode; credentials: Record<string, string> };

/** Everything a stored connection is made of, whichever way it was obtained. */
export interface ConnectionWrite {
  integration: IntegrationRow;
  linkId: string | null;
  endUser: EndUser;
  account: ProviderAccount;
  metadata: Record<string, string>;
  inputs: Record<string, string>;
  scopes: string[];
  secret: Secret;
}

async function findIntegrationOf(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>,
  orgId: string,
  integrationId: string,
): Promise<IntegrationRow | undefined> {
  return deps.db.query.integrations.findFirst({ where: and(eq(integrations.id, integrationId), eq(integrations.orgId, orgId)) });
}

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

/** The connection of the same integration, end user and provider account (a reconnect), if any. */
export function findAccountConnection(db: Db, write: Pick<ConnectionWrite, 'integration' | 'endUser' | 'account'>): Promise<ConnectionRow | undefined> {
  return db.query.connections.findFirst({
    where: and(
      eq(connections.integrationId, write.integration.id),
      eq(connections.endUserId, write.endUser.id),
      eq(connections.providerAccountId, write.account.id),
    ),
  });
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
    statement: conditionalInsert(deps.db, row, when),
    landed: sql`exists (select 1 from ${connections} where ${and(eq(connections.id, id), eq(connections.leaseId, mark))})`,
    event: { type: 'connection.created', data: connectionEventData(row) },
  };
}

/** INSERT … SELECT … WHERE `when`, every column in table order; a unique-index conflict does nothing. */
function conditionalInsert(db: Db, row: ConnectionRow, when: SQL) {
  const byProperty = row as unknown as Record<string, unknown>;
  const selected = Object.entries(getTableColumns(connections)).map(([property, column]) => {
    const value = byProperty[property];
    return value === undefined || value === null ? sql`null` : sql.param(value, column);
  });
  return db
    .insert(connections)
    .select(sql`select ${sql.join(selected, sql`, `)} where ${when}`)
    .onConflictDoNothing()
    .returning();
}

/**
 * Creates the connection, or updates the one for the same integration, end user and provider
 * account (a reconnect), with its event in the same batch (outbox). A concurrent write that
 * wins (the unique index, or a version move) makes this read and plan once more.
 */
async function upsertConnection(deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>, write: ConnectionWrite, now = Date.now()): Promise<SavedConnection> {
  const { integration } = write;
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await findAccountConnection(deps.db, write);
    const plan = await planConnectionWrite(deps, existing, write, sql`1`, now);
    const outbox = await outboxEvent(deps, integration.orgId, plan.event.type, plan.event.data, {
      change: `connections/${plan.connectionId}/v${existing?.version ?? 0}/${plan.event.type}`,
      when: plan.landed,
      now,
    });
    const [written, inserted] = await deps.db.batch([plan.statement, outbox.statement]);
    const row = (written as ConnectionRow[])[0];
    if (row) {
      outbox.deliver(inserted);
      return { connection: renderConnection(row, integration), created: plan.created };
    }
  }
  throw new ApiError(409, 'conflict', 'The connection changed while it was being saved; try again.');
}

/** Another organization's integration is as unknown as a missing one. */
function ownIntegration(orgId: string, integration: IntegrationRow): IntegrationRow {
  if (integration.orgId !== orgId) throw notFound('integration', integration.id);
  return integration;
}

/** The connect flow's callback, after a successful code exchange. */
export async function saveConnectionFromGrant(deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>, input: GrantInput): Promise<SavedConnection> {
  const integration = ownIntegration(input.orgId, input.integration);
  return upsertConnection(deps, {
    integration,
    linkId: input.linkId,
    endUser: input.endUser,
    account: input.account,
    metadata: input.metadata,
    inputs: input.inputs,
    scopes: input.scopes,
    secret: { kind: 'oauth', tokens: input.tokens },
  });
}

function credentialProblems(offering: OfferingDefinition, credentials: Record<string, string>, field: string): ErrorDetail[] {
  const declared = new Set(offering.credentials.map((c) => c.key));
  const details: ErrorDetail[] = [];
  for (const key of Object.keys(credentials)) {
    if (!declared.has(key)) details.push({ location: 'body', field: `${field}.${key}`, message: `is not a credential ${offering.name} takes` });
  }
  for (const c of offering.credentials) {
    if (!credentials[c.key]) details.push({ location: 'body', field: `${field}.${c.key}`, message: `${c.label} is required` });
  }
  return details;
}

function inputProblems(offering: OfferingDefinition, inputs: Record<string, string>, field: string): ErrorDetail[] {
  const byKey = new Map(offering.inputs.filter((i) => i.source === 'end_user').map((i) => [i.key, i]));
  return Object.entries(inputs).flatMap(([key, value]): ErrorDetail[] => {
    const input = byKey.get(key);
    if (!input) return [{ location: 'body', field: `${field}.${key}`, message: `is not an input ${offering.name} takes from the end user` }];
    const problem = inputValueProblem(input, value);
    return problem ? [{ location: 'body', field: `${field}.${key}`, message: problem }] : [];
  });
}

async function offeringOf(deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>, integration: IntegrationRow): Promise<OfferingDefinition> {
  const offering = await findOffering(deps.db, integration.offeringId);
  if (!offering) throw new ApiError(409, 'offering_missing', `The offering '${integration.offeringId}' of this integration no longer exists.`);
  return offering.definition;
}

/** The link page's form for API-key and basic offerings; the fields are stored like tokens. */
export async function saveConnectionFromCredentials(deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>, input: CredentialsInput): Promise<SavedConnection> {
  const integration = ownIntegration(input.orgId, input.integration);
  const offering = await offeringOf(deps, integration);
  if (offering.auth_mode === 'oauth2') throw new ApiError(409, 'wrong_auth_mode', `${offering.name} connects through OAuth, not with credentials.`);
  const problems = [...credentialProblems(offering, input.credentials, 'credentials'), ...inputProblems(offering, input.inputs ?? {}, 'inputs')];
  if (problems.length > 0) throw validationError(problems);
  return upsertConnection(deps, {
    integration,
    linkId: input.linkId,
    endUser: input.endUser,
    account: input.account,
    metadata: input.metadata ?? {},
    inputs: input.inputs ?? {},
    scopes: [],
    secret: { kind: 'credentials', mode: offering.auth_mode, credentials: input.credentials },
  });
}

/** POST /connections: tokens obtained elsewhere (a migration from another broker). */
export async function importConnection(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>,
  orgId: string,
  body: ImportConnectionBody,
  now = Date.now(),
): Promise<SavedConnection> {
  const integration = await findIntegrationOf(deps, orgId, body.integration_id);
  if (!integration) {
    throw validationError([{ location: 'body', field: 'integration_id', message: `no integration with id '${body.integration_id}'` }]);
  }
  const offering = await offeringOf(deps, integration);
  const problems = inputProblems(offering, body.inputs ?? {}, 'inputs');
  if (offering.auth_mode === 'oauth2' && body.access_token === undefined) {
    problems.push({ location: 'body', field: 'access_token', message: `is required: ${offering.name} uses OAuth 2.0` });
  }
  if (offering.auth_mode !== 'oauth2') {
    if (body.credentials === undefined) {
      problems.push({ location: 'body', field: 'credentials', message: `are required: ${offering.name} takes credentials, not tokens` });
    } else {
      problems.push(...credentialProblems(offering, body.credentials, 'credentials'));
    }
  }
  if (problems.length > 0) throw validationError(problems);

  const secret: Secret =
    offering.auth_mode === 'oauth2'
      ? {
          kind: 'oauth',
          tokens: {
            accessToken: body.access_token!,
            ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}),
            tokenType: body.token_type ?? 'Bearer',
            expiresAt: importedExpiry(body, offering, now),
          },
        }
      : { kind: 'credentials', mode: offering.auth_mode, credentials: body.credentials! };
  return upsertConnection(
    deps,
    {
      integration,
      linkId: null,
      endUser: { id: body.end_user.id, email: body.end_user.email ?? null, name: body.end_user.display_name ?? null },
      account: { id: body.provider_account_id, email: body.account?.email ?? null, name: body.account?.name ?? null },
      metadata: body.metadata ?? {},
      inputs: body.inputs ?? {},
      // RFC 6749 §5.1: a reply without scope granted what was asked, i.e. the integration's scopes.
      scopes: body.scopes ?? (offering.auth_mode === 'oauth2' ? integration.scopes : []),
      secret,
    },
    now,
  );
}

/** As the token reply parser would: given expiry, else the offering's default lifetime, else none. */
function importedExpiry(body: ImportConnectionBody, offering: OfferingDefinition, now: number): number | null {
  if (body.expires_at !== undefined) return Date.parse(body.expires_at);
  if (body.expires_in !== undefined) return now + body.expires_in * 1000;
  const fallback = offering.token_response.default_expires_in;
  return fallback === null ? null : now + fallback * 1000;
}
