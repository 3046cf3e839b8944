import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/lib/errors';
import { CryptoError } from '../../src/lib/crypto';
import { safeError, stackFrames } from '../../src/lib/log';

const SECRET = 'elk_sk_never-in-a-log-0123456789';

function driverFailure() {
  const d1 = new Error(`D1_ERROR: UNIQUE constraint failed: api_keys.secret_hash (${SECRET}): SQLITE_CONSTRAINT`);
  return new DrizzleQueryError('insert into api_keys values (?)', [SECRET], d1);
}

describe('describing an error for the log', () => {
  it("names a drizzle failure, its driver error and SQLite's code, never the statement's values", () => {
    const described = safeError(driverFailure());
    expect(described).toEqual({ error: 'DrizzleQueryError', code: 'SQLITE_CONSTRAINT', cause: 'Error' });
  });

  it('keeps the code of our own errors', () => {
    expect(safeError(new CryptoError('decrypt_failed', `cannot open ${SECRET}`))).toEqual({ error: 'CryptoError', code: 'decrypt_failed' });
    expect(safeError(new ApiError(409, 'conflict', SECRET))).toEqual({ error: 'ApiError', code: 'conflict' });
  });

  it('describes what is not an error by its type only', () => {
    expect(safeError(SECRET)).toEqual({ error: 'string' });
    expect(safeError({ message: SECRET })).toEqual({ error: 'object' });
  });

  it('takes only location lines from a stack, never the lines of a message spanning several', () => {
    const err = driverFailure();
    const frames = stackFrames(err);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((f) => f.startsWith('at '))).toBe(true);
    expect(frames.join('\n')).not.toContain(SECRET);
    const forged = new Error(`boom\n    at ${SECRET}:1:1`);
    expect(stackFrames(forged).join('\n')).not.toContain(SECRET);
  });

  it('takes no location at all from a stack whose header is not the error it belongs to', () => {
    const err = new Error('short');
    err.message = `changed to ${SECRET}`;
    err.stack = `Error: ${SECRET}\n    at run (index.js:1:2)`;
    expect(stackFrames(err)).toEqual([]);
  });
});
