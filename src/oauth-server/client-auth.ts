import type { Db } from '../db/client';
import { findActiveApplicationByClientId, verifyClientSecret } from '../applications/service';
import type { applications } from '../applications/schema';
import { invalidClient, invalidRequest } from './errors';

export type Application = typeof applications.$inferSelect;

interface Presented {
  clientId: string;
  clientSecret: string | null;
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
}

function decodeFormComponent(value: string): string {
  return decodeURIComponent(value.replaceAll('+', ' '));
}

/** The client credentials in the request: a Basic header or body fields, never both (RFC 6749 §2.3.1). */
export function presentedCredentials(authorization: string | undefined, form: Map<string, string>): Presented | null {
  const inBody = form.has('client_secret');
  if (authorization !== undefined) {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization.trim());
    if (!match) throw invalidClient('The Authorization header must be HTTP Basic with the client id and secret.');
    if (inBody) throw invalidRequest('Authenticate the client one way only: the Basic header or client_secret in the body.');
    let decoded: string;
    try {
      decoded = atob(match[1]!);
    } catch {
      throw invalidClient('The Basic credentials are not valid base64.');
    }
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalidClient('The Basic credentials must be client_id:client_secret.');
    try {
      const clientId = decodeFormComponent(decoded.slice(0, colon));
      const clientSecret = decodeFormComponent(decoded.slice(colon + 1));
      const bodyId = form.get('client_id');
      if (bodyId !== undefined && bodyId !== clientId) throw invalidRequest('client_id in the body differs from the Basic credentials.');
      return { clientId, clientSecret, method: 'client_secret_basic' };
    } catch (err) {
      if (err instanceof URIError) throw invalidClient('The Basic credentials are not correctly encoded.');
      throw err;
    }
  }
  const clientId = form.get('client_id');
  if (clientId === undefined) return null;
  return inBody ? { clientId, clientSecret: form.get('client_secret')!, method: 'client_secret_post' } : { clientId, clientSecret: null, method: 'none' };
}

/**
 * The confidential client making this request. Every failure is the same 401 `invalid_client`
 * so nobody learns which client ids exist; the secret is compared in constant time.
 */
export async function authenticateClient(db: Db, authorization: string | undefined, form: Map<string, string>): Promise<Application> {
  const presented = presentedCredentials(authorization, form);
  if (!presented) throw invalidClient('Client authentication is required.');
  const app = await findActiveApplicationByClientId(db, presented.clientId);
  if (!app || presented.clientSecret === null || !(await verifyClientSecret(app, presented.clientSecret))) {
    throw invalidClient('Client authentication failed.');
  }
  return app;
}
