import type { FindingCode } from '../model';

/**
 * What a finding is about, declared once per code below; every list of codes derives from it (codesIn):
 *   expired      something has expired: a certificate, SAML metadata, a CRL (`--fail-on expired`, summaries)
 *   expiry       an expiry to act on that has not happened yet (windows, not yet valid, renewal, chains)
 *   certificate  a readable certificate that is weak or too long-lived
 *   read-error   certificates in a file could not be read: a damaged block or keystore, an unreadable or cut file
 *   locked       a password opens or verifies the keystore (the Unlock command and the tree's menu)
 *   problem      another problem with a file: a missing referenced file, a JWK that contradicts its certificate
 *   host         a TLS endpoint a file names
 *   drift        a repository certificate and the endpoint that should serve it differ (the tree's Drift group)
 */
export type FindingCategory = 'expired' | 'expiry' | 'certificate' | 'read-error' | 'locked' | 'problem' | 'host' | 'drift';

/**
 * What each finding code means, for reports that describe their rules (SARIF's tool.driver.rules,
 * shown by GitHub code scanning on every alert). A new FindingCode does not compile without an entry,
 * and an entry does not compile without its category.
 */
export interface FindingCodeInfo {
  category: FindingCategory;
  /** PascalCase rule name. */
  name: string;
  /** One line. */
  short: string;
  /** What the finding says and why it matters. */
  full: string;
  /** What to do about it. */
  fix: string;
  /**
   * GitHub's security-severity: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low. It ranks
   * alerts tagged `security`; the others are quality problems (a file CertLens could not read).
   */
  securitySeverity: number;
  tags: string[];
}

const SECURITY = ['security', 'certificate'];
const EXPIRY = [...SECURITY, 'expiry'];
const UNREADABLE = ['correctness', 'certificate'];
const RENEW =
  'Renew the certificate (or replace the file with the renewed one) and deploy it; if it is no longer used, delete it. ' +
  'A certificate only kept as a test fixture belongs under a test folder, where CertLens reports it as a hint.';

