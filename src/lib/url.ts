import { z } from 'zod';

/**
 * The one URL syntax check of the app: every URL a user, an operator or the catalog gives us
 * (offering endpoints, redirect URIs, webhook endpoints, terms/privacy links) goes through here.
 * URLs Edgelink calls or sends a browser to also pass the host policy of outbound-url.ts.
 */

export const MAX_URL_LENGTH = 2048;

export interface SafeUrlOptions {
  /** Allow plain http for loopback hosts only (RFC 8252 §7.3 native-app redirects, local dev). */
  allowHttpLoopback?: boolean;
}

export type SafeUrlResult = { ok: true; url: URL } | { ok: false; message: string };

const loopbackHosts = new Set(['127.0.0.1', '[::1]', '::1', 'localhost']);

/** True for the loopback hosts RFC 8252 lets a client use over plain http. */
export function isLoopbackHost(host: string): boolean {
  return loopbackHosts.has(host.toLowerCase());
}

/**
 * Parses an absolute https URL (http only for loopback when allowed) with no credentials and
 * no fragment. The raw text is checked before WHATWG parsing because the parser forgives
 * things an attacker relies on: it strips tabs and newlines, reads `\` as `/` and accepts
 * `https:host` without slashes.
 */
export function parseSafeUrl(value: string, options: SafeUrlOptions = {}): SafeUrlResult {
  if (value.length === 0) return fail('must not be empty');
  if (value.length > MAX_URL_LENGTH) return fail(`must be at most ${MAX_URL_LENGTH} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(value)) {
    return fail('must not contain whitespace or control characters');
  }
  if (value.includes('\\')) return fail('must not contain backslashes');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return fail('must be an absolute URL starting with https://');
  if (scheme !== 'https' && scheme !== 'http') {
    return fail(`must use https (the ${scheme}: scheme is not allowed)`);
  }
  if (!/^https?:\/\//i.test(value)) return fail('must be an absolute URL starting with https://');
  if (value.includes('#')) return fail('must not contain a fragment (#)');
  const authority = value.slice(value.indexOf('//') + 2).split(/[/?]/, 1)[0] ?? '';
  if (authority.includes('@')) return fail('must not contain credentials (user:password@)');
  if (authority === '') return fail('must have a host');

  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('is not a valid URL');
  }
  if (url.hostname === '') return fail('must have a host');
  if (url.username !== '' || url.password !== '') {
    return fail('must not contain credentials (user:password@)');
  }
  if (url.protocol === 'http:') {
    if (!options.allowHttpLoopback || !isLoopbackHost(url.hostname)) {
      return fail('must use https (http is allowed only for 127.0.0.1, [::1] and localhost)');
    }
  }
  return { ok: true, url };
}

function fail(message: string): SafeUrlResult {
  return { ok: false, message };
}

/** A zod schema for {@link parseSafeUrl}; the URL text is kept as given. */
export function safeUrl(options: SafeUrlOptions = {}) {
  return z.string().superRefine((value, ctx) => {
    const result = parseSafeUrl(value, options);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: `URL ${result.message}` });
  });
}

/** Absolute https URL; plain http only for loopback hosts (RFC 8252); no credentials or fragment. */
export const safeHttpsUrl = safeUrl({ allowHttpLoopback: true });
