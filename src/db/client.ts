import { AsyncLocalStorage } from 'node:async_hooks';
import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

export function createDb(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Db = ReturnType<typeof createDb>;

/** Round trips to D1 made while serving one request; the request log reports it. */
export interface RoundTrips {
  count: number;
}

const currentTrips = new AsyncLocalStorage<RoundTrips>();

/** Runs `fn` with D1 round trips counted into `trips` (including work it hands to waitUntil). */
export function countingRoundTrips<T>(trips: RoundTrips, fn: () => Promise<T>): Promise<T> {
  return currentTrips.run(trips, fn);
}

const clients = new WeakMap<D1Database, Db>();

/**
 * The drizzle client for a D1 binding, built once per isolate: building one reads the whole
 * schema, which is work no request should repeat.
 */
export function dbFor(d1: D1Database): Db {
  let db = clients.get(d1);
  if (!db) {
    db = createDb(countingD1(d1));
    clients.set(d1, db);
  }
  return db;
}

const EXECUTING = new Set(['first', 'all', 'run', 'raw']);

/** The D1 binding, counting each round trip into the current request's tally so its log line says what it cost. */
function countingD1(d1: D1Database): D1Database {
  return interceptD1(d1, (run) => {
    const trips = currentTrips.getStore();
    if (trips) trips.count++;
    return run();
  });
}

/** Runs one D1 round trip (a statement run, a batch or an exec), or decides not to. */
export type D1Interceptor = (run: () => Promise<unknown>) => Promise<unknown>;

/**
 * The D1 binding with every round trip passed through `intercept`. Statements are wrapped to
 * see their runs and unwrapped again before a batch, so D1 only ever sees its own objects.
 */
export function interceptD1(d1: D1Database, intercept: D1Interceptor): D1Database {
  const originals = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === 'bind') return (...values: unknown[]) => wrap(target.bind(...values));
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const fn = value as (...a: unknown[]) => Promise<unknown>;
        if (EXECUTING.has(prop as string)) return (...args: unknown[]) => intercept(() => fn.apply(target, args));
        return fn.bind(target);
      },
    });
    originals.set(proxy, statement);
    return proxy;
  };
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === 'prepare') return (query: string) => wrap(target.prepare(query));
      if (prop === 'batch') return (statements: D1PreparedStatement[]) => intercept(() => target.batch(statements.map((s) => originals.get(s) ?? s)));
      if (prop === 'exec') return (query: string) => intercept(() => target.exec(query));
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
