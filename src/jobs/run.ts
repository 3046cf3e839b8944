import { settleParkedCallbacks } from '../connect/settle-callbacks';
import { refreshDueConnections } from '../connections/service';
import type { AppDeps } from '../deps';
import { safeError } from '../lib/log';
import { finishIntegrationDeletes } from '../integrations/delete';
import { REVERIFY_BATCH, reverifyDueIntegrations } from '../integrations/reverify';
import { retryDueNotifications } from '../notifications/outbox';
import { purgeOAuthRows } from '../oauth-server/purge';
import { purgeSignInRows } from '../users/purge';
import { retryDueDeliveries } from '../webhooks/delivery';
import { purgeExpiredRows } from './purge';
import { reencryptStaleSecrets } from './reencrypt';

/** Rows (or rows per column, per kind) one job handles in one run; the cron runs every 5 minutes. */
export const JOB_BATCH = 100;

type Job = (deps: AppDeps, now: number) => Promise<unknown>;

export const JOBS: Record<string, Job> = {
  refresh_connections: (deps, now) => refreshDueConnections(deps, now, JOB_BATCH),
  retry_webhooks: (deps, now) => retryDueDeliveries(deps, now, JOB_BATCH),
  reencrypt_secrets: (deps) => reencryptStaleSecrets(deps.db, deps.keyring, JOB_BATCH),
  purge_expired: (deps, now) => purgeExpiredRows(deps.db, now, JOB_BATCH),
  retry_notifications: (deps, now) => retryDueNotifications(deps, now, JOB_BATCH),
  purge_sign_in: (deps, now) => purgeSignInRows(deps.db, now, JOB_BATCH),
  purge_oauth: (deps, now) => purgeOAuthRows(deps, now, JOB_BATCH),
  settle_callbacks: (deps, now) => settleParkedCallbacks(deps, now, JOB_BATCH),
  finish_integration_deletes: (deps) => finishIntegrationDeletes(deps),
  // Fewer than JOB_BATCH: each one waits on a provider.
  reverify_integrations: (deps, now) => reverifyDueIntegrations(deps, now, REVERIFY_BATCH),
};

/** Only numbers go to the log, whatever a job returns, so no row or secret can slip into it. */
function countsOf(result: unknown): Record<string, number> {
  if (typeof result !== 'object' || result === null) return {};
  return Object.fromEntries(Object.entries(result).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
}

async function runJob(name: string, job: Job, deps: AppDeps, now: number): Promise<boolean> {
  const started = Date.now();
  try {
    const result = await job(deps, now);
    console.log(JSON.stringify({ level: 'info', msg: 'job', job: name, ok: true, duration_ms: Date.now() - started, ...countsOf(result) }));
    return true;
  } catch (err) {
    console.error(JSON.stringify({ level: 'error', msg: 'job', job: name, ok: false, duration_ms: Date.now() - started, ...safeError(err) }));
    return false;
  }
}

/**
 * The cron's work. Jobs run side by side and fail alone: one job's error is logged and the
 * others still finish. Resolves to the names of the jobs that failed.
 */
export async function runScheduledJobs(deps: AppDeps, now: number, jobs = JOBS): Promise<string[]> {
  const names = Object.keys(jobs);
  const results = await Promise.all(names.map((name) => runJob(name, jobs[name]!, deps, now)));
  return names.filter((_, i) => !results[i]);
}
