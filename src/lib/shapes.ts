import { z } from 'zod';

/** Free-text names people give things: trimmed, 1–100 characters, no control characters. */
export const nameField = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const timestamp = z.iso.datetime().describe('ISO-8601 UTC timestamp');

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
