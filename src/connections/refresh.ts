import type { AppDeps } from '../deps';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { randomToken } from '../lib/crypto';
import { ApiError, notFound } from '../lib/errors';
import { describeFailure, fetchOutbound, type OutboundResult } from '../lib/http';
import { iso } from '../lib/shapes';
import type { OfferingDefinition } from '../offerings/definition';
import { OfferingError } from '../offerings/errors';
import { buildTokenRequest, type ProviderPost } from '../provider/token-request';
import { parseTokenResponse, type TokenSet } from '../provider/token-response';
import { KV_SETTLE_MS } from './parked';
import { loadProviderContext } from './provider';
import { type AbandonedLease, asRefreshed, landRefresh, recoverParkedReply } from './refresh-reply';
import { markNeedsReauth, recordRefreshFailure, releaseLease } from './refresh-writes';
import type { ConnectionRow } from './schema';
import { connections } from './schema';
import { isCredentialConnection, openRefreshToken } from './sealed';

/** A token expiring within this is refreshed before it is handed out. */
export const REFRESH_SKEW_MS = 5 * 60_000;
/** The cron refreshes ahead of callers: tokens expiring within this window. */
export const CRON_REFRESH_WINDOW_MS = 10 * 60_000;
const REFRESH_TIMEOUT_MS = 8_000;
// Longer than the provider call's deadline plus the writes, so a live holder never loses its
// lease and a crashed one blocks others for seconds, not minutes.
const LEASE_MS = 20_000;
const POLL_MS = 100;
const MAX_WAIT_MS = 10_000;

export interface FreshnessOptions {
  /** Refresh even when the token is not due (POST /connections/{id}/refresh). */
  force?: boolean;
  /** Refresh when the token expires within this many ms; REFRESH_SKEW_MS by default. */
  skewMs?: number;
  /** Wait for another caller's refresh (true, API callers) or leave it to them (false, cron). */
  wait?: boolean;
}

type FailureCode = 'provider_unavailable' | 'provider_timeout' | 'provider_refused';

type Outcome = { kind: 'refreshed'; tokens: TokenSet } | { kind: 'reauth'; message: string } | { kind: 'failed'; code: FailureCode; message: string };

interface PreparedRefresh {
  version: number;
  offering: OfferingDefinition;
  request: ProviderPost;
}

