import { getTableColumns, is, SQL, sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';

/**
 * `SELECT <values> WHERE <when>`, for `db.insert(table).select(…)`: a row that belongs to a
 * change made earlier in the same `db.batch`, written only where `when` says that change
 * landed (e.g. the conditional UPDATE's row now holds what it wrote). Values may be SQL
 * expressions. Callers add `.onConflictDoNothing()`, so a retried batch cannot insert twice;
 * the WHERE also keeps SQLite from reading that ON CONFLICT as a join's ON.
 */
export function valuesWhere(table: SQLiteTable, values: Record<string, unknown>, when: SQL): SQL {
  // INSERT … SELECT takes every column in table order; `values` names them by property.
  const selected = Object.entries(getTableColumns(table)).map(([property, column]) => {
    const value = values[property];
    if (value === undefined || value === null) return sql`null`;
    return is(value, SQL) ? value : sql.param(value, column);
  });
  return sql`select ${sql.join(selected, sql`, `)} where ${when}`;
}
