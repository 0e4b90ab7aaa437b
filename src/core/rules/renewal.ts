/**
 * Renewal awareness for cert-manager: a certificate in a Secret cert-manager manages is renewed by
 * it, so its expiry findings are hints until the moment cert-manager should have renewed it (two
 * thirds of its lifetime by default, or the matching Certificate's renewBefore /
 * renewBeforePercentage); after that moment a warning says to check the Certificate.
 */
import { type CertificateRecord, type CertManagerCertificate, type CertManagerRef, DAY_MS, type Finding, type FindingCode } from '../model';
import { isoDate } from '../dates';
import type { RuleSettings } from './rules';

/** Findings about a certificate's expiry: softened to hints while cert-manager is still due to renew it. */
const EXPIRY_CODES: ReadonlySet<FindingCode> = new Set(['expired', 'expires-critical', 'expires-warning', 'expires-info']);

/** The Certificate manifest a managed Secret names (same name; same namespace when both say one). */
export function matchingManifest(ref: CertManagerRef, manifests: readonly CertManagerCertificate[]): CertManagerCertificate | undefined {
  return manifests.find(
    (m) => m.name === ref.certificateName && (m.namespace === undefined || ref.namespace === undefined || m.namespace === ref.namespace),
  );
}

/**
 * When cert-manager renews a certificate with these dates (epoch ms): renewBefore before expiry, else
 * renewBeforePercentage of the lifetime before expiry, else a third of the lifetime before expiry.
 * A renewBefore not shorter than the lifetime is ignored, as cert-manager does.
 */
export function renewalTime(
  c: { notBefore: number; notAfter: number },
  manifest?: Pick<CertManagerCertificate, 'renewBeforeMs' | 'renewBeforePercentage'>,
): number {
  const lifetime = c.notAfter - c.notBefore;
  if (manifest?.renewBeforeMs !== undefined && manifest.renewBeforeMs > 0 && manifest.renewBeforeMs < lifetime)
    return c.notAfter - manifest.renewBeforeMs;
  if (manifest?.renewBeforePercentage !== undefined) return c.notAfter - Math.round((lifetime * manifest.renewBeforePercentage) / 100);
  return c.notAfter - Math.round(lifetime / 3);
}

export interface ManagedRenewal {
  certificateName: string;
  renewAt: number;
  manifest?: CertManagerCertificate;
}

/** For a certificate cert-manager renews (the leaf of an annotated Secret): when, and by which Certificate. */
export function managedRenewal(c: CertificateRecord, manifests: readonly CertManagerCertificate[]): ManagedRenewal | undefined {
  if (!c.managedBy || c.role !== 'leaf' || c.isCA) return undefined;
  const manifest = matchingManifest(c.managedBy, manifests);
  return { certificateName: c.managedBy.certificateName, renewAt: renewalTime(c, manifest), ...(manifest ? { manifest } : {}) };
}

/**
 * The findings of `evaluate` for these certificates, with cert-manager taken into account at `now`:
 * expiry findings of managed certificates are hints until their renewal time; from then on they keep
 * their severity and a `renewal-overdue` warning is added. Unmanaged certificates are untouched.
 */
export function applyManagedRenewal(
  findings: Finding[],
  certs: readonly CertificateRecord[],
  manifests: readonly CertManagerCertificate[],
  now: number,
  rules: Pick<RuleSettings, 'ignore' | 'snoozed'>,
): Finding[] {
  const managed = new Map<string, ManagedRenewal>();
  const overdue: Finding[] = [];
  for (const c of certs) {
    const renewal = managedRenewal(c, manifests);
    if (!renewal || rules.ignore.has(c.sha256)) continue;
    managed.set(locationKey(c), renewal);
    if (now >= renewal.renewAt && !((rules.snoozed.get(c.sha256) ?? 0) > now)) {
      overdue.push({
        file: c.file,
        range: c.range,
        severity: 'warning',
        code: 'renewal-overdue',
        sha256: c.sha256,
        message: `cert-manager should have renewed this by ${isoDate(renewal.renewAt)}: check Certificate ${renewal.certificateName}`,
      });
    }
  }
  if (managed.size === 0) return findings;
  const out = findings.map((f) => {
    const renewal = f.sha256 && EXPIRY_CODES.has(f.code) ? managed.get(locationKey(f)) : undefined;
    if (!renewal || now >= renewal.renewAt) return f;
    return {
      ...f,
      severity: 'hint' as const,
      message: `${f.message}; managed by cert-manager (Certificate ${renewal.certificateName}), renewal due ${isoDate(renewal.renewAt)}`,
    };
  });
  return out.concat(overdue);
}

function locationKey(x: { file: string; range: CertificateRecord['range']; sha256?: string }): string {
  return `${x.file}\0${x.range.start.line}:${x.range.start.character}\0${x.sha256 ?? ''}`;
}

/** The earliest renewal time after `now` among these certificates (a moment when findings change), or Infinity. */
export function nextRenewalChange(certs: readonly CertificateRecord[], manifests: readonly CertManagerCertificate[], now: number): number {
  let next = Infinity;
  for (const c of certs) {
    const renewal = managedRenewal(c, manifests);
    if (renewal && renewal.renewAt > now && renewal.renewAt < next) next = renewal.renewAt;
  }
  return next;
}

/** Hover lines for a Certificate manifest: its duration and renewal point, with dates for the managed certificates found. */
export function describeManifest(m: CertManagerCertificate, certs: readonly CertificateRecord[]): string[] {
  const days = (ms: number) => `${+(ms / DAY_MS).toFixed(1)} days`;
  const lines = [
    `cert-manager Certificate ${m.namespace ? `${m.namespace}/` : ''}${m.name}${m.secretName ? ` (Secret ${m.secretName})` : ''}`,
  ];
  lines.push(`Duration: ${m.durationMs !== undefined ? days(m.durationMs) : '90 days (cert-manager default)'}`);
  const duration = m.durationMs ?? 90 * DAY_MS;
  const before =
    m.renewBeforeMs !== undefined && m.renewBeforeMs > 0 && m.renewBeforeMs < duration
      ? `${days(m.renewBeforeMs)} before expiry (renewBefore)`
      : m.renewBeforePercentage !== undefined
        ? `${m.renewBeforePercentage}% of the lifetime before expiry (renewBeforePercentage)`
        : 'a third of the lifetime before expiry (default), at two thirds of it';
  lines.push(`Renewal: ${before}; nominally ${days(renewalTime({ notBefore: 0, notAfter: duration }, m))} after issue`);
  for (const c of certs) {
    if (!c.managedBy || matchingManifest(c.managedBy, [m]) !== m || c.role !== 'leaf' || c.isCA) continue;
    lines.push(
      `${c.subjectCN ?? c.subject} in ${c.file}: issued ${isoDate(c.notBefore)}, renewal due ${isoDate(renewalTime(c, m))}, expires ${isoDate(c.notAfter)}`,
    );
  }
  return lines;
}
