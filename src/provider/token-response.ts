import type { OfferingDefinition } from '../offerings/definition';
import { readPath, readString } from './json-path';
import { type ProviderReply, parseReplyBody, readOAuthError } from './provider-reply';

/** Account details found in the token reply; the userinfo reply, when there is one, wins. */
export interface AccountHints {
  id?: string;
  email?: string;
  name?: string;
}

export interface TokenSet {
  ok: true;
  accessToken: string;
  /** Absent when the reply has none: after a refresh, keep the refresh token you had. */
  refreshToken?: string;
  tokenType: string;
  /** Epoch milliseconds; null when the token does not expire. */
  expiresAt: number | null;
  /** Granted scopes when the reply says; null when it does not. */
  scopes: string[] | null;
  /** The offering's `token_response.metadata` paths found in the reply, keyed by path. */
  metadata: Record<string, string>;
  account: AccountHints;
}

export type TokenFailure =
  | { ok: false; kind: 'oauth_error'; status: number; error: string; description?: string }
  | { ok: false; kind: 'malformed'; status: number; reason: string };

export type TokenResult = TokenSet | TokenFailure;

/**
 * Reads a token endpoint's reply with the offering's quirks: JSON or form-encoded, tokens at
 * nested paths (Slack's `authed_user`), `expires_in` missing (the offering's default applies)
 * or sent as a string, scopes as a string or an array, errors sent with status 200.
 * Failure reasons never contain token values.
 */
export function parseTokenResponse(offering: OfferingDefinition, reply: ProviderReply, now: number): TokenResult {
  const { status } = reply;
  const parsed = parseReplyBody(reply);
  if (!parsed.ok) return { ok: false, kind: 'malformed', status, reason: parsed.reason };
  const body = parsed.body;
  const oauthError = readOAuthError(body);
  if (oauthError !== null) return { ok: false, kind: 'oauth_error', status, ...oauthError };
  if (status < 200 || status > 299) {
    return { ok: false, kind: 'malformed', status, reason: `HTTP ${status} reply without an OAuth error` };
  }

  const paths = offering.token_response;
  const accessToken = readPath(body, paths.access_token_path);
  if (typeof accessToken !== 'string' || accessToken === '') {
    return { ok: false, kind: 'malformed', status, reason: `reply has no access token at "${paths.access_token_path}"` };
  }
  const refreshToken = readPath(body, paths.refresh_token_path);
  const expiresIn = readSeconds(readPath(body, paths.expires_in_path)) ?? paths.default_expires_in;
  const separator = paths.scope_separator ?? offering.scope_separator;
  const tokens: TokenSet = {
    ok: true,
    accessToken,
    ...(typeof refreshToken === 'string' && refreshToken !== '' ? { refreshToken } : {}),
    tokenType: readTokenType(readPath(body, paths.token_type_path)),
    expiresAt: expiresIn === null ? null : now + expiresIn * 1000,
    scopes: readScopes(readPath(body, paths.scope_path), separator),
    metadata: readMetadata(body, paths.metadata),
    account: readAccountHints(body, offering.account),
  };
  const oversized = oversizedPart(tokens);
  if (oversized !== null) return { ok: false, kind: 'malformed', status, reason: oversized };
  return tokens;
}

/** What a provider reply may put in a connection row; beyond it the reply is refused, never cut. */
export const TOKEN_REPLY_LIMITS = {
  token: 16_384,
  tokenType: 40,
  scopes: 200,
  scope: 256,
  value: 2048,
} as const;

/** Which part of the reply is too large to store, in words without its value; null when all fit. */
function oversizedPart(tokens: TokenSet): string | null {
  const L = TOKEN_REPLY_LIMITS;
  if (tokens.accessToken.length > L.token) return `the access token is too long (over ${L.token} characters)`;
  if ((tokens.refreshToken?.length ?? 0) > L.token) return `the refresh token is too long (over ${L.token} characters)`;
  if (tokens.tokenType.length > L.tokenType) return `the token type is too long (over ${L.tokenType} characters)`;
  if (tokens.scopes !== null) {
    if (tokens.scopes.length > L.scopes) return `the reply grants too many scopes (over ${L.scopes})`;
    if (tokens.scopes.some((scope) => scope.length > L.scope)) return `a granted scope is too long (over ${L.scope} characters)`;
  }
  for (const [path, value] of Object.entries(tokens.metadata)) {
    if (value.length > L.value) return `the metadata value at "${path}" is too long (over ${L.value} characters)`;
  }
  for (const [field, value] of Object.entries(tokens.account)) {
    if (value !== undefined && value.length > L.value) return `the account ${field} is too long (over ${L.value} characters)`;
  }
  return null;
}

/** expires_in as a positive whole number of seconds; numbers and numeric strings count. */
function readSeconds(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  return Math.round(seconds);
}

/** Edgelink's credential modes (connections/shapes.ts `CREDENTIAL_TOKEN_TYPES`), which no provider may claim. */
const CREDENTIAL_MODE_NAMES: ReadonlySet<string> = new Set(['api_key', 'basic']);

/**
 * RFC 6749 §7.1 token types are case-insensitive; GitHub says "bearer". Any other type is kept
 * as data, except the names of Edgelink's credential modes (`api_key`, `basic`): a provider
 * must never turn an OAuth connection into a credential one, so those read as Bearer.
 */
export function readTokenType(value: unknown): string {
  if (typeof value !== 'string') return 'Bearer';
  const type = value.trim();
  if (type === '' || /^bearer$/i.test(type) || CREDENTIAL_MODE_NAMES.has(type.toLowerCase())) return 'Bearer';
  return type;
}

/** Scopes split on the offering's separator and on whitespace, which RFC 6749 §3.3 uses. */
export function readScopes(value: unknown, separator: string): string[] | null {
  let scopes: string[];
  if (typeof value === 'string') {
    scopes = value.split(separator === ' ' ? /\s+/ : new RegExp(`[\\s${separator}]+`));
  } else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    scopes = value;
  } else {
    return null;
  }
  return [...new Set(scopes.map((scope) => scope.trim()).filter((scope) => scope !== ''))];
}

function readMetadata(body: Record<string, unknown>, paths: readonly string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const path of paths) {
    const value = readString(body, path);
    if (value !== undefined) metadata[path] = value;
  }
  return metadata;
}

/** The offering's account paths read from one reply (token or userinfo). */
export function readAccountHints(body: unknown, paths: OfferingDefinition['account']): AccountHints {
  const hints: AccountHints = {};
  for (const field of ['id', 'email', 'name'] as const) {
    const path = paths[field];
    // Several paths: the first the reply has wins.
    const value = (typeof path === 'string' ? [path] : (path ?? [])).map((p) => readString(body, p)).find((v) => v !== undefined);
    if (value !== undefined) hints[field] = value;
  }
  return hints;
}
