import { env } from 'cloudflare:test';
import { BASE } from '../helpers/api';
import { browse } from '../links/fixtures';
import { signedInUser } from '../users/fixtures';

export { BASE } from '../helpers/api';

export type ConsoleUser = Awaited<ReturnType<typeof signedInUser>>;

/** A signed-in person of a fresh organization, as the console sees them. */
export const consoleUser = (role: 'owner' | 'admin' | 'member' = 'owner') => signedInUser(role);

/** A platform admin (who sees the operator's pages), owner of a fresh organization of their own. */
export async function platformAdmin(): Promise<ConsoleUser> {
  const user = await signedInUser('owner');
  await env.DB.prepare('UPDATE users SET is_platform_admin = 1 WHERE id = ?').bind(user.userId).run();
  return user;
}

/** A console page, as the signed-in browser gets it (redirects not followed). */
export const page = (user: ConsoleUser, path: string) => browse(path, { headers: { cookie: user.cookie } });

/** The form token of a console page: what every console form posts. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('the page has no console form');
  return match[1]!;
}

/** Posts a console form from our own page, the form token included unless given. */
export async function submit(
  user: ConsoleUser,
  path: string,
  fields: [string, string][],
  options: { csrf?: string | null; headers?: Record<string, string> } = {},
) {
  const csrf = options.csrf === undefined ? csrfOf((await page(user, '/console/oauth/create')).text) : options.csrf;
  const body = new URLSearchParams(fields);
  if (csrf !== null) body.set('_csrf', csrf);
  return browse(path, {
    method: 'POST',
    rawBody: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE, 'sec-fetch-site': 'same-origin', cookie: user.cookie, ...options.headers },
  });
}
