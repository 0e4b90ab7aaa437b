import { createHash } from 'node:crypto';
import { sha1Rehash, sha256Rehash } from './sha-rehash';

/**
 * RFC 7292 appendix B.2, the PKCS#12 key derivation: the MAC key and the keys and IVs of the
 * legacy pbeWithSHAAnd* ciphers. Most of its work is hashing a hash `iterations - 1` times; done
 * with one createHash per round (~1.5 µs each, and garbage for every round) a locked 2048-iteration
 * file cost tens of milliseconds. For SHA-1 and SHA-256 (the MACs and legacy ciphers met in practice)
 * the rounds run in plain JavaScript over preallocated words (./sha-rehash.ts, about 0.1 µs a round
 * for SHA-1); other digests keep the native loop.
 */
export function pkcs12Kdf(
  password: string | null | undefined,
  salt: Uint8Array,
  id: number,
  iterations: number,
  n: number,
  algorithm: string,
): Buffer {
  if (!(iterations >= 1)) throw new Error('PKCS#12 key derivation iteration count must be >= 1.');
  const hash = algorithm.replace('-', '').toLowerCase();
  const v = BLOCK_BYTES[hash];
  if (!v) throw new Error(`unsupported PKCS#12 KDF digest ${algorithm}`);
  // The password as a BMPString with its two-byte terminator; no password is no bytes at all.
  const pass = password === null || password === undefined ? Buffer.alloc(0) : Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; password && i < password.length; i++) pass.writeUInt16BE(password.charCodeAt(i), i * 2);
  const repeat = (src: Uint8Array) => {
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length];
    return out;
  };
  const I = Buffer.concat([repeat(salt), repeat(pass)]);
  const D = Buffer.alloc(v, id);
  const iterate = REHASH[hash] ?? nativeRehash(hash);
  const parts: Buffer[] = [];
  let produced = 0;
  while (produced < n) {
    const a = iterate(createHash(hash).update(D).update(I).digest(), iterations - 1);
    parts.push(a);
    produced += a.length;
    if (produced >= n) break;
    // I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I, where B repeats A to v bytes.
    const B = Buffer.alloc(v);
    for (let i = 0; i < v; i++) B[i] = a[i % a.length];
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let l = v - 1; l >= 0; l--) {
        const x = I[j + l] + B[l] + carry;
        I[j + l] = x & 0xff;
        carry = x >> 8;
      }
    }
  }
  return Buffer.concat(parts).subarray(0, n);
}

const BLOCK_BYTES: Record<string, number> = { md5: 64, sha1: 64, sha224: 64, sha256: 64, sha384: 128, sha512: 128 };

/** `digest` hashed again `rounds` times (the digest returned is a new buffer). */
type Rehash = (digest: Buffer, rounds: number) => Buffer;

function nativeRehash(hash: string): Rehash {
  return (digest, rounds) => {
    let a = digest;
    for (let r = 0; r < rounds; r++) a = createHash(hash).update(a).digest();
    return a;
  };
}

/** A Rehash over a state of `words` 32-bit words, re-hashed in place by `run`. */
function wordwise(words: number, run: (state: Int32Array, rounds: number) => void): Rehash {
  const state = new Int32Array(words);
  return (digest, rounds) => {
    for (let i = 0; i < words; i++) state[i] = digest.readInt32BE(i * 4);
    run(state, rounds);
    const out = Buffer.alloc(words * 4);
    for (let i = 0; i < words; i++) out.writeInt32BE(state[i], i * 4);
    return out;
  };
}

const REHASH: Record<string, Rehash> = { sha1: wordwise(5, sha1Rehash), sha256: wordwise(8, sha256Rehash) };
