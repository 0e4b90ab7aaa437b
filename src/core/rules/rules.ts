import {
  type CertificateRecord,
  type CrlRecord,
  DAY_MS,
  type FileExpiry,
  type FileResult,
  type Finding,
  type FindingCode,
  type Severity,
} from '../model';
import { WEAK_SIGNATURE_OIDS } from '../x509/oids';
import { isoDate } from '../dates';
import { isTrustStore } from './trustStores';

export { isoDate };

/** Every threshold the rules use; the defaults are the documented ones. */
export interface RuleSettings {
  criticalDays: number;
  warningDays: number;
  infoDays: number;
  /**
   * Each band also waits for its share of the certificate's lifetime (see withinBand): the critical
   * band applies once at most this share of the lifetime is left, as well as at most criticalDays.
   * 0 (or 1 and more) leaves the day threshold alone. lifetimeShare and infoLifetimeShare likewise.
   */
  criticalLifetimeShare: number;
  /** The warning band's share of the lifetime: the renewal point (cert-manager's and step's default, a third left). */
  lifetimeShare: number;
  /** The information band's share of the lifetime. */
  infoLifetimeShare: number;
  minRsaBits: number;
  /** SHA-256 fingerprints the user chose to ignore. */
  ignore: ReadonlySet<string>;
  /** Fingerprint -> epoch ms until which the certificate's expiry findings are snoozed. */
  snoozed: ReadonlyMap<string, number>;
}

/**
 * The shares split the last half of a lifetime into three equal sixths: information from half-life,
 * a warning from the renewal point (a third left: cert-manager's default renewBefore, step-ca's
 * renewal at two thirds, Let's Encrypt's advice), an error for the last sixth, when half of the
 * time a failing renewal had to recover is gone. For a lifetime of 180 days and more (the public TLS
 * limit until 2027-03-15 is 200, and a 1-year or 10-year certificate) the day thresholds come
 * first and decide alone.
 */
export const DEFAULT_RULES: RuleSettings = {
  criticalDays: 7,
  warningDays: 30,
  infoDays: 90,
  criticalLifetimeShare: 1 / 6,
  lifetimeShare: 1 / 3,
  infoLifetimeShare: 1 / 2,
  minRsaBits: 2048,
  ignore: new Set(),
  snoozed: new Map(),
};

/** The urgencies a certificate reaches by its thresholds, nearest to expiry first. */
export type Band = 'critical' | 'warning' | 'info';
export const BANDS: readonly Band[] = ['critical', 'warning', 'info'];

/** A band's day threshold and share of the lifetime. */
export function bandThresholds(s: RuleSettings, band: Band): { days: number; share: number } {
  switch (band) {
    case 'critical':
      return { days: s.criticalDays, share: s.criticalLifetimeShare };
    case 'warning':
      return { days: s.warningDays, share: s.lifetimeShare };
    case 'info':
      return { days: s.infoDays, share: s.infoLifetimeShare };
  }
}

/** Whether a share of the lifetime applies at all: 0 (or less) turns it off, and so does 1 (or more), all of a lifetime. */
function shareApplies(share: number): boolean {
  return share > 0 && share < 1;
}

/**
 * A share of a lifetime as time left, in whole ms (cert-manager rounds its renewal point the same
 * way: renewal.ts); Infinity when there is no share to apply (see shareApplies) or no finite
 * lifetime (a file expiry or a CRL, valid from the beginning of time): the day threshold decides.
 */
export function shareOfLifetimeMs(share: number, lifetime: number): number {
  return shareApplies(share) && lifetime > 0 && lifetime < Infinity ? Math.round(share * lifetime) : Infinity;
}

/**
 * Whether `band` applies at `now`: within its day threshold and within its share of the lifetime,
 * whichever of the two is nearer to expiry. A 6-day certificate waits for its shares (an error only
 * in its last day); a 1-year one for its days, as a long lifetime's shares come earlier.
 */
