import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { z } from 'zod';

/** Position after the last row of a page: lists are ordered newest first, ties broken by id. */
interface Cursor {
  createdAt: number;
  id: string;
}

const cursorPayload = z.strictObject({ t: z.number().int().nonnegative(), i: z.string().min(1).max(64) });

function encodeCursor(cursor: Cursor): string {
  const json = JSON.stringify({ t: cursor.createdAt, i: cursor.id });
  return btoa(json).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function decodeCursor(value: string): Cursor | null {
  try {
    const json = atob(value.replaceAll('-', '+').replaceAll('_', '/'));
    const parsed = cursorPayload.safeParse(JSON.parse(json));
    return parsed.success ? { createdAt: parsed.data.t, id: parsed.data.i } : null;
  } catch {
    return null;
  }
}

/** `?limit=&cursor=` for every list; feature lists extend it with their filters. */
export const listQuery = z.strictObject({
  limit: z.coerce
    .number({ error: 'must be a whole number from 1 to 200' })
    .int('must be a whole number from 1 to 200')
    .min(1, 'must be a whole number from 1 to 200')
    .max(200, 'must be a whole number from 1 to 200')
    .default(50),
  cursor: z
    .string()
    .max(512)
    .transform((value, ctx) => {
      const cursor = decodeCursor(value);
      if (!cursor) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
        return z.NEVER;
      }
      return cursor;
    })
    .optional(),
});

export type ListQuery = z.output<typeof listQuery>;

interface Sortable {
  createdAt: SQLiteColumn;
  id: SQLiteColumn;
}

/** WHERE fragment selecting rows after the cursor, and the ORDER BY that goes with it. */
export function pageWindow(table: Sortable, cursor: Cursor | undefined): { after: SQL | undefined; orderBy: SQL[] } {
  const after = cursor ? or(lt(table.createdAt, cursor.createdAt), and(eq(table.createdAt, cursor.createdAt), lt(table.id, cursor.id))) : undefined;
  return { after, orderBy: [desc(table.createdAt), desc(table.id)] };
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Call with `limit + 1` rows fetched: the extra row only says whether another page exists. */
export function toPage<R extends Cursor, T>(rows: R[], limit: number, render: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    data: pageRows.map(render),
    next_cursor: hasMore && last ? encodeCursor(last) : null,
  };
}

/** The list envelope's schema, for OpenAPI. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}

/**
 * The same pages over a list held in memory (the offering catalog), ordered by a unique key
 * ascending; the cursor carries the last key seen.
 */
export function pageByKey<T>(items: readonly T[], query: ListQuery, keyOf: (item: T) => string): Page<T> {
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const after = query.cursor?.id;
  const rest = after === undefined ? sorted : sorted.filter((item) => keyOf(item) > after);
  const pageItems = rest.slice(0, query.limit);
  const last = pageItems.at(-1);
  return {
    data: pageItems,
    next_cursor: rest.length > query.limit && last ? encodeCursor({ createdAt: 0, id: keyOf(last) }) : null,
  };
}
