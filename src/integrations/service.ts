import type { AppDeps } from '../deps';
import { and, count, eq, isNull, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { decrypt, encrypt, type Keyring } from '../lib/crypto';
import { ApiError, notFound, type ErrorDetail } from '../lib/errors';
import { newId } from '../lib/ids';
import { pageWindow, toPage } from '../lib/pagination';
import { nameContains } from '../lib/search';
import { iso } from '../lib/shapes';
import { validationError } from '../lib/validate';
import type { OfferingDefinition } from '../offerings/definition';
import { inputValueProblem } from '../offerings/inputs';
import { integrationInputUrlProblems } from '../offerings/integration-urls';
import { outboundPolicy } from '../lib/outbound-url';
import { findScopeProblems } from '../offerings/scopes';
import { listPlaceholders } from '../offerings/template';
import { findOffering, type Offering, type PreparedOffering } from '../offerings/service';
import { reservedParamsFor } from '../provider/authorization-url';
import { verifyClientCredentials } from '../provider/client-verification';
import { clientSecretAad } from './sealed';
import { integrations, type Verification } from './schema';
import { scheduleAfter } from './verification-schedule';
import type { CreateIntegrationBody, IntegrationObject, UpdateIntegrationBody } from './shapes';

export type IntegrationRow = typeof integrations.$inferSelect;

/** The one URL every integration registers at its provider. */
export function callbackUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/v1/oauth/callback`;
}

/**
 * Whether links may start connections: verified, or waiting for a first connection to verify it
 * (only where the provider answered but could not tell), and not being deleted.
 */
export function isConnectable(row: Pick<IntegrationRow, 'status' | 'verification' | 'deletingAt'>): boolean {
  return row.deletingAt === null && (row.status === 'configured' || row.verification?.pending_first_connection === true);
}

/**
 * The organization's integration as every reader sees it: one whose cascade delete has started
 * (deleting_at set, connections going in chunks) is gone already.
 */
const visible = (orgId: string, id: string) => and(eq(integrations.id, id), eq(integrations.orgId, orgId), isNull(integrations.deletingAt));

export function renderIntegration(row: IntegrationRow, publicUrl: string): IntegrationObject {
  return {
    id: row.id,
    name: row.name,
    offering_id: row.offeringId,
    client_id: row.clientId,
    has_client_secret: row.clientSecretEnc !== null,
    scopes: row.scopes,
    authorization_params: row.authorizationParams,
    inputs: row.inputs,
    status: row.status,
    connectable: isConnectable(row),
    verification: row.verification ?? null,
    next_verification_at: iso(row.nextVerificationAt),
    callback_url: callbackUrl(publicUrl),
    created_at: iso(row.createdAt)!,
    updated_at: iso(row.updatedAt)!,
  };
}

interface Settings {
  clientId: string | null;
  clientSecret: string | null;
  scopes: string[];
  authorizationParams: Record<string, string>;
  inputs: Record<string, string>;
}

/** Every problem with the settings against the offering, as body fields. */
function settingsProblems(offering: OfferingDefinition, s: Settings): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const bad = (field: string, message: string) => details.push({ location: 'body', field, message });
  if (offering.auth_mode === 'oauth2') {
    for (const problem of findScopeProblems(offering, s.scopes)) bad('scopes', problem);
    const reserved = new Set(reservedParamsFor(offering));
    for (const key of Object.keys(s.authorizationParams)) {
      if (reserved.has(key)) bad(`authorization_params.${key}`, 'is set by Edgelink and cannot be overridden');
    }
  } else {
    if (s.clientId !== null) bad('client_id', `is not used: ${offering.name} takes credentials from each end user`);
    if (s.clientSecret !== null) bad('client_secret', `is not used: ${offering.name} takes credentials from each end user`);
    if (s.scopes.length > 0) bad('scopes', `are not used by ${offering.name}`);
  }
  const inputsByKey = new Map(offering.inputs.filter((i) => i.source === 'integration').map((i) => [i.key, i]));
  for (const [key, value] of Object.entries(s.inputs)) {
    const input = inputsByKey.get(key);
    if (!input) {
      bad(`inputs.${key}`, `is not an input ${offering.name} takes from the organization`);
      continue;
    }
    const problem = inputValueProblem(input, value);
    if (problem) bad(`inputs.${key}`, problem);
  }
  return details;
}

/** Hosts the organization's own input values would send its secret to, under the outbound-URL policy. */
function inputUrlProblems(offering: OfferingDefinition, s: Settings, publicUrl: string): ErrorDetail[] {
  return integrationInputUrlProblems(offering, s.inputs, outboundPolicy(publicUrl)).map(({ key, message }) => ({
    location: 'body',
    field: `inputs.${key}`,
    message,
  }));
}

/** What is still missing before verification can run. */
function missingFields(offering: OfferingDefinition, s: Settings): string[] {
  if (offering.auth_mode !== 'oauth2') return [];
  const missing: string[] = [];
  if (!s.clientId) missing.push('client_id');
  if (!s.clientSecret) missing.push('client_secret');
  for (const input of offering.inputs) {
    if (input.source === 'integration' && input.default === undefined && !s.inputs[input.key]) missing.push(`inputs.${input.key}`);
  }
  return missing;
}

/** Labels of the end-user inputs without a default that the token URL needs: no value exists before a first connection. */
function endUserInputsOfTokenUrl(offering: OfferingDefinition): string[] {
  const names = new Set(offering.token_url === undefined ? [] : listPlaceholders(offering.token_url));
  return offering.inputs.filter((i) => i.source === 'end_user' && i.default === undefined && names.has(i.key)).map((i) => i.label);
}

/** Draft until verified; api-key offerings have nothing to verify here (end users bring keys). */
export async function assess(offering: OfferingDefinition, s: Settings, deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>, now: number) {
  const checkedAt = new Date(now).toISOString();
  let verification: Verification;
  if (offering.auth_mode !== 'oauth2') {
    verification = {
      result: 'not_needed',
      message: 'End users give their own credentials on the link page.',
      checked_at: checkedAt,
      pending_first_connection: false,
    };
  } else {
    const missing = missingFields(offering, s);
    const endUser = endUserInputsOfTokenUrl(offering);
    verification =
      missing.length > 0
        ? { result: 'incomplete', message: `Missing: ${missing.join(', ')}.`, checked_at: checkedAt, pending_first_connection: false }
        : endUser.length > 0
          ? {
              result: 'inconclusive',
              message: `The token URL depends on what each end user enters (${endUser.join(', ')}), so the credentials cannot be checked now; the first connection will verify the integration.`,
              checked_at: checkedAt,
              pending_first_connection: true,
            }
          : await verifyClientCredentials(
              {
                offering,
                client: { clientId: s.clientId!, clientSecret: s.clientSecret! },
                inputs: s.inputs,
                callbackUrl: callbackUrl(deps.publicUrl),
                publicUrl: deps.publicUrl,
              },
              now,
            );
  }
  const configured = verification.result === 'verified' || verification.result === 'not_needed';
  return { status: configured ? ('configured' as const) : ('draft' as const), verification };
}

async function usableOffering(db: Db, orgId: string, offeringId: string): Promise<Offering> {
  // Another organization's own offering reads exactly as one that does not exist.
  const offering = await findOffering(db, offeringId, { orgId });
  if (!offering) {
    throw validationError([{ location: 'body', field: 'offering_id', message: `no offering with id '${offeringId}'` }]);
  }
  if (!offering.enabled) {
    throw new ApiError(422, 'offering_disabled', `The offering '${offeringId}' is disabled by the operator; it cannot get new integrations.`);
  }
  return offering;
}

/** `withOffering`: an offering made in the same step (Integry's form), written in one batch with the integration. */
export async function createIntegration(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>,
  orgId: string,
  body: CreateIntegrationBody,
  now = Date.now(),
  withOffering?: PreparedOffering,
) {
  const { definition } = withOffering?.offering ?? (await usableOffering(deps.db, orgId, body.offering_id));
  const settings: Settings = {
    clientId: body.client_id ?? null,
    clientSecret: body.client_secret ?? null,
    scopes: body.scopes ?? [...new Set([...definition.required_scopes, ...definition.default_scopes])],
    authorizationParams: body.authorization_params ?? {},
    inputs: body.inputs ?? {},
  };
  const problems = [...settingsProblems(definition, settings), ...inputUrlProblems(definition, settings, deps.publicUrl)];
  if (problems.length > 0) throw validationError(problems);

  const id = newId('int');
  const { status, verification } = await assess(definition, settings, deps, now);
  const row: IntegrationRow = {
    id,
    orgId,
    offeringId: definition.id,
    name: body.name,
    clientId: settings.clientId,
    clientSecretEnc: settings.clientSecret ? await encrypt(deps.keyring, settings.clientSecret, clientSecretAad(id)) : null,
    scopes: settings.scopes,
    authorizationParams: settings.authorizationParams,
    inputs: settings.inputs,
    status,
    verification,
    createdAt: now,
    updatedAt: now,
    deletingAt: null,
    ...scheduleAfter(verification, 0, now),
  };
  if (withOffering) await deps.db.batch([withOffering.insert, deps.db.insert(integrations).values(row)]);
  else await deps.db.insert(integrations).values(row);
  return renderIntegration(row, deps.publicUrl);
}

export async function findIntegration(db: Db, orgId: string, id: string): Promise<IntegrationRow> {
  const row = await db.query.integrations.findFirst({ where: visible(orgId, id) });
  if (!row) throw notFound('integration', id);
  return row;
}

/**
 * An offering whose token endpoint could not tell a good client from a bad one is verified by
 * its first successful connection. Conditional on `draft`, so a later change of settings wins.
 */
export async function markVerifiedByConnection(db: Db, integrationId: string, now = Date.now()): Promise<void> {
  await verifiedByConnectionStatement(db, integrationId, now);
}

/**
 * The same change as a statement, for the batch that stores that first connection: run only
 * where `when` holds (the connection landed), so a draft is never verified by a failed save.
 */
export function verifiedByConnectionStatement(db: Db, integrationId: string, now: number, when?: SQL) {
  return db
    .update(integrations)
    .set({
      status: 'configured',
      verification: {
        result: 'verified',
        message: 'Verified by the first successful connection.',
        checked_at: new Date(now).toISOString(),
        pending_first_connection: false,
      },
      updatedAt: now,
    })
    .where(and(eq(integrations.id, integrationId), eq(integrations.status, 'draft'), when));
}

export async function decryptClientSecret(keyring: Keyring, row: IntegrationRow): Promise<string | null> {
  return row.clientSecretEnc === null ? null : decrypt(keyring, row.clientSecretEnc, clientSecretAad(row.id));
}

/** The integration, its offering and its current settings (secret decrypted), for a change. */
export async function loadForChange(deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>, orgId: string, id: string) {
  const row = await findIntegration(deps.db, orgId, id);
  const offering = await findOffering(deps.db, row.offeringId, { orgId });
  if (!offering) throw new ApiError(409, 'offering_missing', `The offering '${row.offeringId}' of this integration no longer exists.`);
  const settings: Settings = {
    clientId: row.clientId,
    clientSecret: await decryptClientSecret(deps.keyring, row),
    scopes: row.scopes,
    authorizationParams: row.authorizationParams,
    inputs: row.inputs,
  };
  return { row, offering, settings };
}

export async function updateIntegration(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>,
  orgId: string,
  id: string,
  patch: UpdateIntegrationBody,
  now = Date.now(),
) {
  const { row, offering, settings: current } = await loadForChange(deps, orgId, id);
  const next: Settings = {
    clientId: patch.client_id ?? current.clientId,
    clientSecret: patch.client_secret ?? current.clientSecret,
    scopes: patch.scopes ?? current.scopes,
    authorizationParams: patch.authorization_params ?? current.authorizationParams,
    inputs: patch.inputs ?? current.inputs,
  };
  const problems = [...settingsProblems(offering.definition, next), ...inputUrlProblems(offering.definition, next, deps.publicUrl)];
  if (problems.length > 0) throw validationError(problems);

  // New credentials or a new host void the old verification.
  const credentialsChanged =
    next.clientId !== current.clientId || next.clientSecret !== current.clientSecret || JSON.stringify(next.inputs) !== JSON.stringify(current.inputs);
  const assessed = credentialsChanged ? await assess(offering.definition, next, deps, now) : { status: row.status, verification: row.verification };
  const [updated] = await deps.db
    .update(integrations)
    .set({
      name: patch.name ?? row.name,
      clientId: next.clientId,
      clientSecretEnc: patch.client_secret !== undefined ? await encrypt(deps.keyring, patch.client_secret, clientSecretAad(row.id)) : row.clientSecretEnc,
      scopes: next.scopes,
      authorizationParams: next.authorizationParams,
      inputs: next.inputs,
      status: assessed.status,
      verification: assessed.verification,
      ...(credentialsChanged ? scheduleAfter(assessed.verification ?? { result: 'incomplete' }, 0, now) : {}),
      updatedAt: now,
    })
    .where(visible(orgId, id))
    .returning();
  if (!updated) throw notFound('integration', id);
  return renderIntegration(updated, deps.publicUrl);
}

export async function verifyIntegration(deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>, orgId: string, id: string, now = Date.now()) {
  const { offering, settings } = await loadForChange(deps, orgId, id);
  const { status, verification } = await assess(offering.definition, settings, deps, now);
  // Asked by a person: a failure starts the retries over from the shortest wait.
  const [updated] = await deps.db
    .update(integrations)
    .set({ status, verification, ...scheduleAfter(verification, 0, now), updatedAt: now })
    .where(visible(orgId, id))
    .returning();
  if (!updated) throw notFound('integration', id);
  return renderIntegration(updated, deps.publicUrl);
}

export async function listIntegrations(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>,
  orgId: string,
  query: { limit: number; cursor?: { createdAt: number; id: string }; offering_id?: string; status?: IntegrationRow['status']; name?: string },
) {
  const { after, orderBy } = pageWindow(integrations, query.cursor);
  const rows = await deps.db
    .select()
    .from(integrations)
    .where(
      and(
        eq(integrations.orgId, orgId),
        isNull(integrations.deletingAt),
        query.offering_id ? eq(integrations.offeringId, query.offering_id) : undefined,
        query.status ? eq(integrations.status, query.status) : undefined,
        query.name ? nameContains(integrations.name, query.name) : undefined,
        after,
      ),
    )
    .orderBy(...orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => renderIntegration(row, deps.publicUrl));
}

/** How many integrations use an offering: a custom offering in use cannot be deleted. */
export async function countIntegrationsOfOffering(db: Db, offeringId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(integrations).where(eq(integrations.offeringId, offeringId));
  return row?.n ?? 0;
}
