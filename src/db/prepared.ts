import { fillPlaceholders, type Query } from 'drizzle-orm';
import { createDb, type Db } from './client';

/**
 * A D1 client whose statements are prepared on `d1` only when bound: a drizzle statement
 * prepared on it once keeps its SQL and row mapping, and every run still goes through
 * `d1` at that moment (the current request's session, its round-trip count, a test's
 * fault injection). Drizzle binds before every run, even without parameters.
 */
function preparedOnBind(d1: D1Database): D1Database {
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === 'prepare') return (query: string) => ({ bind: (...values: unknown[]) => target.prepare(query).bind(...values) });
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * A drizzle statement built once per client (so once per isolate for the app's client)
 * rather than on every call: building the SQL of a select with joins and subqueries costs
 * more CPU than running it. `build` uses `sql.placeholder(name)` for what changes per call,
 * and the statement's `.all({ name: value })` runs it.
 */
export function preparedOnce<P>(build: (db: Db) => P): (db: Db) => P {
  const built = new WeakMap<Db, P>();
  return (db) => {
    let statement = built.get(db);
    if (statement === undefined) {
      statement = build(createDb(preparedOnBind(db.$client)));
      built.set(db, statement);
    }
    return statement;
  };
}

/** One statement sent as is and read with `.raw()`: rows as arrays, in the statement's column order. */
export type RawQuery = (sql: string, ...binds: unknown[]) => Promise<unknown[][]>;

/**
 * Runs a statement from preparedOnce through `query` instead of its client (a hot route's one
 * counted statement, with none of the client's per-statement wrapping): the same SQL and
 * binds as `.all(values)`, each `.raw()` row read by `read`, the statement's hand-written row
 * mapping (drizzle's own mapping of a joined row was most of the link page's JavaScript). The
 * caller keeps a test that both paths give the same objects.
 */
export async function runRaw<T>(statement: { getQuery(): Query }, query: RawQuery, values: Record<string, unknown>, read: (row: unknown[]) => T): Promise<T[]> {
  const { sql, params } = statement.getQuery();
  return (await query(sql, ...fillPlaceholders(params, values))).map(read);
}
