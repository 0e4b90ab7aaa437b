import { createPrivateKey, createPublicKey } from 'node:crypto';
import * as path from 'node:path';
import { CERTIFICATE_EXTENSIONS, resolveNamedFile } from './extensions';
import {
  type CertificateFields,
  type CertificateRecord,
  type CertManagerRef,
  type CrlRecord,
  type FileReference,
  type FileResult,
  type FindingCode,
  type JwkInfo,
  type KeystoreInfo,
  placeCertificate,
  type Position,
  type PrivateKeyRef,
  type Range,
  type SamlKeyInfo,
  type Severity,
  type SourceKind,
} from '../model';
import { keystoreFormat, readKeystore } from './keystore';
import { certificateManifestOf, certManagerRefOf } from './certManager';
import { certificateLength, hexDigest, parseCertificateDer } from '../x509/certificate';
import { parseCrlDer } from '../x509/crl';
import { derKind, type DerKind } from './der-kinds';
import { configFormat, maskComments, mayBeConfigFile } from './configFormats';
import { linkChains } from './chains';
import { FILE_START, LineIndex } from './lines';
import { findPemBlocks, type PemBlock } from './pem';
import { findDerByteArrays } from './byteArrays';
import { certificatesFromPkcs7 } from './pkcs7';
import { openPkcs12 } from './pkcs12';
import { type JwkString, scanJwks } from './jwks';
import { isBase64, isBlank, scanSaml } from './saml';
import {
  binaryFormatOf,
  type BinaryFormatId,
  type FileProbe,
  formatOfExtension,
  KEY_FRAGMENTS,
  mayHoldJwks,
  mayHoldText,
  probeOf,
  TEXT_FORMATS,
  type TextFormatId,
  XML_EXTENSIONS,
} from './table';

export interface ParseOptions {
  /** Password for a PKCS#12 file or Java keystore (JKS, JCEKS), when the user has unlocked it. */
  pkcs12Password?: (file: string) => string | undefined;
  /** Certificates read from one file at most; the rest are counted in a finding (editors stay responsive). */
  maxCertificates?: number;
  /**
   * PEM bodies already parsed (an editor re-parsing a document as it is typed in): unchanged blocks
   * are not decoded again. The caller owns and bounds it.
   */
  blockCache?: Map<string, CertificateFields & { der: Uint8Array }>;
}

export { mayHoldCertificates } from './table';

