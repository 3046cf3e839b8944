import { z } from 'zod';
import type { AppDeps } from '../deps';
import { decrypt, encrypt, randomToken, sha256Hex } from '../lib/crypto';

/**
 * A secret issued by a console POST reaches the page that shows it through a redirect: it is
 * parked sealed in KV under a random ticket for a few minutes, bound to the viewer, and the
 * first view takes it away. Reloading that page, or the browser's back button, never shows it
 * again, and a reload never re-posts the form that issued it.
 */
const TTL_SECONDS = 300;

const shownOnce = z.object({
  title: z.string(),
  /** What the secret is for, e.g. "the application Acme CRM". */
  subject: z.string(),
  items: z.array(z.object({ label: z.string(), value: z.string(), secret: z.boolean() })),
  /** Where the person goes on from the page. */
  next: z.object({ href: z.string(), label: z.string() }),
});

export type ShownOnce = z.infer<typeof shownOnce>;

const keyOf = async (ticket: string) => `console-secret:${await sha256Hex(ticket)}`;
const aadOf = (userId: string, key: string) => `console/${userId}/${key}`;

export async function parkShownOnce(deps: Pick<AppDeps, 'kv' | 'keyring'>, userId: string, value: ShownOnce): Promise<string> {
  const ticket = randomToken(24);
  const key = await keyOf(ticket);
  await deps.kv.put(key, await encrypt(deps.keyring, JSON.stringify(value), aadOf(userId, key)), { expirationTtl: TTL_SECONDS });
  return ticket;
}

/** The parked secret for this viewer, once; null when already shown, expired, or someone else's. */
export async function takeShownOnce(deps: Pick<AppDeps, 'kv' | 'keyring'>, userId: string, ticket: string): Promise<ShownOnce | null> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(ticket)) return null;
  const key = await keyOf(ticket);
  const sealed = await deps.kv.get(key);
  if (sealed === null) return null;
  let opened: string;
  try {
    opened = await decrypt(deps.keyring, sealed, aadOf(userId, key));
  } catch {
    return null;
  }
  await deps.kv.delete(key);
  const parsed = shownOnce.safeParse(JSON.parse(opened));
  return parsed.success ? parsed.data : null;
}
