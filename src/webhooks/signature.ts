import { hmacSha256Hex, randomToken } from '../lib/crypto';

export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` and 256 random bits. */
export function newSigningSecret(): string {
  return SECRET_PREFIX + randomToken(32);
}

export const EVENT_ID_HEADER = 'Edgelink-Event-Id';
export const TIMESTAMP_HEADER = 'Edgelink-Timestamp';
export const SIGNATURE_HEADER = 'Edgelink-Signature';

/**
 * `v1=` + hex HMAC-SHA256, keyed with the whole secret string (UTF-8, `whsec_` included), over
 * `{timestamp}.{body}`. Signing the timestamp lets receivers refuse replays of an old delivery.
 */
export async function signatureHeader(secret: string, timestamp: number, body: string): Promise<string> {
  return `v1=${await hmacSha256Hex(secret, `${timestamp}.${body}`)}`;
}

/** Everything a delivery sends besides the body; each attempt is signed afresh with its own timestamp. */
export async function deliveryHeaders(secret: string, eventId: string, type: string, body: string, now: number): Promise<Record<string, string>> {
  const timestamp = Math.floor(now / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'Edgelink-Webhooks/1',
    [EVENT_ID_HEADER]: eventId,
    'Edgelink-Event-Type': type,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: await signatureHeader(secret, timestamp, body),
  };
}

/*
Verifying a webhook (for the README). Edgelink POSTs JSON with these headers:

  Edgelink-Event-Id:   evt_…   (the same on every retry of one event: use it to deduplicate)
  Edgelink-Timestamp:  1767225600   (unix seconds of this attempt)
  Edgelink-Signature:  v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd

The signature is the hex HMAC-SHA256 of `{timestamp}.{raw body}` keyed with your signing secret
(the whole `whsec_…` string as UTF-8). Accept the request if any `v1=` entry of the
comma-separated header matches and the timestamp is recent; verify over the raw body bytes,
before any JSON parsing. Works on Node 20+, Deno, Bun and Workers (WebCrypto):

  async function verifyEdgelinkWebhook(secret, request, toleranceSeconds = 300) {
    const body = await request.text();
    const timestamp = request.headers.get('Edgelink-Timestamp') ?? '';
    const signatures = (request.headers.get('Edgelink-Signature') ?? '')
      .split(',').map((part) => part.trim())
      .filter((part) => /^v1=[0-9a-f]{64}$/.test(part)).map((part) => part.slice(3));
    if (!/^\d+$/.test(timestamp) || signatures.length === 0) return null;
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return null;
    const enc = new TextEncoder();
    const key = await crypto.subtle.importKey('raw', enc.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    for (const hex of signatures) {
      const mac = Uint8Array.from(hex.match(/../g), (byte) => parseInt(byte, 16));
      // crypto.subtle.verify compares in constant time.
      if (await crypto.subtle.verify('HMAC', key, mac, enc.encode(`${timestamp}.${body}`))) {
        return JSON.parse(body); // { id, type, created_at, data }
      }
    }
    return null;
  }

Answer 2xx quickly once verified. Anything else (or no answer within 5 s) counts as a failed
attempt: Edgelink retries up to 8 attempts in all with exponential backoff (1, 2, 4, … minutes),
so the same event may arrive more than once. Rotating the secret
(POST /api/v1/webhook/rotate_secret) takes effect at once, retries included.
*/
