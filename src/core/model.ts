/** The data every layer shares: what the engine finds, in positions VS Code uses (0-based, UTF-16). */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type SourceKind = 'pem' | 'der' | 'pkcs7' | 'pkcs12' | 'jks' | 'jceks' | 'k8s-secret' | 'kubeconfig' | 'inline' | 'saml' | 'jwks';
/** 'hint' is below 'info': findings about files outside production and unused trust-store roots. */
export type Severity = 'error' | 'warning' | 'info' | 'hint';
/** Severities from the most to the least severe. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];
export type ChainRole = 'leaf' | 'intermediate' | 'root';

export interface SubjectAltNames {
  dns: string[];
  ip: string[];
  email: string[];
  uri: string[];
}

/** What one certificate says about itself; independent of where it was found and of the time. */
export interface CertificateFields {
  subject: string;
  subjectCN?: string;
  issuer: string;
  issuerCN?: string;
  sans: SubjectAltNames;
  serial: string;
  /** Epoch milliseconds, UTC. */
  notBefore: number;
  notAfter: number;
  sha256: string;
  sha1: string;
  /** SHA-256 of the SubjectPublicKeyInfo: pairs certificates with private keys. */
  spkiSha256: string;
  keyType: string;
  keyBits?: number;
  curve?: string;
  signatureAlgorithm: string;
  signatureAlgorithmOid: string;
  isCA: boolean;
  selfSigned: boolean;
  keyUsage: string[];
  extendedKeyUsage: string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** The raw subject and issuer Names (DER bytes as latin1 text), compared byte for byte to link chains. */
  subjectRaw: string;
  issuerRaw: string;
}

export interface ChainInfo {
  /** Indexes (within the file's certificates) of the members, leaf first. */
  members: number[];
  earliestNotAfter: number;
  /** Index (within the file) of the member that expires first. */
  earliestIndex: number;
}

export interface FileLocation {
  file: string;
  range: Range;
}

export interface CertificateRecord extends CertificateFields, FileLocation {
  source: SourceKind;
  /** Position within its file, counting every certificate found in it. */
  index: number;
  role: ChainRole;
  chain?: ChainInfo;
  privateKey?: FileLocation;
  /** The entry's alias, for a certificate read from a Java keystore (JKS, JCEKS) or a PKCS#12 friendly name. */
  alias?: string;
  /** How the keystore holding it was opened (JKS, JCEKS, PKCS#12). */
  keystore?: KeystoreInfo;
  /** The cert-manager Certificate that manages it (a Kubernetes Secret annotated by cert-manager). */
  managedBy?: CertManagerRef;
  /** DER bytes, for details and "Copy PEM"; never serialised in reports. */
  der: Uint8Array;
  /** Set for a certificate in SAML metadata or other signed XML (source `saml`). */
  saml?: SamlKeyInfo;
  /** Set for a certificate in a JWK's `x5c` (source `jwks`). */
  jwk?: JwkInfo;
}

/** Where a certificate sits in SAML metadata (or a signed XML document). */
export interface SamlKeyInfo {
  /** entityID of the enclosing EntityDescriptor. */
  entityID?: string;
  /** The role descriptor holding the key: IdP (IDPSSODescriptor), SP (SPSSODescriptor), AttributeAuthority, STS (WS-Federation) …, by name otherwise. */
  role?: string;
  /** The KeyDescriptor's `use` (absent there: both); absent outside a KeyDescriptor. */
  use?: 'signing' | 'encryption' | 'both';
  /** In a ds:Signature: the key that signed the document. */
  signature?: boolean;
  /** The earliest validUntil of the enclosing EntityDescriptor/EntitiesDescriptor (epoch ms). */
  validUntil?: number;
  /** cacheDuration of the nearest enclosing descriptor that has one, as written (xs:duration, e.g. PT6H). */
  cacheDuration?: string;
}

/** The JSON Web Key whose `x5c` holds a certificate. */
export interface JwkInfo {
  kid?: string;
  use?: string;
  alg?: string;
  kty?: string;
  /** Position in `x5c`: 0 is the key's own certificate, the rest its chain. */
  position: number;
}