export function withinBand(c: { notBefore: number; notAfter: number }, now: number, s: RuleSettings, band: Band): boolean {
  const { days, share } = bandThresholds(s, band);
  const left = c.notAfter - now;
  return left / DAY_MS <= days && left <= shareOfLifetimeMs(share, c.notAfter - c.notBefore);
}

/** Whether the band waits for its share of this certificate's lifetime rather than its day threshold (its message says so). */
export function shareDecides(c: { notBefore: number; notAfter: number }, s: RuleSettings, band: Band): boolean {
  const { days, share } = bandThresholds(s, band);
  return shareOfLifetimeMs(share, c.notAfter - c.notBefore) < days * DAY_MS;
}

export type Urgency = 'expired' | 'critical' | 'warning' | 'info' | 'later' | 'not-yet-valid';

/** Urgencies by how soon they call for action; a certificate not valid yet calls for none. */
export const URGENCY_ORDER: readonly Urgency[] = ['expired', 'critical', 'warning', 'info', 'later', 'not-yet-valid'];

export type UrgencyCounts = Record<Urgency, number>;

export function noUrgencies(): UrgencyCounts {
  return { expired: 0, 'not-yet-valid': 0, critical: 0, warning: 0, info: 0, later: 0 };
}

/** Counts certificates (or hosts' leaves) by urgency at `now`, into `counts` when given. */
export function countUrgencies<T extends { notBefore: number; notAfter: number }>(
  items: Iterable<T>,
  now: number,
  rulesOf: (item: T) => RuleSettings,
  counts: UrgencyCounts = noUrgencies(),
): UrgencyCounts {
  for (const item of items) counts[urgencyOf(item, now, rulesOf(item))]++;
  return counts;
}

/** Whole days left, as a calendar counts them: 2.9 days left is 3, expired 12.9 days ago is -12. */
export function daysLeft(notAfter: number, now: number): number {
  return Math.ceil((notAfter - now) / DAY_MS) || 0;
}

export function urgencyOf(c: { notBefore: number; notAfter: number }, now: number, s: RuleSettings): Urgency {
  if (c.notAfter <= now) return 'expired';
  if (c.notBefore > now) return 'not-yet-valid';
  for (const band of BANDS) if (withinBand(c, now, s, band)) return band;
  return 'later';
}

export function describeCertificate(c: CertificateRecord): string {
  return c.subjectCN ? `CN=${c.subjectCN}` : (c.sans.dns[0] ?? (c.subject || `certificate ${c.index + 1}`));
}

