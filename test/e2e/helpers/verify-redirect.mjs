import { createHmac, timingSafeEqual } from 'node:crypto';

// The parameters the signature covers, sorted by name (connection_id only on success, error
// only on failure).
const SIGNED = ['connection_id', 'end_user_id', 'error', 'link_id', 'status', 'timestamp'];

// signature = hex HMAC-SHA256(webhook signing secret, "v1\n" + the signed parameters present,
// in that order, form-urlencoded as key=value pairs joined by "&").
export function verifyEdgelinkRedirect(secret, params /* URLSearchParams */, maxAgeSeconds = 300) {
  if (SIGNED.some((key) => params.getAll(key).length > 1)) return false;
  const signed = new URLSearchParams(SIGNED.filter((key) => params.has(key)).map((key) => [key, params.get(key)]));
  const expected = createHmac('sha256', secret).update(`v1\n${signed}`).digest();
  const given = Buffer.from(params.get('signature') ?? '', 'hex');
  const age = Date.now() / 1000 - Number(params.get('timestamp'));
  return Math.abs(age) < maxAgeSeconds && given.length === expected.length && timingSafeEqual(given, expected);
}
