import { describe, expect, it } from 'vitest';
import { sha256HexOf } from '../../src/lib/sha256';

const utf8 = new TextEncoder();
const webCryptoHex = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)).toHex();
/** An ASCII string of `length` characters, random over the printable range. */
const asciiOf = (length: number) => String.fromCharCode(...Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => 32 + (b % 95)));

describe('SHA-256 in JavaScript', () => {
  it('gives the FIPS 180-4 example digests', () => {
    expect(sha256HexOf('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256HexOf('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(sha256HexOf('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('matches WebCrypto for ASCII strings and for bytes of every length over several blocks', async () => {
    // 0–200 crosses 55/56 and 119/120, where the length spills into one more block.
    for (let length = 0; length <= 200; length++) {
      const text = asciiOf(length);
      expect(sha256HexOf(text), `string of ${length}`).toBe(await webCryptoHex(utf8.encode(text)));
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      expect(sha256HexOf(bytes), `bytes of ${length}`).toBe(await webCryptoHex(bytes));
    }
  });

  it('hashes a string with characters beyond ASCII as its UTF-8 bytes, and a message of many blocks', async () => {
    const text = 'Zoë – 東京 🔑 '.repeat(20);
    expect(sha256HexOf(text)).toBe(await webCryptoHex(utf8.encode(text)));
    const long = crypto.getRandomValues(new Uint8Array(65_536));
    expect(sha256HexOf(long)).toBe(await webCryptoHex(long));
  });

  it('carries nothing from one call to the next', () => {
    const first = sha256HexOf('elk_sk_first');
    sha256HexOf(asciiOf(150));
    sha256HexOf(crypto.getRandomValues(new Uint8Array(1000)));
    expect(sha256HexOf('elk_sk_first')).toBe(first);
  });
});