/**
 * All findings the rules make for the given certificates at time `now`. A file's certificates must
 * be passed together (all or none): chains and trust stores are judged per file. An expired or
 * expiring root or CA certificate in a trust store (see isTrustStore) is a hint: nothing relies on it. The findings
 * come certificate by certificate; `starts`, when given, receives where each certificate's begin.
 * Called by core/findings/fileFindings.ts, which composes a file's findings for every surface: a new
 * rule is wired there, once.
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
  // Whether a file is a trust store, asked only for roots and CAs about to be reported (expiring, weak keys and signatures, chains).
  const trustStores = new Map<string, boolean>();
  const inTrustStore = (c: CertificateRecord): boolean => {
    // A key's certificate in SAML metadata or a JWKS is relied upon, however many of them a file holds;
    // a leaf is not a CA to trust. A store's intermediates (a published collection of CAs) are its members too.
    if (!(c.selfSigned || c.isCA) || c.source === 'saml' || c.source === 'jwks') return false;
    let is = trustStores.get(c.file);
    if (is === undefined) trustStores.set(c.file, (is = isTrustStore(c.file, sameFile(c.file))));
    return is;
  };
  // A trust store whose every member has expired verifies nothing: its last one to expire says so,
  // as an error (govuk-puppet's rds-combined-ca-bundle.pem, deployed to every node, 45 of 45 expired).
  const lastExpired = new Map<string, CertificateRecord | undefined>();
  const lastOfExpiredStore = (c: CertificateRecord): boolean => {
    if (!lastExpired.has(c.file)) {
      let last: CertificateRecord | undefined;
      for (const o of sameFile(c.file)) {
        if (o.notAfter > now) {
          last = undefined;
          break;
        }
        if (!last || o.notAfter > last.notAfter) last = o;
      }
      lastExpired.set(c.file, last);
    }
    return lastExpired.get(c.file) === c;
  };
  // SAML metadata often names one certificate as a role's signing and its encryption key: one
  // finding, on the first (fedora-infra's ipsilon SP list had every expired certificate twice).
  const repeatedKey = (c: CertificateRecord): boolean =>
    c.saml !== undefined &&
    sameFile(c.file).some(
      (o) => o.index < c.index && o.sha256 === c.sha256 && o.saml?.entityID === c.saml?.entityID && o.saml?.role === c.saml?.role,
    );
  for (const c of certs) {
    starts?.push(findings.length);
    if (s.ignore.has(c.sha256) || repeatedKey(c)) continue;
    const snoozed = (s.snoozed.get(c.sha256) ?? 0) > now;
    const add = (severity: Severity, code: Finding['code'], message: string) =>
      findings.push({ file: c.file, range: c.range, severity, code, message, sha256: c.sha256 });
    const name = describeCertificate(c);
    const left = daysLeft(c.notAfter, now);
    const urgency = urgencyOf(c, now, s);
    if (!snoozed) {
      const expiry = isoDate(c.notAfter);
      const unusedInStore = urgency !== 'later' && urgency !== 'not-yet-valid' && inTrustStore(c);
      const storeMember = c.selfSigned ? 'root' : 'CA certificate';
      const placeholder = urgency !== 'later' && urgency !== 'not-yet-valid' && isOpensslPlaceholder(c);
      switch (urgency) {
        case 'expired':
          if (unusedInStore && lastOfExpiredStore(c)) {
            add(
              'error',
              'expired',
              `Every certificate in this trust store has expired, the last of them ${name} ${plural(-left || 0, 'day')} ago (${expiry}): it verifies nothing; replace it with a current bundle or remove it`,
            );
          } else if (unusedInStore)
            add(
              'hint',
              'expired',
              `Expired ${storeMember} in a trust store: unused, consider removing it (${name} expired ${plural(-left || 0, 'day')} ago, ${expiry})`,
            );
          else if (placeholder)
            add('hint', 'expired', `Likely a placeholder: ${placeholderWhy(c)} (expired ${plural(-left || 0, 'day')} ago, ${expiry})`);
          else add('error', 'expired', `${name} expired ${plural(-left || 0, 'day')} ago (${expiry})`);
          break;
        case 'not-yet-valid':
          add('error', 'not-yet-valid', `${name} is not valid before ${isoDate(c.notBefore)}`);
          break;
        case 'critical':
        case 'warning':
        case 'info': {
          const [severity, code] = EXPIRING[urgency];
          if (unusedInStore)
            add(
              'hint',
              code,
              `${c.selfSigned ? 'Root' : storeMember} in a trust store expires in ${plural(left, 'day')} (${expiry}): unused after that, consider removing it (${name})`,
            );
          else if (placeholder)
            add('hint', code, `Likely a placeholder: ${placeholderWhy(c)} (expires in ${plural(left, 'day')}, ${expiry})`);
          else add(severity, code, `${name} expires in ${plural(left, 'day')} (${expiry})${lifetimeNote(c, s, urgency)}`);
          break;
        }
        case 'later':
          break;
      }
      // Said once the member that expires first is itself within the info window (a root of 2291
      // before a leaf of 2291 is nothing to act on); its own expiry finding comes with it. Not for a
      // certificate that has expired itself: its error says it all (apache's asf_internal.crt, a leaf
      // expired a week after its root; a CA bundle whose cross-signature expired four years earlier).
      const member =
        urgency !== 'expired' &&
        c.chain &&
        c.chain.members[0] === c.index &&
        c.chain.earliestIndex !== c.index &&
        c.chain.earliestNotAfter < c.notAfter
          ? sameFile(c.file).find((o) => o.index === c.chain?.earliestIndex)
          : undefined;
      if (c.chain && member && urgencyOf(member, now, s) !== 'later') {
        const why = `${member.role} ${describeCertificate(member)} expires ${isoDate(c.chain.earliestNotAfter)}`;
        // A store's CAs are picked one by one to build chains, never served as this one: cfssl's
        // intermediate pool links COMODO's DV CA to an expired cross-signature it also holds.
        if (inTrustStore(c))
          add(
            'hint',
            'chain-member-expires-first',
            `CA certificate in a trust store whose issuer there expires first (${why}): the store is not served as a chain, nothing to change here (${name})`,
          );
        else add('warning', 'chain-member-expires-first', `The chain expires before this certificate: ${why}`);
      }
    }
    if (!c.selfSigned && WEAK_SIGNATURE_OIDS.has(c.signatureAlgorithmOid)) {
      // Its issuer's signature, not the repository's to redo (Infineon's SHA-1 TPM intermediates in Microsoft's collection).
      if (inTrustStore(c))
        add(
          'hint',
          'weak-signature',
          `CA certificate in a trust store signed with ${c.signatureAlgorithm}, a broken hash: its publisher's, nothing to change here (${name})`,
        );
      else add('warning', 'weak-signature', `${name} is signed with ${c.signatureAlgorithm}, a broken hash`);
    }
    if ((c.keyType === 'RSA' || c.keyType === 'RSA-PSS') && c.keyBits !== undefined && c.keyBits < s.minRsaBits) {
      // A publisher's certificate in a list of trusted ones (AWS's 1024-bit signing certificates) is not the repository's to rekey.
      if (inTrustStore(c))
        add(
          'hint',
          'weak-rsa-key',
          `Trusted certificate with a ${c.keyBits}-bit RSA key (under ${s.minRsaBits}) in a trust store: its publisher's key, nothing to change here (${name})`,
        );
      // An expired placeholder's key verifies nothing (gatekeeper's 512-bit test caBundle constant, expired 2015);
      // a valid one might be a nameless CA in use: its weak key stays a warning.
      else if (urgency === 'expired' && isOpensslPlaceholder(c))
        add('hint', 'weak-rsa-key', `Likely a placeholder: ${placeholderWhy(c)} (a ${c.keyBits}-bit RSA key, under ${s.minRsaBits})`);
      else add('warning', 'weak-rsa-key', `${name} has a ${c.keyBits}-bit RSA key (under ${s.minRsaBits})`);
    }
    if (isPublicTlsLeaf(c)) {
      const limit = tlsValidityLimit(c.notBefore);
      if (c.notAfter - c.notBefore > limit.days * DAY_MS) {
        add(
          'info',
          'long-validity',
          `${name} is valid for ${plural(Math.round((c.notAfter - c.notBefore) / DAY_MS), 'day')}, more than the ${limit.days} browsers accept for a TLS server certificate issued ${limit.when}`,
        );
      }
    }
  }
  return findings;
}

/**
 * The subjects `openssl req` gives when every prompt is left at its default: nobody's name. Red Hat's
 * openssl.cnf, and upstream OpenSSL's (Debian, Alpine, Homebrew).
 */
