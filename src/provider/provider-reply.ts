import { isRecord } from './json-path';

/** An HTTP reply from a provider, as read by whoever sent the request. */
export interface ProviderReply {
  status: number;
  contentType: string | null;
  bodyText: string;
}

export type ReplyBody = { ok: true; body: Record<string, unknown> } | { ok: false; reason: string };

const formBodyPattern = /^[A-Za-z0-9_.%+-]+=[^\s]*$/;

/**
 * The reply as an object: JSON, or form-encoded (GitHub's default). Reasons name the shape
 * that was wrong, never the content, so no token can leak into a log through them.
 */
export function parseReplyBody(reply: ProviderReply): ReplyBody {
  const text = reply.bodyText.trim();
  const type = (reply.contentType ?? '').toLowerCase();
  if (text === '') return { ok: false, reason: 'reply body is empty' };
  if (type.includes('html') || text.startsWith('<')) {
    return { ok: false, reason: 'reply is an HTML or XML page, not a token response' };
  }
  if (type.includes('json') || text.startsWith('{') || text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'reply is not valid JSON' };
    }
    return isRecord(parsed) ? { ok: true, body: parsed } : { ok: false, reason: 'JSON reply is not an object' };
  }
  if (type.includes('x-www-form-urlencoded') || formBodyPattern.test(text)) {
    return { ok: true, body: Object.fromEntries(new URLSearchParams(text)) };
  }
  return { ok: false, reason: 'reply is neither JSON nor form-encoded' };
}

export interface OAuthErrorBody {
  error: string;
  description?: string;
}

const MAX_DESCRIPTION_LENGTH = 300;

/**
 * An OAuth error carried by the body, whatever the status: RFC 6749 §5.2 `error`, GitHub's
 * 200 with `error`, Slack's `{ ok: false, error }`.
 */
export function readOAuthError(body: Record<string, unknown>): OAuthErrorBody | null {
  const error = body.error;
  const description = typeof body.error_description === 'string' ? body.error_description.slice(0, MAX_DESCRIPTION_LENGTH) : undefined;
  if (typeof error === 'string' && error !== '') return description === undefined ? { error } : { error, description };
  if (isRecord(error) && typeof error.code === 'string') return { error: error.code };
  if (body.ok === false) return { error: 'unknown_error' };
  return null;
}

/** OAuth error codes registered by RFC 6749 §4.1.2.1 and §5.2 and RFC 7009 §2.2.1. */
const REGISTERED_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'unsupported_token_type',
  'invalid_scope',
  'access_denied',
  'server_error',
  'temporarily_unavailable',
]);

/**
 * A provider's `error` as a log line may carry it: a registered code as it is, anything else as
 * `unregistered_error`. A provider can put whatever it likes there, a token it was sent included.
 */
export function loggableOAuthError(error: string | undefined | null): string | null {
  if (error === undefined || error === null) return null;
  return REGISTERED_ERRORS.has(error) ? error : 'unregistered_error';
}
