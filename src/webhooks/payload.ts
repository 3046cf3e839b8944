/**
 * Webhook payloads describe what happened and never carry credentials. Emitters should not pass
 * any; this is the second line: keys named like a credential and values shaped like one of our
 * secrets are removed before the event is stored or sent.
 */

const CREDENTIAL_KEY = /token|secret|password|passwd|credential|api_?key|authorization|private_?key|cookie|session/i;
// A flag cannot carry a secret, so `has_refresh_token: true` may stay.
const isHarmless = (value: unknown) => typeof value === 'boolean' || value === null;
// Edgelink's own secret prefixes (API keys, client secrets, tokens, webhook secrets) and JWT-looking strings.
const SECRET_VALUE = /^(elk_(sk|cs|at|rt)_|whsec_)|^eyJ[\w-]+\.[\w-]+\./;
const MAX_DEPTH = 8;
const DROPPED = Symbol('dropped');

export interface ScrubResult {
  data: Record<string, unknown>;
  /** Paths of what was removed, e.g. `data.access_token`; names only, never values. */
  removed: string[];
}

export function scrubCredentials(data: Record<string, unknown>): ScrubResult {
  const removed: string[] = [];
  const scrub = (value: unknown, path: string, depth: number): unknown => {
    if (typeof value === 'string') return SECRET_VALUE.test(value) ? drop(path) : value;
    if (value === null || typeof value !== 'object') return value;
    if (depth >= MAX_DEPTH) return drop(path);
    if (Array.isArray(value)) {
      return value.map((item, i) => scrub(item, `${path}[${i}]`, depth + 1)).filter((item) => item !== DROPPED);
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const itemPath = `${path}.${key}`;
      if (CREDENTIAL_KEY.test(key) && !isHarmless(item)) {
        removed.push(itemPath);
        continue;
      }
      const scrubbed = scrub(item, itemPath, depth + 1);
      if (scrubbed !== DROPPED) out[key] = scrubbed;
    }
    return out;
  };
  const drop = (path: string) => {
    removed.push(path);
    return DROPPED;
  };
  const result = scrub(data, 'data', 0);
  return { data: result === DROPPED ? {} : (result as Record<string, unknown>), removed };
}