export const FINDING_CODES: Record<FindingCode, FindingCodeInfo> = {
  expired: {
    category: 'expired',
    name: 'CertificateExpired',
    short: 'Expired certificate',
    full: "The certificate's notAfter date has passed: clients refuse it, and whatever serves or trusts it fails its TLS handshakes.",
    fix: RENEW,
    securitySeverity: 8.0,
    tags: EXPIRY,
  },
  'not-yet-valid': {
    category: 'expiry',
    name: 'CertificateNotYetValid',
    short: 'Certificate not valid yet',
    full: "The certificate's notBefore date is in the future: clients refuse it until then. Often a wrong clock where it was issued, or a file deployed too early.",
    fix: "Check the issuing system's clock and the certificate's validity dates; deploy the certificate once it is valid, or reissue it.",
    securitySeverity: 6.0,
    tags: EXPIRY,
  },
  'expires-critical': {
    category: 'expiry',
    name: 'CertificateExpiresVerySoon',
    short: 'Certificate expires within the critical window',
    full: 'The certificate expires within the critical window (7 days by default, --critical-days; for a short-lived certificate, its last sixth of the lifetime, --critical-lifetime-share): an outage is days away.',
    fix: RENEW,
    securitySeverity: 7.5,
    tags: EXPIRY,
  },
  'expires-warning': {
    category: 'expiry',
    name: 'CertificateExpiresSoon',
    short: 'Certificate expires within the warning window',
    full: 'The certificate expires within the warning window (30 days by default, --warn-days; for a short-lived certificate, from its renewal point with a third of the lifetime left, --lifetime-share): its renewal is due or overdue.',
    fix: RENEW,
    securitySeverity: 5.0,
    tags: EXPIRY,
  },
  'expires-info': {
    category: 'expiry',
    name: 'CertificateExpiresWithinInfoWindow',
    short: 'Certificate expires within the information window',
    full: 'The certificate expires within the information window (90 days by default, --info-days; for a short-lived certificate, from half of its lifetime, --info-lifetime-share): plan its renewal.',
    fix: RENEW,
    securitySeverity: 2.0,
    tags: EXPIRY,
  },
  'chain-member-expires-first': {
    category: 'expiry',
    name: 'ChainExpiresBeforeLeaf',
    short: 'A chain certificate expires before the leaf',
    full: 'An intermediate or root certificate of the bundle expires before the leaf: the chain stops verifying on that earlier date.',
    fix: "Replace the expiring intermediate or root in the bundle with the issuer's current one (fetch the chain again from the CA).",
    securitySeverity: 6.0,
    tags: EXPIRY,
  },
  'weak-signature': {
    category: 'certificate',
    name: 'WeakSignatureAlgorithm',
    short: 'Certificate signed with a broken hash',
    full: 'The certificate is signed with MD2, MD5 or SHA-1, which are broken for signatures: clients reject it and its signature can be forged.',
    fix: 'Reissue the certificate with a SHA-256 (or stronger) signature.',
    securitySeverity: 6.5,
    tags: [...SECURITY, 'cryptography'],
  },
  'weak-rsa-key': {
    category: 'certificate',
    name: 'WeakRsaKey',
    short: 'RSA key under 2048 bits',
    full: 'The certificate has an RSA key shorter than 2048 bits, which is too weak to rely on and rejected by current clients.',
    fix: 'Generate a new key of at least 2048 bits (or an EC key) and reissue the certificate.',
    securitySeverity: 6.5,
    tags: [...SECURITY, 'cryptography'],
  },
  'long-validity': {
    category: 'certificate',
    name: 'LongValidityLeaf',
    short: 'Leaf certificate valid for more than 398 days',
    full: 'The leaf certificate, from a CA in a public root program (it carries Certificate Transparency SCTs), is valid for longer than browsers accept for a public TLS server certificate.',
    fix: 'Issue server certificates for 398 days or less, and automate their renewal.',
    securitySeverity: 2.0,
    tags: SECURITY,
  },
  'invalid-certificate': {
    category: 'read-error',
    name: 'InvalidCertificate',
    short: 'Certificate that cannot be read',
    full: 'A certificate block or value could not be decoded as an X.509 certificate: whatever loads it will fail too.',
    fix: 'Replace the block with the complete certificate as issued (check for truncation or a copy-paste error).',
    securitySeverity: 3.0,
    tags: UNREADABLE,
  },
  'invalid-base64': {
    category: 'read-error',
    name: 'InvalidBase64InCertificate',
    short: 'PEM block that is not base64',
    full: 'A PEM certificate block holds characters that are not base64: the file was edited or truncated.',
    fix: 'Replace the block with the complete certificate as issued.',
    securitySeverity: 3.0,
    tags: UNREADABLE,
  },
  'invalid-date': {
    category: 'read-error',
    name: 'InvalidCertificateDate',
    short: 'Certificate with an unreadable date',
    full: "A certificate's validity dates could not be read: it is malformed.",
    fix: 'Reissue the certificate.',
    securitySeverity: 3.0,
    tags: UNREADABLE,
  },
  'pem-unterminated': {
    category: 'read-error',
    name: 'UnterminatedPemBlock',
    short: 'PEM block without its END line',
    full: 'A PEM block starts but never ends: the file was truncated.',
    fix: 'Restore the rest of the block, up to its -----END ...----- line.',
    securitySeverity: 3.0,
    tags: UNREADABLE,
  },
  'pkcs7-invalid': {
    category: 'read-error',
    name: 'InvalidPkcs7',
    short: 'PKCS#7 bundle that cannot be read',
    full: 'A PKCS#7 (.p7b) certificate bundle could not be decoded.',
    fix: 'Export the bundle again from its source.',
    securitySeverity: 3.0,
    tags: UNREADABLE,
  },
  'pkcs12-locked': {
    category: 'locked',
    name: 'LockedPkcs12',
    short: 'PKCS#12 keystore needs a password',
    full: 'A PKCS#12 keystore is protected by a password, so the certificates inside were not checked.',
    fix: 'Unlock it in the editor (CertLens: Unlock PKCS#12) to check its certificates; nothing else is needed.',
    securitySeverity: 1.0,
    tags: ['certificate'],
  },
  'pkcs12-wrong-password': {
    category: 'locked',
    name: 'Pkcs12WrongPassword',
    short: 'Wrong PKCS#12 password',
    full: 'The password given for a PKCS#12 keystore does not open it.',
    fix: "Give the keystore's correct password.",
    securitySeverity: 3.0,
    tags: UNREADABLE,
  },
  'pkcs12-invalid': {
    category: 'read-error',
    name: 'InvalidPkcs12',
    short: 'PKCS#12 keystore that cannot be read',
    full: 'A PKCS#12 keystore could not be decoded.',
    fix: 'Export the keystore again from its source.',
    securitySeverity: 3.0,
    tags: UNREADABLE,
  },
  'read-error': {
    category: 'read-error',
    name: 'UnreadableFile',
    short: 'File that could not be read',
    full: 'A file could not be read (permissions, or it vanished during the scan), so its certificates were not checked.',
    fix: "Check the file's permissions.",
    securitySeverity: 1.0,
    tags: ['correctness'],
  },
  'file-too-large': {
    category: 'read-error',
    name: 'FileTooLarge',
    short: 'File over the size limit',
    full: "A file is larger than the scan's size limit (5 MB by default, --max-file-size) and was not read.",
    fix: 'Raise --max-file-size if the file may hold certificates, or exclude it.',
    securitySeverity: 1.0,
    tags: ['correctness'],
  },
  'too-many-certificates': {
    category: 'read-error',
    name: 'TooManyCertificates',
    short: 'File with more certificates than the limit',
    full: 'A file holds more certificates than the limit; the rest were not read.',
    fix: 'Raise the limit (certlens.maxCertificatesPerFile) if all of them matter.',
    securitySeverity: 1.0,
    tags: ['correctness'],
  },
  'referenced-file-missing': {
    category: 'problem',
    name: 'ReferencedCertificateFileMissing',
    short: 'A config names a certificate file that does not exist',
    full: 'A configuration file (a kubeconfig, a server config) names a certificate file that does not exist: loading the configuration will fail.',
    fix: 'Fix the path, or add the file.',
    securitySeverity: 4.0,
    tags: ['correctness', 'certificate'],
  },
  'team-config-invalid': {
    category: 'problem',
    name: 'TeamConfigInvalid',
    short: 'An entry of the team config (.certlens.yaml) is not read',
    full: 'An entry of .certlens.yaml (or .certlens.yml, .certlens.json) is malformed or unknown: an error is left out (its globs, ignores or thresholds do not apply), a warning (an unknown key, often a typo) is only said.',
    fix: 'Fix the entry as the message says; docs/team-config.md lists every key.',
    securitySeverity: 2.0,
    tags: ['correctness', 'configuration'],
  },
  'host-unreachable': {
    category: 'host',
    name: 'HostUnreachable',
    short: 'TLS endpoint could not be checked',
    full: 'A TLS endpoint named in the repository refused the connection, timed out, did not speak TLS or did not resolve, so its certificate was not checked.',
    fix: 'Check the address, or run the scan where the endpoint is reachable.',
    securitySeverity: 1.0,
    tags: ['tls'],
  },
  'host-untrusted': {
    category: 'host',
    name: 'HostCertificateUntrusted',
    short: 'TLS endpoint serves a chain that does not verify',
    full: 'A TLS endpoint named in the repository serves a certificate chain that does not verify: self-signed, an untrusted root, or a missing intermediate.',
    fix: 'Serve the full chain (leaf and intermediates) issued by a trusted CA; for a private CA, pass it with --ca.',
    securitySeverity: 7.0,
    tags: [...SECURITY, 'tls'],
  },
  'host-hostname-mismatch': {
    category: 'host',
    name: 'HostnameMismatch',
    short: 'TLS endpoint certificate does not cover its host name',
    full: 'The certificate a TLS endpoint serves does not name the host it is reached by: clients refuse the connection.',
    fix: 'Reissue the certificate with the host name among its subject alternative names, or fix the host name in the configuration.',
    securitySeverity: 7.0,
    tags: [...SECURITY, 'tls'],
  },
  'renewed-not-deployed': {
    category: 'drift',
    name: 'RenewedNotDeployed',
    short: 'Certificate renewed in the repository, not deployed',
    full: 'The endpoint the configuration pairs with this certificate serves an older certificate with the same key and issuer: the renewal in the repository never reached the server (a failed reload, a deployment that did not run), and the served one expires on its own date. An error once the served certificate is within the critical window.',
    fix: 'Deploy the renewed certificate (reload or restart the server, update the Secret) and check what the host serves again.',
    securitySeverity: 7.0,
    tags: [...EXPIRY, 'tls', 'drift'],
  },
  'repository-certificate-stale': {
    category: 'drift',
    name: 'RepositoryCertificateStale',
    short: 'The repository copy of a served certificate is stale',
    full: 'The endpoint serves a newer certificate with the same key and issuer than the repository holds: it was renewed on the server (or by automation) and the repository copy was not updated. Whoever deploys from the repository would roll the server back to the older certificate.',
    fix: 'Update the repository copy with the certificate the host serves, or stop keeping a copy the server does not use.',
    securitySeverity: 2.0,
    tags: ['certificate', 'tls', 'drift'],
  },
  'host-serves-other-certificate': {
    category: 'drift',
    name: 'HostServesOtherCertificate',
    short: 'The endpoint serves another certificate than the repository pairs with it',
    full: 'The endpoint the configuration pairs with this certificate serves a certificate with another key or issuer: a TLS proxy or load balancer in front, a wrong or never-updated Secret, a default certificate of the wrong server, or a renewal with a new key that was not deployed. Both fingerprints and subjects are in the message.',
    fix: 'Find out which certificate is meant: deploy the repository one, or point the configuration at the one the host serves.',
    securitySeverity: 5.0,
    tags: [...SECURITY, 'tls', 'drift'],
  },
  'metadata-expired': {
    category: 'expired',
    name: 'SamlMetadataExpired',
    short: 'SAML metadata past its validUntil',
    full: "The SAML metadata's validUntil has passed: federation partners that honour it refuse the metadata, and single sign-on with them fails.",
    fix: 'Publish fresh metadata (re-sign it with a new validUntil) and make sure partners fetch it.',
    securitySeverity: 8.0,
    tags: EXPIRY,
  },
  'metadata-expires-critical': {
    category: 'expiry',
    name: 'SamlMetadataExpiresVerySoon',
    short: 'SAML metadata expires within the critical window',
    full: "The SAML metadata's validUntil falls within the critical window (7 days by default).",
    fix: 'Publish fresh metadata with a later validUntil.',
    securitySeverity: 7.5,
    tags: EXPIRY,
  },
  'metadata-expires-warning': {
    category: 'expiry',
    name: 'SamlMetadataExpiresSoon',
    short: 'SAML metadata expires within the warning window',
    full: "The SAML metadata's validUntil falls within the warning window (30 days by default).",
    fix: 'Publish fresh metadata with a later validUntil.',
    securitySeverity: 5.0,
    tags: EXPIRY,
  },
  'metadata-expires-info': {
    category: 'expiry',
    name: 'SamlMetadataExpiresWithinInfoWindow',
    short: 'SAML metadata expires within the information window',
    full: "The SAML metadata's validUntil falls within the information window (90 days by default): plan its refresh.",
    fix: 'Plan publishing fresh metadata with a later validUntil.',
    securitySeverity: 2.0,
    tags: EXPIRY,
  },
  'jwk-thumbprint-mismatch': {
    category: 'problem',
    name: 'JwkThumbprintMismatch',
    short: 'JWK x5t does not match its certificate',
    full: "A JSON Web Key's x5t or x5t#S256 is not the thumbprint of the first certificate of its x5c: clients that check it reject the key, and the key set was probably edited by hand.",
    fix: 'Recompute x5t (SHA-1) and x5t#S256 (SHA-256) from x5c[0], base64url without padding, or regenerate the key set.',
    securitySeverity: 6.0,
    tags: [...SECURITY, 'jwks'],
  },
  'keystore-invalid': {
    category: 'read-error',
    name: 'KeystoreInvalid',
    short: 'Java keystore that cannot be read',
    full: 'A JKS or JCEKS keystore is damaged or cut short: the entries before the damage are read, the rest are lost, and Java refuses to load it.',
    fix: 'Restore the keystore from its source (or rebuild it with keytool) and check with keytool -list.',
    securitySeverity: 3.0,
    tags: UNREADABLE,
  },
  'keystore-wrong-password': {
    category: 'locked',
    name: 'KeystoreWrongPassword',
    short: 'Keystore password does not verify its integrity',
    full: 'The password given for a JKS or JCEKS keystore does not match its integrity check: either the password is wrong or the keystore was altered.',
    fix: "Give the keystore's password (CertLens: Unlock, or --keystore-password-file / --keystore-password-env), or rebuild the keystore.",
    securitySeverity: 4.0,
    tags: SECURITY,
  },
  'renewal-overdue': {
    category: 'expiry',
    name: 'CertManagerRenewalOverdue',
    short: 'cert-manager should have renewed this certificate',
    full: "A Secret managed by cert-manager holds a certificate past the time cert-manager should have renewed it (two thirds of its lifetime, or the Certificate's renewBefore): renewal is failing.",
    fix: "Check the Certificate, CertificateRequest and Order resources and cert-manager's logs (kubectl describe certificate NAME), then fix the issuer or the challenge.",
    securitySeverity: 6.0,
    tags: EXPIRY,
  },
  'invalid-crl': {
    category: 'read-error',
    name: 'InvalidCrl',
    short: 'Certificate revocation list that cannot be read',
    full: 'A CRL (PEM X509 CRL block or DER file) is damaged or is not a CRL: relying parties that load it fail their revocation checks.',
    fix: 'Fetch the CRL again from its distribution point, or regenerate it (openssl ca -gencrl) and check it with openssl crl.',
    securitySeverity: 3.0,
    tags: UNREADABLE,
  },
  'crl-expired': {
    category: 'expired',
    name: 'CrlExpired',
    short: 'CRL past its nextUpdate',
    full: "The CRL's nextUpdate has passed: relying parties that require a current CRL reject every certificate it covers.",
    fix: "Publish a fresh CRL (openssl ca -gencrl, or the CA's CRL job) and deploy it where it is read.",
    securitySeverity: 8.0,
    tags: EXPIRY,
  },
  'crl-expires-critical': {
    category: 'expiry',
    name: 'CrlExpiresVerySoon',
    short: 'CRL nextUpdate within the critical window',
    full: "The CRL's nextUpdate falls within the critical window (7 days by default).",
    fix: 'Publish a fresh CRL before its nextUpdate.',
    securitySeverity: 7.5,
    tags: EXPIRY,
  },
  'crl-expires-warning': {
    category: 'expiry',
    name: 'CrlExpiresSoon',
    short: 'CRL nextUpdate within the warning window',
    full: "The CRL's nextUpdate falls within the warning window (30 days by default).",
    fix: 'Publish a fresh CRL before its nextUpdate.',
    securitySeverity: 5.0,
    tags: EXPIRY,
  },
  'crl-expires-info': {
    category: 'expiry',
    name: 'CrlExpiresWithinInfoWindow',
    short: 'CRL nextUpdate within the information window',
    full: "The CRL's nextUpdate falls within the information window (90 days by default).",
    fix: 'Plan publishing a fresh CRL.',
    securitySeverity: 2.0,
    tags: EXPIRY,
  },
};

/** The codes of the given categories, in FINDING_CODES order. */
export function codesIn(...categories: FindingCategory[]): ReadonlySet<string> {
  return new Set((Object.keys(FINDING_CODES) as FindingCode[]).filter((code) => categories.includes(FINDING_CODES[code].category)));
}

/** Codes that say something has expired (`--fail-on expired`, the report's and the editor's counts). */
export const EXPIRED_CODES = codesIn('expired');
/** Codes a password resolves: the Unlock command offers these files, the tree's Unlock menu these rows. */
export const LOCKED_CODES = codesIn('locked');
/** Certificates or files that could not be read or opened (metrics' read errors). */
export const UNREAD_CODES = codesIn('read-error', 'locked');
/** Drift between a repository certificate and what its endpoint serves (the tree's Drift group). */
export const DRIFT_CODES = codesIn('drift');
/** Problems with a file rather than a certificate's dates (the tree's Problems group). */
export const FILE_PROBLEM_CODES = codesIn('read-error', 'locked', 'problem');
