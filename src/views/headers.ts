import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { base64urlEncode, sha256Bytes } from '../lib/crypto';
import { PAGE_CSS } from './layout';

declare module 'hono' {
  interface ContextVariableMap {
    /** Origins a form on this page may end up at after a redirect; see {@link allowFormTargets}. */
    formTargets?: string[];
  }
}

// A CSP source expression we are willing to print: a scheme (`https:`), or a scheme, an
// optionally wildcarded host and a port. Nothing with spaces, quotes or `;` can get through.
const SOURCE = /^(?:https?:|https?:\/\/(?:\*\.)?(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?)$/;

/**
 * Chrome and Safari check `form-action` against every redirect a form submission follows, not
 * only its action (w3c/webappsec-csp#8). A Connect form posts to us and we answer 302 to the
 * provider, so the page holding that form must name the provider's origin too.
 */
export function allowFormTargets(c: Context, sources: Iterable<string>): void {
  c.set('formTargets', withFormTargets(c.get('formTargets') ?? [], sources));
}

/** `current` and those of `sources` that are printable CSP sources, each once. */
export function withFormTargets(current: string[], sources: Iterable<string>): string[] {
  for (const source of sources) {
    if (SOURCE.test(source) && !current.includes(source)) current.push(source);
  }
  return current;
}

let styleHash: Promise<string> | undefined;

/** CSP hash sources are standard base64 of the SHA-256 of the exact `<style>` text. */
async function pageStyleSource(): Promise<string> {
  styleHash ??= sha256Bytes(PAGE_CSS).then((digest) => {
    const b64url = base64urlEncode(digest);
    const b64 = b64url.replaceAll('-', '+').replaceAll('_', '/');
    return `'sha256-${b64}${'='.repeat((4 - (b64.length % 4)) % 4)}'`;
  });
  return styleHash;
}

/**
 * The policy of every HTML page: our one stylesheet, no scripts, forms only to us (and targets).
 * The console (`selfAssets`) loads its stylesheet and one script from our own origin instead.
 */
export async function pageContentSecurityPolicy(formTargets: readonly string[] = [], selfAssets = false): Promise<string> {
  return [
    "default-src 'none'",
    // The console's own pages load from 'self'; the shared notice pages keep their inline sheet.
    ...(selfAssets ? [`style-src 'self' ${await pageStyleSource()}`, "script-src 'self'"] : [`style-src ${await pageStyleSource()}`]),
    'img-src data:',
    ["form-action 'self'", ...formTargets].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * Security headers for every HTML page (set by the page layer, page-app.tsx). Referrer-Policy
 * no-referrer keeps the link token in our URLs away from providers; it also makes browsers send
 * `Origin: null` on our own form posts, which is why the CSRF check accepts `Sec-Fetch-Site:
 * same-origin` as well (see csrf.ts).
 */
export const pageHeaders = (selfAssets = false) =>
  createMiddleware(async (c, next) => {
    await next();
    await setPageHeaders(c.res.headers, c.get('formTargets'), selfAssets);
  });

/** The headers above, for a page answered outside the page layer (the link page's hot route). */
export async function setPageHeaders(headers: Headers, formTargets: readonly string[] | undefined, selfAssets = false): Promise<void> {
  headers.set('Content-Security-Policy', await pageContentSecurityPolicy(formTargets, selfAssets));
  headers.set('X-Frame-Options', 'DENY');
  headers.set('Referrer-Policy', 'no-referrer');
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Cache-Control', 'no-store');
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
}
