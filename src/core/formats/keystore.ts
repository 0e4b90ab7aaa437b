/**
 * Java keystores, JKS (magic FEEDFEED) and JCEKS (CECECECE), read strictly and within bounds.
 * Certificates (trusted-certificate entries, the chains of key entries) are stored in the clear:
 * they are read without the store password. Private and secret keys are skipped, never decrypted.
 * The password only checks the store's integrity: SHA-1 over the password (UTF-16BE), the words
 * "Mighty Aphrodite" and every byte before the 20-byte digest at the end.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { KeystoreInfo } from '../model';

export type KeystoreFormat = 'jks' | 'jceks';

export interface KeystoreEntry {
  alias: string;
  kind: 'trusted-certificate' | 'private-key' | 'secret-key';
  /** DER certificates: the trusted certificate, or a key entry's chain (leaf first). */
  certificates: Uint8Array[];
}

export interface KeystoreResult {
  format: KeystoreFormat;
  /** Entries read, in file order (all of them unless `error`). */
  entries: KeystoreEntry[];
  /** 'verified' with the right password, 'wrong-password', or 'not-verified' without one (or when the file is broken). */
  integrity: 'verified' | 'wrong-password' | 'not-verified';
  /** Without a password: the well-known one that verified it (the empty password, or Java's default "changeit"). */
  openedWith?: 'empty' | 'changeit';
  /** Why reading stopped early, with the byte offset and entry: the entries before it are kept. */
  error?: string;
}

const MAGIC: Record<number, KeystoreFormat> = { 0xfeedfeed: 'jks', 0xcececece: 'jceks' };
/** Entries read at most (the JDK's cacerts holds ~150; a hostile count must not allocate or loop). */
export const MAX_KEYSTORE_ENTRIES = 10_000;
/** Certificates in one key entry's chain at most. */
export const MAX_CHAIN_LENGTH = 64;
const DIGEST_LENGTH = 20;
const WHITENER = Buffer.from('Mighty Aphrodite', 'utf8');

