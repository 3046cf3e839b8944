import { describe, expect, it } from 'vitest';
import { scheduleAfter, verificationRetryDelay } from '../../src/integrations/verification-schedule';

const MIN = 60_000;
const NOW = Date.UTC(2026, 11, 2, 4, 0);

describe('the verification retry schedule', () => {
  it('waits 1 min, 5 min, 30 min, 2 h, then every 6 h', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map(verificationRetryDelay)).toEqual([MIN, 5 * MIN, 30 * MIN, 120 * MIN, 360 * MIN, 360 * MIN, 360 * MIN]);
  });

  it('schedules the next try after an unreachable provider, counting failures in a row', () => {
    expect(scheduleAfter({ result: 'unreachable' }, 0, NOW)).toEqual({ nextVerificationAt: NOW + MIN, verificationAttempts: 1 });
    expect(scheduleAfter({ result: 'unreachable' }, 3, NOW)).toEqual({ nextVerificationAt: NOW + 120 * MIN, verificationAttempts: 4 });
  });

  it('stops retrying once the provider answered anything', () => {
    for (const result of ['verified', 'invalid_credentials', 'inconclusive', 'incomplete', 'not_needed'] as const) {
      expect(scheduleAfter({ result }, 4, NOW), result).toEqual({ nextVerificationAt: null, verificationAttempts: 0 });
    }
  });
});
