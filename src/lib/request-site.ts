import type { AnyContext } from '../env';

export type RequestSite = 'same-origin' | 'foreign' | 'unknown';

/**
 * Where a request came from, as the browser tells it: `Sec-Fetch-Site` when sent, otherwise
 * `Origin`. Our pages send `Referrer-Policy: no-referrer`, under which a browser's own form
 * posts say `Origin: null`, so `Sec-Fetch-Site: same-origin` must count on its own. A request
 * with neither header did not come from a current browser (curl, a backend): `unknown`.
 */
export function requestSite(c: AnyContext): RequestSite {
  const fetchSite = c.req.header('sec-fetch-site');
  if (fetchSite !== undefined) return fetchSite === 'same-origin' ? 'same-origin' : 'foreign';
  const origin = c.req.header('origin');
  if (origin !== undefined) return origin === new URL(c.env.PUBLIC_URL).origin ? 'same-origin' : 'foreign';
  return 'unknown';
}

/** GET, HEAD and OPTIONS change nothing; everything else is a write. */
export const isSafeMethod = (method: string) => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
