/**
 * Reads a dotted path such as `authed_user.access_token` from a parsed reply. A key that
 * itself contains the dots (a flat form-encoded reply) is tried first.
 */
export function readPath(source: unknown, path: string): unknown {
  if (!isRecord(source)) return undefined;
  if (Object.hasOwn(source, path)) return source[path];
  let current: unknown = source;
  for (const segment of path.split('.')) {
    if (!isRecord(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** A scalar at `path` as a non-empty string (numbers and booleans stringified), else undefined. */
export function readString(source: unknown, path: string): string | undefined {
  const value = readPath(source, path);
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
