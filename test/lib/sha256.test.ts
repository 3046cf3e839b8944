import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/lib/crypto';
import { sha256HexSync } from '../../src/lib/sha256';

const webCrypto = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)).toHex();

describe('sha256HexSync', () => {
  it('gives the FIPS 180-4 test vectors', () => {
    expect(sha256HexSync('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256HexSync('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256HexSync('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('agrees with WebCrypto on every length across several blocks, for bytes and for text', async () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      expect(sha256HexSync(bytes), `${length} bytes`).toBe(await webCrypto(bytes));
    }
    for (const text of ['ünïcødé ✓', '🔑'.repeat(40), `elk_sk_${'A'.repeat(43)}`]) {
      expect(sha256HexSync(text)).toBe(await webCrypto(new TextEncoder().encode(text)));
    }
  });

  it('is what sha256Hex gives', async () => {
    expect(await sha256Hex('elk_at_example')).toBe(await webCrypto(new TextEncoder().encode('elk_at_example')));
  });
});
