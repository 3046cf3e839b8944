/** Where a signed-in browser lands when no (acceptable) `next` was given: the console. */
export const DEFAULT_NEXT = '/console';

/**
 * The `next` of a sign-in, if it is a path on this site; null otherwise. Only a single leading
 * slash will do: `//evil.example` and `/\evil.example` are protocol-relative to a browser, and
 * the WHATWG parser drops tabs and newlines, so those are refused before parsing too. The
 * parsed result must still be on our origin and a single-slash path, and only its path and
 * query are kept.
 */
export function safeNextPath(value: string | undefined, publicUrl: string): string | null {
  if (!value || value.length > 4096 || !value.startsWith('/')) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\s\u0000-\u001f\u007f\\]/.test(value) || value.startsWith('//')) return null;
  const origin = new URL(publicUrl).origin;
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return null;
  }
  // Dot segments can collapse into a double slash: `/..//evil.example` parses to `//evil.example`.
  if (url.origin !== origin || url.pathname.startsWith('//')) return null;
  return `${url.pathname}${url.search}`;
}
