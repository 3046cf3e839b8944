import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error of the OAuth endpoints, answered in RFC 6749 §5.2 form rather than the management
 * API's shape: OAuth clients parse `error` and `error_description`.
 */
export class OAuthError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

export const invalidRequest = (description: string) => new OAuthError(400, 'invalid_request', description);
export const invalidGrant = (description: string) => new OAuthError(400, 'invalid_grant', description);
export const invalidClient = (description: string) => new OAuthError(401, 'invalid_client', description);

/** Token responses and errors must never be cached (RFC 6749 §5.1). */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export function oauthErrorResponse(c: Context, err: OAuthError): Response {
  const headers: Record<string, string> = { ...NO_STORE };
  // RFC 6749 §5.2: a 401 for client authentication names the scheme the client should use.
  if (err.status === 401) headers['WWW-Authenticate'] = 'Basic realm="edgelink", charset="UTF-8"';
  return c.json({ error: err.error, error_description: err.description }, err.status, headers);
}
