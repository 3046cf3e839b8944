import { BEARER } from '../auth/authenticate';
import type { Caller } from '../auth/caller';
import type { Db } from '../db/client';
import type { RawQuery } from '../db/prepared';
import type { Keyring } from '../lib/crypto';

/** One D1 statement, run and read with `.raw()`, counted into the request's round trips. */
export type HotQuery = RawQuery;

/** What a hot route may use: its statements, the drizzle client (for background work and statements built by preparedOnce), the keyring. */
export interface HotDeps {
  query: HotQuery;
  db: Db;
  keyring: Keyring;
  waitUntil: (promise: Promise<unknown>) => void;
  now: number;
  publicUrl: string;
}

export interface HotAnswer {
  response: Response;
  /** Null for a public page. */
  caller: Caller | null;
}

/**
 * A route the Worker answers before the app (see hot-routes.ts) when it can answer its common
 * case in one statement: its success, byte for byte what the app's route answers. Everything
 * else (a refusal, a miss, a refresh to make, an error) it leaves to the app by returning null,
 * so the app stays the one place errors are shaped; a test compares both answers.
 */
export interface HotRoute {
  /** The app's route pattern it stands in for, as the request log names it. */
  route: string;
  /** The path's parameters when the path is this route's (GET only), else null. */
  match: (path: string) => Record<string, string> | null;
  serve: (request: Request, params: Record<string, string>, deps: HotDeps) => Promise<HotAnswer | null>;
}

/** The bearer secret as bearerToken reads it; a malformed header is left to the app. */
export function bearerSecret(request: Request): string | null {
  const header = request.headers.get('authorization');
  return header === null ? null : (BEARER.exec(header)?.[1] ?? null);
}

/** A JSON answer with the headers Hono's `c.json` gives it. */
export function jsonResponse(body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json', ...headers } });
}
