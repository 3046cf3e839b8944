import { randomToken, sha256Hex } from '../lib/crypto';

/** Recognisable so secret scanners (and people) can tell a leaked key at a glance. */
export const API_KEY_PREFIX = 'elk_sk_';
const VISIBLE_CHARS = 4;

export interface IssuedApiKey {
  secret: string;
  prefix: string;
  secretHash: string;
}

/** 24 random bytes = 192 bits; only the hash and a short visible prefix are stored. */
export async function issueApiKeySecret(): Promise<IssuedApiKey> {
  const secret = API_KEY_PREFIX + randomToken(24);
  return {
    secret,
    prefix: secret.slice(0, API_KEY_PREFIX.length + VISIBLE_CHARS),
    secretHash: await sha256Hex(secret),
  };
}
