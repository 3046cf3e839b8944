import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../src/index';
import { buildRequest, type CallOptions } from './api';

/**
 * A D1 failure as careless as real ones get: the message quotes the statement and its bound
 * values, and so does its cause. drizzle wraps it again in a `DrizzleQueryError` whose message
 * ("Failed query: … params: …") and `params` hold the same values.
 */
export class QuotingD1Error extends Error {
  constructor(sql: string, params: unknown[]) {
    super(`D1_ERROR: failed to run ${sql} with values ${JSON.stringify(params)}: SQLITE_ERROR`, {
      cause: new Error(`SQLITE_ERROR: near ${JSON.stringify(params)}\nparams: ${params.join(', ')}`),
    });
  }
}

export interface QuotingD1 {
  binding: D1Database;
  calls: () => number;
  /** Every string value bound to any statement made through this binding. */
  bound: Set<string>;
  /** Every statement run through this binding (one entry per statement of a batch), in order. */
  executed: { sql: string; params: unknown[] }[];
}

const EXECUTING = new Set(['first', 'all', 'run', 'raw']);

/** Wraps a D1 binding so its Nth call (a statement run, a batch or an exec) fails with a QuotingD1Error. */
export function quotingD1(d1: D1Database, failAt: number | null): QuotingD1 {
  let calls = 0;
  const bound = new Set<string>();
  const executed: { sql: string; params: unknown[] }[] = [];
  const originals = new WeakMap<object, { statement: D1PreparedStatement; sql: string; params: unknown[] }>();
  const strike = (sql: string, params: unknown[]) => {
    const n = ++calls;
    if (n === failAt) throw new QuotingD1Error(sql, params);
  };
  const wrap = (statement: D1PreparedStatement, sql: string, params: unknown[]): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === 'bind') {
          return (...values: unknown[]) => {
            for (const v of values) if (typeof v === 'string') bound.add(v);
            return wrap(target.bind(...values), sql, values);
          };
        }
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const fn = value as (...a: unknown[]) => Promise<unknown>;
        if (EXECUTING.has(prop as string)) {
          return async (...args: unknown[]) => {
            executed.push({ sql, params });
            strike(sql, params);
            return fn.apply(target, args);
          };
        }
        return fn.bind(target);
      },
    });
    originals.set(proxy, { statement, sql, params });
    return proxy;
  };
  // The Worker reads through sessions of the binding (see src/lib/d1-session.ts): those are wrapped too.
  const quoted = <T extends Pick<D1Database, 'prepare' | 'batch'>>(db: T): T =>
    new Proxy(db, {
      get(target, prop) {
        if (prop === 'withSession') return (start?: string) => quoted((target as unknown as D1Database).withSession(start));
        if (prop === 'prepare') return (sql: string) => wrap(target.prepare(sql), sql, []);
        if (prop === 'batch') {
          return async (statements: D1PreparedStatement[]) => {
            const parts = statements.map((s) => originals.get(s));
            for (const p of parts) if (p) executed.push({ sql: p.sql, params: p.params });
            strike(
              parts.map((p) => p?.sql ?? '').join('; '),
              parts.flatMap((p) => p?.params ?? []),
            );
            return target.batch(statements.map((s, i) => parts[i]?.statement ?? s));
          };
        }
        if (prop === 'exec') {
          return async (sql: string) => {
            strike(sql, []);
            return (target as unknown as D1Database).exec(sql);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  const binding = quoted(d1);
  return { binding, calls: () => calls, bound, executed };
}

/** Serves one request through the Worker with `d1` as its database, waiting for its background work. */
export async function serveWith(d1: D1Database, path: string, options: CallOptions = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(buildRequest(path, options), { ...env, DB: d1 }, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx).catch(() => {});
  return { status: res.status, headers: res.headers, text };
}
