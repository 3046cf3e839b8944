import type { AppDeps } from '../deps';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { integrations } from '../integrations/schema';
import type { IntegrationRow } from '../integrations/service';
import { ApiError, notFound, type ErrorDetail } from '../lib/errors';
import { validationError } from '../lib/validate';
import type { OfferingDefinition } from '../offerings/definition';
import { inputValueProblem } from '../offerings/inputs';
import { findOffering } from '../offerings/service';
import { outboxEvent } from '../webhooks/emit';
import { renderConnection } from './render';
import type { ConnectionRow } from './schema';
import type { ConnectionObject, ImportConnectionBody } from './shapes';
import {
  findAccountConnection,
  planConnectionWrite,
  type ConnectionWrite,
  type EndUser,
  type GrantTokens,
  type ProviderAccount,
  type Secret,
  tagsFromLink,
} from './write-plan';

export type { ConnectionWrite, EndUser, GrantTokens, ProviderAccount } from './write-plan';

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
  /** The link's tags, given to the connection; absent or empty, a reconnect keeps its own. */
  tags?: Record<string, string>;
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
  tags?: Record<string, string>;
}

export interface SavedConnection {
  connection: ConnectionObject;
  created: boolean;
}
async function findIntegrationOf(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil'>,
  orgId: string,
  integrationId: string,
): Promise<IntegrationRow | undefined> {
  // An integration being deleted takes no new connections.
  return deps.db.query.integrations.findFirst({
    where: and(eq(integrations.id, integrationId), eq(integrations.orgId, orgId), isNull(integrations.deletingAt)),
  });
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
    ...tagsFromLink(input.tags),
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
  const offering = await findOffering(deps.db, integration.offeringId, { orgId: integration.orgId });
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
    ...tagsFromLink(input.tags),
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
      metadata: body.provider_metadata ?? {},
      ...(body.tags !== undefined ? { tags: body.tags } : {}),
      ...(body.metadata !== undefined ? { userMetadata: body.metadata } : {}),
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
