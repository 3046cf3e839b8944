import type { Verification } from './schema';

const MINUTE = 60_000;

/** Waits after the 1st, 2nd, … verification in a row that could not reach the provider; the last repeats. */
export const VERIFICATION_RETRY_DELAYS_MS = [MINUTE, 5 * MINUTE, 30 * MINUTE, 120 * MINUTE, 360 * MINUTE] as const;

/** How long to wait after `attempts` (≥ 1) failed verifications in a row. */
export function verificationRetryDelay(attempts: number): number {
  const index = Math.min(Math.max(attempts, 1), VERIFICATION_RETRY_DELAYS_MS.length) - 1;
  return VERIFICATION_RETRY_DELAYS_MS[index]!;
}

export interface VerificationSchedule {
  nextVerificationAt: number | null;
  verificationAttempts: number;
}

/**
 * What a verification result means for the background retries: a provider that could not be
 * reached is asked again later, backing off; any answer it gave (verified, refused, cannot
 * tell) ends the retries. `previousAttempts` counts the failures in a row before this one.
 */
export function scheduleAfter(verification: Pick<Verification, 'result'>, previousAttempts: number, now: number): VerificationSchedule {
  if (verification.result !== 'unreachable') return { nextVerificationAt: null, verificationAttempts: 0 };
  const attempts = previousAttempts + 1;
  return { nextVerificationAt: now + verificationRetryDelay(attempts), verificationAttempts: attempts };
}
