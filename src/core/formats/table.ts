import * as path from 'node:path';
import type { SourceKind } from '../model';
import { mayHoldByteArray } from './byteArrays';
import { keystoreFormat } from './keystore';
import { BASE64_PEM_MARKER, PEM_MARKER } from './pem';

/**
 * The formats CertLens reads, one descriptor each: what names its files, how its content is sniffed,
 * whether an edit can only shift what it holds, and whether the read worker parses it. Dispatch and
 * sniff (parse-file.ts), the worker's plan (scan/plan.ts), shift.ts, the memo and extensions.ts all
 * ask this table; the decoders are parse-file.ts's DECODERS and TEXT_READERS, one per descriptor.
 *
 * Binary formats own a whole file: the first whose `claims` holds parses it. Otherwise, when any
 * text format's sniff holds, the file is decoded as text and every text format's reader runs over
 * it, in table order (the order certificates are numbered in).
 *
 * Adding a format: a descriptor here (its id added to BinaryFormatId or TextFormatId, and to FORMATS
 * at its place in the order), its decoder in parse-file.ts (DECODERS or TEXT_READERS: the compiler
 * asks for it), a SourceKind in model.ts if its certificates need their own, a sample in
 * test/unit/format-table.test.ts and tests of its own.
 */

/** A file about to be parsed or sniffed: its name, lower-case extension and bytes. */
export interface FileProbe {
  readonly file: string;
  readonly ext: string;
  readonly bytes: Uint8Array;
  /** The bytes as a Buffer (a view, not a copy), for native substring searches. */
  readonly buffer: Buffer;
}

