import { parseSafeUrl } from '../lib/url';
import { OfferingError } from './errors';

/** `{public_url}` is filled from the deployment's PUBLIC_URL, never from a user. */
export const PUBLIC_URL_PLACEHOLDER = 'public_url';

const placeholderPattern = /\{([^{}]*)\}/g;

/** Names of the `{placeholders}` in a URL template, in order, repeats included. */
export function listPlaceholders(template: string): string[] {
  return [...template.matchAll(placeholderPattern)].map((match) => match[1] ?? '');
}

/** Why a template's braces are unusable (unbalanced, empty or nested), or null when fine. */
export function templateSyntaxProblem(template: string): string | null {
  const remainder = template.replace(placeholderPattern, '');
  if (remainder.includes('{') || remainder.includes('}')) return 'has an unbalanced "{" or "}"';
  for (const name of listPlaceholders(template)) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) return `has an invalid placeholder "{${name}}"`;
  }
  if (template.includes(`{${PUBLIC_URL_PLACEHOLDER}}`) && !template.startsWith(`{${PUBLIC_URL_PLACEHOLDER}}/`)) {
    return `may use {${PUBLIC_URL_PLACEHOLDER}} only at its start, followed by a path`;
  }
  return null;
}

/** The last PUBLIC_URL normalized, and what it gave. */
let normalized: { publicUrl: string; value: string } | undefined;

/**
 * PUBLIC_URL as a template value: an https (or loopback http) origin, optionally with a path
 * prefix, no query or fragment, no trailing slash.
 */
export function normalizePublicUrl(publicUrl: string): string {
  // One PUBLIC_URL per deployment, asked for on every page with a Connect form: parsed once.
  if (normalized?.publicUrl === publicUrl) return normalized.value;
  const result = parseSafeUrl(publicUrl, { allowHttpLoopback: true });
  if (!result.ok || result.url.search !== '') {
    const reason = result.ok ? 'must not have a query' : result.message;
    throw new OfferingError('invalid_public_url', `PUBLIC_URL ${reason}`, PUBLIC_URL_PLACEHOLDER);
  }
  const value = `${result.url.origin}${result.url.pathname}`.replace(/\/+$/, '');
  normalized = { publicUrl, value };
  return value;
}

/**
 * Replaces every `{name}` with `values[name]`. Values must already be validated (see
 * inputs.ts); a placeholder without a value is refused rather than left in the URL.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(placeholderPattern, (_whole, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) {
      throw new OfferingError('unknown_placeholder', `URL template uses an unknown placeholder {${name}}`, name);
    }
    return value;
  });
}