/** Something in a file other than a certificate that stops being valid at a date: SAML metadata's validUntil. */
export interface FileExpiry {
  kind: 'saml-metadata';
  notAfter: number;
  /** The date as written (the attribute value). */
  range: Range;
  /** What expires, for messages: "SAML metadata of https://idp.example.org". */
  label: string;
}

/** How a keystore was opened: whether its integrity was checked, and with which well-known password. */
export interface KeystoreInfo {
  format: 'jks' | 'jceks' | 'pkcs12';
  /** 'verified': its keyed digest or MAC checked with the password; 'not-verified': read without one. */
  integrity: 'verified' | 'not-verified';
  /** Which password opened it, when it is a documented default (never the user's). */
  openedWith?: 'empty' | 'changeit';
}

/** A Secret's cert-manager annotations (cert-manager.io/certificate-name, issuer-name, issuer-kind). */
export interface CertManagerRef {
  certificateName: string;
  namespace?: string;
  issuerName?: string;
  issuerKind?: string;
}

/** A cert-manager `Certificate` manifest (cert-manager.io/v1) seen in the workspace: what renewal reads of it. */
export interface CertManagerCertificate extends FileLocation {
  name: string;
  namespace?: string;
  secretName?: string;
  /** spec.duration and spec.renewBefore in ms, when given and valid Go durations. */
  durationMs?: number;
  renewBeforeMs?: number;
  /** spec.renewBeforePercentage (of the lifetime before expiry). */
  renewBeforePercentage?: number;
}

export interface Finding extends FileLocation {
  severity: Severity;
  code: FindingCode;
  message: string;
  sha256?: string;
  /** host:port, for findings about a TLS endpoint a file names. */
  host?: string;
  /** Other places the finding applies to (the other references to a host), shown as related information. */
  related?: FileLocation[];
}

export type FindingCode =
  | 'expired'
  | 'not-yet-valid'
  | 'expires-critical'
  | 'expires-warning'
  | 'expires-info'
  | 'chain-member-expires-first'
  | 'weak-signature'
  | 'weak-rsa-key'
  | 'long-validity'
  | 'invalid-certificate'
  | 'invalid-base64'
  | 'invalid-date'
  | 'pem-unterminated'
  | 'pkcs7-invalid'
  | 'pkcs12-locked'
  | 'pkcs12-wrong-password'
  | 'pkcs12-invalid'
  | 'keystore-invalid'
  | 'keystore-wrong-password'
  | 'renewal-overdue'
  | 'read-error'
  | 'file-too-large'
  | 'too-many-certificates'
  | 'referenced-file-missing'
  | 'host-unreachable'
  | 'host-untrusted'
  | 'host-hostname-mismatch'
  | 'renewed-not-deployed'
  | 'repository-certificate-stale'
  | 'host-serves-other-certificate'
  | 'metadata-expired'
  | 'metadata-expires-critical'
  | 'metadata-expires-warning'
  | 'metadata-expires-info'
  | 'jwk-thumbprint-mismatch'
  | 'invalid-crl'
  | 'crl-expired'
  | 'crl-expires-critical'
  | 'crl-expires-warning'
  | 'crl-expires-info'
  | 'team-config-invalid';

/** A private key seen in the workspace, kept only as the hash of its public half. */
export interface PrivateKeyRef extends FileLocation {
  spkiSha256: string;
}

/**
 * A certificate file named by another file: kubeconfig `certificate-authority: ca.crt` (its
 * certificates are read into the naming file's) or a config's `ssl_certificate /etc/ssl/x.pem` (a link).
 * Both are read through the scan's reader, so remote and virtual workspaces resolve them too.
 */
export interface FileReference extends FileLocation {
  /** The file named: an absolute path (or URI string), resolved against the naming file's folder. */
  target: string;
  /** The path as the naming file writes it (messages say this, not the scanning machine's path). */
  written?: string;
  /** Set when the target's certificates count as the naming file's, with this source. */
  source?: SourceKind;
  /** The key or directive that names it. */
  key?: string;
  /** Whether the target could be read, once a scan has checked. */
  exists?: boolean;
}

