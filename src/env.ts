import type { Authenticator } from './auth/authenticate';
import type { Context } from 'hono';
import type { Caller } from './auth/caller';
import type { RoundTrips } from './db/client';
import type { AppDeps } from './deps';

/** Bindings and secrets from wrangler.toml, `wrangler secret` and `.dev.vars`. */
export interface CloudflareBindings {
  DB: D1Database;
  KV: KVNamespace;
  /** Public origin of this deployment, e.g. https://edgelink.example.com (no trailing slash). */
  PUBLIC_URL: string;
  /** `kid:base64url(32 bytes)` entries separated by commas; the first is the active key. */
  ENCRYPTION_KEYS: string;
  /** Bearer token for operator routes under /api/v1/admin. */
  ADMIN_TOKEN: string;
  /** Optional notification transports; without one, notifications stay visible in /notifications. */
  EMAIL?: SendEmail;
  NOTIFY_FROM?: string;
  NOTIFY_URL?: string;
  NOTIFY_TOKEN?: string;
  /** Connections per chunk of a cascade delete (default and most: 50); tests set it low. */
  CASCADE_CHUNK_SIZE?: string;
}

/** Hono's environment for every route of the app. */
export interface AppEnv {
  Bindings: CloudflareBindings;
  Variables: {
    requestId: string;
    /** Built once per request by the app; see deps.ts. */
    deps: AppDeps;
    /** D1 round trips so far in this request. */
    d1: RoundTrips;
    caller: Caller | null;
    /** The app's credential verifiers, set by `authenticate` for guards that resolve the caller themselves. */
    authenticator?: Authenticator;
  };
}

/**
 * The context of any route of the app, whatever its path and validated input, for helpers that
 * read only bindings, variables and headers.
 */
// biome-ignore lint/suspicious/noExplicitAny: Hono's path and input parameters differ per route, and these helpers use neither.
export type AnyContext = Context<AppEnv, any, any>;
