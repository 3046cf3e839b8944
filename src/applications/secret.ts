import { randomToken, sha256Hex, timingSafeEqual } from '../lib/crypto';
import type { applications } from './schema';

/** Recognisable prefixes: secret scanners find a leaked secret, people tell the two apart. */
export const CLIENT_ID_PREFIX = 'elk_ci_';
export const CLIENT_SECRET_PREFIX = 'elk_cs_';

/** Public; 16 random bytes (128 bits) make it unique without a lookup. */
export function newClientId(): string {
  return CLIENT_ID_PREFIX + randomToken(16);
}

export interface IssuedClientSecret {
  secret: string;
  secretHash: string;
}

/** 32 random bytes (256 bits); only the SHA-256 is stored, the secret is shown once. */
export async function issueClientSecret(): Promise<IssuedClientSecret> {
  const secret = CLIENT_SECRET_PREFIX + randomToken(32);
  return { secret, secretHash: await sha256Hex(secret) };
}

/**
 * Whether the presented secret is the application's current one. The hashes are compared in
 * constant time, so timing says nothing about how much of a guess was right.
 */
export async function verifyClientSecret(app: Pick<typeof applications.$inferSelect, 'clientSecretHash'>, presented: string): Promise<boolean> {
  return timingSafeEqual(await sha256Hex(presented), app.clientSecretHash);
}
