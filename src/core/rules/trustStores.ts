import * as path from 'node:path';
import type { CertificateFields } from '../model';

/** Names the system and language trust stores go by (Debian, RHEL, certifi, curl, FreeBSD, gRPC). */
export const TRUST_STORE_NAMES: ReadonlySet<string> = new Set([
  'ca-certificates.crt',
  'ca-bundle.crt',
  'ca-bundle.pem',
  'ca-bundle.trust.crt',
  'tls-ca-bundle.pem',
  'cacert.pem',
  'cacerts.pem',
  'ca-root-nss.crt',
  'roots.pem',
]);

/** Certificates a file needs, of which TRUST_STORE_SHARE are roots, to be a trust store whatever its name. */
export const TRUST_STORE_MIN_CERTIFICATES = 5;
export const TRUST_STORE_SHARE = 0.8;
/**
 * CA certificates a file of roots and intermediates needs to be a published collection: a private
 * PKI's own bundle (two root generations during a rotation, a few issuing CAs) stays below it, so
 * its expiring root is still reported in full.
 */
export const CA_COLLECTION_MIN_CERTIFICATES = 20;
/**
 * Issuers outside the file a file of CAs needs to be a pool of other people's intermediates: a
 * private PKI's issuing CAs name one root, two during a root rotation, and stay reported in full.
 */
export const POOL_MIN_ISSUERS = 3;

/**
 * Whether a file's certificates are a trust store (a list of CAs to trust, not a chain to serve):
 * - a well-known trust-store name with at least 2 roots;
 * - any file of at least TRUST_STORE_MIN_CERTIFICATES certificates of which at least 80% are
 *   self-signed (a root list embedded in Go or Python source, a list of pinned signing certificates);
 * - any file of at least CA_COLLECTION_MIN_CERTIFICATES certificates, every one a CA, at least 2 of
 *   them roots: a published collection of roots and their intermediates (Microsoft's TPM
 *   collection of 25 roots and 737 intermediates, which WebAuthn libraries ship);
 * - any file of at least TRUST_STORE_MIN_CERTIFICATES certificates, every one a CA, issued by at
 *   least POOL_MIN_ISSUERS CAs the file does not hold: a pool of other people's intermediates for
 *   building chains (cfssl's mkbundle output, 14 public intermediates under 7 roots).
 * A served chain holds at most one root, and each of its CAs is issued by the next, so at most one
 * issuer is missing from it; a private CA bundle of a few roots stays below the counts, and a
 * private root's issuing CAs name one or two issuers: an expiring private CA is still reported in full.
 */
export function isTrustStore(
  file: string,
  certificates: readonly Pick<CertificateFields, 'selfSigned' | 'isCA' | 'subjectRaw' | 'issuerRaw'>[],
): boolean {
  let roots = 0;
  let cas = 0;
  // Roots: self-signed, marked as a CA or not (old v1 roots lack the mark; pinned signing
  // certificates such as AWS's instance-identity ones are not CAs).
  for (const c of certificates) {
    if (c.selfSigned) roots++;
    if (c.isCA || c.selfSigned) cas++;
  }
  if (roots >= 2 && TRUST_STORE_NAMES.has(path.basename(file).toLowerCase())) return true;
  if (certificates.length < TRUST_STORE_MIN_CERTIFICATES) return false;
  if (roots >= TRUST_STORE_SHARE * certificates.length) return true;
  if (cas !== certificates.length) return false;
  return (roots >= 2 && certificates.length >= CA_COLLECTION_MIN_CERTIFICATES) || issuersNotHeld(certificates) >= POOL_MIN_ISSUERS;
}

/** How many different CAs issued certificates of the list without being among them. */
function issuersNotHeld(certificates: readonly Pick<CertificateFields, 'subjectRaw' | 'issuerRaw'>[]): number {
  const held = new Set(certificates.map((c) => c.subjectRaw));
  return new Set(certificates.filter((c) => !held.has(c.issuerRaw)).map((c) => c.issuerRaw)).size;
}