const OPENSSL_DEFAULT_SUBJECTS: ReadonlySet<string> = new Set([
  'C=XX, L=Default City, O=Default Company Ltd',
  'C=AU, ST=Some-State, O=Internet Widgits Pty Ltd',
]);

function placeholderWhy(c: CertificateRecord): string {
  return (
    `the subject is exactly OpenSSL's default (${c.subject}) and the certificate names no host; ` +
    "a manifest ships such a value (a webhook caBundle) for its controller or cert-manager's CA injector to replace at runtime, and tests use them"
  );
}

/**
 * A placeholder certificate: self-signed, with exactly OpenSSL's default subject and no names, held
 * as a value in a manifest or config (source `inline`: a webhook's caBundle, not a certificate file
 * and not a TLS Secret, which something may serve). No client checking host names accepts it for a
 * host, and a checked-in caBundle that expired years ago is one nothing relies on.
 */
function isOpensslPlaceholder(c: CertificateRecord): boolean {
  return (
    c.source === 'inline' &&
    c.selfSigned &&
    OPENSSL_DEFAULT_SUBJECTS.has(c.subject) &&
    c.issuer === c.subject &&
    c.subjectCN === undefined &&
    !c.sans.dns.length &&
    !c.sans.ip.length &&
    !c.sans.email.length &&
    !c.sans.uri.length
  );
}

