import { z } from 'zod';
import { randomToken, sha256Hex, timingSafeEqual } from '../lib/crypto';

/** An authorization request waiting for the user's Allow or Deny. */
export const pendingAuthorization = z.object({
  applicationId: z.string(),
  userId: z.string(),
  redirectUri: z.string(),
  scopes: z.array(z.string()),
  state: z.string().nullable(),
  codeChallenge: z.string(),
  /** Organizations the user may grant for (theirs, and for a private app only the app's). */
  orgIds: z.array(z.string()).min(1),
  csrfHash: z.string(),
});
export type PendingAuthorization = z.infer<typeof pendingAuthorization>;

const TTL_SECONDS = 600;
const key = (id: string) => `authz:${id}`;

/** Stores the request; the returned CSRF token goes into the consent form and nowhere else. */
export async function savePending(kv: KVNamespace, request: Omit<PendingAuthorization, 'csrfHash'>) {
  const id = randomToken(24);
  const csrf = randomToken(32);
  const value: PendingAuthorization = { ...request, csrfHash: await sha256Hex(csrf) };
  await kv.put(key(id), JSON.stringify(value), { expirationTtl: TTL_SECONDS });
  return { id, csrf };
}

/** The pending request, only for the form that carries its CSRF token; taken out of KV. */
export async function takePending(kv: KVNamespace, id: string, csrf: string): Promise<PendingAuthorization | null> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(id)) return null;
  const stored = await kv.get(key(id));
  const parsed = stored ? pendingAuthorization.safeParse(JSON.parse(stored)) : null;
  if (!parsed?.success || !timingSafeEqual(await sha256Hex(csrf), parsed.data.csrfHash)) return null;
  await kv.delete(key(id));
  return parsed.data;
}