export function probeOf(file: string, bytes: Uint8Array): FileProbe {
  return { file, ext: path.extname(file).toLowerCase(), bytes, buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

interface DescriptorBase {
  readonly title: string;
  /**
   * Extensions (lower case, with the dot) that name this format's files. Each extension belongs to
   * one descriptor (see the table's unit test); another may read such a file when its content says so.
   */
  readonly extensions: readonly string[];
  /** Whole file names (lower case) that name this format's files: the JDK's `cacerts`. */
  readonly fileNames?: readonly string[];
  /**
   * What a file named by `extensions` is for: a broken one is then an error wherever it lies
   * (CERTIFICATE_EXTENSIONS), and 'certificates' are checked when a config names them.
   */
  readonly fileKind?: 'certificates' | 'keys';
  /**
   * Cheap test on the raw bytes (native substring searches, a first byte): whether the file may hold
   * anything of this format (certificates, keys or problems). False means its parse finds nothing.
   */
  readonly sniff: (p: FileProbe) => boolean;
  /** Whether an edit between the things found can only move them (shift.ts moves them without parsing again). */
  readonly shiftable: boolean;
  /**
   * Where it is parsed when a scan has a read worker: 'container' is slow JavaScript (node-forge,
   * key derivation), parsed on the worker whenever it may (not files the user unlocked: their
   * password stays with the calling thread); 'large' is parsed there above the caller's size limit.
   */
  readonly worker: 'container' | 'large';
  /** The SourceKinds its certificates carry. */
  readonly sources: readonly SourceKind[];
}

/** A format that owns the whole file: dispatch gives the file to the first that claims it. */
export interface BinaryFormat extends DescriptorBase {
  readonly kind: 'binary';
  readonly id: BinaryFormatId;
  /** Whether this format parses the file (implies sniff). */
  readonly claims: (p: FileProbe) => boolean;
}

/** A reader over the text of a file; all text formats read the same text, one after the other. */
export interface TextFormat extends DescriptorBase {
  readonly kind: 'text';
  readonly id: TextFormatId;
}

export type BinaryFormatId = 'java-keystore' | 'pkcs12' | 'pkcs7' | 'der';
export type TextFormatId = 'pem' | 'private-key' | 'byte-array' | 'base64-pem' | 'config-value' | 'saml' | 'jwks' | 'cert-manager';
export type FormatId = BinaryFormatId | TextFormatId;
export type FormatDescriptor = BinaryFormat | TextFormat;

const DER_SEQUENCE = 0x30;

/** Markers searched for in the raw bytes (one native search each). */
const BASE64_PEM_MARKER_BYTES = Buffer.from(BASE64_PEM_MARKER);
const SAML_MARKER_BYTES = Buffer.from('X509Certificate');
const VALIDITY_MARKER_BYTES = Buffer.from('validUntil');
const JWKS_MARKER_BYTES = Buffer.from('x5c');
const CERT_MANAGER_MARKER_BYTES = Buffer.from('cert-manager.io/');
/**
 * Parts of the keys that hold certificates in structured config (Kubernetes, kubeconfig), checked
 * only there: tls.crt and ca.crt, caBundle, certificate-authority(-data), client-certificate(-data).
 * Each starts with a character rare in text: a search for "caBundle" or "certificate-" stumbled on
 * every "c" and took ten times as long.
 */
export const KEY_FRAGMENTS = ['.crt', 'Bundle', '-authority', '-certificate'];
const KEY_FRAGMENT_BYTES = KEY_FRAGMENTS.map((m) => Buffer.from(m));

/** Extensions of structured config (and none: `kubeconfig`, `config`), where key-based readers look. */
export const STRUCTURED_EXTENSIONS: ReadonlySet<string> = new Set([
  '',
  '.yaml',
  '.yml',
  '.json',
  '.jsonc',
  '.env',
  '.conf',
  '.config',
  '.kubeconfig',
  '.tpl',
  '.tf',
  '.tfvars',
]);
/** Where SAML metadata without a certificate may still say validUntil. */
export const XML_EXTENSIONS: ReadonlySet<string> = new Set(['.xml', '']);
const JWK_EXTENSIONS = ['.jwks', '.jwk'];
/** Java keystore names that promise a keystore: one that is none is reported (keystore-invalid). */
const STRICT_KEYSTORE_EXTENSIONS: ReadonlySet<string> = new Set(['.jks', '.jceks']);

const has = (p: FileProbe, marker: Buffer) => p.buffer.indexOf(marker) !== -1;

/** JKS and JCEKS by their magic, whatever the name; PKCS#12 under a Java keystore name (Java 9's default type). */
const JAVA_KEYSTORE: BinaryFormat = {
  kind: 'binary',
  id: 'java-keystore',
  title: 'Java keystore (JKS, JCEKS, or PKCS#12 under a keystore name)',
  extensions: ['.jks', '.jceks', '.keystore', '.truststore'],
  fileNames: ['cacerts'],
  fileKind: 'certificates',
  sniff: (p) => keystoreFormat(p.bytes) !== undefined || isNamed(JAVA_KEYSTORE, p),
  claims: (p) =>
    keystoreFormat(p.bytes) !== undefined ||
    (isNamed(JAVA_KEYSTORE, p) && (p.bytes[0] === DER_SEQUENCE || STRICT_KEYSTORE_EXTENSIONS.has(p.ext))),
  shiftable: false,
  worker: 'container',
  sources: ['jks', 'jceks', 'pkcs12'],
};

const PKCS12: BinaryFormat = {
  kind: 'binary',
  id: 'pkcs12',
  title: 'PKCS#12',
  extensions: ['.p12', '.pfx'],
  fileKind: 'certificates',
  sniff: (p) => PKCS12.extensions.includes(p.ext),
  claims: (p) => PKCS12.extensions.includes(p.ext),
  shiftable: false,
  worker: 'container',
  sources: ['pkcs12'],
};

/** Binary PKCS#7 (a PEM one is the PEM reader's). */
const PKCS7: BinaryFormat = {
  kind: 'binary',
  id: 'pkcs7',
  title: 'PKCS#7 (binary)',
  extensions: ['.p7b', '.p7c'],
  fileKind: 'certificates',
  sniff: (p) => p.bytes[0] === DER_SEQUENCE && PKCS7.extensions.includes(p.ext),
  claims: (p) => p.bytes[0] === DER_SEQUENCE && PKCS7.extensions.includes(p.ext),
  shiftable: false,
  worker: 'container',
  sources: ['pkcs7'],
};

/** Extensions of PEM files that often hold DER (a certificate or CRL saved in the other encoding). */
const DER_IN_PEM_EXTENSIONS = ['.cer', '.crt', '.cert', '.crl'];
/**
 * A DER certificate, CRL, key or PKCS#7 (told apart by its content): in .der files, in PEM-named
 * files starting with a SEQUENCE, and in a `.pem` file only when a long-form SEQUENCE with no text
 * marker in it.
 */
const DER: BinaryFormat = {
  kind: 'binary',
  id: 'der',
  title: 'DER',
  extensions: ['.der'],
  fileKind: 'certificates',
  sniff: (p) => DER.claims(p),
  claims: (p) =>
    p.bytes[0] === DER_SEQUENCE &&
    (DER.extensions.includes(p.ext) ||
      DER_IN_PEM_EXTENSIONS.includes(p.ext) ||
      (p.ext === '.pem' && p.bytes.length > 1 && p.bytes[1] >= 0x80 && !mayHoldText(p))),
  shiftable: false,
  worker: 'large',
  sources: ['der', 'pkcs7'],
};

/** PEM blocks (certificates, CRLs, PKCS#7, private keys) in any text file. */
const PEM: TextFormat = {
  kind: 'text',
  id: 'pem',
  title: 'PEM',
  fileKind: 'certificates',
  extensions: ['.pem', '.crt', '.cer', '.cert', '.ca-bundle', '.chain', '.crl'],
  sniff: (p) => has(p, PEM_MARKER),
  shiftable: true,
  worker: 'large',
  sources: ['pem', 'inline', 'k8s-secret', 'kubeconfig', 'pkcs7'],
};

/** Private key files: their PEM blocks are the PEM reader's; the name makes a broken one an error. */
const PRIVATE_KEY: TextFormat = {
  kind: 'text',
  id: 'private-key',
  title: 'PEM private key file',
  extensions: ['.key'],
  fileKind: 'keys',
  sniff: () => false,
  shiftable: false,
  worker: 'large',
  sources: [],
};

/** DER certificates as arrays of hex bytes in source code (xxd -i): how firmware compiles in a root CA. */
const BYTE_ARRAY: TextFormat = {
  kind: 'text',
  id: 'byte-array',
  title: 'Byte arrays in source code',
  extensions: [],
  sniff: (p) => mayHoldByteArray(p.buffer, p.ext),
  shiftable: false,
  worker: 'large',
  sources: ['inline'],
};

/** Base64 of PEM: Kubernetes Secret data, kubeconfig *-data, .env, JSON; in any text file. */
const BASE64_PEM: TextFormat = {
  kind: 'text',
  id: 'base64-pem',
  title: 'Base64 PEM (Kubernetes Secrets, kubeconfig)',
  extensions: [],
  sniff: (p) => has(p, BASE64_PEM_MARKER_BYTES),
  shiftable: false,
  worker: 'large',
  sources: ['k8s-secret', 'kubeconfig', 'inline'],
};

/**
 * Values of certificate keys in structured config that are not base64 PEM (base64 DER, or broken):
 * tls.crt, ca.crt, caBundle, certificate-authority(-data), client-certificate(-data); and the files
 * a kubeconfig names by path.
 */
const CONFIG_VALUE: TextFormat = {
  kind: 'text',
  id: 'config-value',
  title: 'Certificate values in Kubernetes manifests and kubeconfig',
  extensions: ['.kubeconfig'],
  sniff: (p) => STRUCTURED_EXTENSIONS.has(p.ext) && KEY_FRAGMENT_BYTES.some((m) => has(p, m)),
  shiftable: false,
  worker: 'large',
  sources: ['k8s-secret', 'kubeconfig', 'inline'],
};

/** SAML metadata and signed XML (X509Certificate elements, validUntil), in any text file. */
const SAML: TextFormat = {
  kind: 'text',
  id: 'saml',
  title: 'SAML metadata',
  extensions: [],
  sniff: (p) => has(p, SAML_MARKER_BYTES) || (XML_EXTENSIONS.has(p.ext) && has(p, VALIDITY_MARKER_BYTES)),
  shiftable: false,
  worker: 'large',
  sources: ['saml'],
};

/** JWK x5c arrays, in JSON and YAML files and files named .jwks / .jwk. */
const JWKS: TextFormat = {
  kind: 'text',
  id: 'jwks',
  title: 'JWKS',
  extensions: JWK_EXTENSIONS,
  sniff: (p) => mayHoldJwks(p.ext) && has(p, JWKS_MARKER_BYTES),
  shiftable: false,
  worker: 'large',
  sources: ['jwks'],
};

/** cert-manager: Certificate manifests (renewal settings) and the Secrets they manage. */
const CERT_MANAGER: TextFormat = {
  kind: 'text',
  id: 'cert-manager',
  title: 'cert-manager',
  extensions: [],
  sniff: (p) => STRUCTURED_EXTENSIONS.has(p.ext) && has(p, CERT_MANAGER_MARKER_BYTES),
  shiftable: false,
  worker: 'large',
  sources: [],
};

/** Every format, binary ones in dispatch order, text ones in reading order. */
export const FORMATS: readonly FormatDescriptor[] = [
  JAVA_KEYSTORE,
  PKCS12,
  PKCS7,
  DER,
  PEM,
  PRIVATE_KEY,
  BYTE_ARRAY,
  BASE64_PEM,
  CONFIG_VALUE,
  SAML,
  JWKS,
  CERT_MANAGER,
];
export const BINARY_FORMATS: readonly BinaryFormat[] = FORMATS.filter((d): d is BinaryFormat => d.kind === 'binary');
export const TEXT_FORMATS: readonly TextFormat[] = FORMATS.filter((d): d is TextFormat => d.kind === 'text');

/** The descriptor owning an extension (lower case, with the dot). */
const BY_EXTENSION = new Map<string, FormatDescriptor>(FORMATS.flatMap((d) => d.extensions.map((e) => [e, d] as const)));
const BY_FILE_NAME = new Map<string, FormatDescriptor>(FORMATS.flatMap((d) => (d.fileNames ?? []).map((n) => [n, d] as const)));

/** The format a file's name says (its extension, else its whole name), whatever it holds. */
export function formatNamed(file: string): FormatDescriptor | undefined {
  return BY_EXTENSION.get(path.extname(file).toLowerCase()) ?? BY_FILE_NAME.get(path.basename(file).toLowerCase());
}

/** The format owning an extension. */
export function formatOfExtension(ext: string): FormatDescriptor | undefined {
  return BY_EXTENSION.get(ext);
}

function isNamed(d: FormatDescriptor, p: FileProbe): boolean {
  return d.extensions.includes(p.ext) || (!!d.fileNames && d.fileNames.includes(path.basename(p.file).toLowerCase()));
}

export function mayHoldJwks(ext: string): boolean {
  return STRUCTURED_EXTENSIONS.has(ext) || JWK_EXTENSIONS.includes(ext);
}

/** Whether the file is read as text: some text format's sniff holds. */
export function mayHoldText(p: FileProbe): boolean {
  for (const d of TEXT_FORMATS) if (d.sniff(p)) return true;
  return false;
}

/** The binary format that parses the file, if any (the first that claims it). */
export function binaryFormatOf(p: FileProbe): BinaryFormat | undefined {
  for (const d of BINARY_FORMATS) if (d.claims(p)) return d;
  return undefined;
}

/** Whether parsing the file can find anything (certificates, keys or problems): a cheap pre-test, every format's sniff. */
export function mayHoldCertificates(file: string, bytes: Uint8Array): boolean {
  const p = probeOf(file, bytes);
  for (const d of FORMATS) if (d.sniff(p)) return true;
  return false;
}