/** Finding codes of each kind of file expiry, by urgency. */
const EXPIRY_CODES: Record<FileExpiry['kind'], Record<'expired' | 'critical' | 'warning' | 'info', FindingCode>> = {
  'saml-metadata': {
    expired: 'metadata-expired',
    critical: 'metadata-expires-critical',
    warning: 'metadata-expires-warning',
    info: 'metadata-expires-info',
  },
};

/** A file expiry as the rules and the clock read dates: valid from the beginning of time. */
export function expiryDates(e: FileExpiry): { notBefore: number; notAfter: number } {
  return { notBefore: -Infinity, notAfter: e.notAfter };
}

/**
 * Findings for the dates files themselves expire at (FileResult.expiries: SAML metadata validUntil)
 * at time `now`, with the certificate thresholds: expired (error), within criticalDays (error),
 * warningDays (warning), infoDays (information).
 */
export function evaluateExpiries(result: Pick<FileResult, 'file' | 'expiries'>, now: number, s: RuleSettings = DEFAULT_RULES): Finding[] {
  const findings: Finding[] = [];
  for (const e of result.expiries ?? []) {
    const urgency = urgencyOf(expiryDates(e), now, s);
    const left = daysLeft(e.notAfter, now);
    const date = isoDate(e.notAfter);
    const codes = EXPIRY_CODES[e.kind];
    const add = (severity: Severity, code: FindingCode, message: string) =>
      findings.push({ file: result.file, range: e.range, severity, code, message });
    if (urgency === 'expired') {
      add(
        'error',
        codes.expired,
        `${e.label} expired ${plural(-left || 0, 'day')} ago (validUntil ${date}): relying parties reject it until it is refreshed`,
      );
    } else if (urgency === 'critical' || urgency === 'warning' || urgency === 'info') {
      add(
        EXPIRING[urgency][0],
        codes[urgency],
        `${e.label} expires in ${plural(left, 'day')} (validUntil ${date}): refresh and re-publish it before then`,
      );
    }
  }
  return findings;
}

/**
 * The longest validity browsers accept for a TLS server certificate, by when it was issued
 * (its notBefore): CA/Browser Forum ballot SC-081, in force each March 15, 00:00 UTC.
 */
export const TLS_VALIDITY_LIMITS: readonly { until: number; days: number }[] = [
  { until: Date.UTC(2026, 2, 15), days: 398 },
  { until: Date.UTC(2027, 2, 15), days: 200 },
  { until: Date.UTC(2029, 2, 15), days: 100 },
  { until: Infinity, days: 47 },
];

