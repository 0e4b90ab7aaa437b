import type { Finding, FindingCode, Severity } from '../model';
import { type HostJson, isoTime } from '../report/schema';
import { daysLeft, DEFAULT_RULES, isoDate, lifetimeNote, type RuleSettings, urgencyOf } from '../rules/rules';
import type { HostReference } from './discover';
import { hostPortKey } from './names';
import type { ChainMember, ProbeResult } from './tlsHandshake';

/** A problem with one endpoint, before it is placed at the files that name it. */
export interface HostIssue {
  severity: Severity;
  code: FindingCode;
  message: string;
  /** The leaf's fingerprint, on expiry issues (so ignore and snooze apply). */
  sha256?: string;
}

export interface AssessOptions {
  /**
   * Severity of `host-unreachable` (default warning, information for a name that does not exist in
   * DNS): an error for `certlens check`, which names one host on purpose; the editor may lower it,
   * since a workspace names hosts it cannot reach.
   */
  unreachable?: Severity;
}

/**
 * A name with no DNS record from here (a Helm placeholder such as `core.harbor.domain`, a cluster's
 * `kubernetes.default`, an intranet name off the VPN) serves nothing this run could check: worth a
 * note, not a warning. A proxy's name that does not resolve is the scan's own problem and stays one.
 */
function unreachableSeverity(result: ProbeResult, options: AssessOptions): Severity {
  if (options.unreachable) return options.unreachable;
  return result.errorCode === 'ENOTFOUND' && !result.viaProxy ? 'info' : 'warning';
}

/** Untrusted-chain codes already covered by expiry issues. */
const EXPIRY_AUTH_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * What is wrong with an endpoint: unreachable, expired or expiring (the certificate thresholds),
 * a chain member expiring first, hostname mismatch, untrusted chain. Ignored leaves give nothing.
 */
export function assessHost(
  result: ProbeResult,
  now: number,
  rules: RuleSettings = DEFAULT_RULES,
  options: AssessOptions = {},
): HostIssue[] {
  const label = hostPortKey(result.host, result.port);
  if (result.error)
    return [{ severity: unreachableSeverity(result, options), code: 'host-unreachable', message: `${label}: ${result.error}` }];
  const leaf = result.chain[0];
  if (!leaf || rules.ignore.has(leaf.sha256)) return [];
  const issues: HostIssue[] = [];
  const add = (severity: Severity, code: FindingCode, message: string, sha256?: string) =>
    issues.push(sha256 ? { severity, code, message, sha256 } : { severity, code, message });
  const snoozed = (rules.snoozed.get(leaf.sha256) ?? 0) > now;
  if (!snoozed) {
    const left = daysLeft(leaf.notAfter, now);
    const until = `(${isoDate(leaf.notAfter)})`;
    switch (urgencyOf(leaf, now, rules)) {
      case 'expired':
        add('error', 'expired', `${label} serves a certificate that expired ${plural(-left || 0, 'day')} ago ${until}`, leaf.sha256);
        break;
      case 'not-yet-valid':
        add('error', 'not-yet-valid', `${label} serves a certificate not valid before ${isoDate(leaf.notBefore)}`, leaf.sha256);
        break;
      case 'critical':
        add(
          'error',
          'expires-critical',
          `${label} serves a certificate that expires in ${plural(left, 'day')} ${until}${lifetimeNote(leaf, rules, 'critical')}`,
          leaf.sha256,
        );
        break;
      case 'warning':
        add(
          'warning',
          'expires-warning',
          `${label} serves a certificate that expires in ${plural(left, 'day')} ${until}${lifetimeNote(leaf, rules, 'warning')}`,
          leaf.sha256,
        );
        break;
      case 'info':
        add(
          'info',
          'expires-info',
          `${label} serves a certificate that expires in ${plural(left, 'day')} ${until}${lifetimeNote(leaf, rules, 'info')}`,
          leaf.sha256,
        );
        break;
      case 'later':
        break;
    }
    const i = result.chainEarliestIndex ?? 0;
    const member = result.chain[i];
    if (i > 0 && member && member.notAfter < leaf.notAfter) {
      const urgency = urgencyOf(member, now, rules);
      const severity: Severity = urgency === 'expired' || urgency === 'critical' ? 'error' : 'warning';
      add(
        severity,
        'chain-member-expires-first',
        `${label}: the chain expires before the certificate: ${roleOf(result.chain, i)} ${describe(member)} ${urgency === 'expired' ? 'expired' : 'expires'} ${isoDate(member.notAfter)}`,
        leaf.sha256,
      );
    }
  }
  if (result.hostnameMatch === false) {
    const names = leaf.dnsNames.length ? leaf.dnsNames.slice(0, 5).join(', ') : describe(leaf);
    add('error', 'host-hostname-mismatch', `${label} serves a certificate for ${names}, not ${result.host}`);
  }
  if (!result.authorized && !EXPIRY_AUTH_ERRORS.has(result.authorizationError ?? '')) {
    add('error', 'host-untrusted', `${label}: ${untrustedReason(result, leaf)}`);
  }
  return issues;
}

