import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { createDb, interceptD1 } from '../../src/db/client';
import type { AppDeps } from '../../src/deps';
import worker from '../../src/index';
import { buildRequest, type CallOptions } from './api';
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
  /**
   * Further calls (1-based) that fail too, not next to `failAt`: the Nth call of the app's answer
   * after the hot route's own statement (call 1) failed and left the request to it.
   */
  alsoAt?: readonly number[];
}

export interface FaultyD1 {
  binding: D1Database;
  /** D1 calls made through this binding so far. */
  calls: () => number;
  /** Whether the planned failure has struck. */
  struck: () => boolean;
}

/** What D1 throws on a failed call, close enough for code that must not tell them apart. */
export class InjectedD1Error extends Error {
  constructor(call: number) {
    super(`D1_ERROR: injected failure of D1 call ${call}`);
    this.name = 'Error';
  }
}

/** Wraps a D1 binding so its Nth call fails, as planned. */
export function faultyD1(d1: D1Database, plan: FaultPlan): FaultyD1 {
  let calls = 0;
  let struck = false;
  const timing = plan.timing ?? 'before';
  const count = plan.count ?? 1;
  const fails = (n: number) => (plan.failAt !== null && n >= plan.failAt && n < plan.failAt + count) || (plan.alsoAt?.includes(n) ?? false);
  const binding = interceptD1(d1, async (run) => {
    const n = ++calls;
    if (!fails(n)) return run();
    struck = true;
    if (timing === 'after') await run();
    throw new InjectedD1Error(n);
  });
  return { binding, calls: () => calls, struck: () => struck };
}

export interface FaultyCallResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
  /** D1 calls the request made, background work (waitUntil) included. */
  d1Calls: number;
  struck: boolean;
  /** Background work (waitUntil) that failed: not the caller's answer, and caught so it is no unhandled rejection. */
  backgroundFailures: number;
}

/**
 * The context with each promise handed to waitUntil caught as it is handed over: work that fails
 * after the answer (a last-use stamp) is counted, not left to surface as an unhandled rejection.
 */
function catchingBackground(ctx: ExecutionContext) {
  let failures = 0;
  const caught = new Proxy(ctx, {
    get(target, prop) {
      if (prop === 'waitUntil')
        return (promise: Promise<unknown>) =>
          target.waitUntil(
            promise.catch(() => {
              failures++;
            }),
          );
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { ctx: caught, failures: () => failures };
}

/**
 * Serves one request through the Worker's own fetch handler with a D1 binding that fails as
 * planned, waits for its background work, and says how many D1 calls it made. Walk `failAt`
 * from 1 to that count to fail every call a flow makes.
 */
export async function callWithFault(path: string, plan: FaultPlan, options: CallOptions = {}): Promise<FaultyCallResult> {
  const faulty = faultyD1(env.DB, plan);
  const ctx = createExecutionContext();
  const background = catchingBackground(ctx);
  const request = buildRequest(path, options);
  const res = await worker.fetch(request, { ...env, DB: faulty.binding }, background.ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx).catch(() => {});
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    headers: res.headers,
    text,
    json,
    d1Calls: faulty.calls(),
    struck: faulty.struck(),
    backgroundFailures: background.failures(),
  };
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