/** The SC-081 limit for a certificate issued at `notBefore`, and when that limit applies, in words. */
export function tlsValidityLimit(notBefore: number): { days: number; when: string } {
  const i = TLS_VALIDITY_LIMITS.findIndex((l) => notBefore < l.until);
  const { days, until } = TLS_VALIDITY_LIMITS[i];
  const from = i > 0 ? TLS_VALIDITY_LIMITS[i - 1].until : undefined;
  const when =
    from === undefined
      ? `before ${isoDate(until)}`
      : until === Infinity
        ? `from ${isoDate(from)}`
        : `from ${isoDate(from)} to ${isoDate(until - 1)}`;
  return { days, when };
}

/**
 * A leaf the browsers' validity limits apply to: issued by a CA (not self-signed), for TLS servers
 * (serverAuth, any, or no extended key usage), by a CA in a public root program — which browsers
 * require to log every certificate in Certificate Transparency, so it carries embedded SCTs. A
 * private CA's leaves (a VPN's, a Kafka cluster's, a service mesh's) carry none, and no browser
 * limit applies to them.
 */
function isPublicTlsLeaf(c: CertificateRecord): boolean {
  // SAML and JWKS keys sign assertions and tokens: no browser limit applies to them.
  if (c.role !== 'leaf' || c.isCA || c.selfSigned || c.source === 'saml' || c.source === 'jwks') return false;
  const eku = c.extendedKeyUsage;
  return (eku.length === 0 || eku.includes('serverAuth') || eku.includes('anyExtendedKeyUsage')) && hasEmbeddedScts(c.der);
}

/** The DER of the OID 1.3.6.1.4.1.11129.2.4.2, RFC 6962's embedded SCT list extension. */
const SCT_LIST_OID = [0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02];

/** Whether a certificate's DER holds an embedded SCT list extension (a byte search: the OID's encoding is unambiguous). */
export function hasEmbeddedScts(der: Uint8Array): boolean {
  const first = SCT_LIST_OID[0];
  for (let i = der.indexOf(first); i !== -1 && i + SCT_LIST_OID.length <= der.length; i = der.indexOf(first, i + 1)) {
    let k = 1;
    while (k < SCT_LIST_OID.length && der[i + k] === SCT_LIST_OID[k]) k++;
    if (k === SCT_LIST_OID.length) return true;
  }
  return false;
}

/** Whether a CRL's expiry findings are shown: not ignored, not snoozed (its SHA-256 names it, as a certificate's does). */
function crlShown(c: CrlRecord, now: number, s: RuleSettings): boolean {
  return !s.ignore.has(c.sha256) && !((s.snoozed.get(c.sha256) ?? 0) > now);
}

/**
 * A CRL's validity as the bands grade it at `now`: issued at thisUpdate, due at nextUpdate, so its
 * lifetime gives the bands' shares as a certificate's does (a CRL reissued weekly is not critical all
 * its life). A thisUpdate still to come (a clock skew where it was made) is graded by the days alone.
 * Undefined for a CRL without nextUpdate.
 */
export function crlValidity(
  c: Pick<CrlRecord, 'thisUpdate' | 'nextUpdate'>,
  now: number,
): { notBefore: number; notAfter: number } | undefined {
  if (c.nextUpdate === undefined) return undefined;
  return { notBefore: c.thisUpdate <= now ? c.thisUpdate : -Infinity, notAfter: c.nextUpdate };
}

/** How urgent a CRL's nextUpdate is, in the certificate bands; undefined when it names none. */
export function crlUrgencyOf(c: Pick<CrlRecord, 'thisUpdate' | 'nextUpdate'>, now: number, s: RuleSettings): Urgency | undefined {
  const validity = crlValidity(c, now);
  return validity && urgencyOf(validity, now, s);
}

export function describeCrl(c: CrlRecord): string {
  return `CRL of ${c.issuerCN ? `CN=${c.issuerCN}` : c.issuer || 'an unnamed issuer'}${c.crlNumber ? ` (number 0x${c.crlNumber})` : ''}`;
}

/**
 * Findings for CRLs at time `now`: nextUpdate is when a relying party stops accepting the CRL
 * (an expired CRL fails every revocation check that needs it), graded like a certificate's notAfter.
 */