function untrustedReason(result: ProbeResult, leaf: ChainMember): string {
  const code = result.authorizationError ?? 'unknown error';
  if (result.missingIntermediate)
    return `the server sends no intermediate certificate, so clients cannot build the chain to a trusted root (${code})`;
  if (leaf.selfSigned) return `the certificate is self-signed (${code})`;
  if (code === 'SELF_SIGNED_CERT_IN_CHAIN') return `the chain ends in a root that is not trusted (${code})`;
  if (code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' || code === 'UNABLE_TO_GET_ISSUER_CERT')
    return `the chain does not lead to a trusted root (${code})`;
  return `the chain is not trusted (${code})`;
}

function roleOf(chain: readonly ChainMember[], i: number): string {
  if (i === 0) return 'leaf';
  return i === chain.length - 1 && chain[i].selfSigned ? 'root' : 'intermediate';
}

function describe(m: ChainMember): string {
  return m.subjectCN ? `CN=${m.subjectCN}` : (m.dnsNames[0] ?? m.subject);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The issues of one endpoint as findings, each once however many files name the endpoint: at the
 * first of `references` (callers list production references first), with the others as `related`.
 * An endpoint without references (one from settings) has nowhere to place them: none.
 */
export function hostFindings(
  references: readonly HostReference[],
  result: ProbeResult,
  now: number,
  rules: RuleSettings = DEFAULT_RULES,
  options: AssessOptions = {},
): Finding[] {
  const [first, ...others] = references;
  if (!first) return [];
  const host = hostPortKey(result.host, result.port);
  const related = others.map((r) => ({ file: r.file, range: r.range }));
  return assessHost(result, now, rules, options).map((issue) => {
    const finding: Finding = { file: first.file, range: first.range, host, ...issue };
    if (related.length) finding.related = related;
    return finding;
  });
}

/** The report's view of one endpoint. */
export function hostJson(references: readonly HostReference[], result: ProbeResult, now: number): HostJson {
  const time = (ms: number | undefined) => (ms === undefined ? null : isoTime(ms));
  return {
    host: result.host,
    port: result.port,
    servername: result.servername ?? null,
    address: result.address,
    viaProxy: result.viaProxy ?? null,
    starttls: result.starttls ?? null,
    references: references.map((r) => ({ file: r.file, range: r.range, source: r.source })),
    checkedAt: isoTime(result.checkedAt),
    notBefore: time(result.notBefore),
    notAfter: time(result.notAfter),
    daysLeft: result.notAfter === undefined ? null : daysLeft(result.notAfter, now),
    chainEarliestNotAfter: time(result.chainEarliestNotAfter),
    chainEarliestIndex: result.chainEarliestIndex ?? null,
    authorized: result.authorized,
    authorizationError: result.authorizationError ?? null,
    hostnameMatch: result.hostnameMatch ?? null,
    hostnameError: result.hostnameError ?? null,
    selfSigned: result.selfSigned ?? null,
    missingIntermediate: result.missingIntermediate ?? null,
    protocol: result.protocol ?? null,
    cipher: result.cipher ?? null,
    error: result.error ?? null,
    chain: result.chain.map((m) => ({
      subject: m.subject,
      issuer: m.issuer,
      notBefore: isoTime(m.notBefore),
      notAfter: isoTime(m.notAfter),
      sha256: m.sha256,
      dnsNames: m.dnsNames,
    })),
  };
}
