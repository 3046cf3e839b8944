import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  base64urlDecode,
  base64urlEncode,
  decrypt,
  encrypt,
  envelopeKid,
  generateKeySpec,
  hashPassword,
  hmacSha256Hex,
  needsReencryption,
  parseKeyring,
  passwordHashIterations,
  PBKDF2_ITERATIONS,
  randomBytes,
  randomToken,
  sha256Hex,
  timingSafeEqual,
  verifyPassword,
} from '../../src/lib/crypto';
import { TEST_ENCRYPTION_KEYS } from '../helpers/secrets';

const [K2_ENTRY = '', K1_ENTRY = ''] = TEST_ENCRYPTION_KEYS.split(',');
const K1_KEY = K1_ENTRY.slice('k1:'.length);
const K2_KEY = K2_ENTRY.slice('k2:'.length);
const AAD = 'integrations/int_abc/client_secret';

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

/** Swaps the first character of a base64url segment; the result stays canonical. */
function alterFirstChar(segment: string): string {
  return (segment.startsWith('A') ? 'B' : 'A') + segment.slice(1);
}

describe('hashes', () => {
  it('matches the FIPS 180-2 SHA-256 vectors', async () => {
    expect(await sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(await sha256Hex('abc'));
  });

  it('matches RFC 4231 HMAC-SHA256 test case 1', async () => {
    const key = new Uint8Array(20).fill(0x0b);
    expect(await hmacSha256Hex(key, 'Hi There')).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
  });

  it('matches RFC 4231 HMAC-SHA256 test case 2', async () => {
    expect(await hmacSha256Hex('Jefe', 'what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});

describe('base64url', () => {
  it('round-trips every byte value and every tail length', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(base64urlDecode(base64urlEncode(all))).toEqual(all);
    for (let n = 0; n < 6; n++) {
      const bytes = all.slice(250 - n, 250);
      expect(base64urlDecode(base64urlEncode(bytes))).toEqual(bytes);
    }
  });

  it('uses the url-safe alphabet without padding', () => {
    expect(base64urlEncode(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(base64urlEncode(new TextEncoder().encode('a'))).toBe('YQ');
  });

  it.each([
    ['padding', 'YQ=='],
    ['standard alphabet +', 'a+b/'],
    ['impossible length', 'abcde'],
    ['whitespace', 'YW Jj'],
    ['non-ascii', 'YWé'],
    ['non-canonical trailing bits', 'YR'],
  ])('rejects %s as malformed', (_, input) => {
    const error = thrownBy(() => base64urlDecode(input));
    expect(error).toBeInstanceOf(CryptoError);
    expect(error).toMatchObject({ code: 'malformed' });
  });
});

describe('timingSafeEqual', () => {
  it('is true for equal strings', () => {
    expect(timingSafeEqual('s3cret-token', 's3cret-token')).toBe(true);
    expect(timingSafeEqual('', '')).toBe(true);
    expect(timingSafeEqual('clé ✓', 'clé ✓')).toBe(true);
  });

  it('is false for different strings of the same length', () => {
    expect(timingSafeEqual('s3cret-token', 's3cret-tokeN')).toBe(false);
  });

  it('is false for different lengths, prefixes included', () => {
    expect(timingSafeEqual('abc', 'abcd')).toBe(false);
    expect(timingSafeEqual('abcd', 'abc')).toBe(false);
    expect(timingSafeEqual('', 'a')).toBe(false);
    // A missing byte must not pass for a zero byte.
    expect(timingSafeEqual('a', 'a\u0000')).toBe(false);
  });
});

describe('random values', () => {
  it('gives the requested number of bytes', () => {
    expect(randomBytes(12)).toHaveLength(12);
  });

  it('makes 256-bit base64url tokens by default', () => {
    expect(randomToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('does not repeat tokens', () => {
    const tokens = new Set(Array.from({ length: 500 }, () => randomToken()));
    expect(tokens.size).toBe(500);
  });
});

describe('parseKeyring', () => {
  it('makes the first entry the active key', async () => {
    const keyring = await parseKeyring(TEST_ENCRYPTION_KEYS);
    expect(keyring.activeKid).toBe('k2');
    expect(envelopeKid(await encrypt(keyring, 'x', AAD))).toBe('k2');
  });

  it('tolerates whitespace around entries', async () => {
    const keyring = await parseKeyring(`  ${K1_ENTRY} ,\n ${K2_ENTRY} `);
    expect(keyring.activeKid).toBe('k1');
  });

  it('reuses the parsed keyring for the same spec', async () => {
    expect(await parseKeyring(TEST_ENCRYPTION_KEYS)).toBe(await parseKeyring(TEST_ENCRYPTION_KEYS));
  });

  const shortKey = base64urlEncode(new Uint8Array(31).fill(7));
  it.each([
    ['an empty spec', ''],
    ['a blank spec', '   '],
    ['a duplicate kid', `k1:${K1_KEY},k1:${K2_KEY}`],
    ['a short key', `k1:${shortKey}`],
    ['a long key', `k1:${K1_KEY}AAAA`],
    ['a padded key', `k1:${K1_KEY}=`],
    ['a standard-base64 key', `k1:+${K1_KEY.slice(1)}`],
    ['a key without kid', K1_KEY],
    ['a kid over 16 chars', `abcdefghijklmnopq:${K1_KEY}`],
    ['a kid with a dot', `k.1:${K1_KEY}`],
    ['a trailing comma', `${K1_ENTRY},`],
    ['garbage', 'not a keyring at all'],
  ])('refuses %s without echoing key material', async (_, spec) => {
    const error = await rejectionOf(parseKeyring(spec));
    expect(error).toBeInstanceOf(CryptoError);
    expect(error).toMatchObject({ code: 'bad_keyring' });
    const message = (error as Error).message;
    for (const key of [K1_KEY, K2_KEY, shortKey]) {
      expect(message).not.toContain(key.slice(0, 8));
    }
  });

  it('generates specs that parse, with fresh key bytes each time', async () => {
    const spec = generateKeySpec('k9');
    expect(spec).toMatch(/^k9:[A-Za-z0-9_-]{43}$/);
    expect(generateKeySpec('k9')).not.toBe(spec);
    expect((await parseKeyring(spec)).activeKid).toBe('k9');
    expect(thrownBy(() => generateKeySpec('no spaces'))).toMatchObject({ code: 'bad_keyring' });
  });
});

describe('encrypt and decrypt', () => {
  it('round-trips unicode and empty plaintext', async () => {
    const keyring = await parseKeyring(TEST_ENCRYPTION_KEYS);
    for (const plaintext of ['héllo wörld ✓ 🔑 日本語', '']) {
      expect(await decrypt(keyring, await encrypt(keyring, plaintext, AAD), AAD)).toBe(plaintext);
    }
  });

  it('writes a v1 envelope under the active kid', async () => {
    const envelope = await encrypt(await parseKeyring(TEST_ENCRYPTION_KEYS), 'secret', AAD);
    expect(envelope).toMatch(/^v1\.k2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(base64urlDecode(envelope.split('.')[2] ?? '')).toHaveLength(12);
  });

  it('uses a fresh IV for every encryption', async () => {
    const keyring = await parseKeyring(TEST_ENCRYPTION_KEYS);
    const a = await encrypt(keyring, 'same', AAD);
    const b = await encrypt(keyring, 'same', AAD);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(a).not.toBe(b);
  });

  // Computed once with Node's createCipheriv('aes-256-gcm') (OpenSSL), key = k2 of the test
  // keyring (bytes 0..31), IV = bytes 0xa0..0xab; our encrypt produced the same string.
  it('decrypts a known-answer envelope made by an independent implementation', async () => {
    const envelope = 'v1.k2.oKGio6Slpqeoqaqr.jXYTWivrY9EREuKhPVqjvxZv8DBwK9GYnSkunOhM-aHQUrj_df4e';
    const keyring = await parseKeyring(TEST_ENCRYPTION_KEYS);
    expect(await decrypt(keyring, envelope, 'integrations/int_kat/client_secret')).toBe('known answer: café ✓');
  });

  it('refuses a ciphertext copied onto another row', async () => {
    const keyring = await parseKeyring(TEST_ENCRYPTION_KEYS);
    const envelope = await encrypt(keyring, 'hunter2', 'integrations/int_abc/client_secret');
    const error = await rejectionOf(decrypt(keyring, envelope, 'integrations/int_xyz/client_secret'));
    expect(error).toBeInstanceOf(CryptoError);
    expect(error).toMatchObject({ code: 'decrypt_failed' });
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('refuses a ciphertext under the right kid but the wrong key', async () => {
    const impostor = await parseKeyring(`k2:${K1_KEY}`);
    const envelope = await encrypt(await parseKeyring(TEST_ENCRYPTION_KEYS), 'secret', AAD);
    expect(await rejectionOf(decrypt(impostor, envelope, AAD))).toMatchObject({
      code: 'decrypt_failed',
    });
  });

  it.each([
    ['tampered ciphertext', (p: string[]) => [p[0], p[1], p[2], alterFirstChar(p[3] ?? '')]],
    ['tampered iv', (p: string[]) => [p[0], p[1], alterFirstChar(p[2] ?? ''), p[3]]],
    ['truncated ciphertext', (p: string[]) => [p[0], p[1], p[2], p[3]?.slice(0, -4)]],
  ])('refuses a %s', async (_, alter) => {
    const keyring = await parseKeyring(TEST_ENCRYPTION_KEYS);
    const envelope = await encrypt(keyring, 'a secret long enough to truncate', AAD);
    const altered = alter(envelope.split('.')).join('.');
    expect(await rejectionOf(decrypt(keyring, altered, AAD))).toMatchObject({
      code: 'decrypt_failed',
    });
  });

  it.each([
    ['a missing ciphertext', (e: string) => e.split('.').slice(0, 3).join('.')],
    ['an extra segment', (e: string) => `${e}.AAAA`],
    ['another version', (e: string) => e.replace(/^v1\./, 'v2.')],
    ['a short iv', (e: string) => e.replace(/^(v1\.k2\.)..../, '$1')],
    ['a ciphertext shorter than the tag', (e: string) => e.replace(/\.[^.]+$/, '.AAAA')],
    ['garbage', () => 'not-an-envelope'],
  ])('calls an envelope with %s malformed', async (_, alter) => {
    const keyring = await parseKeyring(TEST_ENCRYPTION_KEYS);
    const envelope = alter(await encrypt(keyring, 'secret', AAD));
    expect(await rejectionOf(decrypt(keyring, envelope, AAD))).toMatchObject({ code: 'malformed' });
    expect(thrownBy(() => envelopeKid(envelope))).toMatchObject({ code: 'malformed' });
  });
});

describe('key rotation', () => {
  it('decrypts old envelopes with a rotated keyring and re-encrypts under the new key', async () => {
    const old = await parseKeyring(K1_ENTRY);
    const rotated = await parseKeyring(TEST_ENCRYPTION_KEYS);
    const envelope = await encrypt(old, 'refresh-token', AAD);
    expect(envelopeKid(envelope)).toBe('k1');
    expect(needsReencryption(old, envelope)).toBe(false);

    expect(await decrypt(rotated, envelope, AAD)).toBe('refresh-token');
    expect(needsReencryption(rotated, envelope)).toBe(true);

    const renewed = await encrypt(rotated, await decrypt(rotated, envelope, AAD), AAD);
    expect(envelopeKid(renewed)).toBe('k2');
    expect(needsReencryption(rotated, renewed)).toBe(false);
  });

  it('reports unknown_key once the old key is gone, naming only the kid', async () => {
    const envelope = await encrypt(await parseKeyring(K1_ENTRY), 'refresh-token', AAD);
    const error = await rejectionOf(decrypt(await parseKeyring(K2_ENTRY), envelope, AAD));
    expect(error).toBeInstanceOf(CryptoError);
    expect(error).toMatchObject({ code: 'unknown_key' });
    expect((error as Error).message).toContain('k1');
    expect((error as Error).message).not.toContain(K1_KEY.slice(0, 8));
  });
});

const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16));
/** A stored hash built by hand from a published PBKDF2-HMAC-SHA256 vector (P="password", S="salt"). */
const vector = (iterations: number, hex: string) =>
  `pbkdf2-sha256$${iterations}$${base64urlEncode(new TextEncoder().encode('salt'))}$${base64urlEncode(hexBytes(hex))}`;

describe('password hashing', () => {
  // Workers cap PBKDF2 at 100,000 iterations in production and throw above it; local workerd
  // runs any count, so only this test stands between a raised constant and broken sign-ins.
  it('uses exactly 100,000 PBKDF2 iterations, the most the Workers runtime allows in production', async () => {
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(passwordHashIterations(stored)).toBe(100_000);
  });

  it('refuses to run a stored hash above the cap instead of failing in production', async () => {
    const tooMany = vector(100_001, '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b');
    expect(await rejectionOf(verifyPassword('password', tooMany))).toMatchObject({ code: 'malformed' });
  });

  it('matches the published PBKDF2-HMAC-SHA256 vectors', async () => {
    expect(await verifyPassword('password', vector(1, '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b'))).toBe(true);
    expect(await verifyPassword('password', vector(4096, 'c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a'))).toBe(true);
    expect(await verifyPassword('passwore', vector(1, '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b'))).toBe(false);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash afresh', async () => {
    const [a, b] = await Promise.all([hashPassword('same password here'), hashPassword('same password here')]);
    expect(a.split('$')[2]).not.toBe(b.split('$')[2]);
    expect(a.split('$')[3]).not.toBe(b.split('$')[3]);
  });

  it('treats canonically equivalent spellings of a password as the same (NFKC)', async () => {
    const stored = await hashPassword('caf\u00e9 au lait, s\u2019il vous pla\u00eet');
    expect(await verifyPassword('cafe\u0301 au lait, s\u2019il vous pla\u00eet', stored)).toBe(true);
  });

  it.each([
    ['another scheme', 'bcrypt$10$abc$def'],
    ['a missing part', 'pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA'],
    ['an extra part', `pbkdf2-sha256$100000$${'A'.repeat(22)}$${'A'.repeat(43)}$x`],
    ['a non-numeric iteration count', `pbkdf2-sha256$1e5$${'A'.repeat(22)}$${'A'.repeat(43)}`],
    ['zero iterations', `pbkdf2-sha256$0$${'A'.repeat(22)}$${'A'.repeat(43)}`],
    ['a salt that is not base64url', `pbkdf2-sha256$100000$${'+'.repeat(22)}$${'A'.repeat(43)}`],
  ])('refuses a stored hash with %s', async (_, stored) => {
    expect(await rejectionOf(verifyPassword('password', stored))).toMatchObject({ code: 'malformed' });
  });
});