/** Everything found in one file; findings here are parse problems, not expiry rules. */
export interface FileResult {
  file: string;
  certificates: CertificateRecord[];
  problems: Finding[];
  privateKeys: PrivateKeyRef[];
  references: FileReference[];
  /** Dates the file itself expires at (SAML metadata validUntil), evaluated at `now` by evaluateExpiries. */
  expiries?: FileExpiry[];
  /** cert-manager Certificate manifests in this file (renewal of managed Secrets anywhere in the workspace). */
  certManagerCertificates?: CertManagerCertificate[];
  /** Certificate revocation lists (PEM `X509 CRL` blocks, DER files). */
  crls: CrlRecord[];
}

/** What one CRL says about itself (RFC 5280 TBSCertList). */
export interface CrlFields {
  /** Issuer DN, formatted as certificate DNs are. */
  issuer: string;
  issuerCN?: string;
  /** Epoch milliseconds, UTC. */
  thisUpdate: number;
  /** When the next CRL is due: the CRL's expiry. Absent when the CRL names none. */
  nextUpdate?: number;
  /** The cRLNumber extension, upper-case hex as openssl prints it (without 0x). */
  crlNumber?: string;
  /** Entries in revokedCertificates. */
  revokedCount: number;
  signatureAlgorithm: string;
  /** SHA-256 of the CRL's DER: ignores and snoozes name it. */
  sha256: string;
}

export interface CrlRecord extends CrlFields, FileLocation {
  source: SourceKind;
  /** Position among the file's CRLs. */
  index: number;
}

export const DAY_MS = 86_400_000;

/** Where a certificate was found, and its place among the file's certificates. */
export type Placement = Pick<CertificateRecord, 'file' | 'range' | 'source' | 'index' | 'role'> &
  Partial<Pick<CertificateRecord, 'chain' | 'privateKey' | 'alias' | 'keystore' | 'managedBy'>>;

/**
 * A certificate's fields at a new place. Written out field by field on purpose: an object spread
 * followed by more properties takes V8's slow path (~9 µs here against ~0.05 µs), and a bundle
 * read from cache is nothing but such copies. A unit test checks that no field is forgotten.
 */
export function placeCertificate(
  c: CertificateFields & Pick<CertificateRecord, 'der'> & Partial<Pick<CertificateRecord, 'saml' | 'jwk'>>,
  at: Placement,
): CertificateRecord {
  const r: CertificateRecord = {
    subject: c.subject,
    subjectCN: c.subjectCN,
    issuer: c.issuer,
    issuerCN: c.issuerCN,
    sans: c.sans,
    serial: c.serial,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    sha256: c.sha256,
    sha1: c.sha1,
    spkiSha256: c.spkiSha256,
    keyType: c.keyType,
    keyBits: c.keyBits,
    curve: c.curve,
    signatureAlgorithm: c.signatureAlgorithm,
    signatureAlgorithmOid: c.signatureAlgorithmOid,
    isCA: c.isCA,
    selfSigned: c.selfSigned,
    keyUsage: c.keyUsage,
    extendedKeyUsage: c.extendedKeyUsage,
    subjectKeyId: c.subjectKeyId,
    authorityKeyId: c.authorityKeyId,
    subjectRaw: c.subjectRaw,
    issuerRaw: c.issuerRaw,
    der: c.der,
    file: at.file,
    range: at.range,
    source: at.source,
    index: at.index,
    role: at.role,
  };
  // Absent rather than undefined, as on a freshly parsed record.
  if (at.chain) r.chain = at.chain;
  if (at.privateKey) r.privateKey = at.privateKey;
  // Where the certificate sits in its document, kept with the certificate when it is copied.
  if (c.saml) r.saml = c.saml;
  if (c.jwk) r.jwk = c.jwk;
  if (at.alias !== undefined) r.alias = at.alias;
  if (at.keystore) r.keystore = at.keystore;
  if (at.managedBy) r.managedBy = at.managedBy;
  return r;
}

/** A folder a scan could not list (permission denied, a symbolic link loop, a path too long): reported, never skipped silently. */
export interface UnreadableFolder {
  path: string;
  /** Why, as the system said it: `EACCES: permission denied`. */
  error: string;
}
