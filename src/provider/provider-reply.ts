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