/** The keystore format of these bytes, by their magic number (a cheap test). */
export function keystoreFormat(bytes: Uint8Array): KeystoreFormat | undefined {
  if (bytes.length < 4) return undefined;
  return MAGIC[((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0];
}

class KeystoreError extends Error {}

/** A bounds-checked big-endian reader: every read past the end throws KeystoreError naming the offset. */
class Reader {
  offset = 0;
  constructor(
    readonly bytes: Uint8Array,
    private readonly end: number,
  ) {}

  need(n: number, what: string): void {
    if (n < 0 || this.offset + n > this.end)
      throw new KeystoreError(`${what} at byte ${this.offset} needs ${n} bytes, ${Math.max(0, this.end - this.offset)} remain`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++];
  }
  u16(what: string): number {
    this.need(2, what);
    const v = (this.bytes[this.offset] << 8) | this.bytes[this.offset + 1];
    this.offset += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 4;
    return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  /** Java's writeUTF: a 16-bit length and modified UTF-8 (read as UTF-8: aliases are plain text). */
  utf(what: string): string {
    const n = this.u16(`${what} length`);
    return Buffer.from(this.take(n, what)).toString('utf8');
  }
}

/**
 * Reads a JKS or JCEKS keystore. Never throws: a broken file gives the entries read before the
 * break and an `error` that says where. With `password`, the integrity digest is checked; without
 * one, Java's default "changeit" and the empty password are tried (one SHA-1 each).
 */
export function readKeystore(bytes: Uint8Array, password?: string): KeystoreResult | undefined {
  const format = keystoreFormat(bytes);
  if (!format) return undefined;
  const entries: KeystoreEntry[] = [];
  const result: KeystoreResult = { format, entries, integrity: 'not-verified' };
  const body = bytes.length - DIGEST_LENGTH;
  const r = new Reader(bytes, Math.max(0, body));
  let alias = '';
  try {
    if (body < 12) throw new KeystoreError(`the file is ${bytes.length} bytes, too short for a keystore`);
    r.offset = 4;
    const version = r.u32('version');
    if (version !== 1 && version !== 2) throw new KeystoreError(`unknown keystore version ${version}`);
    if (format === 'jceks' && version !== 2) throw new KeystoreError(`unknown JCEKS version ${version}`);
    const count = r.u32('entry count');
    if (count > MAX_KEYSTORE_ENTRIES) throw new KeystoreError(`it declares ${count} entries (more than ${MAX_KEYSTORE_ENTRIES})`);
    const certificate = (what: string): Uint8Array | undefined => {
      const type = version === 2 ? r.utf(`${what} type`) : 'X.509';
      const der = r.take(r.u32(`${what} length`), what);
      return type === 'X.509' ? der : undefined;
    };
    for (let i = 0; i < count; i++) {
      const at = r.offset;
      const tag = r.u32(`entry ${i + 1} tag`);
      alias = r.utf(`entry ${i + 1} alias`);
      r.take(8, `entry "${alias}" date`);
      const certificates: Uint8Array[] = [];
      if (tag === 1) {
        // Encrypted private key: skipped unread.
        r.take(r.u32(`entry "${alias}" key length`), `entry "${alias}" key`);
        const chain = r.u32(`entry "${alias}" chain length`);
        if (chain > MAX_CHAIN_LENGTH)
          throw new KeystoreError(`entry "${alias}" declares ${chain} chain certificates (more than ${MAX_CHAIN_LENGTH})`);
        for (let k = 0; k < chain; k++) {
          const der = certificate(`entry "${alias}" certificate ${k + 1}`);
          if (der) certificates.push(der);
        }
        entries.push({ alias, kind: 'private-key', certificates });
      } else if (tag === 2) {
        const der = certificate(`entry "${alias}" certificate`);
        if (der) certificates.push(der);
        entries.push({ alias, kind: 'trusted-certificate', certificates });
      } else if (tag === 3 && format === 'jceks') {
        // A secret key: a serialized, sealed Java object. Skipped by its structure, never deserialised.
        skipSerializedObject(r, `entry "${alias}" secret key`);
        entries.push({ alias, kind: 'secret-key', certificates });
      } else {
        throw new KeystoreError(`entry ${i + 1} at byte ${at} has unknown tag ${tag}`);
      }
    }
    if (r.offset !== body) throw new KeystoreError(`${body - r.offset} unexpected bytes after the last entry, at byte ${r.offset}`);
  } catch (e) {
    if (!(e instanceof KeystoreError)) throw e;
    result.error = e.message;
    return result;
  }
  if (password !== undefined) {
    result.integrity = integrityHolds(bytes, body, password) ? 'verified' : 'wrong-password';
  } else {
    for (const [pw, name] of [
      ['changeit', 'changeit'],
      ['', 'empty'],
    ] as const) {
      if (!integrityHolds(bytes, body, pw)) continue;
      result.integrity = 'verified';
      result.openedWith = name;
      break;
    }
  }
  return result;
}

/** The keyed SHA-1 digest at the end of a JKS/JCEKS, checked with `password`. */
function integrityHolds(bytes: Uint8Array, body: number, password: string): boolean {
  const pw = Buffer.alloc(password.length * 2);
  for (let i = 0; i < password.length; i++) pw.writeUInt16BE(password.charCodeAt(i), i * 2);
  const digest = createHash('sha1').update(pw).update(WHITENER).update(bytes.subarray(0, body)).digest();
  pw.fill(0);
  return timingSafeEqual(digest, bytes.subarray(body, body + DIGEST_LENGTH));
}

// Java object serialization (java.io.ObjectStreamConstants), the subset a sealed key uses.
const TC = {
  NULL: 0x70,
  REFERENCE: 0x71,
  CLASSDESC: 0x72,
  OBJECT: 0x73,
  STRING: 0x74,
  ARRAY: 0x75,
  BLOCKDATA: 0x77,
  ENDBLOCKDATA: 0x78,
  BLOCKDATALONG: 0x7a,
  LONGSTRING: 0x7c,
} as const;
const SC_WRITE_METHOD = 0x01;
const SC_SERIALIZABLE = 0x02;
const SC_EXTERNALIZABLE = 0x04;
const PRIMITIVE_SIZE: Record<string, number> = { B: 1, Z: 1, C: 2, S: 2, I: 4, F: 4, J: 8, D: 8 };
const MAX_DEPTH = 16;
const MAX_HANDLES = 256;

interface ClassDesc {
  name: string;
  flags: number;
  fields: string[];
  super: ClassDesc | undefined;
}

/**
 * Steps over one serialized object (stream header included) without building it: only its
 * structure is read, to find where the next entry starts. Class names are never resolved or loaded.
 */
function skipSerializedObject(r: Reader, what: string): void {
  if (r.u16(`${what} stream magic`) !== 0xaced || r.u16(`${what} stream version`) !== 5)
    throw new KeystoreError(`${what} is not a Java serialization stream (byte ${r.offset - 4})`);
  const handles: (ClassDesc | undefined)[] = [];
  const newHandle = (d: ClassDesc | undefined) => {
    if (handles.length >= MAX_HANDLES) throw new KeystoreError(`${what} holds more than ${MAX_HANDLES} objects`);
    handles.push(d);
  };
  const fail = (why: string): never => {
    throw new KeystoreError(`${what}: ${why} at byte ${r.offset}`);
  };

  const classDesc = (depth: number): ClassDesc | undefined => {
    const tc = r.u8(what);
    if (tc === TC.NULL) return undefined;
    if (tc === TC.REFERENCE) {
      const h = r.u32(what) - 0x7e0000;
      const d = handles[h];
      return d ?? fail(`reference to handle ${h}, not a class`);
    }
    if (tc !== TC.CLASSDESC) return fail(`unsupported class descriptor type 0x${tc.toString(16)}`);
    const name = r.utf(what);
    r.take(8, what);
    const d: ClassDesc = { name, flags: 0, fields: [], super: undefined };
    newHandle(d);
    d.flags = r.u8(what);
    const n = r.u16(what);
    for (let i = 0; i < n; i++) {
      const type = String.fromCharCode(r.u8(what));
      r.utf(what);
      if (type === 'L' || type === '[') content(depth + 1);
      else if (!(type in PRIMITIVE_SIZE)) fail(`unknown field type "${type}"`);
      d.fields.push(type);
    }
    annotation(depth + 1);
    d.super = classDesc(depth + 1);
    return d;
  };

  const annotation = (depth: number): void => {
    for (;;) {
      const tc = r.bytes[r.offset];
      if (tc === TC.ENDBLOCKDATA) {
        r.offset++;
        return;
      }
      content(depth);
    }
  };

  const content = (depth: number): void => {
    if (depth > MAX_DEPTH) fail('objects nested too deep');
    const tc = r.u8(what);
    switch (tc) {
      case TC.NULL:
        return;
      case TC.REFERENCE:
        r.u32(what);
        return;
      case TC.STRING:
        newHandle(undefined);
        r.take(r.u16(what), what);
        return;
      case TC.LONGSTRING: {
        newHandle(undefined);
        if (r.u32(what) !== 0) fail('string too long');
        r.take(r.u32(what), what);
        return;
      }
      case TC.BLOCKDATA:
        r.take(r.u8(what), what);
        return;
      case TC.BLOCKDATALONG:
        r.take(r.u32(what), what);
        return;
      case TC.ARRAY: {
        const d = classDesc(depth + 1) ?? fail('array without a class');
        newHandle(undefined);
        const size = r.u32(what);
        const element = d.name.charAt(1);
        if (element in PRIMITIVE_SIZE) {
          r.take(size * PRIMITIVE_SIZE[element], what);
        } else {
          if (size > r.bytes.length) fail('array longer than the file');
          for (let i = 0; i < size; i++) content(depth + 1);
        }
        return;
      }
      case TC.OBJECT: {
        const d = classDesc(depth + 1) ?? fail('object without a class');
        newHandle(undefined);
        const chain: ClassDesc[] = [];
        for (let c: ClassDesc | undefined = d; c; c = c.super) {
          if (chain.length > MAX_DEPTH) fail('class hierarchy too deep');
          chain.unshift(c);
        }
        for (const c of chain) {
          if (c.flags & SC_EXTERNALIZABLE) fail('externalizable objects are not read');
          if (!(c.flags & SC_SERIALIZABLE)) continue;
          for (const type of c.fields) {
            if (type in PRIMITIVE_SIZE) r.take(PRIMITIVE_SIZE[type], what);
            else content(depth + 1);
          }
          if (c.flags & SC_WRITE_METHOD) annotation(depth + 1);
        }
        return;
      }
      default:
        fail(`unsupported serialization type 0x${tc.toString(16)}`);
    }
  };

  content(0);
}

/** The details' line on how a keystore was opened, e.g. `JKS, integrity verified with Java's default password "changeit"`. */
export function keystoreNote(k: KeystoreInfo): string {
  const name = k.format === 'pkcs12' ? 'PKCS#12' : k.format.toUpperCase();
  const how =
    k.openedWith === 'changeit'
      ? 'with Java\'s default password "changeit"'
      : k.openedWith === 'empty'
        ? 'with the empty password'
        : 'with your password';
  if (k.format !== 'pkcs12')
    return k.integrity === 'verified' ? `${name}, integrity verified ${how}` : `${name}, integrity not verified (no password)`;
  if (k.openedWith) return `${name}, opened ${how}${k.integrity === 'verified' ? '' : ' (integrity not verified)'}`;
  return k.integrity === 'verified' ? `${name}, opened ${how}` : `${name}, certificates stored unencrypted (integrity not verified)`;
}
