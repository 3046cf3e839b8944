import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import type { AppDeps } from '../deps';
import { safeError } from '../lib/log';
import { integrations } from './schema';
import { assess, loadForChange } from './service';
import { scheduleAfter, verificationRetryDelay } from './verification-schedule';

/** Each retry calls a provider that may take its whole timeout, so a run takes only a few. */
export const REVERIFY_BATCH = 10;

type ReverifyDeps = Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>;

export interface ReverifyCounts {
  due: number;
  configured: number;
  /** The provider refused the credentials: retries stop. */
  invalid: number;
  /** Still no answer: asked again later. */
  retrying: number;
  /** Any other outcome (the provider answered but could not tell). */
  answered: number;
  /** Changed by someone else while the provider was asked: their change stands. */
  raced: number;
  errors: number;
}

type Due = { id: string; orgId: string; nextVerificationAt: number | null; verificationAttempts: number };

/** Still the row we read: no settings change, Verify now or delete happened meanwhile. */
const unchanged = (due: Due, updatedAt: number) =>
  and(
    eq(integrations.id, due.id),
    eq(integrations.updatedAt, updatedAt),
    eq(integrations.nextVerificationAt, due.nextVerificationAt!),
    isNull(integrations.deletingAt),
  );

type Outcome = Exclude<keyof ReverifyCounts, 'due' | 'errors'>;

async function reverifyOne(deps: ReverifyDeps, due: Due, now: number): Promise<Outcome> {
  const { row, offering, settings } = await loadForChange(deps, due.orgId, due.id);
  const { status, verification } = await assess(offering.definition, settings, deps, now);
  // One conditional statement: it lands whole or not at all, and a row that was not written
  // stays due, so a failed write is retried by the next run.
  const written = await deps.db
    .update(integrations)
    .set({ status, verification, ...scheduleAfter(verification, due.verificationAttempts, now), updatedAt: now })
    .where(unchanged(due, row.updatedAt))
    .returning({ id: integrations.id });
  if (written.length === 0) return 'raced';
  if (status === 'configured') return 'configured';
  if (verification.result === 'invalid_credentials') return 'invalid';
  return verification.result === 'unreachable' ? 'retrying' : 'answered';
}

/**
 * A row that failed for another reason (its offering is gone, its secret does not decrypt, a
 * D1 failure) waits its turn like an unreachable provider, so it cannot hold the head of the
 * queue; if this write fails too, the row is simply due again next run.
 */
async function postpone(deps: ReverifyDeps, due: Due, now: number) {
  const attempts = due.verificationAttempts + 1;
  await deps.db
    .update(integrations)
    .set({ nextVerificationAt: now + verificationRetryDelay(attempts), verificationAttempts: attempts })
    .where(and(eq(integrations.id, due.id), eq(integrations.nextVerificationAt, due.nextVerificationAt!)));
}

/**
 * The cron's retries of verifications that could not reach the provider: up to `limit`
 * integrations whose `next_verification_at` has come, earliest first (read from its index).
 * Each one is verified as `POST /integrations/{id}/verify` does and backs off while the
 * provider stays unreachable; one failing does not stop the others.
 */
export async function reverifyDueIntegrations(deps: ReverifyDeps, now: number, limit = REVERIFY_BATCH): Promise<ReverifyCounts> {
  const due = await deps.db
    .select({
      id: integrations.id,
      orgId: integrations.orgId,
      nextVerificationAt: integrations.nextVerificationAt,
      verificationAttempts: integrations.verificationAttempts,
    })
    .from(integrations)
    .where(and(lte(integrations.nextVerificationAt, now), isNull(integrations.deletingAt)))
    .orderBy(asc(integrations.nextVerificationAt))
    .limit(limit);
  const counts: ReverifyCounts = { due: due.length, configured: 0, invalid: 0, retrying: 0, answered: 0, raced: 0, errors: 0 };
  await Promise.all(
    due.map(async (row) => {
      try {
        counts[await reverifyOne(deps, row, now)]++;
      } catch (err) {
        counts.errors++;
        console.error(JSON.stringify({ level: 'error', msg: 're-verifying an integration failed', integration: row.id, ...safeError(err) }));
        await postpone(deps, row, now).catch(() => {});
      }
    }),
  );
  return counts;
}