/** Keys whose value, in YAML/JSON/kubeconfig, is a base64 certificate (PEM or DER). */
const CERT_VALUE_KEY =
  /^[ \t-]*["']?(tls\.crt|ca\.crt|caBundle|certificate-authority-data|client-certificate-data)["']?[ \t]*:[ \t]*["']?([^\s"',#}]*)/gm;
const KUBECONFIG_PATH_KEY = /^[ \t-]*["']?(certificate-authority|client-certificate)["']?[ \t]*:[ \t]*["']?([^\s"'#,}]+)/gm;
const BASE64_PEM_TOKEN = /LS0tLS1CRUdJTi[A-Za-z0-9+/]*={0,2}/g;
/** Template and format-string values, not paths: ${X}, {{ x }}, <path>, %(x)s, printf's %s and %v, $X, YAML block markers. */
const PLACEHOLDER = /^(\$\{|\{\{|<|%\(|%[-+ #0-9.]*[a-zA-Z]|\$[A-Z_]|\||>)/;

/**
 * Whether a broken PEM block or certificate value in this file is a problem: in certificate files
 * and config files it is. Elsewhere (source code, docs, scripts, other text) a PEM header that does
 * not start a decodable certificate is a string constant, a format string, a truncated example or
 * a quoted transcript: not a certificate, and not reported (a certificate that decodes still is).
 * A kubeconfig, whatever its name, is recognised by its content and reports them too.
 */
export function reportsBrokenBlocks(file: string): boolean {
  return CERTIFICATE_EXTENSIONS.has(path.extname(file).toLowerCase()) || mayBeConfigFile(file, false);
}

/**
 * Everything one file holds: certificates with exact ranges, private keys (as public-key hashes),
 * files it references, and located problems. Never throws: bad input becomes a problem (in the
 * files reportsBrokenBlocks accepts).
 */
export function parseFile(file: string, bytes: Uint8Array, options: ParseOptions = {}): FileResult {
  const result: FileResult = { file, certificates: [], problems: [], privateKeys: [], references: [], crls: [] };
  const sink = new Sink(result, options.maxCertificates ?? Infinity, options.blockCache);
  sink.reportsBadInput = reportsBrokenBlocks(file);
  try {
    // Dispatch by the format table (table.ts): a binary format that claims the file, else its text.
    const probe = probeOf(file, bytes);
    const binary = binaryFormatOf(probe);
    if (binary) {
      DECODERS[binary.id](probe, sink, options);
    } else if (mayHoldText(probe)) {
      const text = decodeText(bytes);
      if (sink.reportsBadInput) sink.commentedOut = commentTest(file, text);
      parseText(text, probe.ext, file, sink);
    }
  } catch (e) {
    sink.problem(
      'error',
      'invalid-certificate',
      FILE_START,
      `CertLens could not read this file: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (sink.overflow > 0) {
    sink.problem(
      'info',
      'too-many-certificates',
      FILE_START,
      `Only the first ${result.certificates.length} certificates of this file are shown; ${sink.overflow} more were not read (certlens.maxCertificatesPerFile)`,
    );
  }
  linkChains(result.certificates);
  // A key's own certificate (SAML KeyDescriptor, x5c[0]) is the leaf, also when self-signed with the CA flag.
  for (const c of result.certificates) if ((c.saml || c.jwk?.position === 0) && c.role === 'root' && !c.chain) c.role = 'leaf';
  return result;
}

/** SAML metadata and signed XML, in any text file (metadata is often held in a string of a test). */
const SAML_MARKER = 'X509Certificate';
/** JWK x5c, in JSON and YAML files (and files named .jwks / .jwk). */
const JWKS_MARKER = 'x5c';
const JWK_EXTENSIONS = new Set(['.jwks', '.jwk']);
/** SAML metadata without a certificate may still have a validUntil: looked for in XML files only. */
const VALIDITY_MARKER = 'validUntil';

/** The decoder of each binary format of the table: the whole file is theirs. */
const DECODERS: Record<BinaryFormatId, (p: FileProbe, sink: Sink, options: ParseOptions) => void> = {
  'java-keystore': (p, sink, options) => {
    if (keystoreFormat(p.bytes)) {
      parseJavaKeystore(p.bytes, sink, options.pkcs12Password?.(p.file));
    } else if (p.bytes[0] === 0x30) {
      parsePkcs12(p.bytes, FILE_START, sink, options.pkcs12Password?.(p.file));
    } else {
      const why = 'its first bytes are not FEEDFEED, CECECECE or a DER sequence';
      sink.badInput('keystore-invalid', FILE_START, `This is not a JKS, JCEKS or PKCS#12 keystore (${why})`);
    }
  },
  pkcs12: (p, sink, options) => parsePkcs12(p.bytes, FILE_START, sink, options.pkcs12Password?.(p.file)),
  pkcs7: (p, sink) => parsePkcs7(p.bytes, FILE_START, sink, 'pkcs7'),
  der: (p, sink) => parseDer(p.bytes, p.ext, sink),
};

const decoder = new TextDecoder('utf-8');
/** For a config format: a test of whether a range starts inside a comment, reading the comments only when first asked. */
function commentTest(file: string, text: string): ((range: Range) => boolean) | undefined {
  const format = configFormat(file, text);
  if (!format) return undefined;
  let masked: string[] | undefined;
  let original: string[] | undefined;
  return (range) => {
    masked ??= maskComments(text, format).split('\n');
    original ??= text.split('\n');
    const { line, character } = range.start;
    // Masking blanks comments: a character there that was not blank before is in one.
    return masked[line]?.[character] === ' ' && !/\s/.test(original[line]?.[character] ?? ' ');
  };
}

function decodeText(bytes: Uint8Array): string {
  // TextDecoder drops a UTF-8 BOM, as VS Code does, so character offsets agree with the editor.
  return decoder.decode(bytes);
}

/** Collects results for one file, numbering certificates in the order found. */
class Sink {
  /** Public-key hashes of this file's private keys, by PEM label and body. */
  private readonly keyHashes = new Map<string, string | undefined>();

  /** Certificate blocks past the per-file limit. */
  overflow = 0;

  /** Whether input that does not decode is a problem (see reportsBrokenBlocks); otherwise it is dropped. */
  reportsBadInput = true;

  constructor(
    readonly result: FileResult,
    private readonly maxCertificates = Infinity,
    private readonly blockCache?: ParseOptions['blockCache'],
  ) {}

  /** A PEM certificate block, from the block cache when its body was parsed before. */
  pemCertificate(body: string, range: Range, source: SourceKind, what: string): void {
    const cached = this.blockCache?.get(body);
    if (!cached) {
      const before = this.result.certificates.length;
      this.certificate(Buffer.from(body, 'base64'), range, source, what);
      const added = this.result.certificates[before];
      if (this.blockCache && added) this.blockCache.set(body, added);
      return;
    }
    if (this.result.certificates.length >= this.maxCertificates) {
      this.overflow++;
      return;
    }
    this.result.certificates.push(
      placeCertificate(cached, { file: this.result.file, range, source, index: this.result.certificates.length, role: 'leaf' }),
    );
  }

  /**
   * The public-key hash of a private key, for pairing with certificates. OpenSSL takes ~0.5 ms to
   * decode one key, so a file of thousands of small keys took seconds: repeated keys are decoded once,
   * and past MAX_PRIVATE_KEYS_PER_FILE distinct ones the rest are not paired.
   */
  keyHash(b: PemBlock): string | undefined {
    const id = `${b.label}\n${b.body}`;
    if (!this.keyHashes.has(id)) {
      if (this.keyHashes.size >= MAX_PRIVATE_KEYS_PER_FILE) return undefined;
      this.keyHashes.set(id, publicKeyHash(b));
    }
    return this.keyHashes.get(id);
  }

  /** Adds the certificate in `der` (returned), or reports why it cannot be read. `extra`: where it was held (a keystore entry's alias, how the keystore was opened). */
  certificate(
    der: Uint8Array,
    range: Range,
    source: SourceKind,
    what: string,
    extra?: Pick<CertificateRecord, 'alias' | 'keystore'>,
  ): CertificateRecord | undefined {
    if (this.result.certificates.length >= this.maxCertificates) {
      this.overflow++;
      return undefined;
    }
    const record = this.place(decodeCertificate(der), range, source, what);
    if (record && extra?.alias !== undefined) record.alias = extra.alias;
    if (record && extra?.keystore) record.keystore = extra.keystore;
    return record;
  }

  /** Base64 texts of DER certificates (SAML, JWKS) decoded in this file, and what each held. */
  private readonly decodedTexts = new Map<string, CertificateRecord | NotACertificate>();

  /**
   * A certificate written as base64 DER (SAML, JWKS). A text seen before in this file is not decoded
   * again: a key listed for signing and for encryption, or a crafted file of thousands of copies.
   */
  base64Certificate(base64: string, range: Range, source: SourceKind, what: string): CertificateRecord | undefined {
    if (this.result.certificates.length >= this.maxCertificates) {
      this.overflow++;
      return undefined;
    }
    const known = this.decodedTexts.get(base64);
    if (known === undefined) {
      const decoded = decodeCertificate(Buffer.from(base64, 'base64'));
      this.decodedTexts.set(base64, decoded);
      return this.place(decoded, range, source, what);
    }
    if ('reason' in known) return this.place(known, range, source, what);
    const record = placeCertificate(known, { file: this.result.file, range, source, index: this.result.certificates.length, role: 'leaf' });
    this.result.certificates.push(record);
    return record;
  }

  /** Adds a decoded certificate at its place (extending the parsed record in place), or reports why it is none. */
  private place(
    decoded: CertificateRecord | NotACertificate,
    range: Range,
    source: SourceKind,
    what: string,
  ): CertificateRecord | undefined {
    if ('reason' in decoded) {
      this.badInput(decoded.code, range, `${what} is not a valid certificate: ${decoded.reason}`);
      return undefined;
    }
    decoded.file = this.result.file;
    decoded.range = range;
    decoded.source = source;
    decoded.index = this.result.certificates.length;
    decoded.role = 'leaf';
    this.result.certificates.push(decoded);
    return decoded;
  }

  /** A DER CRL; one that does not decode is bad input like a broken certificate. */
  crl(der: Uint8Array, range: Range, source: SourceKind, what: string): void {
    try {
      const record = parseCrlDer(der) as CrlRecord;
      record.file = this.result.file;
      record.range = range;
      record.source = source;
      record.index = this.result.crls.length;
      this.result.crls.push(record);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.badInput(/time/i.test(message) ? 'invalid-date' : 'invalid-crl', range, `${what} is not a valid CRL: ${message}`);
    }
  }

  problem(severity: Severity, code: FindingCode, range: Range, message: string): void {
    this.result.problems.push({ file: this.result.file, range, severity, code, message });
  }

  /** In config files: whether a position lies in a comment (documentation, not a value). */
  commentedOut: ((range: Range) => boolean) | undefined;

  /**
   * A block or value that does not decode: an error where reportsBadInput, else nothing. In a config
   * file's comments (`## key should start with -----BEGIN CERTIFICATE-----`, a commented-out example
   * cut short) it is documentation, not a value: no finding (a commented certificate that decodes is still reported).
   */
  badInput(code: FindingCode, range: Range, message: string): void {
    if (this.reportsBadInput && !this.commentedOut?.(range)) this.problem('error', code, range, message);
  }
}

interface NotACertificate {
  code: FindingCode;
  reason: string;
}

/**
 * The fields of the certificate in `der` as a record to be placed (CertificateRecord's place fields
 * are set by Sink.place), or why it is not one.
 */
function decodeCertificate(der: Uint8Array): CertificateRecord | NotACertificate {
  try {
    // Extend the parsed fields in place: spreading ~30 properties per certificate shows in profiles.
    const record = parseCertificateDer(der) as CertificateRecord;
    record.der = der.subarray(0, certificateLength(der));
    return record;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { code: /time/i.test(reason) ? 'invalid-date' : 'invalid-certificate', reason };
  }
}

/** A DER file: a certificate, CRL, private key, or PKCS#7 by its content. */
function parseDer(bytes: Uint8Array, ext: string, sink: Sink): void {
  if (looksLikePkcs7(bytes)) {
    parsePkcs7(bytes, FILE_START, sink, 'pkcs7');
    return;
  }
  const kind = derKind(bytes);
  if (kind === 'crl' || (kind === undefined && ext === '.crl')) {
    sink.crl(bytes, FILE_START, 'der', 'This DER file');
  } else if (kind === undefined || kind === 'certificate') {
    sink.certificate(bytes, FILE_START, 'der', 'This DER file');
  } else {
    // A key, CSR or OCSP response: not a certificate, and not a problem. Private keys pair with certificates.
    const key = derKeyHash(bytes, kind);
    if (key) sink.result.privateKeys.push({ file: sink.result.file, range: FILE_START, spkiSha256: key } satisfies PrivateKeyRef);
  }
}

const DER_KEY_TYPES: Partial<Record<DerKind, 'pkcs8' | 'pkcs1' | 'sec1'>> = {
  'private-key-pkcs8': 'pkcs8',
  'private-key-rsa': 'pkcs1',
  'private-key-ec': 'sec1',
};

/** SHA-256 of the public half of an unencrypted DER private key; the key itself is dropped at once. */
function derKeyHash(der: Uint8Array, kind: DerKind): string | undefined {
  const type = DER_KEY_TYPES[kind];
  if (!type) return undefined;
  try {
    const spki = createPublicKey(
      createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type }),
    ).export({ type: 'spki', format: 'der' });
    return hexDigest('sha256', spki);
  } catch {
    return undefined;
  }
}

/** ContentInfo starts with SEQUENCE { OID 1.2.840.113549.1.7.2 ...}: look for that OID near the start. */
function looksLikePkcs7(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 24));
  return head.indexOf(Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02])) !== -1;
}

function parsePkcs7(der: Uint8Array, range: Range, sink: Sink, source: SourceKind): void {
  let certs: Uint8Array[];
  try {
    certs = certificatesFromPkcs7(der);
  } catch (e) {
    sink.badInput('pkcs7-invalid', range, `PKCS#7 could not be read: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  certs.forEach((c, i) => sink.certificate(c, range, source, `Certificate ${i + 1} of this PKCS#7`));
}

/**
 * A JKS or JCEKS keystore: its certificates need no password; a password (the user's, else Java's
 * default or the empty one) only verifies its integrity. Private keys are skipped, never decrypted.
 */
function parseJavaKeystore(bytes: Uint8Array, sink: Sink, password: string | undefined): void {
  const store = readKeystore(bytes, password);
  if (!store) return;
  const name = store.format.toUpperCase();
  if (store.integrity === 'wrong-password') {
    sink.problem(
      'error',
      'keystore-wrong-password',
      FILE_START,
      `The ${name} keystore password is wrong (its integrity check failed); its certificates are shown unverified`,
    );
  }
  const keystore: KeystoreInfo = { format: store.format, integrity: store.integrity === 'verified' ? 'verified' : 'not-verified' };
  if (store.openedWith) keystore.openedWith = store.openedWith;
  for (const entry of store.entries) {
    entry.certificates.forEach((der, i) =>
      sink.certificate(der, FILE_START, store.format, `Certificate ${i + 1} of ${name} entry "${entry.alias}"`, {
        alias: entry.alias,
        keystore,
      }),
    );
  }
  if (store.error) sink.badInput('keystore-invalid', FILE_START, `This ${name} keystore is broken: ${store.error}`);
}

function parsePkcs12(der: Uint8Array, range: Range, sink: Sink, password: string | undefined): void {
  const opened = openPkcs12(der, password);
  switch (opened.status) {
    case 'open': {
      const keystore: KeystoreInfo = { format: 'pkcs12', integrity: opened.integrity };
      if (opened.openedWith) keystore.openedWith = opened.openedWith;
      opened.certificates.forEach((c, i) => {
        const alias = opened.aliases[i];
        sink.certificate(
          c,
          range,
          'pkcs12',
          `Certificate ${i + 1} of this PKCS#12`,
          alias === undefined ? { keystore } : { keystore, alias },
        );
      });
      return;
    }
    case 'locked':
      sink.problem('info', 'pkcs12-locked', range, opened.message);
      return;
    case 'wrong-password':
      sink.problem('error', 'pkcs12-wrong-password', range, opened.message);
      return;
    case 'invalid':
      sink.problem('error', 'pkcs12-invalid', range, opened.message);
  }
}

/** Whether `needle` occurs in `text` outside the spans of `blocks` (in order, not overlapping). */
function occursBetween(text: string, blocks: readonly PemBlock[], needle: string): boolean {
  let from = 0;
  for (const b of blocks) {
    if (b.start - from >= needle.length && text.slice(from, b.start).includes(needle)) return true;
    from = Math.max(from, b.end);
  }
  return text.length - from >= needle.length && (from === 0 ? text : text.slice(from)).includes(needle);
}

/** One text as the text formats' readers see it, in table order (TEXT_READERS). */
interface TextRead {
  text: string;
  ext: string;
  file: string;
  lines: LineIndex;
  context: SourceContext;
  sink: Sink;
  /** The PEM reader's blocks (the config-value reader looks between them). */
  blocks: PemBlock[];
  /** Offsets of the base64 PEM values read (the config-value reader skips them). */
  handled: Set<number>;
}

function parseText(text: string, ext: string, file: string, sink: Sink): void {
  const lines = new LineIndex(text);
  const context = new SourceContext(text, formatOfExtension(ext)?.id === 'pem' ? 'pem' : 'inline');
  if (context.isKubeconfig) sink.reportsBadInput = true;
  const read: TextRead = { text, ext, file, lines, context, sink, blocks: [], handled: new Set() };
  for (const format of TEXT_FORMATS) TEXT_READERS[format.id](read);
}

/** The reader of each text format of the table; each looks for its own markers in the text. */
const TEXT_READERS: Record<TextFormatId, (t: TextRead) => void> = {
  pem: (t) => {
    t.blocks = findPemBlocks(t.text);
    handlePemBlocks(t.blocks, 0, t.lines, (b) => t.context.kindAt(b.start), t.sink);
  },
  // Its PEM blocks are the PEM reader's.
  'private-key': () => undefined,
  // DER certificates as arrays of hex bytes in source code (xxd -i): how firmware compiles in a root CA.
  'byte-array': (t) => {
    for (const a of findDerByteArrays(t.text, t.ext)) t.sink.certificate(a.der, t.lines.range(a.start, a.end), 'inline', 'Byte array');
  },
  'base64-pem': readBase64Pem,
  'config-value': readConfigValues,
  // SAML metadata and JWKS, after the PEM readers: PEM put where DER belongs is theirs.
  saml: (t) => {
    if (t.text.includes(SAML_MARKER) || (XML_EXTENSIONS.has(t.ext) && t.text.includes(VALIDITY_MARKER))) readSaml(t.text, t.lines, t.sink);
  },
  jwks: (t) => {
    if (!mayHoldJwks(t.ext) || !t.text.includes(JWKS_MARKER)) return;
    // A key set, whatever the file's name, reports what does not decode.
    if (JWK_EXTENSIONS.has(t.ext)) t.sink.reportsBadInput = true;
    readJwks(t.text, t.lines, t.sink);
  },
  'cert-manager': (t) => t.context.applyCertManager(t.text, t.file, t.lines, t.sink.result),
};

/** base64-encoded PEM values: Kubernetes Secret data, kubeconfig *-data, .env, JSON. */
function readBase64Pem({ text, lines, context, sink, handled }: TextRead): void {
  BASE64_PEM_TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BASE64_PEM_TOKEN.exec(text))) {
    handled.add(m.index);
    // Cut short with an ellipsis (`LS0tLS1CRUdJTi...`, `…`): a documented example, not a value to decode.
    const after = m.index + m[0].length;
    if (text.startsWith('...', after) || text.startsWith('…', after)) continue;
    const range = lines.range(m.index, m.index + m[0].length);
    const decoded = Buffer.from(m[0], 'base64').toString('latin1');
    const inner = findPemBlocks(decoded);
    if (inner.length === 0) {
      sink.badInput('invalid-base64', range, 'This base64 value starts like a PEM block but does not decode to one');
      continue;
    }
    const kind = context.kindAt(m.index);
    handlePemBlocks(inner, m.index, lines, () => kind, sink, range);
  }
}

/**
 * Values of certificate keys that are not base64 PEM: base64 DER, or broken. (A bundle names no
 * such key: the test, only between PEM blocks, spares it a multi-line regular expression.) And the
 * files a kubeconfig names by path.
 */
function readConfigValues({ text, file, lines, context, sink, blocks, handled }: TextRead): void {
  let m: RegExpExecArray | null;
  CERT_VALUE_KEY.lastIndex = 0;
  const namesKeys = KEY_FRAGMENTS.some((k) => occursBetween(text, blocks, k));
  while (namesKeys && (m = CERT_VALUE_KEY.exec(text))) {
    const value = m[2];
    const valueStart = m.index + m[0].length - value.length;
    if (!value || handled.has(valueStart) || PLACEHOLDER.test(value) || value.startsWith('-----')) continue;
    const range = lines.range(valueStart, valueStart + value.length);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 === 1) {
      sink.badInput('invalid-base64', range, `The value of "${m[1]}" is not valid base64`);
      continue;
    }
    const der = Buffer.from(value, 'base64');
    // Base64 of a blank (`caBundle: Cg==`, a newline): the placeholder kubebuilder scaffolds and
    // charts write because the API server rejects an empty caBundle; something injects the CA later.
    if (der.every(isBlank)) continue;
    sink.certificate(der, range, context.kindAt(valueStart), `The value of "${m[1]}"`);
  }
  if (!context.isKubeconfig) return;
  KUBECONFIG_PATH_KEY.lastIndex = 0;
  while ((m = KUBECONFIG_PATH_KEY.exec(text))) {
    const value = m[2];
    if (PLACEHOLDER.test(value)) continue;
    const valueStart = m.index + m[0].length - value.length;
    sink.result.references.push({
      file,
      range: lines.range(valueStart, valueStart + value.length),
      target: resolveNamedFile(file, value),
      written: value,
      source: 'kubeconfig',
    } satisfies FileReference);
  }
}

/** Whether a text is a SAML metadata document: its first element an EntityDescriptor or EntitiesDescriptor. */
const METADATA_DOCUMENT = /^\uFEFF?\s*(?:<\?[^>]*\?>\s*|<!--[^]*?-->\s*)*<(?:[\w.-]+:)?Entit(?:y|ies)Descriptor\b/;

/** Certificates of X509Certificate elements, and validUntil dates (FileResult.expiries) of SAML metadata. */
function readSaml(text: string, lines: LineIndex, sink: Sink): void {
  // A metadata document, whatever its name (metadata, idp.saml), reports what does not decode.
  if (METADATA_DOCUMENT.test(text.slice(0, 8192))) sink.reportsBadInput = true;
  const { certificates, validity } = scanSaml(text);
  for (const c of certificates) {
    const range = lines.range(c.start, c.end);
    if (c.pem) {
      placeReadAsPem(sink.result.certificates, range, 'saml', { saml: c.info });
      continue;
    }
    if (!isBase64(c.base64)) {
      sink.badInput('invalid-base64', range, 'This X509Certificate element does not hold base64');
      continue;
    }
    const record = sink.base64Certificate(c.base64, range, 'saml', 'This X509Certificate element');
    if (record) record.saml = c.info;
  }
  for (const v of validity) {
    const range = lines.range(v.start, v.end);
    if (Number.isNaN(v.notAfter)) sink.badInput('invalid-date', range, `validUntil "${v.value}" is not an xs:dateTime (${v.label})`);
    else (sink.result.expiries ??= []).push({ kind: 'saml-metadata', notAfter: v.notAfter, range, label: v.label });
  }
}

/**
 * PEM, or base64 of PEM, where DER belongs (an X509Certificate element, an x5c member: wrong, and
 * common): the PEM reader has read it; its certificates within `range` become the document's
 * (copies: a parsed record may be in the block cache).
 */
function placeReadAsPem(
  certificates: CertificateRecord[],
  range: Range,
  source: SourceKind,
  place: { saml: SamlKeyInfo } | { jwk: JwkInfo },
): void {
  const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  certificates.forEach((c, i) => {
    if (c.source === source || !before(range.start, c.range.start) || !before(c.range.end, range.end)) return;
    certificates[i] = placeCertificate({ ...c, ...place }, { file: c.file, range: c.range, source, index: c.index, role: c.role });
  });
}

const PEM_TEXT = /-----BEGIN|^LS0tLS1CRUdJTi/;

/** A sample cut short: `MIIC...`. */
const ELIDED = /\.\.\.|…/;
const BASE64_OR_URL = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Certificates of JWK x5c arrays; x5t and x5t#S256 checked against the first. */
function readJwks(text: string, lines: LineIndex, sink: Sink): void {
  for (const key of scanJwks(text)) {
    const info: Omit<JwkInfo, 'position'> = {};
    if (key.kid) info.kid = key.kid.value;
    if (key.use) info.use = key.use.value;
    if (key.alg) info.alg = key.alg.value;
    if (key.kty) info.kty = key.kty.value;
    let first: CertificateRecord | undefined;
    key.members.forEach((member, position) => {
      const value = member.value.replace(/\s+/g, '');
      if (!value || PLACEHOLDER.test(value) || ELIDED.test(value)) return;
      const range = lines.range(member.start, member.end);
      if (PEM_TEXT.test(value)) {
        placeReadAsPem(sink.result.certificates, range, 'jwks', { jwk: { ...info, position } });
        return;
      }
      if (!BASE64_OR_URL.test(value) || value.length % 4 === 1) {
        sink.badInput('invalid-base64', range, `x5c[${position}] is not valid base64`);
        return;
      }
      if (/[-_]/.test(value)) {
        sink.badInput(
          'invalid-base64',
          range,
          `x5c[${position}] is base64url; RFC 7517 requires standard base64 (+ and /), which verifiers expect`,
        );
      }
      const record = sink.base64Certificate(value, range, 'jwks', `x5c[${position}]${info.kid ? ` of key "${info.kid}"` : ''}`);
      if (!record) return;
      record.jwk = { ...info, position };
      if (position === 0) first = record;
    });
    if (first) checkThumbprint(key.x5t, 'x5t', 'SHA-1', first.sha1, lines, sink);
    if (first) checkThumbprint(key.x5tS256, 'x5t#S256', 'SHA-256', first.sha256, lines, sink);
  }
}

/** A JWK thumbprint (base64url of the hash of x5c[0]'s DER) that is not the certificate's: a finding at it. */
function checkThumbprint(given: JwkString | undefined, name: string, hash: string, hex: string, lines: LineIndex, sink: Sink): void {
  if (!given) return;
  const expected = Buffer.from(hex, 'hex').toString('base64url');
  // Padding and the standard alphabet are tolerated: the hash is what must agree.
  const value = given.value.trim().replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (value === expected) return;
  const range = lines.range(given.start, given.end);
  if (sink.commentedOut?.(range)) return;
  const hint = value.toLowerCase() === hex ? ' (it is the hex thumbprint; it must be base64url)' : '';
  sink.problem('error', 'jwk-thumbprint-mismatch', range, `${name} is not the ${hash} thumbprint of x5c[0]${hint}: expected ${expected}`);
}

function handlePemBlocks(
  blocks: PemBlock[],
  baseOffset: number,
  lines: LineIndex,
  kindOf: (b: PemBlock) => SourceKind,
  sink: Sink,
  fixedRange?: Range,
): void {
  for (const b of blocks) {
    const range = fixedRange ?? lines.range(baseOffset + b.start, baseOffset + b.end);
    if (b.error) {
      const where = fixedRange ? '' : ` (line ${lines.position(baseOffset + b.error.offset).line + 1})`;
      sink.badInput(b.error.code, range, b.error.message + where);
      continue;
    }
    if (b.placeholder) continue;
    if (b.kind === 'certificate') {
      sink.pemCertificate(b.body, range, kindOf(b), `PEM block "${b.label}"`);
    } else if (b.kind === 'crl') {
      sink.crl(Buffer.from(b.body, 'base64'), range, kindOf(b), `PEM block "${b.label}"`);
    } else if (b.kind === 'pkcs7') {
      parsePkcs7(Buffer.from(b.body, 'base64'), range, sink, 'pkcs7');
    } else if (b.kind === 'private-key' && !b.encrypted) {
      const key = sink.keyHash(b);
      if (key) sink.result.privateKeys.push({ file: sink.result.file, range, spkiSha256: key } satisfies PrivateKeyRef);
    }
  }
}

/** Distinct private keys per file whose public half is computed (pairing keys with certificates). */
export const MAX_PRIVATE_KEYS_PER_FILE = 50;

/** SHA-256 of the public half of a private key; the key itself is dropped at once. */
function publicKeyHash(b: PemBlock): string | undefined {
  try {
    const pem = `-----BEGIN ${b.label}-----\n${b.body}\n-----END ${b.label}-----\n`;
    const spki = createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' });
    return hexDigest('sha256', spki);
  } catch {
    return undefined;
  }
}

/** Says what kind of source a position in a text file is: a Kubernetes Secret, a kubeconfig, or plain. */
class SourceContext {
  readonly isKubeconfig: boolean;
  private readonly docs: { start: number; end: number; kind: SourceKind; yamlKind?: string }[] = [];

  constructor(
    text: string,
    private readonly fallback: SourceKind,
  ) {
    // Plain substring tests first: a multi-line expression over a large bundle costs more than both.
    const namesKind = text.includes('kind:');
    this.isKubeconfig =
      (namesKind && /^kind:[ \t]*["']?Config\b/m.test(text)) ||
      (text.includes('clusters:') && /^clusters:/m.test(text) && /^users:/m.test(text));
    if (this.isKubeconfig || !namesKind || !/^kind:/m.test(text)) return;
    const sep = /^---/gm;
    let start = 0;
    for (;;) {
      const m = sep.exec(text);
      const end = m ? m.index : text.length;
      const kindMatch = /^kind:[ \t]*["']?(\w+)/m.exec(text.slice(start, end));
      this.docs.push({ start, end, kind: kindMatch?.[1] === 'Secret' ? 'k8s-secret' : fallback, yamlKind: kindMatch?.[1] });
      if (!m) break;
      start = m.index + 3;
    }
  }

  /**
   * cert-manager: marks the certificates of annotated Secrets as managed, and collects the
   * `Certificate` manifests (their renewal settings), each with its whole document as range.
   */
  applyCertManager(text: string, file: string, lines: LineIndex, result: FileResult): void {
    if (!text.includes('cert-manager.io/')) return;
    const managed: { fromLine: number; toLine: number; ref: CertManagerRef }[] = [];
    for (const d of this.docs) {
      if (d.yamlKind === 'Certificate') {
        const manifest = certificateManifestOf(text.slice(d.start, d.end), file, lines.range(d.start, d.end));
        if (manifest) (result.certManagerCertificates ??= []).push(manifest);
      } else if (d.kind === 'k8s-secret') {
        const ref = certManagerRefOf(text.slice(d.start, d.end));
        if (ref) managed.push({ fromLine: lines.position(d.start).line, toLine: lines.position(d.end).line, ref });
      }
    }
    if (!managed.length) return;
    // Documents are in file order: a binary search per certificate keeps a stream of many Secrets linear.
    for (const c of result.certificates) {
      if (c.source !== 'k8s-secret') continue;
      const line = c.range.start.line;
      let lo = 0;
      let hi = managed.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (managed[mid].fromLine <= line) lo = mid;
        else hi = mid - 1;
      }
      const doc = managed[lo];
      if (doc.fromLine <= line && line <= doc.toLine) c.managedBy = doc.ref;
    }
  }

  kindAt(offset: number): SourceKind {
    if (this.isKubeconfig) return 'kubeconfig';
    // Binary search for the last document starting at or before the offset: a scan from the first
    // document made a YAML stream of many small documents quadratic.
    let lo = 0;
    let hi = this.docs.length - 1;
    let kind = this.fallback;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.docs[mid].start <= offset) {
        kind = this.docs[mid].kind;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return kind;
  }
}
