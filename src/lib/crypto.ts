// The only module that touches WebCrypto. Everything secret-bearing goes through here.

import { sha256HexOf } from './sha256';

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

const KID = /^[A-Za-z0-9_-]{1,16}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

export type CryptoErrorCode = 'malformed' | 'unknown_key' | 'decrypt_failed' | 'bad_keyring';

/** Messages name a kid at most: never plaintext, ciphertext or key bytes. */
export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Base64url without padding; 32 bytes (256 bits) by default. */
export function randomToken(bytes = 32): string {
  return base64urlEncode(randomBytes(bytes));
}

// The runtime's own base64 and hex (TC39's Uint8Array base64 proposal, in workerd's V8): a
// JavaScript loop per byte was a tenth of the token route's CPU time. ES2023's lib lacks the types.
declare global {
  interface Uint8Array {
    toBase64(options?: { alphabet?: 'base64' | 'base64url'; omitPadding?: boolean }): string;
    toHex(): string;
  }
  interface Uint8ArrayConstructor {
    fromBase64(s: string, options?: { alphabet?: 'base64' | 'base64url'; lastChunkHandling?: 'loose' | 'strict' | 'stop-before-partial' }): Uint8Array;
  }
}

export function base64urlEncode(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: 'base64url', omitPadding: true });
}

/** Strict: no padding, no standard-alphabet characters, no non-canonical trailing bits. */
export function base64urlDecode(s: string): Uint8Array {
  if (!BASE64URL.test(s) || s.length % 4 === 1) {
    throw new CryptoError('malformed', 'invalid base64url');
  }
  const bytes = Uint8Array.fromBase64(s, { alphabet: 'base64url' });
  // Several strings decode to the same bytes when the unused trailing bits differ; accepting
  // only the canonical one keeps an altered envelope or token from passing as the original.
  if (base64urlEncode(bytes) !== s) throw new CryptoError('malformed', 'invalid base64url');
  return bytes;
}

function toBytes(input: string | Uint8Array): Uint8Array {
  return typeof input === 'string' ? utf8.encode(input) : input;
}

function toHex(buffer: ArrayBuffer): string {
  return new Uint8Array(buffer).toHex();
}

export async function sha256Bytes(input: string | Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', toBytes(input)));
}

/**
 * The lookup hash of every credential (API keys, OAuth tokens, link tokens), hex: sha256.ts,
 * which costs the hot routes less than node:crypto's or WebCrypto's (docs/performance.md).
 */
export async function sha256Hex(input: string | Uint8Array): Promise<string> {
  return sha256HexOf(input);
}

