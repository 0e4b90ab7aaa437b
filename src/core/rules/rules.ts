import { type CertificateRecord, DAY_MS, type Finding, type Severity } from '../model';
import { WEAK_SIGNATURE_OIDS } from '../x509/oids';
import { isoDate } from '../dates';
import { isTrustStore } from './trustStores';

export { isoDate };

/** Every threshold the rules use; the defaults are the documented ones. */
export interface RuleSettings {
  criticalDays: number;
  warningDays: number;
  infoDays: number;
  /** Warn when less than this share of a short-lived certificate's lifetime remains. */
  lifetimeShare: number;
  /** Certificates valid for at most this many days count as short-lived. */
  shortLivedMaxDays: number;
  maxLeafValidityDays: number;
  minRsaBits: number;
  /** SHA-256 fingerprints the user chose to ignore. */
  ignore: ReadonlySet<string>;
  /** Fingerprint -> epoch ms until which the certificate's expiry findings are snoozed. */
  snoozed: ReadonlyMap<string, number>;
}

export const DEFAULT_RULES: RuleSettings = {
  criticalDays: 7,
  warningDays: 30,
  infoDays: 90,
  lifetimeShare: 0.33,
  shortLivedMaxDays: 90,
  maxLeafValidityDays: 398,
  minRsaBits: 2048,
  ignore: new Set(),
  snoozed: new Map(),
};

export type Urgency = 'expired' | 'critical' | 'warning' | 'info' | 'later' | 'not-yet-valid';

/** Whole days left, as a calendar counts them: 2.9 days left is 3, expired 12.9 days ago is -12. */
export function daysLeft(notAfter: number, now: number): number {
  return Math.ceil((notAfter - now) / DAY_MS) || 0;
}

export function urgencyOf(c: { notBefore: number; notAfter: number }, now: number, s: RuleSettings): Urgency {
  if (c.notAfter <= now) return 'expired';
  if (c.notBefore > now) return 'not-yet-valid';
  const left = (c.notAfter - now) / DAY_MS;
  if (left <= s.criticalDays) return 'critical';
  if (left <= s.warningDays) return 'warning';
  if (left <= s.infoDays) return 'info';
  return 'later';
}


export function describeCertificate(c: CertificateRecord): string {
  return c.subjectCN ? `CN=${c.subjectCN}` : c.sans.dns[0] ?? (c.subject || `certificate ${c.index + 1}`);
}

/**
 * All findings the rules make for the given certificates at time `now`. A file's certificates must
 * be passed together (all or none): chains and trust stores are judged per file. An expired or
 * expiring root in a trust store (see isTrustStore) is a hint: nothing relies on it. The findings
 * come certificate by certificate; `starts`, when given, receives where each certificate's begin.
 */
export function evaluate(certs: readonly CertificateRecord[], now: number, s: RuleSettings = DEFAULT_RULES, starts?: number[]): Finding[] {
  const findings: Finding[] = [];
  // Chain members are looked up among their file's certificates, indexed only when a chain needs it.
  let byFile: Map<string, CertificateRecord[]> | undefined;
  const sameFile = (file: string): CertificateRecord[] => {
    if (!byFile) {
      byFile = new Map();
      for (const o of certs) {
        const list = byFile.get(o.file);
        if (list) list.push(o);
        else byFile.set(o.file, [o]);
      }
    }
    return byFile.get(file) ?? [];
  };
  // Whether a file is a trust store, asked only for roots about to be reported as expiring.
  const trustStores = new Map<string, boolean>();
  const inTrustStore = (c: CertificateRecord): boolean => {
    if (!c.selfSigned) return false;
    let is = trustStores.get(c.file);
    if (is === undefined) trustStores.set(c.file, (is = isTrustStore(c.file, sameFile(c.file))));
    return is;
  };
  for (const c of certs) {
    starts?.push(findings.length);
    if (s.ignore.has(c.sha256)) continue;
    const snoozed = (s.snoozed.get(c.sha256) ?? 0) > now;
    const add = (severity: Severity, code: Finding['code'], message: string) =>
      findings.push({ file: c.file, range: c.range, severity, code, message, sha256: c.sha256 });
    const name = describeCertificate(c);
    const left = daysLeft(c.notAfter, now);
    const urgency = urgencyOf(c, now, s);
    if (!snoozed) {
      const expiry = isoDate(c.notAfter);
      const unusedRoot = urgency !== 'later' && urgency !== 'not-yet-valid' && inTrustStore(c);
      switch (urgency) {
        case 'expired':
          if (unusedRoot) add('hint', 'expired', `Expired root in a trust store: unused, consider removing it (${name} expired ${plural(-left || 0, 'day')} ago, ${expiry})`);
          else add('error', 'expired', `${name} expired ${plural(-left || 0, 'day')} ago (${expiry})`);
          break;
        case 'not-yet-valid':
          add('error', 'not-yet-valid', `${name} is not valid before ${isoDate(c.notBefore)}`);
          break;
        case 'critical':
        case 'warning':
        case 'info': {
          const [severity, code] = EXPIRING[urgency];
          if (unusedRoot) add('hint', code, `Root in a trust store expires in ${plural(left, 'day')} (${expiry}): unused after that, consider removing it (${name})`);
          else add(severity, code, `${name} expires in ${plural(left, 'day')} (${expiry})`);
          break;
        }
        case 'later':
          break;
      }
      const lifetime = c.notAfter - c.notBefore;
      if ((urgency === 'info' || urgency === 'later') && lifetime > 0 && lifetime <= s.shortLivedMaxDays * DAY_MS &&
          c.notAfter - now < s.lifetimeShare * lifetime) {
        add('warning', 'lifetime-share', `${name} has ${Math.round(((c.notAfter - now) / lifetime) * 100)}% of its ${plural(Math.round(lifetime / DAY_MS), 'day')} lifetime left (renew before ${Math.round(s.lifetimeShare * 100)}%)`);
      }
      if (c.chain && c.chain.members[0] === c.index && c.chain.earliestIndex !== c.index && c.chain.earliestNotAfter < c.notAfter) {
        const member = sameFile(c.file).find((o) => o.index === c.chain?.earliestIndex);
        add('warning', 'chain-member-expires-first',
          `The chain expires before this certificate: ${member ? `${member.role} ${describeCertificate(member)}` : 'a member'} expires ${isoDate(c.chain.earliestNotAfter)}`);
      }
    }
    if (!c.selfSigned && WEAK_SIGNATURE_OIDS.has(c.signatureAlgorithmOid)) {
      add('warning', 'weak-signature', `${name} is signed with ${c.signatureAlgorithm}, a broken hash`);
    }
    if ((c.keyType === 'RSA' || c.keyType === 'RSA-PSS') && c.keyBits !== undefined && c.keyBits < s.minRsaBits) {
      add('warning', 'weak-rsa-key', `${name} has a ${c.keyBits}-bit RSA key (under ${s.minRsaBits})`);
    }
    if (c.role === 'leaf' && !c.isCA && c.notAfter - c.notBefore > s.maxLeafValidityDays * DAY_MS) {
      add('info', 'long-validity', `${name} is valid for ${plural(Math.round((c.notAfter - c.notBefore) / DAY_MS), 'day')}, more than the ${s.maxLeafValidityDays} browsers accept for a TLS server`);
    }
  }
  return findings;
}

const EXPIRING = {
  critical: ['error', 'expires-critical'],
  warning: ['warning', 'expires-warning'],
  info: ['info', 'expires-info'],
} as const satisfies Record<string, readonly [Severity, Finding['code']]>;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