const isDue = (row: Pick<ConnectionRow, 'expiresAt'>, now: number, skewMs: number) => row.expiresAt !== null && row.expiresAt - now <= skewMs;
const isValid = (row: ConnectionRow, now: number) => row.expiresAt === null || row.expiresAt > now;
const inBackoff = (row: ConnectionRow, now: number) => row.nextRefreshAttemptAt !== null && row.nextRefreshAttemptAt > now;
const isLeased = (row: ConnectionRow, now: number) => row.leaseUntil !== null && row.leaseUntil >= now;
/** A lease that ran out without its holder's write: that holder may have a reply parked in KV. */
function abandonedLease(row: Pick<ConnectionRow, 'leaseId' | 'leaseUntil'>, now: number): AbandonedLease | null {
  return row.leaseId !== null && row.leaseUntil !== null && row.leaseUntil < now ? { leaseId: row.leaseId, leaseUntil: row.leaseUntil } : null;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfter(at: number | null, now: number): Record<string, string> | undefined {
  return at === null ? undefined : { 'Retry-After': String(Math.max(1, Math.ceil((at - now) / 1000))) };
}

export function needsReauthError(row: ConnectionRow): ApiError {
  return new ApiError(
    409,
    'connection_needs_reauth',
    `Connection ${row.id} can no longer get tokens: ${row.lastRefreshError ?? 'the provider no longer accepts its grant.'} ` +
      'Send the end user through a link again to reconnect.',
  );
}

function revokedError(row: ConnectionRow): ApiError {
  return new ApiError(409, 'connection_revoked', `Connection ${row.id} was revoked; send the end user through a link again to reconnect.`);
}

function notRefreshable(row: ConnectionRow, why: string): ApiError {
  return new ApiError(409, 'connection_not_refreshable', `Connection ${row.id} cannot be refreshed: ${why}`);
}

function backoffError(row: ConnectionRow, now: number): ApiError {
  return new ApiError(
    502,
    'provider_unavailable',
    `The access token has expired and the last refresh failed: ${row.lastRefreshError ?? 'the provider did not answer.'} ` +
      `Edgelink tries again after ${iso(row.nextRefreshAttemptAt)}.`,
    undefined,
    retryAfter(row.nextRefreshAttemptAt, now),
  );
}

async function reload(deps: Pick<AppDeps, 'db' | 'kv' | 'keyring' | 'publicUrl' | 'waitUntil'>, row: ConnectionRow): Promise<ConnectionRow> {
  const current = await deps.db.query.connections.findFirst({ where: and(eq(connections.id, row.id), eq(connections.orgId, row.orgId)) });
  if (!current) throw notFound('connection', row.id);
  return current;
}

/** What a hot route must know of a row to tell whether ensureFreshToken would return it untouched. */
export type FreshnessColumns = Pick<ConnectionRow, 'status' | 'credentialMode' | 'leaseId' | 'leaseUntil' | 'expiresAt'>;

/**
 * Whether ensureFreshToken (not forced, with the default skew) hands this row out as it is, with
 * no D1 or provider call: the hot token route serves exactly these and leaves the rest to it.
 * Its order follows ensureFreshToken's first pass; a test walks both over the same rows.
 */
export function handsOutAsIs(row: FreshnessColumns, now: number): boolean {
  if (row.status !== 'active') return false;
  if (isCredentialConnection(row)) return true;
  if (abandonedLease(row, now)) return false;
  return !isDue(row, now, REFRESH_SKEW_MS);
}

/**
 * A connection whose token may be handed out: refreshed first when it expires within the skew.
 * Concurrent callers cause one upstream refresh: the caller whose conditional UPDATE takes the
 * lease refreshes; the others poll the row until the new version (or the failure) lands. Every
 * write by a lease holder bumps `version`, so a caller holding a stale read can never take a
 * second lease for the same expiry. A lease that ran out without its holder's write (a failed
 * write, a crash) is abandoned: the reply its holder may have parked is stored before anyone
 * sends the provider a refresh token it may have rotated away (see refresh-reply.ts).
 */
export async function ensureFreshToken(
  deps: Pick<AppDeps, 'db' | 'kv' | 'keyring' | 'publicUrl' | 'waitUntil'>,
  row: ConnectionRow,
  options: FreshnessOptions = {},
): Promise<ConnectionRow> {
  const skewMs = options.skewMs ?? REFRESH_SKEW_MS;
  const wait = options.wait ?? true;
  const deadline = Date.now() + MAX_WAIT_MS;
  let current = row;
  let prepared: PreparedRefresh | undefined;
  for (;;) {
    const now = Date.now();
    // A forced refresh is satisfied by anyone's refresh that lands while we wait.
    const force = options.force === true && current.version === row.version;
    if (current.status === 'needs_reauth') throw needsReauthError(current);
    if (current.status === 'revoked') throw revokedError(current);
    if (isCredentialConnection(current)) {
      if (force) throw notRefreshable(current, 'API-key and basic credentials do not expire through Edgelink.');
      return current;
    }
    const abandoned = abandonedLease(current, now);
    if (abandoned) {
      const recovery = await recoverParkedReply(deps, current, abandoned, now);
      if (recovery.kind === 'stored') {
        current = recovery.row;
        continue;
      }
      if (recovery.kind === 'raced') {
        current = await reload(deps, current);
        continue;
      }
      if (recovery.kind === 'unsettled') {
        if (!wait || (!force && (!isDue(current, now, skewMs) || isValid(current, now)))) return current;
        throw settlingError(abandoned, now);
      }
    }
    if (!force && !isDue(current, now, skewMs)) return current;
    if (current.refreshTokenEnc === null) {
      if (force) throw notRefreshable(current, 'the provider issued no refresh token.');
      if (isValid(current, now)) return current;
      throw needsReauthError(await markNeedsReauth(deps, current, 'The access token expired and the provider issued no refresh token.', null, now));
    }
    if (!force && inBackoff(current, now)) {
      // Do not hammer a failing provider: the old token while it lasts, then the error.
      if (isValid(current, now)) return current;
      throw backoffError(current, now);
    }
    if (isLeased(current, now)) {
      if (!wait) return current;
      if (now >= deadline) {
        if (isValid(current, now)) return current;
        throw new ApiError(503, 'refresh_in_progress', 'Another request is refreshing this token and has not finished; retry shortly.', undefined, {
          'Retry-After': '1',
        });
      }
      await sleep(POLL_MS);
      current = await reload(deps, current);
      continue;
    }
    if (prepared?.version !== current.version) prepared = await prepareRefresh(deps, current);
    const leaseId = randomToken(16);
    if (!(await takeLease(deps, current, leaseId, now))) {
      if (!wait) return current;
      current = await reload(deps, current);
      continue;
    }
    return refreshUnderLease(deps, current, prepared, leaseId, force);
  }
}

/** Everything the refresh needs, checked before the lease so a misconfiguration takes no lease. */
async function prepareRefresh(deps: Pick<AppDeps, 'db' | 'kv' | 'keyring' | 'publicUrl' | 'waitUntil'>, row: ConnectionRow): Promise<PreparedRefresh> {
  const context = await loadProviderContext(deps, row);
  if (!context) throw notRefreshable(row, 'its integration or offering no longer exists.');
  if (context.offering.auth_mode !== 'oauth2') throw notRefreshable(row, `${context.offering.name} does not use OAuth 2.0.`);
  if (!context.client) {
    throw notRefreshable(
      row,
      `integration ${context.integration.id} has no client id or secret; set them with PATCH /api/v1/integrations/${context.integration.id}.`,
    );
  }
  const refreshToken = (await openRefreshToken(deps.keyring, row))!;
  try {
    const request = buildTokenRequest(context.offering, { type: 'refresh_token', refreshToken }, context.client, context.urls);
    return { version: row.version, offering: context.offering, request };
  } catch (err) {
    if (err instanceof OfferingError) throw notRefreshable(row, `${err.message}.`);
    throw err;
  }
}

async function takeLease(
  deps: Pick<AppDeps, 'db' | 'kv' | 'keyring' | 'publicUrl' | 'waitUntil'>,
  row: ConnectionRow,
  leaseId: string,
  now: number,
): Promise<boolean> {
  try {
    const taken = await deps.db
      .update(connections)
      .set({ leaseId, leaseUntil: now + LEASE_MS })
      .where(and(eq(connections.id, row.id), eq(connections.version, row.version), or(isNull(connections.leaseUntil), lt(connections.leaseUntil, now))))
      .returning({ id: connections.id });
    return taken.length === 1;
  } catch (err) {
    // The UPDATE may have landed with its reply lost: give the lease back rather than let it block.
    await releaseLease(deps, row, leaseId);
    throw err;
  }
}

function classify(offering: OfferingDefinition, reply: OutboundResult, now: number): Outcome {
  if (!reply.ok) {
    return {
      kind: 'failed',
      code: reply.failure.kind === 'timeout' ? 'provider_timeout' : 'provider_unavailable',
      message: describeFailure(reply.failure, 'The token endpoint'),
    };
  }
  if (reply.status >= 500) return { kind: 'failed', code: 'provider_unavailable', message: `The token endpoint failed with HTTP ${reply.status}.` };
  const parsed = parseTokenResponse(offering, reply, now);
  if (parsed.ok) return { kind: 'refreshed', tokens: parsed };
  if (parsed.kind === 'oauth_error') {
    const said = `${parsed.error}${parsed.description ? `: ${parsed.description}` : ''}`;
    // RFC 6749 §5.2: the grant is invalid, expired or revoked; only the end user can fix that.
    if (parsed.error === 'invalid_grant') return { kind: 'reauth', message: `The provider refused the refresh token (${said}).` };
    return { kind: 'failed', code: 'provider_refused', message: `The token endpoint refused the refresh (${said}).` };
  }
  return { kind: 'failed', code: 'provider_unavailable', message: `The token endpoint sent an unusable reply (HTTP ${reply.status}: ${parsed.reason}).` };
}

async function refreshUnderLease(
  deps: Pick<AppDeps, 'db' | 'kv' | 'keyring' | 'publicUrl' | 'waitUntil'>,
  row: ConnectionRow,
  prepared: PreparedRefresh,
  leaseId: string,
  force: boolean,
): Promise<ConnectionRow> {
  const { request } = prepared;
  const reply = await fetchOutbound(request.url, { method: 'POST', headers: request.headers, body: request.body }, REFRESH_TIMEOUT_MS);
  const now = Date.now();
  const outcome = classify(prepared.offering, reply, now);
  if (outcome.kind === 'refreshed') return landRefresh(deps, row, asRefreshed(outcome.tokens), leaseId, now);
  if (outcome.kind === 'reauth') throw needsReauthError(await markNeedsReauth(deps, row, outcome.message, leaseId, now));
  const updated = await recordRefreshFailure(deps, row, leaseId, outcome.message, now);
  if (!force && isValid(row, now)) return updated;
  const status = outcome.code === 'provider_timeout' ? 504 : 502;
  const tail = isValid(row, now) ? 'The current access token is still valid.' : 'The access token has expired.';
  throw new ApiError(
    status,
    outcome.code,
    `Refreshing the access token failed: ${outcome.message} ${tail} Edgelink tries again after ${iso(updated.nextRefreshAttemptAt)}.`,
    undefined,
    retryAfter(updated.nextRefreshAttemptAt, now),
  );
}

function settlingError(lease: AbandonedLease, now: number): ApiError {
  return new ApiError(
    503,
    'refresh_in_progress',
    'An earlier refresh of this token did not finish writing its result; Edgelink is making sure it is not lost before refreshing again. Retry shortly.',
    undefined,
    retryAfter(lease.leaseUntil + KV_SETTLE_MS, now),
  );
}
