/**
 * The workspace summary every editor surface shows (status bar, the tree's badge, the daily
 * notification, Explorer badges): what has expired or expires soon, over certificates, CRLs
 * (nextUpdate), SAML metadata (validUntil) and the certificates hosts serve. Computed here once from
 * the store's counts, so the surfaces cannot disagree; free of `vscode`.
 */
import { crlValidity, noUrgencies, type RuleSettings, type Urgency, URGENCY_ORDER, type UrgencyCounts, urgencyOf } from '../rules/rules';

/** What the summary counts. */
export type SummaryKind = 'certificates' | 'crls' | 'metadata' | 'hosts';

export interface SummaryInput {
  now: number;
  /** Certificates as the store counts them per file: production ones, the others apart, the most urgent per production file. */
  certificates: { counts: UrgencyCounts; nonProduction: UrgencyCounts; worst: ReadonlyMap<string, Urgency> };
  /** CRLs; one without a nextUpdate never expires. */
  crls: Iterable<{ file: string; thisUpdate: number; nextUpdate?: number }>;
  /** SAML metadata validUntil dates. */
  metadata: Iterable<{ file: string; notAfter: number }>;
  /** The leaf each checked host serves, with the file of the host's first reference (whose folder's thresholds apply). */
  hosts: Iterable<{ file: string; notBefore: number; notAfter: number }>;
  /** Tests, examples, docs and vendored files, counted apart (hosts are always counted). */
  setApart(file: string): boolean;
  /** The thresholds of a file's folder. */
  rulesOf(file: string): RuleSettings;
  /** The window's thresholds: the windows the summary names when nothing is counted. */
  windowRules: RuleSettings;
}

export interface WorkspaceSummary {
  /** Production items by kind and urgency. */
  byKind: Record<SummaryKind, UrgencyCounts>;
  /** The four kinds together. */
  all: UrgencyCounts;
  /** Certificates, CRLs and metadata in tests, examples, docs and vendored files. */
  nonProduction: UrgencyCounts;
  expired: number;
  critical: number;
  /** Critical and warning: expiring within the warning window. */
  soon: number;
  /** Expired and critical: what the tree's badge and the notification count. */
  urgent: number;
  /** The most urgent state of each production file holding a certificate, a CRL with a nextUpdate or SAML metadata. */
  worst: Map<string, Urgency>;
  /** The largest windows of the folders holding what is counted (each item is graded by its own folder's), else the window's. */
  warningDays: number;
  criticalDays: number;
}

const moreUrgent = (a: Urgency, b: Urgency | undefined): boolean => b === undefined || URGENCY_ORDER.indexOf(a) < URGENCY_ORDER.indexOf(b);

export function summarize(input: SummaryInput): WorkspaceSummary {
  const byKind: Record<SummaryKind, UrgencyCounts> = {
    certificates: { ...input.certificates.counts },
    crls: noUrgencies(),
    metadata: noUrgencies(),
    hosts: noUrgencies(),
  };
  const nonProduction = { ...input.certificates.nonProduction };
  const worst = new Map(input.certificates.worst);
  const files = new Set(worst.keys());
  const add = (kind: SummaryKind, file: string, item: { notBefore: number; notAfter: number }, apartAllowed: boolean) => {
    const urgency = urgencyOf(item, input.now, input.rulesOf(file));
    if (apartAllowed && input.setApart(file)) {
      nonProduction[urgency]++;
      return;
    }
    byKind[kind][urgency]++;
    files.add(file);
    if (kind !== 'hosts' && moreUrgent(urgency, worst.get(file))) worst.set(file, urgency);
  };
  for (const c of input.crls) {
    const validity = crlValidity(c, input.now);
    if (validity) add('crls', c.file, validity, true);
  }
  for (const m of input.metadata) add('metadata', m.file, { notBefore: -Infinity, notAfter: m.notAfter }, true);
  for (const h of input.hosts) add('hosts', h.file, h, false);
  const all = noUrgencies();
  for (const counts of Object.values(byKind)) for (const u of URGENCY_ORDER) all[u] += counts[u];
  let warningDays = 0;
  let criticalDays = 0;
  for (const file of files) {
    const rules = input.rulesOf(file);
    warningDays = Math.max(warningDays, rules.warningDays);
    criticalDays = Math.max(criticalDays, rules.criticalDays);
  }
  return {
    byKind,
    all,
    nonProduction,
    worst,
    expired: all.expired,
    critical: all.critical,
    soon: all.critical + all.warning,
    urgent: all.expired + all.critical,
    warningDays: files.size ? warningDays : input.windowRules.warningDays,
    criticalDays: files.size ? criticalDays : input.windowRules.criticalDays,
  };
}