export async function hmacSha256Hex(key: string | Uint8Array, message: string | Uint8Array): Promise<string> {
  const hmacKey = await crypto.subtle.importKey('raw', toBytes(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(await crypto.subtle.sign('HMAC', hmacKey, toBytes(message)));
}

/** Runs over the longer input whatever the content, so timing reveals lengths at most. */
export function timingSafeEqual(a: string, b: string): boolean {
  return timingSafeEqualBytes(utf8.encode(a), utf8.encode(b));
}

function timingSafeEqualBytes(x: Uint8Array, y: Uint8Array): boolean {
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  }
  return diff === 0;
}

/**
 * Workers refuse PBKDF2 above 100,000 iterations in production, while local workerd runs any
 * count: a higher value would pass every local test and break every sign-in once deployed.
 */
export const PBKDF2_ITERATIONS = 100_000;
const PASSWORD_SCHEME = 'pbkdf2-sha256';
const PASSWORD_SALT_BYTES = 16;
const PASSWORD_HASH_BYTES = 32;

async function pbkdf2Sha256(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  // NFKC, as NIST SP 800-63B asks, so the same password typed on another keyboard still matches.
  const material = await crypto.subtle.importKey('raw', utf8.encode(password.normalize('NFKC')), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material, PASSWORD_HASH_BYTES * 8);
  return new Uint8Array(bits);
}

/** `pbkdf2-sha256$100000$<salt b64url>$<hash b64url>` with a fresh 16-byte salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(PASSWORD_SALT_BYTES);
  const hash = await pbkdf2Sha256(password, salt, PBKDF2_ITERATIONS);
  return [PASSWORD_SCHEME, PBKDF2_ITERATIONS, base64urlEncode(salt), base64urlEncode(hash)].join('$');
}

/**
 * Recomputes the hash with the stored salt and iterations and compares in constant time. A
 * stored count above the cap is refused rather than run: production would throw on it.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterationText, salt, hash, ...rest] = stored.split('$');
  const iterations = Number(iterationText);
  if (
    scheme !== PASSWORD_SCHEME ||
    rest.length > 0 ||
    !/^[1-9][0-9]{0,6}$/.test(iterationText ?? '') ||
    iterations > PBKDF2_ITERATIONS ||
    salt === undefined ||
    hash === undefined
  ) {
    throw new CryptoError('malformed', `not a ${PASSWORD_SCHEME} hash within ${PBKDF2_ITERATIONS} iterations`);
  }
  const expected = base64urlDecode(hash);
  const actual = await pbkdf2Sha256(password, base64urlDecode(salt), iterations);
  return timingSafeEqualBytes(actual, expected);
}

/** The iteration count a stored password hash records, or null when it is not one of ours. */
export function passwordHashIterations(stored: string): number | null {
  const [scheme, iterations] = stored.split('$');
  return scheme === PASSWORD_SCHEME && /^[0-9]+$/.test(iterations ?? '') ? Number(iterations) : null;
}

export interface Keyring {
  readonly activeKid: string;
  /** Non-extractable AES-GCM keys by kid. */
  readonly keys: ReadonlyMap<string, CryptoKey>;
}

// parseKeyring runs on every request; importing keys each time is waste. The spec string is
// secret, so this map must never be logged or exposed.
const keyringCache = new Map<string, Keyring>();
const KEYRING_CACHE_LIMIT = 8;

/** `kid:base64url(32 bytes)` entries, comma-separated; the first entry is the active key. */
/** The keyring parseKeyring already built for this spec, without waiting a turn for it. */
export const parsedKeyring = (spec: string): Keyring | undefined => keyringCache.get(spec);

export async function parseKeyring(spec: string): Promise<Keyring> {
  const cached = keyringCache.get(spec);
  if (cached) return cached;
  const keyring = await importKeyring(spec);
  // Real deployments have one or two specs; the limit only guards against a caller misuse.
  if (keyringCache.size >= KEYRING_CACHE_LIMIT) keyringCache.clear();
  keyringCache.set(spec, keyring);
  return keyring;
}

async function importKeyring(spec: string): Promise<Keyring> {
  if (spec.trim() === '') throw new CryptoError('bad_keyring', 'keyring is empty');
  const keys = new Map<string, CryptoKey>();
  const entries = spec.split(',').map((entry) => entry.trim());
  for (const [index, entry] of entries.entries()) {
    // Error messages name the entry's position or its validated kid, never the entry itself.
    const position = `keyring entry ${index + 1}`;
    const colon = entry.indexOf(':');
    const kid = entry.slice(0, colon);
    if (colon < 0 || !KID.test(kid)) {
      throw new CryptoError('bad_keyring', `${position} needs a kid of 1-16 [A-Za-z0-9_-] then ':'`);
    }
    if (keys.has(kid)) throw new CryptoError('bad_keyring', `${position} repeats kid ${kid}`);
    let raw: Uint8Array;
    try {
      raw = base64urlDecode(entry.slice(colon + 1));
    } catch {
      throw new CryptoError('bad_keyring', `key ${kid} is not valid base64url`);
    }
    if (raw.length !== KEY_BYTES) {
      throw new CryptoError('bad_keyring', `key ${kid} must be ${KEY_BYTES} bytes`);
    }
    const key = await crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    keys.set(kid, key);
  }
  const activeKid = keys.keys().next().value as string;
  return Object.freeze({ activeKid, keys });
}

/** For setup scripts: a fresh `kid:base64url(32 random bytes)` entry. */
export function generateKeySpec(kid: string): string {
  if (!KID.test(kid)) throw new CryptoError('bad_keyring', 'kid must be 1-16 [A-Za-z0-9_-]');
  return `${kid}:${base64urlEncode(randomBytes(KEY_BYTES))}`;
}

// AAD binds a ciphertext to its row and field: callers pass e.g.
// `integrations/int_abc/client_secret`, so a ciphertext copied to another row or column fails.
export async function encrypt(keyring: Keyring, plaintext: string, aad: string): Promise<string> {
  const key = keyring.keys.get(keyring.activeKid);
  if (!key) throw new CryptoError('unknown_key', `active key ${keyring.activeKid} is missing`);
  const iv = randomBytes(IV_BYTES);
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8.encode(aad), tagLength: TAG_BYTES * 8 }, key, utf8.encode(plaintext));
  return [VERSION, keyring.activeKid, base64urlEncode(iv), base64urlEncode(new Uint8Array(ct))].join('.');
}

export async function decrypt(keyring: Keyring, envelope: string, aad: string): Promise<string> {
  const { kid, iv, ct } = parseEnvelope(envelope);
  const key = keyring.keys.get(kid);
  if (!key) throw new CryptoError('unknown_key', `no key ${kid} in keyring`);
  try {
    const plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: utf8.encode(aad), tagLength: TAG_BYTES * 8 }, key, ct);
    return fromUtf8.decode(plaintext);
  } catch {
    throw new CryptoError('decrypt_failed', `envelope does not decrypt with key ${kid}`);
  }
}

export function envelopeKid(envelope: string): string {
  return parseEnvelope(envelope).kid;
}

/** True when the envelope was sealed with an older key and the background pass should redo it. */
export function needsReencryption(keyring: Keyring, envelope: string): boolean {
  return envelopeKid(envelope) !== keyring.activeKid;
}

function parseEnvelope(envelope: string): {
  kid: string;
  iv: Uint8Array;
  ct: Uint8Array;
} {
  const [version, kid, iv, ct, ...rest] = envelope.split('.');
  if (version !== VERSION || kid === undefined || !KID.test(kid) || ct === undefined || rest.length) {
    throw new CryptoError('malformed', `not a ${VERSION} envelope`);
  }
  const ivBytes = base64urlDecode(iv ?? '');
  const ctBytes = base64urlDecode(ct);
  if (ivBytes.length !== IV_BYTES || ctBytes.length < TAG_BYTES) {
    throw new CryptoError('malformed', `${VERSION} envelope has a bad iv or ciphertext length`);
  }
  return { kid, iv: ivBytes, ct: ctBytes };
}
