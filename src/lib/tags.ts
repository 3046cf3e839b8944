import { and, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { z } from 'zod';

/**
 * Tags: a developer's own string key/value pairs on a resource (links, connections), stored
 * as a JSON object in the resource's own row, so a tag write is the row's write and lands
 * with it; a trigger-kept index table per feature serves `?tag=key:value` (repeated: all
 * must match).
 */

export const MAX_TAGS = 10;
export const TAG_KEY_PATTERN = /^[a-z0-9_.-]{1,64}$/;
const TAG_KEY_RULE = 'must be 1-64 lowercase letters, digits or _ . -';

export type Tags = Record<string, string>;

const tagValue = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const tagsField = z
  .record(z.string().regex(TAG_KEY_PATTERN), tagValue, {
    // A bad key's own issue would only say "Invalid key in record".
    error: (issue) => (issue.code === 'invalid_key' ? TAG_KEY_RULE : issue.code === 'invalid_type' ? 'must be an object of key/value strings' : undefined),
  })
  .refine((tags) => Object.keys(tags).length <= MAX_TAGS, `must have at most ${MAX_TAGS} tags`)
  .describe(`Your own key/value pairs, at most ${MAX_TAGS}; keys ${TAG_KEY_PATTERN.source}, values 1-255 characters`);

export type TagFilter = [key: string, value: string];

const oneFilter = z.string().transform((text, ctx): TagFilter => {
  const colon = text.indexOf(':');
  const key = colon < 0 ? text : text.slice(0, colon);
  const value = colon < 0 ? '' : text.slice(colon + 1);
  if (!TAG_KEY_PATTERN.test(key) || value === '' || value.length > 255) {
    ctx.addIssue({ code: 'custom', message: 'must be key:value, with a tag key and a value of 1-255 characters' });
    return z.NEVER;
  }
  return [key, value];
});

/** `?tag=key:value`, repeatable (the query validator gives a string, or an array when repeated). */
export const tagFilterQuery = z
  .preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(oneFilter).max(MAX_TAGS, `must repeat at most ${MAX_TAGS} times`))
  .optional()
  .describe('key:value; repeat to require several tags');

/** A feature's tag index table (see `connection_tags`): which row of the organization has which tag. */
export interface TagIndex {
  table: SQLiteTable;
  owner: SQLiteColumn;
  orgId: SQLiteColumn;
  key: SQLiteColumn;
  value: SQLiteColumn;
}

/** Rows (by `id`) carrying every tag in `filters`, each an index search on (org, key, value). */
export function hasTags(id: SQLiteColumn, index: TagIndex, orgId: string, filters: readonly TagFilter[] | undefined): SQL | undefined {
  if (!filters || filters.length === 0) return undefined;
  return and(
    ...filters.map(
      ([key, value]) =>
        sql`${id} in (select ${index.owner} from ${index.table} where ${index.orgId} = ${orgId} and ${index.key} = ${key} and ${index.value} = ${value})`,
    ),
  );
}

/** Tags as text lines `key=value`, for forms without JavaScript; the inverse of {@link parseTagLines}. */
export const tagLines = (tags: Tags): string =>
  Object.entries(tags)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');

/**
 * `key=value` per line (blank lines skipped) into an object for {@link tagsField} to judge; a
 * line without `=` becomes a key with an empty value, which the schema refuses with its reason.
 */
export function parseTagLines(text: string): Tags {
  const tags: Tags = {};
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    const key = (eq < 0 ? trimmed : trimmed.slice(0, eq)).trim();
    tags[key] = eq < 0 ? '' : trimmed.slice(eq + 1).trim();
  }
  return tags;
}