export function evaluateCrls(crls: readonly CrlRecord[], now: number, s: RuleSettings = DEFAULT_RULES): Finding[] {
  const findings: Finding[] = [];
  for (const c of crls) {
    const urgency = crlUrgencyOf(c, now, s);
    if (urgency === undefined || c.nextUpdate === undefined || !crlShown(c, now, s)) continue;
    const left = daysLeft(c.nextUpdate, now);
    const details = `issued ${isoDate(c.thisUpdate)}, next update due ${isoDate(c.nextUpdate)}`;
    const add = (severity: Severity, code: Finding['code'], message: string) =>
      findings.push({ file: c.file, range: c.range, severity, code, message, sha256: c.sha256 });
    if (urgency === 'expired') {
      add('error', 'crl-expired', `${describeCrl(c)} expired ${plural(-left || 0, 'day')} ago: ${details}`);
    } else if (urgency === 'critical' || urgency === 'warning' || urgency === 'info') {
      const [severity, code] = CRL_EXPIRING[urgency];
      add(severity, code, `${describeCrl(c)} expires in ${plural(left, 'day')}: ${details}`);
    }
  }
  return findings;
}

const CRL_EXPIRING = {
  critical: ['error', 'crl-expires-critical'],
  warning: ['warning', 'crl-expires-warning'],
  info: ['info', 'crl-expires-info'],
} as const satisfies Record<string, readonly [Severity, Finding['code']]>;

const EXPIRING = {
  critical: ['error', 'expires-critical'],
  warning: ['warning', 'expires-warning'],
  info: ['info', 'expires-info'],
} as const satisfies Record<string, readonly [Severity, Finding['code']]>;

/**
 * Why a band applies when it does, if its share of the lifetime decided it rather than its days:
 * ", past its renewal point with a third of its 6-day lifetime left". Nothing when the days decide.
 */
export function lifetimeNote(c: { notBefore: number; notAfter: number }, s: RuleSettings, band: Band): string {
  if (!shareDecides(c, s, band)) return '';
  const lifetime = describeLifetime(c.notAfter - c.notBefore);
  const renewal = shareApplies(s.lifetimeShare) ? shareWords(s.lifetimeShare) : undefined;
  switch (band) {
    case 'critical':
      return `, in the last ${shareWords(s.criticalLifetimeShare, true)} of its ${lifetime} lifetime${renewal ? `, past its renewal point with ${renewal} left` : ''}`;
    case 'warning':
      return `, past its renewal point with ${shareWords(s.lifetimeShare)} of its ${lifetime} lifetime left`;
    case 'info':
      return `, less than ${shareWords(s.infoLifetimeShare)} of its ${lifetime} lifetime left${renewal ? ` (renewal due with ${renewal} left)` : ''}`;
  }
}

const SHARE_WORDS: readonly [number, string, string][] = [
  [1 / 2, 'half', 'half'],
  [1 / 3, 'a third', 'third'],
  [1 / 4, 'a quarter', 'quarter'],
  [1 / 5, 'a fifth', 'fifth'],
  [1 / 6, 'a sixth', 'sixth'],
  [1 / 10, 'a tenth', 'tenth'],
];

/** A share in words: 'a third' ('third' when `bare`, after "the last"), else a percentage ("33%": 0.33 is said as written). */
function shareWords(share: number, bare = false): string {
  const named = SHARE_WORDS.find(([v]) => Math.abs(v - share) < 1e-9);
  if (named) return bare ? named[2] : named[1];
  return `${+(share * 100).toFixed(1)}%`;
}

/** A lifetime as its message says it: "6-day", "47-day", "12-hour" under two days. */
function describeLifetime(ms: number): string {
  return ms < 2 * DAY_MS ? `${Math.round(ms / 3_600_000)}-hour` : `${Math.round(ms / DAY_MS)}-day`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
