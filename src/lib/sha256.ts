/**
 * SHA-256 (FIPS 180-4) in plain JavaScript that makes no buffer or native object per call (only
 * two small closures and its hex string): the lookup hash
 * every authenticated call and every link page computes of its credential. node:crypto's hash,
 * WebCrypto's digest and a plain-JavaScript one that copied its input into a padded buffer all
 * cost the token route the same in the bench; only this one, reading an ASCII secret's
 * characters in place into a schedule kept per isolate, cost less (docs/performance.md).
 * test/lib/sha256.test.ts holds it to WebCrypto's digest.
 */

const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157,
  163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281, 283, 293, 307, 311,
];

/** The first 32 bits of a number's fractional part, as FIPS 180-4 derives its constants. */
const fraction32 = (x: number) => ((x - Math.floor(x)) * 0x100000000) >>> 0;

/** Round constants: cube roots of the first 64 primes (§4.2.2). */
const K = Uint32Array.from(PRIMES, (p) => fraction32(Math.cbrt(p)));
/** Initial hash value: square roots of the first 8 primes (§5.3.3). */
const H0 = Uint32Array.from(PRIMES.slice(0, 8), (p) => fraction32(Math.sqrt(p)));

// Kept per isolate: a Worker isolate runs one call of this at a time (it never awaits).
const W = new Uint32Array(64);
const H = new Uint32Array(8);

const ror = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** The digest, as 64 lowercase hex digits, of the `length` bytes `byteAt` gives. */
function digestHex(length: number, byteAt: (i: number) => number): string {
  // The message, a 1 bit, zeros, then its length in bits as 64 bits big-endian: whole 64-byte blocks.
  const total = (length + 72) & ~63;
  const high = Math.floor(length / 0x20000000); // the bit count's upper 32 bits
  const low = (length * 8) >>> 0;
  const paddedByte = (i: number) => {
    if (i < length) return byteAt(i);
    if (i === length) return 0x80;
    const fromEnd = total - i;
    if (fromEnd > 8) return 0;
    return fromEnd > 4 ? (high >>> ((fromEnd - 5) * 8)) & 0xff : (low >>> ((fromEnd - 1) * 8)) & 0xff;
  };
  H.set(H0);
  for (let block = 0; block < total; block += 64) {
    for (let t = 0; t < 16; t++) {
      const at = block + t * 4;
      W[t] = (paddedByte(at) << 24) | (paddedByte(at + 1) << 16) | (paddedByte(at + 2) << 8) | paddedByte(at + 3);
    }
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15]!;
      const w2 = W[t - 2]!;
      W[t] = W[t - 16]! + (ror(w15, 7) ^ ror(w15, 18) ^ (w15 >>> 3)) + W[t - 7]! + (ror(w2, 17) ^ ror(w2, 19) ^ (w2 >>> 10));
    }
    let a = H[0]!;
    let b = H[1]!;
    let c = H[2]!;
    let d = H[3]!;
    let e = H[4]!;
    let f = H[5]!;
    let g = H[6]!;
    let h = H[7]!;
    for (let t = 0; t < 64; t++) {
      const t1 = (h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
      const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    // Uint32Array stores wrap modulo 2^32.
    H[0] = H[0]! + a;
    H[1] = H[1]! + b;
    H[2] = H[2]! + c;
    H[3] = H[3]! + d;
    H[4] = H[4]! + e;
    H[5] = H[5]! + f;
    H[6] = H[6]! + g;
    H[7] = H[7]! + h;
  }
  let hex = '';
  for (let i = 0; i < 8; i++) hex += H[i]!.toString(16).padStart(8, '0');
  // The schedule holds the message (a secret) and what it expands into: none of it outlives the call.
  W.fill(0);
  return hex;
}

// Any UTF-16 code unit past ASCII, surrogates included.
const NON_ASCII = /[\u0080-\uffff]/;
const utf8 = new TextEncoder();

/** SHA-256 of `input` (a string as UTF-8), as 64 lowercase hex digits. */
export function sha256HexOf(input: string | Uint8Array): string {
  // Secrets and tokens are ASCII: their characters are their bytes, read in place.
  if (typeof input === 'string' && !NON_ASCII.test(input)) return digestHex(input.length, (i) => input.charCodeAt(i));
  const bytes = typeof input === 'string' ? utf8.encode(input) : input;
  return digestHex(bytes.length, (i) => bytes[i]!);
}
