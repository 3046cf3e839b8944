import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { moveToPrimary } from '../db/client';
import type { AppDeps } from '../deps';
import type { AnyContext, AppEnv, CloudflareBindings } from '../env';
import { ApiError, forbidden, unauthorized } from '../lib/errors';
import type { Caller } from './caller';
import { isSafeMethod, requestSite } from '../lib/request-site';
import { answeringRoute } from './route';

/** What a verifier gets besides the secret: plain values, never Hono's context. */
export interface VerifyInputs {
  deps: AppDeps;
  env: CloudflareBindings;
  /** The request's headers, for choices that come with a credential (Edgelink-Organization). */
  headers: Headers;
  now: number;
}

/** The caller behind a secret, or null when the secret is unknown, revoked or expired. */
export type Verify = (secret: string, inputs: VerifyInputs) => Promise<Caller | null>;

/** A credential sent as `Authorization: Bearer`, recognised by the prefix its issuer gives it. */
export interface BearerCredential {
  prefix: string;
  verify: Verify;
  /** The answer to a secret with this prefix that does not verify. */
  refused: () => ApiError;
}

/** A credential the browser sends by itself, in a cookie. */
export interface SessionCredential {
  /** The secret the request's cookie carries, if it carries a well-formed one. */
  tokenOf: (c: AnyContext) => string | undefined;
  verify: Verify;
  refused: () => ApiError;
}

/** Every way to call the management API; each verifier comes from the feature that issues the secret. */
export interface Credentials {
  apiKey: BearerCredential;
  accessToken: BearerCredential;
  session: SessionCredential;
  /** The operator's ADMIN_TOKEN; tried for a bearer token no prefix claims. */
  operatorToken: Verify;
}

/** Resolves a request's caller with the app's credentials; null when it carries none. */
export type Authenticator = (c: AnyContext) => Promise<Caller | null>;

/** `Bearer <secret>` as the API reads it; the hot routes read it the same way. */
export const BEARER = /^Bearer +([\x21-\x7e]{1,512})\s*$/i;

export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = BEARER.exec(header);
  if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".');
  return match[1]!;
}

export const verifyInputs = (c: AnyContext): VerifyInputs => ({
  deps: c.var.deps,
  env: c.env,
  headers: c.req.raw.headers,
  now: Date.now(),
});

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * A browser sends a cookie with any request to us, including one a foreign page triggers, so a
 * write made with a cookie credential must come from our own pages (or from a client that is
 * not a browser at all) and carry JSON, which no cross-site form can send. This is a rule about
 * how the credential arrives, not about whose it is, so it is applied here, before the verifier
 * spends a query on a forged request.
 */
function refuseForgedWrite(c: AnyContext): void {
  if (isSafeMethod(c.req.method)) return;
  if (requestSite(c) === 'foreign') {
    throw forbidden('Cross-site requests cannot use the session cookie; send them from Edgelink itself or with an API key.');
  }
  const type = c.req.header('content-type');
  if (type !== undefined && !JSON_TYPE.test(type.split(';')[0]!.trim())) {
    throw new ApiError(415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.');
  }
}

/**
 * A secret unknown to a replica may be one issued a moment ago that has not reached it yet, so
 * it is asked again on the primary (and the rest of the request stays there) before a 401.
 */
async function verifyWhereWritten(verify: Verify, secret: string, c: AnyContext): Promise<Caller | null> {
  const caller = await verify(secret, verifyInputs(c));
  return caller ?? (moveToPrimary() ? verify(secret, verifyInputs(c)) : null);
}

function authenticator(credentials: Credentials): Authenticator {
  const bearers = [credentials.apiKey, credentials.accessToken];
  return async (c) => {
    const token = bearerToken(c.req.header('authorization'));
    if (token === null) {
      const sessionToken = credentials.session.tokenOf(c);
      if (sessionToken === undefined) return null;
      refuseForgedWrite(c);
      const caller = await verifyWhereWritten(credentials.session.verify, sessionToken, c);
      if (!caller) throw credentials.session.refused();
      return caller;
    }
    const bearer = bearers.find((b) => token.startsWith(b.prefix));
    if (bearer) {
      const caller = await verifyWhereWritten(bearer.verify, token, c);
      if (!caller) throw bearer.refused();
      return caller;
    }
    const operator = await credentials.operatorToken(token, verifyInputs(c));
    if (operator) return operator;
    throw unauthorized('This bearer token is not valid.');
  };
}

/** Marks a route guard that resolves the caller itself (see with-resource.ts). */
export const RESOLVES_CALLER = Symbol.for('edgelink.auth.resolves-caller');

/**
 * Resolves the Authorization header (or, without one, the session cookie) into `c.var.caller`
 * once; routes then ask for the kind of caller they accept. An unknown, revoked or expired
 * credential is refused here, so no route can forget to. A route that authenticates together
 * with its resource lookup does it in its own chain, with this authenticator as the fallback.
 */
export function authenticateWith(credentials: Credentials): MiddlewareHandler<AppEnv> {
  const resolve = authenticator(credentials);
  return createMiddleware<AppEnv>(async (c, next) => {
    c.set('authenticator', resolve);
    if (!answeringRoute(c).some((h) => typeof h === 'function' && RESOLVES_CALLER in h)) c.set('caller', await resolve(c));
    await next();
  });
}
