import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { createDb } from '../../src/db/client';
import type { AppDeps } from '../../src/deps';
import worker from '../../src/index';
import { BASE, type CallOptions } from './api';
import { testDeps } from './deps';

/**
 * When the injected failure strikes: `before` the call reaches D1 (nothing is written), or
 * `after` it ran (it is written, but the Worker sees an error, as when a reply is lost).
 */
export type FaultTiming = 'before' | 'after';

export interface FaultPlan {
  /** 1-based index of the D1 call (a statement run, a batch or an exec) that fails; null fails none. */
  failAt: number | null;
  timing?: FaultTiming;
  /** How many consecutive calls fail, from `failAt` on (1 unless told): a retry that fails too. */
  count?: number;
}

export interface FaultyD1 {
  binding: D1Database;
  /** D1 calls made through this binding so far. */
  calls: () => number;
  /** Whether the planned failure has struck. */
  struck: () => boolean;
}

const EXECUTING = new Set(['first', 'all', 'run', 'raw']);

/** What D1 throws on a failed call, close enough for code that must not tell them apart. */
export class InjectedD1Error extends Error {
  constructor(call: number) {
    super(`D1_ERROR: injected failure of D1 call ${call}`);
    this.name = 'Error';
  }
}

/**
 * Wraps a D1 binding so its Nth call fails. Statements are wrapped to count their runs and
 * unwrapped again before a batch, so D1 only ever sees its own objects.
 */
export function faultyD1(d1: D1Database, plan: FaultPlan): FaultyD1 {
  let calls = 0;
  let struck = false;
  const timing = plan.timing ?? 'before';
  const count = plan.count ?? 1;
  const fails = (n: number) => plan.failAt !== null && n >= plan.failAt && n < plan.failAt + count;
  async function guarded<T>(run: () => Promise<T>): Promise<T> {
    const n = ++calls;
    if (!fails(n)) return run();
    struck = true;
    if (timing === 'after') await run();
    throw new InjectedD1Error(n);
  }
  const originals = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === 'bind') return (...values: unknown[]) => wrap(target.bind(...values));
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const fn = value as (...a: unknown[]) => Promise<unknown>;
        if (EXECUTING.has(prop as string)) return (...args: unknown[]) => guarded(() => fn.apply(target, args));
        return fn.bind(target);
      },
    });
    originals.set(proxy, statement);
    return proxy;
  };
  const binding = new Proxy(d1, {
    get(target, prop) {
      if (prop === 'prepare') return (query: string) => wrap(target.prepare(query));
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => guarded(() => target.batch(statements.map((s) => originals.get(s) ?? s)));
      }
      if (prop === 'exec') return (query: string) => guarded(() => target.exec(query));
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { binding, calls: () => calls, struck: () => struck };
}

export interface FaultyCallResult {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are whatever JSON the route answered; tests read them.
  json: any;
  /** D1 calls the request made, background work (waitUntil) included. */
  d1Calls: number;
  struck: boolean;
}

/**
 * Serves one request through the Worker's own fetch handler with a D1 binding that fails as
 * planned, waits for its background work, and says how many D1 calls it made. Walk `failAt`
 * from 1 to that count to fail every call a flow makes.
 */
export async function callWithFault(path: string, plan: FaultPlan, options: CallOptions = {}): Promise<FaultyCallResult> {
  const faulty = faultyD1(env.DB, plan);
  const headers = new Headers(options.headers);
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const ctx = createExecutionContext();
  const request = new Request(BASE + path, { method: options.method ?? 'GET', headers, body, redirect: 'manual' });
  const res = await worker.fetch(request, { ...env, DB: faulty.binding }, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx).catch(() => {});
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, d1Calls: faulty.calls(), struck: faulty.struck() };
}

/**
 * The app's dependencies with a D1 that fails as planned, for service functions called without
 * a request (the cron's jobs). `settle` waits for their background work, as callWithFault does.
 */
export async function faultyDeps(plan: FaultPlan): Promise<{ deps: AppDeps; faulty: FaultyD1; settle: () => Promise<void> }> {
  const base = await testDeps();
  const faulty = faultyD1(env.DB, plan);
  const settle = async () => {
    while (base.pending.length > 0) await Promise.allSettled(base.pending.splice(0));
  };
  return { deps: { ...base, db: createDb(faulty.binding) }, faulty, settle };
}
