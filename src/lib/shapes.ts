import { z } from 'zod';

/**
 * Bidirectional embeddings, overrides, isolates and marks (U+202A–U+202E, U+2066–U+2069,
 * U+200E, U+200F, U+061C): invisible, they reorder what follows, so a name shown on a link,
 * consent or sign-in page could read as something else ("Trojan Source").
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * Text someone chooses and our pages show to someone else: trimmed, 1–`max` characters, no
 * control characters, no bidirectional controls. Every name field is built from this one.
 */
export const displayName = (max = 100) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
    .refine((s) => !BIDI_CONTROLS.test(s), 'must not contain bidirectional control characters');

/** Free-text names people give things: a display name of at most 100 characters. */
export const nameField = displayName();

export const timestamp = z.iso.datetime().describe('ISO-8601 UTC timestamp');

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
