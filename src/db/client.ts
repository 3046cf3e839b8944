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

/**
 * Where a request's D1 session starts: `first-primary`, `first-unconstrained` (any replica may
 * answer the first read), or a bookmark (any replica at least as fresh as it).
 */
export type SessionStart = 'first-primary' | 'first-unconstrained' | (string & {});

/** One request's D1 session and round-trip tally; the client below sends its statements there. */
interface RequestD1 {
  trips: RoundTrips;
  binding: D1Database;
  session: D1DatabaseSession;
  onPrimary: boolean;
  /** Whether the request has sent a statement that writes. */
  wrote: boolean;
}

// Statements drizzle and our SQL send that change rows; everything else reads.
const WRITES = /^\s*(?:insert|update|delete|replace)\b/i;

const current = new AsyncLocalStorage<RequestD1>();

/**
 * Runs `fn` (and the work it hands to waitUntil) in a D1 session of `binding` that starts at
 * `start`, with its round trips counted into `trips`. Statements of the drizzle client of that
 * binding go through the session, so its reads may be served by a replica and each read sees
 * the session's earlier writes. `written` is then the session's bookmark if `fn` wrote, else null.
 */
export async function inD1Session<T>(binding: D1Database, start: SessionStart, trips: RoundTrips, fn: () => Promise<T>) {
  const request: RequestD1 = { trips, binding, session: binding.withSession(start), onPrimary: start === 'first-primary', wrote: false };
  const result = await current.run(request, fn);
  return { result, written: request.wrote ? request.session.getBookmark() : null, onPrimary: request.onPrimary };
}

/**
 * Sends the rest of the current request to the primary: for a miss on a replica that must not
 * be answered from one that lags (a credential or a resource created a moment ago). False when
 * the request was there already (or has no session), so re-asking would read the same.
 */
export function moveToPrimary(): boolean {
  const request = current.getStore();
  if (!request || request.onPrimary) return false;
  request.session = request.binding.withSession('first-primary');
  request.onPrimary = true;
  return true;
}

const clients = new WeakMap<D1Database, Db>();

/**
 * The drizzle client for a D1 binding, built once per isolate: building one reads the whole
 * schema, which is work no request should repeat.
 */
export function dbFor(d1: D1Database): Db {
  let db = clients.get(d1);
  if (!db) {
    db = createDb(countingD1(sessionRouted(d1)));
    clients.set(d1, db);
  }
  return db;
}

/**
 * The binding, with statements and batches sent to the current request's session of it. Work
 * outside a request (cron) or after it ends uses the binding itself, which goes to the primary.
 */
function sessionRouted(d1: D1Database): D1Database {
  const requestOf = () => {
    const request = current.getStore();
    return request?.binding === d1 ? request : undefined;
  };
  return new Proxy(d1, {
    get(binding, prop) {
      if (prop === 'prepare')
        return (query: string) => {
          const request = requestOf();
          if (!request) return binding.prepare(query);
          if (!request.wrote && WRITES.test(query)) request.wrote = true;
          return request.session.prepare(query);
        };
      if (prop === 'batch') return (statements: D1PreparedStatement[]) => (requestOf()?.session ?? binding).batch(statements);
      const value = Reflect.get(binding, prop, binding);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(binding) : value;
    },
  });
}

const EXECUTING = new Set(['first', 'all', 'run', 'raw']);

/** The D1 binding, counting each round trip into the current request's tally so its log line says what it cost. */
function countingD1(d1: D1Database): D1Database {
  return interceptD1(d1, (run) => {
    const request = current.getStore();
    if (request) request.trips.count++;
    return run();
  });
}

/** Runs one D1 round trip (a statement run, a batch or an exec), or decides not to. */
export type D1Interceptor = (run: () => Promise<unknown>) => Promise<unknown>;

/**
 * The D1 binding with every round trip passed through `intercept`, its sessions' too.
 * Statements are wrapped to see their runs and unwrapped again before a batch, so D1 only ever
 * sees its own objects.
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
  const intercepted = <T extends Pick<D1Database, 'prepare' | 'batch'>>(db: T): T =>
    new Proxy(db, {
      get(target, prop) {
        if (prop === 'prepare') return (query: string) => wrap(target.prepare(query));
        if (prop === 'batch') return (statements: D1PreparedStatement[]) => intercept(() => target.batch(statements.map((s) => originals.get(s) ?? s)));
        if (prop === 'exec') return (query: string) => intercept(() => (target as unknown as D1Database).exec(query));
        if (prop === 'withSession') return (start?: string) => intercepted((target as unknown as D1Database).withSession(start));
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  return intercepted(d1);
}
