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

const EXECUTING = new Set(['first', 'all', 'run', 'raw']);

/**
 * The D1 binding, counting each round trip (a statement run, a batch, an exec) so every
 * request's log line says what it cost. Statements are wrapped for counting and unwrapped
 * again before a batch, so D1 only ever sees its own objects.
 */
export function countingD1(d1: D1Database, trips: RoundTrips): D1Database {
  const originals = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === 'bind') return (...values: unknown[]) => wrap(target.bind(...values));
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        if (EXECUTING.has(prop as string)) {
          return (...args: unknown[]) => {
            trips.count++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    originals.set(proxy, statement);
    return proxy;
  };
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === 'prepare') return (query: string) => wrap(target.prepare(query));
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          trips.count++;
          return target.batch(statements.map((s) => originals.get(s) ?? s));
        };
      }
      if (prop === 'exec') {
        return (query: string) => {
          trips.count++;
          return target.exec(query);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
